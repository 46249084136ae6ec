#include "node/pol_view.h"

#include "core/bech32m.h"
#include "ledger/pol_queries.h"
#include "node/json_views.h"

namespace vt::node {

using nlohmann::json;

namespace {

json enum_or_null(std::initializer_list<const char*> names) {
  json list = json::array();
  for (const char* n : names) list.push_back(n);
  list.push_back(nullptr);
  return {{"type", {"string", "null"}}, {"enum", list}};
}

// The phases' names, in PolPhase order.
json phase_schema() {
  json names = json::array();
  for (std::size_t i = 0; i < ledger::kPolPhaseCount; ++i)
    names.push_back(ledger::pol_phase_name(static_cast<ledger::PolPhase>(i)));
  return {{"type", "string"}, {"enum", names}};
}

// ---- one sampled segment's seat ----
using Seg = ledger::SegmentView;

json optional_number(std::optional<uint64_t> v) {
  return v ? json(*v) : json(nullptr);
}

const std::vector<ViewField<Seg>>& segment_fields() {
  static const std::vector<ViewField<Seg>> list = {
      {"segment", kInteger, [](const Seg& s) { return json(s.assignment.segment); }},
      {"start_step", kInteger, [](const Seg& s) { return json(s.bounds.start); }},
      {"end_step", kInteger, [](const Seg& s) { return json(s.bounds.end); }},
      {"start_hash", kHash, [](const Seg& s) { return json(to_hex(s.start_hash)); }},
      {"end_hash", kHash, [](const Seg& s) { return json(to_hex(s.end_hash)); }},
      {"verifier", kAddress,
       [](const Seg& s) { return json(address_to_string(s.assignment.verifier)); }},
      {"attest_commitment", kHashOrNull,
       [](const Seg& s) { return hex_or_null(s.assignment.attest_commitment); }},
      {"attestation",
       {{"type", "string"}, {"enum", {"assigned", "committed", "revealed"}}},
       [](const Seg& s) {
         return json(s.assignment.revealed            ? "revealed"
                     : s.assignment.attest_commitment ? "committed"
                                                      : "assigned");
       }},
      {"revealed", {{"type", "boolean"}}, [](const Seg& s) { return json(s.assignment.revealed); }},
      {"revealed_end", kHashOrNull,
       [](const Seg& s) {
         return s.assignment.revealed ? json(to_hex(s.assignment.revealed_end)) : json(nullptr);
       }},
      {"revealed_probe", kHashOrNull,
       [](const Seg& s) {
         return s.assignment.revealed ? json(to_hex(s.assignment.revealed_probe)) : json(nullptr);
       }},
      {"provider_probe", kHashOrNull,
       [](const Seg& s) { return hex_or_null(s.assignment.provider_probe); }},
      {"probe_offset", kIntegerOrNull,
       [](const Seg& s) { return optional_number(s.probe_offset); }},
      {"probe_step", kIntegerOrNull,
       [](const Seg& s) {
         return s.probe_offset ? json(s.bounds.start + *s.probe_offset) : json(nullptr);
       }},
      // Once both sides revealed: what judging will make (or made) of it.
      {"outcome", enum_or_null({"agree", "disagree"}),
       [](const Seg& s) {
         if (!s.judgement) return json(nullptr);
         return json(s.judgement->kind == verifier::JudgeKind::agree ? "agree" : "disagree");
       }},
      {"result",
       {{"type", "string"}, {"enum", {"pending", "agreed", "absent", "disputed"}}},
       [](const Seg& s) { return json(ledger::assignment_result_name(s.assignment.result)); }}};
  return list;
}

// ---- the commitment the provider posted ----
using Cm = verifier::Commitment;
const std::vector<ViewField<Cm>>& commitment_fields() {
  static const std::vector<ViewField<Cm>> list = {
      {"spec_hash", kHash, [](const Cm& c) { return json(to_hex(c.spec_hash)); }},
      {"checkpoint_interval", kInteger, [](const Cm& c) { return json(c.interval); }},
      {"steps", kInteger, [](const Cm& c) { return json(c.steps); }},
      {"checkpoints",
       {{"type", "array"}, {"items", kHash}},
       [](const Cm& c) {
         json list = json::array();
         for (const auto& h : c.checkpoints) list.push_back(to_hex(h));
         return list;
       }},
      {"final_model_hash", kHash, [](const Cm& c) { return json(to_hex(c.final_model_hash)); }},
      {"final_loss_micro", kInteger, [](const Cm& c) { return json(c.final_loss_micro); }},
      {"accuracy_bps", kInteger, [](const Cm& c) { return json(c.accuracy_bps); }}};
  return list;
}

// ---- the record ----
using Pol = ledger::PolView;

template <typename T>
json list_json(const std::vector<T>& items) {
  json list = json::array();
  for (const T& item : items) list.push_back(to_json(item));
  return list;
}

const std::vector<ViewField<Pol>>& pol_fields() {
  static const std::vector<ViewField<Pol>> list = {
      {"commitment_root", kHash, [](const Pol& p) { return json(to_hex(p.pol.root)); }},
      {"manifest", kHash, [](const Pol& p) { return json(to_hex(p.pol.manifest)); }},
      {"commitment", schema_object(view_properties(commitment_fields())),
       [](const Pol& p) { return view_json(commitment_fields(), p.commitment); }},
      {"segment_count", kInteger, [](const Pol& p) { return json(p.segment_count); }},
      {"commit_height", kInteger, [](const Pol& p) { return json(p.pol.commit_height); }},
      {"sample_height", kInteger, [](const Pol& p) { return json(p.pol.sample_height); }},
      {"commit_deadline", kInteger, [](const Pol& p) { return json(p.pol.commit_deadline); }},
      {"probe_deadline", kInteger, [](const Pol& p) { return json(p.pol.probe_deadline); }},
      {"reveal_deadline", kInteger, [](const Pol& p) { return json(p.pol.reveal_deadline); }},
      {"settle_height", kIntegerOrNull,  // once sampled
       [](const Pol& p) { return optional_number(p.settle_height); }},
      {"probe_seed", kHashOrNull, [](const Pol& p) { return hex_or_null(p.pol.probe_seed); }},
      {"phase", phase_schema(), [](const Pol& p) { return json(ledger::pol_phase_name(p.phase)); }},
      {"height", kInteger, [](const Pol& p) { return json(p.height); }},
      {"segments",
       {{"type", "array"}, {"items", schema_object(view_properties(segment_fields()))}},
       [](const Pol& p) {
         json list = json::array();
         for (const Seg& s : p.segments) list.push_back(view_json(segment_fields(), s));
         return list;
       }},
      {"judged", {{"type", "boolean"}}, [](const Pol& p) { return json(p.pol.judged); }},
      {"disputes",
       {{"type", "array"}, {"items", dispute_schema()}},
       [](const Pol& p) { return list_json(p.disputes); }},
      {"slashes", {{"type", "array"}, {"items", slash_schema()}}, [](const Pol& p) {
         return list_json(p.slashes);
       }}};
  return list;
}

}  // namespace

json pol_json(const std::optional<ledger::PolView>& view) {
  return view ? view_json(pol_fields(), *view) : json(nullptr);
}

json pol_schema() {
  return {{"oneOf", {{{"type", "null"}}, schema_object(view_properties(pol_fields()))}}};
}

}  // namespace vt::node
