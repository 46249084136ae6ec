#include "tests/ledger/fixture.h"

#include <algorithm>

#include "core/bech32m.h"
#include "core/bytes.h"
#include "ledger/liveness.h"

namespace vt::ledger::test {

SchnorrKey key_of(uint8_t n) {
  std::array<uint8_t, 32> secret{};
  secret[31] = n;
  return SchnorrKey::from_secret(secret).value();
}

Params test_params() {
  Params p;
  p.chain_id = "vt-test";
  p.min_fee = 10;
  p.min_provider_stake = 1000;
  p.unbonding_blocks = 5;
  p.min_job_deadline_blocks = 2;
  p.max_job_deadline_blocks = 20;
  p.expiry_slash_bps = 2500;
  p.max_spec_bytes = 1024;
  p.max_tx_bytes = 262144;  // a tiny-spec checkpoint (about 204 KB) fits
  p.max_block_txs = 1000;
  p.max_block_bytes = 1 << 20;
  p.pol_samples = 4;  // every segment of the tiny spec (4 segments)
  p.pol_sample_delay_blocks = 2;
  p.pol_commit_window = 10;
  p.pol_reveal_window = 10;
  p.verifier_fee = 10;
  p.min_verifier_stake = 500;
  p.max_referee_cost = 5'000'000'000;
  p.max_checkpoints = 64;
  p.pol_dispute_window = 20;
  p.fraud_reward_bps = 4000;
  p.false_challenge_slash = 300;
  p.absent_verifier_slash = 50;
  p.fee_per_kib = 0;  // (messages_test sets it where it tests it)
  p.max_referee_state_bytes = 250000;
  p.double_sign_slash_bps = 3000;  // 3 of the validator's 10
  p.max_evidence_age_blocks = 5;   // at most unbonding_blocks
  p.min_validator_stake = 1000;
  p.max_validators = 3;
  return p;
}

namespace {
std::array<uint8_t, 32> validator_seed() {
  return seed_of(7);
}
std::string validator_key_hex() {
  return to_hex(Ed25519Key::from_seed(validator_seed()).pubkey());
}
std::string validator_vrf_key_hex() {
  return to_hex(vrf_public_key(vrf_secret_from_seed(validator_seed())).value());
}
}  // namespace

CommitCertificate sign_last_commit(const StateReader& state, uint64_t parent_height,
                                   const Hash256& parent_hash,
                                   const std::vector<uint8_t>& signer_seeds) {
  CommitCertificate c;
  if (parent_height == 0) return c;
  const auto set = read_signing_set(state);
  REQUIRE(set.has_value());
  std::map<uint32_t, Ed25519Sig> sigs;
  for (uint8_t seed : signer_seeds) {
    const Ed25519Key k = Ed25519Key::from_seed(seed_of(seed));
    const auto index = set->index_of(k.pubkey());
    if (!index) continue;
    consensus::Vote v{consensus::VoteType::Precommit, parent_height, 0, parent_hash, *index};
    const auto bytes = consensus::sign_bytes(v, read_params(state).chain_id);
    sigs[*index] = k.sign(ByteView(bytes.data(), bytes.size()));
  }
  for (const auto& [index, sig] : sigs) c.sigs.push_back({index, sig});
  return c;
}

std::string genesis_json() {
  const Params p = test_params();
  auto n = [](uint64_t v) { return "\"" + std::to_string(v) + "\""; };
  std::string doc = "{\"chain_id\": \"" + p.chain_id +
                    "\", \"genesis_time_ms\": \"1700000000000\", \"params\": {";
  bool first = true;
  for (const ParamField& f : param_fields()) {
    doc += std::string(first ? "" : ", ") + "\"" + f.name + "\": " + n(param_value(p, f));
    first = false;
  }
  doc += "}, \"accounts\": [";
  for (uint8_t i = 1; i <= 4; ++i) {
    if (i > 1) doc += ", ";
    doc += "{\"address\": \"" + address_to_string(key_of(i).pubkey()) +
           "\", \"balance\": " + n(kFunded) + "}";
  }
  doc += "], \"validators\": [{\"consensus_key\": \"" + validator_key_hex() +
         "\", \"operator\": \"" + address_to_string(key_of(100).pubkey()) +
         "\", \"power\": " + n(kValidatorStake) + ", \"vrf_key\": \"" + validator_vrf_key_hex() +
         "\"}], \"datasets\": [" + kFashionMnistRegistryEntry + "]}";
  return doc;
}

Chain::Chain() : Chain(genesis_json()) {}

Chain::Chain(const std::string& document)
    : alice(key_of(1)), bob(key_of(2)), carol(key_of(3)), dave(key_of(4)), eve(key_of(5)) {
  auto g = parse_genesis(document);
  REQUIRE_MESSAGE(g.ok(), (g.ok() ? "" : g.error()));
  params = g->params;
  proposer = g->validators.at(0).operator_address;
  state.apply(genesis_changes(*g));
}

Transaction Chain::tx(const SchnorrKey& from, Message msg, std::optional<uint64_t> nonce,
                      std::optional<Amount> fee) const {
  Transaction t;
  t.chain_id = params.chain_id;
  t.sender = from.pubkey();
  t.nonce = nonce ? *nonce : read_account(state, from.pubkey()).nonce;
  t.fee = fee ? *fee : params.min_fee;
  t.msg = std::move(msg);
  sign(t, from);
  return t;
}

BlockRun Chain::block(const std::vector<Transaction>& txs, std::optional<uint64_t> at) {
  BlockRun run;
  run.height = at ? *at : height + 1;
  REQUIRE(run.height > height);
  run.root_before = state.root();
  // The state root before the block stands in for the parent block's hash: it
  // depends on the whole history, as the node's block hash does.
  BlockExecutor ex(state, BlockContext{run.height, 1'700'000'000'000 + run.height * 1000, proposer,
                                       run.root_before, datasets});
  for (const Transaction& t : txs) run.results.push_back(ex.apply(t, encode(t).size()));
  BlockResult r = std::move(ex).finish();
  REQUIRE(r.receipts.size() ==
          static_cast<size_t>(std::count_if(run.results.begin(), run.results.end(),
                                            [](const auto& x) { return x.ok(); })));
  run.begin_events = r.begin_events;
  run.changes = r.changes;
  state.apply(r.changes);
  run.root_after = state.root();
  height = run.height;
  return run;
}

std::vector<Event> Chain::advance_to(uint64_t target) {
  std::vector<Event> events;
  while (height < target) {
    BlockRun r = block({});
    events.insert(events.end(), r.begin_events.begin(), r.begin_events.end());
  }
  return events;
}

Receipt Chain::exec(const Transaction& t) {
  BlockRun r = block({t});
  REQUIRE_MESSAGE(r.results.at(0).ok(), (r.results.at(0).ok() ? "" : r.results.at(0).error()));
  return r.results.at(0).value();
}

std::string Chain::reject(const Transaction& t) {
  BlockRun r = block({t});
  REQUIRE(!r.results.at(0).ok());
  return r.results.at(0).error();
}

std::map<Bytes, Bytes> Chain::snapshot() const {
  std::map<Bytes, Bytes> out;
  state.scan(Bytes{}, [&](const Bytes& k, const Bytes& v) {
    out.emplace(k, v);
    return true;
  });
  return out;
}

unsigned __int128 Chain::total_supply() const {
  return ledger::total_supply(state);
}

std::set<Bytes> changed_keys(const std::map<Bytes, Bytes>& a, const std::map<Bytes, Bytes>& b) {
  std::set<Bytes> out;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end() || it->second != v) out.insert(k);
  }
  for (const auto& [k, v] : b)
    if (!a.count(k)) out.insert(k);
  return out;
}

const Event* find_event(const std::vector<Event>& events, const std::string& type) {
  for (const Event& e : events)
    if (e.type == type) return &e;
  return nullptr;
}

std::string attr(const Event& e, const std::string& key) {
  for (const auto& [k, v] : e.attrs)
    if (k == key) return v;
  return "<missing " + key + ">";
}

}  // namespace vt::ledger::test
