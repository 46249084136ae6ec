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

json to_json(const ledger::DisputeRecord& d) {
  json out = {
      {"id", d.id},
      {"job_id", d.job_id},
      {"segment", d.segment},
      {"kind", ledger::dispute_kind_name(d.kind)},
      {"provider", address_to_string(d.provider)},
      {"challenger", address_to_string(d.challenger)},
      {"opened_height", d.opened_height},
      {"status", d.open() ? "open" : "resolved"},
      {"deadline", d.game.deadline},
      {"loser", d.open() ? json(nullptr) : json(ledger::dispute_loser_name(d.loser))},
      {"outcome", d.open() ? json(nullptr) : json(d.outcome)},
      {"resolved_height", d.open() ? json(nullptr) : json(d.resolved_height)},
      {"referee_hash", d.referee_next ? json(to_hex(*d.referee_next)) : json(nullptr)},
      {"checkpoint_blob", d.checkpoint_blob ? json(to_hex(*d.checkpoint_blob)) : json(nullptr)}};
  if (d.kind == ledger::DisputeKind::availability) {
    out["step"] = d.game.lo;
    out["state_hash"] = to_hex(d.game.lo_hash);
    return out;
  }
  const verifier::Dispute& g = d.game;
  out["lo"] = g.lo;
  out["hi"] = g.hi;
  out["mid"] = g.mid();
  out["lo_hash"] = to_hex(g.lo_hash);
  out["provider_hi"] = to_hex(g.provider_hi);
  out["challenger_hi"] = to_hex(g.challenger_hi);
  out["turn"] = turn_name(g.turn);
  out["provider_mid"] =
      g.turn == verifier::Turn::challenger ? json(to_hex(g.provider_mid)) : json(nullptr);
  out["window"] = g.window;
  out["round"] = g.round;
  return out;
}

json dispute_schema() {
  const json hex = {{"type", "string"}, {"pattern", "^[0-9a-f]{64}$"}};
  const json hex_or_null = {{"type", {"string", "null"}}, {"pattern", "^[0-9a-f]{64}$"}};
  const json integer_or_null = {{"type", {"integer", "null"}}, {"minimum", 0}};
  const json text_or_null = {{"type", {"string", "null"}}};
  json common = {{"id", kInteger},
                 {"job_id", kInteger},
                 {"segment", kInteger},
                 {"kind", {{"type", "string"}, {"enum", {"end", "probe", "availability"}}}},
                 {"provider", kAddress},
                 {"challenger", kAddress},
                 {"opened_height", kInteger},
                 {"status", {{"type", "string"}, {"enum", {"open", "resolved"}}}},
                 {"deadline", kInteger},
                 {"loser", text_or_null},
                 {"outcome", text_or_null},
                 {"resolved_height", integer_or_null},
                 {"referee_hash", hex_or_null},
                 {"checkpoint_blob", hex_or_null}};
  json availability = common;
  availability["step"] = kInteger;
  availability["state_hash"] = hex;
  json bisection = common;
  for (const char* k : {"lo", "hi", "mid", "window", "round"}) bisection[k] = kInteger;
  for (const char* k : {"lo_hash", "provider_hi", "challenger_hi"}) bisection[k] = hex;
  bisection["turn"] = kString;
  bisection["provider_mid"] = hex_or_null;
  return {{"oneOf", {schema_object(availability), schema_object(bisection)}}};
}

json slash_schema() {
  return schema_object(
      {{"id", kInteger},
       {"height", kInteger},
       {"job_id", kInteger},
       {"dispute_id", {{"type", {"integer", "null"}}, {"minimum", 0}}},
       {"offender", kAddress},
       {"role", kString},
       {"amount", kAmount},
       {"beneficiary", {{"type", {"string", "null"}}, {"pattern", kAddress["pattern"]}}},
       {"reward", kAmount},
       {"paid_fees", kAmount},
       {"burned", kAmount},
       {"reason", kString}});
}

json to_json(const ledger::SlashRecord& s) {
  return {{"id", s.id},
          {"height", s.height},
          {"job_id", s.job_id},
          {"dispute_id", s.dispute_id == 0 ? json(nullptr) : json(s.dispute_id)},
          {"offender", address_to_string(s.offender)},
          {"role", s.role},
          {"amount", amount(s.amount)},
          {"beneficiary", s.reward == 0 ? json(nullptr) : json(address_to_string(s.beneficiary))},
          {"reward", amount(s.reward)},
          {"paid_fees", amount(s.paid_fees)},
          {"burned", amount(s.burned)},
          {"reason", s.reason}};
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
