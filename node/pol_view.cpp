#include "node/pol_view.h"

#include "core/bech32m.h"
#include "ledger/pol_queries.h"
#include "ledger/state_access.h"
#include "node/json_views.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"

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
struct SegmentSource {
  const ledger::Assignment& a;
  const verifier::Commitment& cm;
  verifier::SegmentBounds b;
  bool probe_drawn;  // the probe seed is set: the probe step is known
};
using Seg = SegmentSource;

std::optional<uint64_t> probe_offset(const Seg& s) {
  if (!s.probe_drawn) return std::nullopt;
  return verifier::probe_offset(s.b.end - s.b.start);
}
json optional_number(std::optional<uint64_t> v) {
  return v ? json(*v) : json(nullptr);
}

const std::vector<ViewField<Seg>>& segment_fields() {
  static const std::vector<ViewField<Seg>> list = {
      {"segment", kInteger, [](const Seg& s) { return json(s.a.segment); }},
      {"start_step", kInteger, [](const Seg& s) { return json(s.b.start); }},
      {"end_step", kInteger, [](const Seg& s) { return json(s.b.end); }},
      {"start_hash", kHash,
       [](const Seg& s) { return json(to_hex(s.cm.checkpoints.at(s.a.segment))); }},
      {"end_hash", kHash,
       [](const Seg& s) { return json(to_hex(s.cm.checkpoints.at(s.a.segment + 1))); }},
      {"verifier", kAddress, [](const Seg& s) { return json(address_to_string(s.a.verifier)); }},
      {"attest_commitment", kHashOrNull,
       [](const Seg& s) { return hex_or_null(s.a.attest_commitment); }},
      {"attestation",
       {{"type", "string"}, {"enum", {"assigned", "committed", "revealed"}}},
       [](const Seg& s) {
         return json(s.a.revealed ? "revealed" : s.a.attest_commitment ? "committed" : "assigned");
       }},
      {"revealed", {{"type", "boolean"}}, [](const Seg& s) { return json(s.a.revealed); }},
      {"revealed_end", kHashOrNull,
       [](const Seg& s) { return s.a.revealed ? json(to_hex(s.a.revealed_end)) : json(nullptr); }},
      {"revealed_probe", kHashOrNull,
       [](const Seg& s) {
         return s.a.revealed ? json(to_hex(s.a.revealed_probe)) : json(nullptr);
       }},
      {"provider_probe", kHashOrNull, [](const Seg& s) { return hex_or_null(s.a.provider_probe); }},
      {"probe_offset", kIntegerOrNull,
       [](const Seg& s) { return optional_number(probe_offset(s)); }},
      {"probe_step", kIntegerOrNull,
       [](const Seg& s) {
         auto r = probe_offset(s);
         return optional_number(r ? std::optional<uint64_t>(s.b.start + *r) : std::nullopt);
       }},
      // Once both sides revealed: what judging will make (or made) of it.
      {"outcome", enum_or_null({"agree", "disagree"}),
       [](const Seg& s) {
         const auto jd = ledger::judge_assignment(s.a, s.cm, s.probe_drawn);
         if (!jd) return json(nullptr);
         return json(jd->kind == verifier::JudgeKind::agree ? "agree" : "disagree");
       }},
      {"result",
       {{"type", "string"}, {"enum", {"pending", "agreed", "absent", "disputed"}}},
       [](const Seg& s) { return json(ledger::assignment_result_name(s.a.result)); }}};
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
struct PolSource {
  const ledger::StateReader& state;
  const ledger::Job& j;
  const ledger::JobPol& pol;
  const verifier::Commitment& cm;
  uint64_t height;
  bool at_head;
};
using Pol = PolSource;

const std::vector<ViewField<Pol>>& pol_fields() {
  static const std::vector<ViewField<Pol>> list = {
      {"commitment_root", kHash, [](const Pol& p) { return json(to_hex(p.pol.root)); }},
      {"manifest", kHash, [](const Pol& p) { return json(to_hex(p.pol.manifest)); }},
      {"commitment", schema_object(view_properties(commitment_fields())),
       [](const Pol& p) { return view_json(commitment_fields(), p.cm); }},
      {"segment_count", kInteger,
       [](const Pol& p) { return json(verifier::segment_count(p.cm.steps, p.cm.interval)); }},
      {"commit_height", kInteger, [](const Pol& p) { return json(p.pol.commit_height); }},
      {"sample_height", kInteger, [](const Pol& p) { return json(p.pol.sample_height); }},
      {"commit_deadline", kInteger, [](const Pol& p) { return json(p.pol.commit_deadline); }},
      {"probe_deadline", kInteger, [](const Pol& p) { return json(p.pol.probe_deadline); }},
      {"reveal_deadline", kInteger, [](const Pol& p) { return json(p.pol.reveal_deadline); }},
      {"settle_height", kIntegerOrNull,  // once sampled
       [](const Pol& p) {
         return p.pol.commit_deadline != 0 ? json(p.pol.reveal_deadline + 1) : json(nullptr);
       }},
      {"probe_seed", kHashOrNull, [](const Pol& p) { return hex_or_null(p.pol.probe_seed); }},
      {"phase", phase_schema(),
       [](const Pol& p) {
         return json(ledger::pol_phase_name(ledger::pol_phase(p.j, p.pol, p.height)));
       }},
      {"height", kInteger, [](const Pol& p) { return json(p.height); }},
      {"segments",
       {{"type", "array"}, {"items", schema_object(view_properties(segment_fields()))}},
       [](const Pol& p) {
         json list = json::array();
         for (const ledger::Assignment& a : p.pol.assignments)
           list.push_back(view_json(
               segment_fields(),
               Seg{a, p.cm, verifier::segment_bounds(a.segment, p.cm.steps, p.cm.interval),
                   p.pol.probe_seed.has_value()}));
         return list;
       }},
      {"judged", {{"type", "boolean"}}, [](const Pol& p) { return json(p.pol.judged); }},
      {"disputes",
       {{"type", "array"}, {"items", dispute_schema()}},
       [](const Pol& p) {
         json list = json::array();
         for (uint64_t id : p.pol.disputes)
           if (auto d = ledger::read_dispute(p.state, id)) list.push_back(to_json(*d));
         return list;
       }},
      {"slashes", {{"type", {"array", "null"}}, {"items", slash_schema()}}, [](const Pol& p) {
         if (!p.at_head) return json(nullptr);
         json list = json::array();
         for (const auto& s : ledger::slashes_of_job(p.state, p.j.id)) list.push_back(to_json(s));
         return list;
       }}};
  return list;
}

}  // namespace

json pol_json(const ledger::StateReader& state, uint64_t height, bool at_head,
              const ledger::Job& j) {
  auto pol = ledger::read_job_pol(state, j.id);
  auto raw = state.get(ledger::keys::commitment(j.id));
  if (!pol || !raw) return nullptr;
  auto c = verifier::decode_commitment(*raw);
  if (!c) return nullptr;
  return view_json(pol_fields(), Pol{state, j, *pol, c.value(), height, at_head});
}

json pol_schema() {
  return {{"oneOf", {{{"type", "null"}}, schema_object(view_properties(pol_fields()))}}};
}

}  // namespace vt::node
