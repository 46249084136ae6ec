#include "node/json_views.h"

#include "core/sha256.h"

namespace vt::node {

using nlohmann::json;

namespace {
std::string amount(uint64_t v) {
  return std::to_string(v);
}

struct MessageJson {
  json operator()(const ledger::Transfer& m) const {
    return {{"to", address_to_string(m.to)}, {"amount", amount(m.amount)}};
  }
  json operator()(const ledger::ProviderRegister& m) const {
    return {{"stake", amount(m.stake)}, {"endpoint", m.endpoint}};
  }
  json operator()(const ledger::Stake& m) const { return {{"amount", amount(m.amount)}}; }
  json operator()(const ledger::Unstake& m) const { return {{"amount", amount(m.amount)}}; }
  json operator()(const ledger::JobSubmit& m) const {
    return {{"spec", m.spec_json},
            {"payment", amount(m.payment)},
            {"bond", amount(m.bond)},
            {"deadline_blocks", m.deadline_blocks},
            {"samples", m.samples}};
  }
  json operator()(const ledger::JobAccept& m) const { return {{"job_id", m.job_id}}; }
  json operator()(const ledger::JobCancel& m) const { return {{"job_id", m.job_id}}; }
  json operator()(const ledger::VerifierRegister& m) const { return {{"stake", amount(m.stake)}}; }
  json operator()(const ledger::VerifierStake& m) const { return {{"amount", amount(m.amount)}}; }
  json operator()(const ledger::VerifierUnstake& m) const { return {{"amount", amount(m.amount)}}; }
  json operator()(const ledger::ValidatorRegister& m) const {
    return {{"consensus_key", to_hex(m.consensus_key)},
            {"vrf_key", to_hex(m.vrf_key)},
            {"stake", amount(m.stake)},
            {"proof", to_hex(m.proof)}};
  }
  json operator()(const ledger::ValidatorStake& m) const {
    return {{"consensus_key", to_hex(m.consensus_key)}, {"amount", amount(m.amount)}};
  }
  json operator()(const ledger::ValidatorUnstake& m) const {
    return {{"consensus_key", to_hex(m.consensus_key)}, {"amount", amount(m.amount)}};
  }
  json operator()(const ledger::ValidatorUnjail& m) const {
    return {{"consensus_key", to_hex(m.consensus_key)}};
  }
  json operator()(const ledger::JobCommit& m) const {
    return {{"job_id", m.job_id},
            {"commitment", to_hex(m.commitment)},
            {"manifest", to_hex(m.manifest)}};
  }
  json operator()(const ledger::AttestCommit& m) const {
    return {{"job_id", m.job_id}, {"segment", m.segment}, {"commitment", to_hex(m.commitment)}};
  }
  json operator()(const ledger::AttestReveal& m) const {
    return {{"job_id", m.job_id}, {"segment", m.segment}, {"reveal", to_hex(m.reveal)}};
  }
  json operator()(const ledger::ProviderProbe& m) const {
    return {{"job_id", m.job_id}, {"segment", m.segment}, {"probe_leaf", to_hex(m.probe_leaf)}};
  }
  json operator()(const ledger::CheckpointRequest& m) const {
    return {{"job_id", m.job_id}, {"segment", m.segment}};
  }
  json operator()(const ledger::DisputeMove& m) const {
    return {{"dispute_id", m.dispute_id}, {"move", to_hex(m.move)}};
  }
  json operator()(const ledger::CheckpointPost& m) const {
    // The checkpoint itself can be megabytes: its size and SHA-256 identify it.
    return {{"dispute_id", m.dispute_id},
            {"checkpoint_bytes", m.checkpoint.size()},
            {"checkpoint_sha256", to_hex(sha256(m.checkpoint))}};
  }
};

const char* turn_name(verifier::Turn t) {
  switch (t) {
    case verifier::Turn::provider:
      return "provider";
    case verifier::Turn::challenger:
      return "challenger";
    case verifier::Turn::referee:
      return "referee";
  }
  return "?";
}
}  // namespace

json schema_object(std::initializer_list<std::pair<const char*, json>> props) {
  json p = json::object();
  for (const auto& [k, v] : props) p[k] = v;
  return schema_object(p);
}

json schema_object(const json& properties) {
  json required = json::array();
  for (const auto& [k, v] : properties.items()) required.push_back(k);
  return {{"type", "object"},
          {"properties", properties},
          {"required", required},
          {"additionalProperties", false}};
}

const json kString = {{"type", "string"}};
const json kInteger = {{"type", "integer"}, {"minimum", 0}};
const json kAmount = {{"type", "string"}, {"pattern", "^(0|[1-9][0-9]*)$"}};
const json kAddress = {{"type", "string"}, {"pattern", "^vt1[02-9ac-hj-np-z]+$"}};

json to_json(const ledger::Account& a, const Address& address) {
  json out = object_json(a);
  out["address"] = address_to_string(address);
  return out;
}

json to_json(const ledger::Provider& p) {
  return object_json(p);
}

json hex_or_null(const std::optional<Hash256>& h) {
  return h ? json(to_hex(*h)) : json(nullptr);
}
const json kHash = {{"type", "string"}, {"pattern", "^[0-9a-f]{64}$"}};
const json kHashOrNull = {{"type", {"string", "null"}}, {"pattern", "^[0-9a-f]{64}$"}};
const json kIntegerOrNull = {{"type", {"integer", "null"}}, {"minimum", 0}};

namespace {
using Dispute = ledger::DisputeRecord;
json enum_of(std::initializer_list<const char*> names) {
  json list = json::array();
  for (const char* n : names) list.push_back(n);
  return {{"type", "string"}, {"enum", list}};
}
// Null while the dispute is open.
json if_resolved(const Dispute& d, json v) {
  return d.open() ? json(nullptr) : v;
}

// Every dispute has these; then an availability dispute the step it wants,
// and a bisection game its narrowing.
const std::vector<ViewField<Dispute>>& dispute_common_fields() {
  static const std::vector<ViewField<Dispute>> list = {
      {"id", kInteger, [](const Dispute& d) { return json(d.id); }},
      {"job_id", kInteger, [](const Dispute& d) { return json(d.job_id); }},
      {"segment", kInteger, [](const Dispute& d) { return json(d.segment); }},
      {"kind", enum_of({"end", "probe", "availability"}),
       [](const Dispute& d) { return json(ledger::dispute_kind_name(d.kind)); }},
      {"provider", kAddress, [](const Dispute& d) { return json(address_to_string(d.provider)); }},
      {"challenger", kAddress,
       [](const Dispute& d) { return json(address_to_string(d.challenger)); }},
      {"opened_height", kInteger, [](const Dispute& d) { return json(d.opened_height); }},
      {"status", enum_of({"open", "resolved"}),
       [](const Dispute& d) { return json(d.open() ? "open" : "resolved"); }},
      {"deadline", kInteger, [](const Dispute& d) { return json(d.game.deadline); }},
      {"loser",
       {{"type", {"string", "null"}},
        {"enum", json::array({"provider", "challenger", "nobody", nullptr})}},
       [](const Dispute& d) { return if_resolved(d, ledger::dispute_loser_name(d.loser)); }},
      {"outcome",
       {{"type", {"string", "null"}}},
       [](const Dispute& d) { return if_resolved(d, d.outcome); }},
      {"resolved_height", kIntegerOrNull,
       [](const Dispute& d) { return if_resolved(d, d.resolved_height); }},
      {"referee_hash", kHashOrNull, [](const Dispute& d) { return hex_or_null(d.referee_next); }},
      {"checkpoint_blob", kHashOrNull,
       [](const Dispute& d) { return hex_or_null(d.checkpoint_blob); }}};
  return list;
}
const std::vector<ViewField<Dispute>>& availability_fields() {
  static const std::vector<ViewField<Dispute>> list = {
      {"step", kInteger, [](const Dispute& d) { return json(d.game.lo); }},
      {"state_hash", kHash, [](const Dispute& d) { return json(to_hex(d.game.lo_hash)); }}};
  return list;
}
const std::vector<ViewField<Dispute>>& bisection_fields() {
  static const std::vector<ViewField<Dispute>> list = {
      {"lo", kInteger, [](const Dispute& d) { return json(d.game.lo); }},
      {"hi", kInteger, [](const Dispute& d) { return json(d.game.hi); }},
      {"mid", kInteger, [](const Dispute& d) { return json(d.game.mid()); }},
      {"lo_hash", kHash, [](const Dispute& d) { return json(to_hex(d.game.lo_hash)); }},
      {"provider_hi", kHash, [](const Dispute& d) { return json(to_hex(d.game.provider_hi)); }},
      {"challenger_hi", kHash, [](const Dispute& d) { return json(to_hex(d.game.challenger_hi)); }},
      {"turn", enum_of({"provider", "challenger", "referee"}),
       [](const Dispute& d) { return json(turn_name(d.game.turn)); }},
      // The provider's claimed h_mid, shown while the challenger answers it.
      {"provider_mid", kHashOrNull,
       [](const Dispute& d) {
         return d.game.turn == verifier::Turn::challenger ? json(to_hex(d.game.provider_mid))
                                                          : json(nullptr);
       }},
      {"window", kInteger, [](const Dispute& d) { return json(d.game.window); }},
      {"round", kInteger, [](const Dispute& d) { return json(d.game.round); }}};
  return list;
}

using Slash = ledger::SlashRecord;
const std::vector<ViewField<Slash>>& slash_fields() {
  static const std::vector<ViewField<Slash>> list = {
      {"id", kInteger, [](const Slash& s) { return json(s.id); }},
      {"height", kInteger, [](const Slash& s) { return json(s.height); }},
      {"job_id", kInteger, [](const Slash& s) { return json(s.job_id); }},
      {"dispute_id", kIntegerOrNull,  // null for a slash outside a dispute (an absent verifier)
       [](const Slash& s) { return s.dispute_id == 0 ? json(nullptr) : json(s.dispute_id); }},
      {"offender", kAddress, [](const Slash& s) { return json(address_to_string(s.offender)); }},
      {"role", enum_of({"provider", "verifier"}), [](const Slash& s) { return json(s.role); }},
      {"amount", kAmount, [](const Slash& s) { return json(amount(s.amount)); }},
      {"beneficiary",
       {{"type", {"string", "null"}}, {"pattern", kAddress["pattern"]}},
       [](const Slash& s) {
         return s.reward == 0 ? json(nullptr) : json(address_to_string(s.beneficiary));
       }},
      {"reward", kAmount, [](const Slash& s) { return json(amount(s.reward)); }},
      {"paid_fees", kAmount, [](const Slash& s) { return json(amount(s.paid_fees)); }},
      {"burned", kAmount, [](const Slash& s) { return json(amount(s.burned)); }},
      {"reason", kString, [](const Slash& s) { return json(s.reason); }}};
  return list;
}
}  // namespace

json to_json(const ledger::DisputeRecord& d) {
  json out = view_json(dispute_common_fields(), d);
  return view_json(
      d.kind == ledger::DisputeKind::availability ? availability_fields() : bisection_fields(), d,
      std::move(out));
}

json dispute_schema() {
  const json common = view_properties(dispute_common_fields());
  return {{"oneOf",
           {schema_object(view_properties(availability_fields(), common)),
            schema_object(view_properties(bisection_fields(), common))}}};
}

json slash_schema() {
  return schema_object(view_properties(slash_fields()));
}

json to_json(const ledger::SlashRecord& s) {
  return view_json(slash_fields(), s);
}

json to_json(const ledger::Job& j) {
  return object_json(j);
}

json to_json(const ledger::Params& p) {
  json out = {{"chain_id", p.chain_id}};
  for (const ledger::ParamField& f : ledger::param_fields()) {
    const uint64_t v = ledger::param_value(p, f);
    out[f.name] = f.amount ? json(amount(v)) : json(v);
  }
  return out;
}

json to_json(const ledger::Transaction& tx) {
  return {{"hash", to_hex(ledger::tx_hash(tx))},
          {"chain_id", tx.chain_id},
          {"sender", address_to_string(tx.sender)},
          {"nonce", tx.nonce},
          {"fee", amount(tx.fee)},
          {"type", ledger::message_name(tx.msg)},
          {"msg", std::visit(MessageJson{}, tx.msg)},
          {"signature", to_hex(tx.sig)}};
}

json to_json(const std::vector<ledger::Event>& events) {
  json out = json::array();
  for (const auto& e : events) {
    json attrs = json::object();
    for (const auto& [k, v] : e.attrs) attrs[k] = v;
    out.push_back({{"type", e.type}, {"attributes", attrs}});
  }
  return out;
}

json to_json(const ledger::Receipt& r) {
  return {{"success", r.success},
          {"code", static_cast<uint32_t>(r.code)},
          {"code_name", ledger::tx_code_name(r.code)},
          {"reason", r.reason},
          {"fee", amount(r.fee)},
          {"events", to_json(r.events)}};
}

json to_json(const ledger::BlockHeader& h) {
  return {{"chain_id", h.chain_id},
          {"height", h.height},
          {"time_ms", h.time_ms},
          {"prev_hash", to_hex(h.prev_hash)},
          {"tx_root", to_hex(h.tx_root)},
          {"state_root", to_hex(h.state_root)},
          {"receipts_root", to_hex(h.receipts_root)},
          {"evidence_root", to_hex(h.evidence_root)},
          {"last_commit_hash", to_hex(h.last_commit_hash)},
          {"proposer", to_hex(h.proposer)},
          {"vrf_proof", to_hex(h.vrf_proof)},
          {"randomness", [&]() -> json {
             auto beta = vrf_proof_to_hash(h.vrf_proof);  // checked when the block was made
             return beta ? json(to_hex(beta.value())) : json(nullptr);
           }()}};
}

json to_json(const ledger::Genesis& g) {
  json params = json::object();
  for (const ledger::ParamField& f : ledger::param_fields())
    params[f.name] = std::to_string(ledger::param_value(g.params, f));
  json datasets = json::array();
  for (const auto& d : g.datasets)
    datasets.push_back({{"name", d.name},
                        {"train_images_sha256", to_hex(d.train_images)},
                        {"train_labels_sha256", to_hex(d.train_labels)},
                        {"test_images_sha256", to_hex(d.test_images)},
                        {"test_labels_sha256", to_hex(d.test_labels)}});
  json accounts = json::array();
  for (const auto& b : g.balances)
    accounts.push_back({{"address", address_to_string(b.address)}, {"balance", amount(b.amount)}});
  json validators = json::array();
  for (const auto& v : g.validators)
    validators.push_back({{"consensus_key", to_hex(v.consensus_key)},
                          {"operator", address_to_string(v.operator_address)},
                          {"power", amount(v.power)},
                          {"vrf_key", to_hex(v.vrf_key)}});
  return {{"chain_id", g.params.chain_id},
          {"genesis_time_ms", g.genesis_time_ms},
          {"params", params},
          {"datasets", datasets},
          {"accounts", accounts},
          {"validators", validators}};
}

}  // namespace vt::node
