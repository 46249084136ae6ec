#include "ledger/executor.h"

#include <cassert>
#include <map>
#include <set>

#include "consensus/validator_set.h"
#include "core/encoding.h"
#include "core/sha256.h"
#include "core/vrf.h"
#include "kernels/job_spec.h"
#include "ledger/liveness.h"
#include "ledger/outcomes.h"
#include "ledger/pol_queries.h"
#include "ledger/state_access.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"
#include "verifier/economics.h"
#include "verifier/referee.h"
#include "verifier/sampling.h"

namespace vt::ledger {

namespace {

std::string addr(const Address& a) {
  return address_to_string(a);
}
std::string num(uint64_t v) {
  return std::to_string(v);
}

// Everything a message handler needs. Writes go to `o`, a per-transaction
// overlay that is dropped if the handler returns an error.
struct MsgContext {
  Overlay& o;
  const Transaction& tx;
  const BlockContext& block;
  const Params& params;
  std::vector<Event>& events;
};

// The stored spec of a job, parsed. It was validated at submission, so failing
// here means the state is corrupt.
kernels::JobSpec stored_spec(const StateReader& s, const Hash256& spec_hash) {
  auto text = read_spec(s, spec_hash);
  if (!text) {
    std::fprintf(stderr, "fatal: ledger state lacks the spec of a job\n");
    std::abort();
  }
  auto spec = kernels::parse_job_spec(*text);
  if (!spec) {
    std::fprintf(stderr, "fatal: stored job spec does not parse: %s\n", spec.error.c_str());
    std::abort();
  }
  return spec.value;
}

verifier::Commitment stored_commitment(const StateReader& s, uint64_t job_id) {
  auto v = s.get(keys::commitment(job_id));
  auto c = v ? verifier::decode_commitment(*v) : Result<verifier::Commitment>(make_error("absent"));
  if (!c) {
    std::fprintf(stderr, "fatal: corrupt commitment of job %llu: %s\n",
                 static_cast<unsigned long long>(job_id), c.error().c_str());
    std::abort();
  }
  return std::move(c).value();
}

TxStatus debit(Overlay& o, const Address& who, Amount amount, const char* what) {
  Account acc = read_account(o, who);
  if (acc.balance < amount)
    return fail(TxCode::insufficient_balance, "insufficient balance for " + std::string(what) +
                                                  ": have " + num(acc.balance) + ", need " +
                                                  num(amount));
  acc.balance -= amount;
  write_account(o, who, acc);
  return TxStatus::success();
}

TxStatus credit(Overlay& o, const Address& who, Amount amount) {
  Account acc = read_account(o, who);
  if (add_overflows(acc.balance, amount))
    return fail(TxCode::overflow, "recipient balance would overflow");
  acc.balance += amount;
  write_account(o, who, acc);
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const Transfer& m) {
  if (m.amount == 0) return fail(TxCode::invalid_amount, "transfer amount must be positive");
  if (auto s = debit(c.o, c.tx.sender, m.amount, "transfer"); !s) return s;
  if (auto s = credit(c.o, m.to, m.amount); !s) return s;
  c.events.push_back(
      {"transfer", {{"from", addr(c.tx.sender)}, {"to", addr(m.to)}, {"amount", num(m.amount)}}});
  return TxStatus::success();
}

TxStatus valid_endpoint(const std::string& e) {
  if (e.empty() || e.size() > kMaxEndpointBytes)
    return fail(TxCode::invalid_endpoint,
                "endpoint must be 1 to " + std::to_string(kMaxEndpointBytes) + " characters");
  for (char ch : e)
    if (ch < 0x21 || ch > 0x7e)
      return fail(TxCode::invalid_endpoint, "endpoint must be printable ASCII without spaces");
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const ProviderRegister& m) {
  if (read_provider(c.o, c.tx.sender))
    return fail(TxCode::already_done, "sender is already a registered provider");
  if (m.stake < c.params.min_provider_stake)
    return fail(TxCode::below_minimum, "stake " + num(m.stake) +
                                           " is below the minimum provider stake " +
                                           num(c.params.min_provider_stake));
  if (auto s = valid_endpoint(m.endpoint); !s) return s;
  if (auto s = debit(c.o, c.tx.sender, m.stake, "provider stake"); !s) return s;
  Provider p;
  p.owner = c.tx.sender;
  p.stake = m.stake;
  p.endpoint = m.endpoint;
  p.registered_height = c.block.height;
  write_provider(c.o, p);
  c.events.push_back(
      {"provider_registered", {{"provider", addr(p.owner)}, {"stake", num(m.stake)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const Stake& m) {
  auto p = read_provider(c.o, c.tx.sender);
  if (!p) return fail(TxCode::not_registered, "sender is not a registered provider");
  if (m.amount == 0) return fail(TxCode::invalid_amount, "stake amount must be positive");
  if (add_overflows(p->stake, m.amount)) return fail(TxCode::overflow, "stake would overflow");
  if (auto s = debit(c.o, c.tx.sender, m.amount, "stake"); !s) return s;
  p->stake += m.amount;
  write_provider(c.o, *p);
  c.events.push_back({"staked", {{"provider", addr(p->owner)}, {"amount", num(m.amount)}}});
  return TxStatus::success();
}

// Puts `amount` of `owner`'s stake into unbonding, released to its balance
// unbonding_blocks from now (merged with what it unbonds in the same block from
// the same source). `validator` is the consensus key whose stake this is, all
// zero for a provider's or verifier's; a validator's entry is also indexed
// under its key, where double-sign evidence finds it. Returns the release
// height, or overflow.
Result<uint64_t> start_unbonding(MsgContext& c, const Address& owner, Amount amount,
                                 const Ed25519Pubkey& validator = {}) {
  const uint64_t release = c.block.height + c.params.unbonding_blocks;
  const Bytes key = keys::unbonding(release, owner, validator);
  Unbonding u{owner, 0, release, validator};
  if (auto v = c.o.get(key)) u = decode_unbonding(*v).value();
  if (add_overflows(u.amount, amount)) return make_error("unbonding amount would overflow");
  u.amount += amount;
  c.o.put(key, encode(u));
  if (validator != Ed25519Pubkey{}) c.o.put(keys::validator_unbonding(validator, release), Bytes{});
  return release;
}

TxStatus run(MsgContext& c, const Unstake& m) {
  auto p = read_provider(c.o, c.tx.sender);
  if (!p) return fail(TxCode::not_registered, "sender is not a registered provider");
  if (m.amount == 0) return fail(TxCode::invalid_amount, "unstake amount must be positive");
  Amount free = p->stake - p->locked;
  if (m.amount > free)
    return fail(TxCode::above_limit, "unstake amount " + num(m.amount) +
                                         " exceeds the unlocked stake " + num(free) +
                                         " (bonds of accepted jobs stay locked)");
  auto unbonding = start_unbonding(c, p->owner, m.amount);
  if (!unbonding) return fail(TxCode::overflow, unbonding.error());
  const uint64_t release = unbonding.value();
  p->stake -= m.amount;
  write_provider(c.o, *p);
  c.events.push_back({"unstaked",
                      {{"provider", addr(p->owner)},
                       {"amount", num(m.amount)},
                       {"release_height", num(release)}}});
  return TxStatus::success();
}

// ---- validators ----

// The validators in the set (not jailed, with stake): how many and their power.
struct ActiveSet {
  uint64_t count = 0;
  unsigned __int128 power = 0;
};
ActiveSet active_set(const StateReader& s) {
  ActiveSet a;
  for (const Validator& v : read_validators(s))
    if (!v.jailed && v.power > 0) ++a.count, a.power += v.power;
  return a;
}

// A validator joining (or growing by `added`) must keep the set within
// max_validators and its power within what consensus can sum.
TxStatus set_has_room(const MsgContext& c, bool joins, Amount added) {
  const ActiveSet a = active_set(c.o);
  if (joins && a.count >= c.params.max_validators)
    return fail(TxCode::above_limit,
                "the validator set is full (max_validators " + num(c.params.max_validators) + ")");
  if (a.power + added > consensus::ValidatorSet::kMaxTotalPower)
    return fail(TxCode::above_limit, "the set's total stake would pass 2^60");
  return TxStatus::success();
}

// The validator `key`, into `out`, when the sender is its operator; otherwise
// the coded reason (no such validator, or another operator's).
TxStatus operated_validator(const MsgContext& c, const Ed25519Pubkey& key, Validator& out) {
  auto v = read_validator(c.o, key);
  if (!v) return fail(TxCode::not_registered, "no validator has consensus key " + to_hex(key));
  if (v->operator_address != c.tx.sender)
    return fail(TxCode::wrong_party, "the sender is not the validator's operator");
  out = *v;
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const ValidatorRegister& m) {
  if (read_validator(c.o, m.consensus_key))
    return fail(TxCode::already_done,
                "consensus key " + to_hex(m.consensus_key) + " is already a validator's");
  if (!vrf_key_valid(m.vrf_key)) return fail(TxCode::malformed, "vrf_key is not a point on P-256");
  if (!ed25519_verify(m.consensus_key,
                      validator_register_proof_bytes(c.params.chain_id, c.tx.sender, m.vrf_key),
                      m.proof))
    return fail(TxCode::wrong_party,
                "proof is not the consensus key's signature of this chain, operator and vrf_key");
  if (m.stake < c.params.min_validator_stake)
    return fail(TxCode::below_minimum, "stake " + num(m.stake) +
                                           " is below the minimum validator stake " +
                                           num(c.params.min_validator_stake));
  if (auto s = set_has_room(c, true, m.stake); !s) return s;
  if (auto s = debit(c.o, c.tx.sender, m.stake, "validator stake"); !s) return s;
  Validator v;
  v.consensus_key = m.consensus_key;
  v.operator_address = c.tx.sender;
  v.power = m.stake;
  v.vrf_key = m.vrf_key;
  write_validator(c.o, v);
  c.events.push_back({"validator_registered",
                      {{"validator", to_hex(v.consensus_key)},
                       {"operator", addr(v.operator_address)},
                       {"stake", num(v.power)},
                       {"from_height", num(c.block.height + 1)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const ValidatorStake& m) {
  Validator v;
  if (auto s = operated_validator(c, m.consensus_key, v); !s) return s;
  if (m.amount == 0) return fail(TxCode::invalid_amount, "stake amount must be positive");
  if (v.tombstoned)
    return fail(TxCode::wrong_status, "the validator is tombstoned for double signing");
  if (add_overflows(v.power, m.amount)) return fail(TxCode::overflow, "stake would overflow");
  // One that left (stake 0) comes back only with the stake a registration needs.
  if (!v.jailed && v.power + m.amount < c.params.min_validator_stake)
    return fail(TxCode::below_minimum, "the stake would be " + num(v.power + m.amount) +
                                           ", below the minimum validator stake " +
                                           num(c.params.min_validator_stake));
  // A jailed validator's stake is outside the set; one that had left rejoins it.
  if (!v.jailed) {
    if (auto s = set_has_room(c, /*joins=*/v.power == 0, m.amount); !s) return s;
  }
  if (auto s = debit(c.o, c.tx.sender, m.amount, "validator stake"); !s) return s;
  v.power += m.amount;
  write_validator(c.o, v);
  c.events.push_back({"validator_staked",
                      {{"validator", to_hex(v.consensus_key)},
                       {"amount", num(m.amount)},
                       {"stake", num(v.power)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const ValidatorUnstake& m) {
  Validator v;
  if (auto s = operated_validator(c, m.consensus_key, v); !s) return s;
  if (m.amount == 0) return fail(TxCode::invalid_amount, "unstake amount must be positive");
  if (m.amount > v.power)
    return fail(TxCode::above_limit,
                "unstake amount " + num(m.amount) + " exceeds the stake " + num(v.power));
  const Amount left = v.power - m.amount;
  if (left != 0 && left < c.params.min_validator_stake)
    return fail(TxCode::below_minimum,
                "the stake left, " + num(left) + ", would be below the minimum validator stake " +
                    num(c.params.min_validator_stake) + " (unstake all of it to leave)");
  // The chain must keep someone to sign its blocks.
  if (left == 0 && !v.jailed && active_set(c.o).count == 1)
    return fail(TxCode::wrong_status, "the last validator in the set cannot leave it");
  auto unbonding = start_unbonding(c, c.tx.sender, m.amount, v.consensus_key);
  if (!unbonding) return fail(TxCode::overflow, unbonding.error());
  const uint64_t release = unbonding.value();
  v.power = left;
  write_validator(c.o, v);
  c.events.push_back({"validator_unstaked",
                      {{"validator", to_hex(v.consensus_key)},
                       {"amount", num(m.amount)},
                       {"stake", num(left)},
                       {"release_height", num(release)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const ValidatorUnjail& m) {
  Validator v;
  if (auto s = operated_validator(c, m.consensus_key, v); !s) return s;
  if (v.tombstoned)
    return fail(TxCode::wrong_status,
                "the validator is tombstoned for double signing: it never returns");
  if (!v.jailed) return fail(TxCode::wrong_status, "the validator is not jailed");
  if (const uint64_t from = read_liveness(c.o, v.consensus_key).jailed_until; c.block.height < from)
    return fail(TxCode::outside_window,
                "the validator was jailed for missing blocks and may unjail "
                "from height " +
                    num(from));
  if (v.power < c.params.min_validator_stake)
    return fail(TxCode::below_minimum, "stake " + num(v.power) +
                                           " is below the minimum validator stake " +
                                           num(c.params.min_validator_stake));
  if (auto s = set_has_room(c, true, v.power); !s) return s;
  v.jailed = false;
  write_validator(c.o, v);
  c.events.push_back(
      {"validator_unjailed",
       {{"validator", to_hex(v.consensus_key)}, {"from_height", num(c.block.height + 1)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const JobSubmit& m) {
  auto spec = canonical_job_spec(m.spec_json, c.params.max_spec_bytes);
  if (!spec) return fail(TxCode::invalid_spec, "invalid job spec: " + spec.error());
  if (m.payment == 0) return fail(TxCode::invalid_amount, "job payment must be positive");
  if (m.deadline_blocks < c.params.min_job_deadline_blocks ||
      m.deadline_blocks > c.params.max_job_deadline_blocks)
    return fail(TxCode::above_limit, "deadline_blocks " + num(m.deadline_blocks) + " is outside [" +
                                         num(c.params.min_job_deadline_blocks) + ", " +
                                         num(c.params.max_job_deadline_blocks) + "]");
  if (auto s = debit(c.o, c.tx.sender, m.payment, "job payment"); !s) return s;
  // Proof-of-learning admission: the referee's step must stay cheap enough to
  // run inside a block, the commitment small enough for a transaction, the
  // payment must cover the verifiers and the bond must deter a one-segment cheat.
  kernels::JobSpec js;
  {
    auto parsed = kernels::parse_job_spec(spec->json);
    if (!parsed) return fail(TxCode::invalid_spec, "invalid job spec: " + parsed.error);
    js = parsed.value;
  }
  // Only data sets every validator holds: a referee step on any other would
  // leave validators unable to decide (the chain would stop).
  const DatasetEntry wanted{js.dataset_name, js.train_images_sha256, js.train_labels_sha256,
                            js.test_images_sha256, js.test_labels_sha256};
  if (!dataset_registered(c.o, wanted))
    return fail(TxCode::unknown_dataset,
                "the spec's data set (" + js.dataset_name +
                    " with these file hashes) is not in the chain's registry (state_listDatasets)");
  if (auto s = verifier::check_referee_cost(js, c.params.max_referee_cost); !s)
    return fail(TxCode::spec_too_costly, "job spec: " + s.error());
  if (verifier::max_checkpoint_bytes(js) > c.params.max_referee_state_bytes)
    return fail(TxCode::spec_too_costly, "job spec: a checkpoint may be " +
                                             num(verifier::max_checkpoint_bytes(js)) +
                                             " bytes, above max_referee_state_bytes " +
                                             num(c.params.max_referee_state_bytes));
  // One segment must be replayable within one commit window by a verifier
  // working at the chain's budget; more segments queue (assign_and_schedule).
  if (const uint64_t seg = verifier::segment_replay_cost(js); seg > c.params.verifier_replay_budget)
    return fail(TxCode::spec_too_costly,
                "one segment costs " + num(seg) +
                    " multiply-adds to replay, above verifier_replay_budget " +
                    num(c.params.verifier_replay_budget) + " (lower checkpoint_interval)");
  const uint64_t checkpoints = verifier::checkpoint_count(js.steps, js.checkpoint_interval);
  if (checkpoints > c.params.max_checkpoints)
    return fail(TxCode::spec_too_costly, "the spec has " + num(checkpoints) +
                                             " checkpoints, the limit is " +
                                             num(c.params.max_checkpoints));
  // Each sampled segment gets a committee of pol_redundancy verifiers.
  const uint32_t max_samples = kMaxAssignments / c.params.pol_redundancy;
  if (m.samples != 0 && (m.samples < c.params.pol_samples || m.samples > max_samples))
    return fail(TxCode::above_limit,
                "samples " + num(m.samples) + " must be between the chain's pol_samples " +
                    num(c.params.pol_samples) + " and " + num(max_samples) + " (" +
                    num(kMaxAssignments) + " assignments / pol_redundancy " +
                    num(c.params.pol_redundancy) + "; 0 takes pol_samples)");
  const uint64_t samples = job_samples(c.params, js, m.samples);
  const uint64_t seats = samples * c.params.pol_redundancy;
  const unsigned __int128 fees = static_cast<unsigned __int128>(seats) * c.params.verifier_fee;
  if (fees > m.payment)
    return fail(TxCode::below_minimum, "payment " + num(m.payment) + " cannot cover " + num(seats) +
                                           " verifier fees of " + num(c.params.verifier_fee) +
                                           " (" + num(samples) + " samples x " +
                                           num(c.params.pol_redundancy) + " verifiers each)");
  const Amount min_bond = verifier::min_bond(m.payment, samples);
  if (m.bond < min_bond)
    return fail(TxCode::below_minimum, "bond " + num(m.bond) + " is below the minimum " +
                                           num(min_bond) + " (payment / " + num(samples) +
                                           " samples, rounded up)");
  Job j;
  j.id = read_next_job_id(c.o);
  j.client = c.tx.sender;
  j.spec_hash = spec->hash;
  j.payment = m.payment;
  j.bond_required = m.bond;
  j.status = JobStatus::Open;
  j.created_height = c.block.height;
  j.deadline_height = c.block.height + m.deadline_blocks;
  j.samples = static_cast<uint32_t>(samples);
  write_job(c.o, j);
  c.o.put(keys::next_job_id(), Writer().u64(j.id + 1).take());
  c.o.put(keys::spec(spec->hash), Bytes(spec->json.begin(), spec->json.end()));
  c.o.put(keys::job_expiry(j.deadline_height + 1, j.id), Bytes{});
  c.events.push_back({"job_submitted",
                      {{"job_id", num(j.id)},
                       {"client", addr(j.client)},
                       {"spec_hash", to_hex(j.spec_hash)},
                       {"payment", num(j.payment)},
                       {"bond", num(j.bond_required)},
                       {"samples", num(j.samples)},
                       {"deadline_height", num(j.deadline_height)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const JobAccept& m) {
  auto j = read_job(c.o, m.job_id);
  if (!j) return fail(TxCode::not_found, "job " + num(m.job_id) + " does not exist");
  if (j->status != JobStatus::Open)
    return fail(TxCode::wrong_status,
                "job " + num(m.job_id) + " is " + job_status_name(j->status) + ", not open");
  auto p = read_provider(c.o, c.tx.sender);
  if (!p) return fail(TxCode::not_registered, "sender is not a registered provider");
  if (j->client == c.tx.sender)
    return fail(TxCode::wrong_party, "a client cannot accept its own job");
  if (p->stake < c.params.min_provider_stake)
    return fail(TxCode::below_minimum, "provider stake " + num(p->stake) +
                                           " is below the minimum " +
                                           num(c.params.min_provider_stake));
  Amount free = p->stake - p->locked;
  if (free < j->bond_required)
    return fail(
        TxCode::below_minimum,
        "unlocked stake " + num(free) + " is less than the required bond " + num(j->bond_required));
  p->locked += j->bond_required;
  p->jobs_accepted += 1;
  j->status = JobStatus::Accepted;
  j->provider = p->owner;
  j->accepted_height = c.block.height;
  write_provider(c.o, *p);
  write_job(c.o, *j);
  c.events.push_back(
      {"job_accepted",
       {{"job_id", num(j->id)}, {"provider", addr(p->owner)}, {"bond", num(j->bond_required)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const JobCancel& m) {
  auto j = read_job(c.o, m.job_id);
  if (!j) return fail(TxCode::not_found, "job " + num(m.job_id) + " does not exist");
  if (j->client != c.tx.sender)
    return fail(TxCode::wrong_party, "only the job's client can cancel it");
  if (j->status != JobStatus::Open)
    return fail(TxCode::wrong_status, "job " + num(m.job_id) + " is " + job_status_name(j->status) +
                                          "; only open jobs can be cancelled");
  if (auto s = credit(c.o, j->client, j->payment); !s) return s;
  c.o.erase(keys::job_expiry(j->deadline_height + 1, j->id));
  j->status = JobStatus::Cancelled;
  j->closed_height = c.block.height;
  write_job(c.o, *j);
  c.events.push_back({"job_cancelled", {{"job_id", num(j->id)}, {"refund", num(j->payment)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const VerifierRegister& m) {
  if (read_verifier(c.o, c.tx.sender))
    return fail(TxCode::already_done, "sender is already a registered verifier");
  if (m.stake < c.params.min_verifier_stake)
    return fail(TxCode::below_minimum, "stake " + num(m.stake) +
                                           " is below the minimum verifier stake " +
                                           num(c.params.min_verifier_stake));
  if (auto s = debit(c.o, c.tx.sender, m.stake, "verifier stake"); !s) return s;
  Verifier v;
  v.owner = c.tx.sender;
  v.stake = m.stake;
  v.registered_height = c.block.height;
  v.activation_height = c.block.height + c.params.verifier_activation_blocks;
  write_verifier(c.o, v);
  c.events.push_back({"verifier_registered",
                      {{"verifier", addr(v.owner)},
                       {"stake", num(m.stake)},
                       {"activation_height", num(v.activation_height)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const VerifierStake& m) {
  auto v = read_verifier(c.o, c.tx.sender);
  if (!v) return fail(TxCode::not_registered, "sender is not a registered verifier");
  if (m.amount == 0) return fail(TxCode::invalid_amount, "stake amount must be positive");
  if (add_overflows(v->stake, m.amount)) return fail(TxCode::overflow, "stake would overflow");
  if (auto s = debit(c.o, c.tx.sender, m.amount, "verifier stake"); !s) return s;
  v->stake += m.amount;
  // More weight is more chance of being sampled: it waits like a new verifier,
  // so stake cannot be added after seeing a commitment one wants to verify.
  v->activation_height = c.block.height + c.params.verifier_activation_blocks;
  write_verifier(c.o, *v);
  c.events.push_back({"verifier_staked",
                      {{"verifier", addr(v->owner)},
                       {"amount", num(m.amount)},
                       {"activation_height", num(v->activation_height)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const VerifierUnstake& m) {
  auto v = read_verifier(c.o, c.tx.sender);
  if (!v) return fail(TxCode::not_registered, "sender is not a registered verifier");
  if (m.amount == 0) return fail(TxCode::invalid_amount, "unstake amount must be positive");
  if (m.amount > v->stake)
    return fail(TxCode::above_limit,
                "unstake amount " + num(m.amount) + " exceeds the verifier stake " + num(v->stake));
  if (v->active_assignments > 0)
    return fail(TxCode::stake_bonded,
                "the verifier has " + num(v->active_assignments) +
                    " assignments or disputes in progress; its stake stays bonded until they end");
  const Amount left = v->stake - m.amount;
  if (left != 0 && left < c.params.min_verifier_stake)
    return fail(TxCode::below_minimum,
                "the stake left, " + num(left) + ", would be below the minimum verifier stake " +
                    num(c.params.min_verifier_stake) + " (unstake all or less)");
  auto unbonding = start_unbonding(c, v->owner, m.amount);
  if (!unbonding) return fail(TxCode::overflow, unbonding.error());
  const uint64_t release = unbonding.value();
  v->stake = left;
  write_verifier(c.o, *v);
  c.events.push_back({"verifier_unstaked",
                      {{"verifier", addr(v->owner)},
                       {"amount", num(m.amount)},
                       {"release_height", num(release)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const JobCommit& m) {
  auto j = read_job(c.o, m.job_id);
  if (!j) return fail(TxCode::not_found, "job " + num(m.job_id) + " does not exist");
  if (!j->provider || *j->provider != c.tx.sender)
    return fail(TxCode::wrong_party, "only the job's provider can commit to it");
  if (j->status != JobStatus::Accepted)
    return fail(TxCode::wrong_status,
                "job " + num(m.job_id) + " is " + job_status_name(j->status) + ", not accepted");
  if (c.block.height > j->deadline_height)
    return fail(TxCode::outside_window,
                "the job's deadline " + num(j->deadline_height) + " has passed");
  auto commitment = verifier::decode_commitment(m.commitment, c.params.max_checkpoints);
  if (!commitment) return fail(TxCode::malformed, "malformed commitment: " + commitment.error());
  if (auto s = verifier::validate_for_spec(*commitment, stored_spec(c.o, j->spec_hash)); !s)
    return fail(TxCode::commitment_mismatch,
                "commitment does not match the job's spec: " + s.error());
  JobPol pol;
  pol.job_id = j->id;
  pol.root = verifier::commitment_root(*commitment);
  pol.manifest = m.manifest;
  pol.commit_height = c.block.height;
  // The seed is the hash of block commit_height + delay, which begin_block of the
  // next height sees as its parent: the provider cannot know it when committing.
  pol.sample_height = c.block.height + c.params.pol_sample_delay_blocks + 1;
  write_job_pol(c.o, pol);
  c.o.put(keys::commitment(j->id), verifier::encode(*commitment));
  c.o.put(keys::pol_work(pol.sample_height, j->id), Bytes{});
  // Delivered: a committed job no longer expires (the dispute slice handles
  // withheld checkpoints).
  c.o.erase(keys::job_expiry(j->deadline_height + 1, j->id));
  j->status = JobStatus::Committed;
  write_job(c.o, *j);
  c.events.push_back({"job_committed",
                      {{"job_id", num(j->id)},
                       {"provider", addr(c.tx.sender)},
                       {"commitment_root", to_hex(pol.root)},
                       {"manifest", to_hex(pol.manifest)},
                       {"checkpoints", num(commitment->checkpoints.size())},
                       {"final_model_hash", to_hex(commitment->final_model_hash)},
                       {"final_loss_micro", num(commitment->final_loss_micro)},
                       {"accuracy_bps", num(commitment->accuracy_bps)},
                       {"sample_height", num(pol.sample_height)}}});
  return TxStatus::success();
}

// Sets a verifying job's commit deadline and the probe and reveal windows after
// it, moving its begin-block work (probe draw at commit_deadline + 1, judging
// at reveal_deadline + 1) with them. The caller writes pol.
void set_job_windows(Overlay& o, const Params& p, JobPol& pol, uint64_t commit_deadline) {
  if (pol.commit_deadline != 0) {
    o.erase(keys::pol_work(pol.commit_deadline + 1, pol.job_id));
    o.erase(keys::pol_work(pol.reveal_deadline + 1, pol.job_id));
  }
  pol.commit_deadline = commit_deadline;
  pol.probe_deadline = pol.commit_deadline + p.pol_reveal_window;
  pol.reveal_deadline = pol.probe_deadline + p.pol_reveal_window;
  o.put(keys::pol_work(pol.commit_deadline + 1, pol.job_id), Bytes{});
  o.put(keys::pol_work(pol.reveal_deadline + 1, pol.job_id), Bytes{});
}

// The verifying job, its record and an assignment of `segment`: the seat of
// `verifier` on its committee, or the first seat when no verifier is named
// (the provider's side), or why not.
struct AssignmentRef {
  Job job;
  JobPol pol;
  size_t index = 0;
};
TxResult<AssignmentRef> find_assignment(const StateReader& o, uint64_t job_id, uint64_t segment,
                                        const Address* verifier) {
  auto j = read_job(o, job_id);
  if (!j) return fail(TxCode::not_found, "job " + num(job_id) + " does not exist");
  if (j->status != JobStatus::Verifying)
    return fail(TxCode::wrong_status,
                "job " + num(job_id) + " is " + job_status_name(j->status) + ", not verifying");
  AssignmentRef ref{*j, read_job_pol(o, job_id).value(), 0};
  bool sampled = false;
  for (size_t i = 0; i < ref.pol.assignments.size(); ++i) {
    if (ref.pol.assignments[i].segment != segment) continue;
    sampled = true;
    if (verifier == nullptr || ref.pol.assignments[i].verifier == *verifier) {
      ref.index = i;
      return ref;
    }
  }
  if (sampled)
    return fail(TxCode::wrong_party,
                "sender is not a verifier assigned to segment " + num(segment));
  return fail(TxCode::not_sampled,
              "segment " + num(segment) + " of job " + num(job_id) + " was not sampled");
}

// The provider's probes come first, then the verifiers' reveals (JobPol).
TxStatus in_probe_window(const JobPol& pol, uint64_t height) {
  if (height <= pol.commit_deadline)
    return fail(TxCode::outside_window,
                "the probe window opens at height " + num(pol.commit_deadline + 1));
  if (height > pol.probe_deadline)
    return fail(TxCode::outside_window,
                "the probe window closed at height " + num(pol.probe_deadline));
  return TxStatus::success();
}

TxStatus in_reveal_window(const JobPol& pol, uint64_t height) {
  if (height <= pol.probe_deadline)
    return fail(TxCode::outside_window,
                "the reveal window opens at height " + num(pol.probe_deadline + 1));
  if (height > pol.reveal_deadline)
    return fail(TxCode::outside_window,
                "the reveal window closed at height " + num(pol.reveal_deadline));
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const AttestCommit& m) {
  auto ref = find_assignment(c.o, m.job_id, m.segment, &c.tx.sender);
  if (!ref) return ref.error();
  Assignment& a = ref->pol.assignments[ref->index];
  if (c.block.height > ref->pol.commit_deadline)
    return fail(TxCode::outside_window,
                "the commit window closed at height " + num(ref->pol.commit_deadline));
  if (a.attest_commitment)
    return fail(TxCode::already_done, "segment " + num(m.segment) + " is already committed");
  a.attest_commitment = m.commitment;
  write_job_pol(c.o, ref->pol);
  c.events.push_back(
      {"attest_committed",
       {{"job_id", num(m.job_id)}, {"segment", num(m.segment)}, {"verifier", addr(c.tx.sender)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const AttestReveal& m) {
  auto ref = find_assignment(c.o, m.job_id, m.segment, &c.tx.sender);
  if (!ref) return ref.error();
  Assignment& a = ref->pol.assignments[ref->index];
  if (auto s = in_reveal_window(ref->pol, c.block.height); !s) return s;
  if (!a.attest_commitment)
    return fail(TxCode::wrong_status,
                "no attestation commitment to reveal for segment " + num(m.segment));
  if (a.revealed)
    return fail(TxCode::already_done, "segment " + num(m.segment) + " is already revealed");
  auto reveal = verifier::decode_reveal(m.reveal);
  if (!reveal) return fail(TxCode::malformed, "malformed reveal: " + reveal.error());
  const kernels::JobSpec spec = stored_spec(c.o, ref->job.spec_hash);
  const auto seg = verifier::segment_bounds(m.segment, spec.steps, spec.checkpoint_interval);
  const uint64_t len = seg.end - seg.start;
  // Set at the start of commit_deadline + 1, which every reveal height follows
  // (the node executes every height; only a test harness could skip one).
  if (!ref->pol.probe_seed) return fail(TxCode::outside_window, "the probe has not been drawn yet");
  const uint64_t r = verifier::probe_offset(len);
  if (auto s = verifier::check_reveal(*a.attest_commitment, m.job_id, m.segment, len, r,
                                      c.tx.sender, *reveal);
      !s)
    return fail(TxCode::reveal_rejected, "reveal rejected: " + s.error());
  a.revealed = true;
  a.revealed_end = reveal->trace.end_hash;
  a.revealed_probe = reveal->probe_leaf;
  write_job_pol(c.o, ref->pol);
  const verifier::Commitment committed = stored_commitment(c.o, m.job_id);
  const bool end_matches = committed.checkpoints.at(m.segment + 1) == reveal->trace.end_hash;
  c.events.push_back({"attest_revealed",
                      {{"job_id", num(m.job_id)},
                       {"segment", num(m.segment)},
                       {"verifier", addr(c.tx.sender)},
                       {"end_hash", to_hex(reveal->trace.end_hash)},
                       {"probe_offset", num(r)},
                       {"end_matches_commitment", end_matches ? "true" : "false"}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const ProviderProbe& m) {
  auto ref = find_assignment(c.o, m.job_id, m.segment, nullptr);
  if (!ref) return ref.error();
  if (!ref->job.provider || *ref->job.provider != c.tx.sender)
    return fail(TxCode::wrong_party, "only the job's provider can reveal its probe");
  if (auto s = in_probe_window(ref->pol, c.block.height); !s) return s;
  if (ref->pol.assignments[ref->index].provider_probe)
    return fail(TxCode::already_done,
                "the provider's probe of segment " + num(m.segment) + " is already revealed");
  // One probe per segment, the same for every seat of its committee.
  for (Assignment& a : ref->pol.assignments)
    if (a.segment == m.segment) a.provider_probe = m.probe_leaf;
  write_job_pol(c.o, ref->pol);
  c.events.push_back({"provider_probe",
                      {{"job_id", num(m.job_id)},
                       {"segment", num(m.segment)},
                       {"probe_leaf", to_hex(m.probe_leaf)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const CheckpointRequest& m) {
  auto ref = find_assignment(c.o, m.job_id, m.segment, &c.tx.sender);
  if (!ref) return ref.error();
  if (c.block.height > ref->pol.commit_deadline)
    return fail(TxCode::outside_window,
                "checkpoints can be requested only in the commit window, which closed at "
                "height " +
                    num(ref->pol.commit_deadline));
  for (uint64_t id : ref->pol.disputes) {
    const DisputeRecord d = read_dispute(c.o, id).value();
    if (d.kind == DisputeKind::availability && d.segment == m.segment)
      return fail(TxCode::already_done, "the checkpoint of segment " + num(m.segment) +
                                            " was already requested (dispute " + num(id) + ")");
  }
  const kernels::JobSpec spec = stored_spec(c.o, ref->job.spec_hash);
  verifier::Dispute wanted;
  wanted.lo = verifier::segment_bounds(m.segment, spec.steps, spec.checkpoint_interval).start;
  wanted.lo_hash = stored_commitment(c.o, m.job_id).checkpoints.at(m.segment);
  wanted.deadline =
      reserve_post_deadline(c.o, c.params, c.block.height + c.params.pol_dispute_window);
  OutcomeContext oc{c.o, c.params, c.block.height, c.events};
  open_dispute_record(oc, ref->pol, DisputeKind::availability, m.segment, *ref->job.provider,
                      c.tx.sender, wanted);
  // The requester gets a whole commit window after the latest height the
  // checkpoint may appear (one segment fits a window, job_submit checks), so a
  // provider posting late cannot make it miss its commit. Everyone's windows
  // move with it; the job's schedule is shared.
  const uint64_t needed = wanted.deadline + c.params.pol_commit_window;
  if (needed > ref->pol.commit_deadline) {
    set_job_windows(c.o, c.params, ref->pol, needed);
    c.events.push_back({"windows_moved",
                        {{"job_id", num(m.job_id)},
                         {"commit_deadline", num(ref->pol.commit_deadline)},
                         {"probe_deadline", num(ref->pol.probe_deadline)},
                         {"reveal_deadline", num(ref->pol.reveal_deadline)}}});
  }
  write_job_pol(c.o, ref->pol);
  return TxStatus::success();
}

TxResult<DisputeRecord> open_dispute_of(const StateReader& o, uint64_t id) {
  auto d = read_dispute(o, id);
  if (!d) return fail(TxCode::not_found, "dispute " + num(id) + " does not exist");
  if (!d->open())
    return fail(TxCode::wrong_status, "dispute " + num(id) + " is resolved (" + d->outcome + ")");
  return *d;
}

TxStatus run(MsgContext& c, const DisputeMove& m) {
  auto d = open_dispute_of(c.o, m.dispute_id);
  if (!d) return d.error();
  if (d->kind == DisputeKind::availability)
    return fail(TxCode::wrong_status,
                "dispute " + num(m.dispute_id) +
                    " is about an unpublished checkpoint: it has no moves, only checkpoint_post");
  auto move = verifier::decode_move(m.move, c.tx.sender);
  if (!move) return fail(TxCode::malformed, "malformed move: " + move.error());
  auto next = verifier::apply(d->game, *move, c.block.height);
  if (!next) return fail(TxCode::move_rejected, "move rejected: " + next.error());
  // Game over: the provider now owes a checkpoint post, due at a height the
  // block budget can serve.
  if (next->finished()) next->deadline = reserve_post_deadline(c.o, c.params, next->deadline);
  update_dispute_game(c.o, *d, *next);
  const char* turn = next->turn == verifier::Turn::provider     ? "provider"
                     : next->turn == verifier::Turn::challenger ? "challenger"
                                                                : "referee";
  c.events.push_back({"dispute_move",
                      {{"dispute_id", num(m.dispute_id)},
                       {"job_id", num(d->job_id)},
                       {"mover", addr(c.tx.sender)},
                       {"lo", num(next->lo)},
                       {"hi", num(next->hi)},
                       {"turn", turn},
                       {"deadline", num(next->deadline)}}});
  return TxStatus::success();
}

TxStatus run(MsgContext& c, const CheckpointPost& m) {
  auto d = open_dispute_of(c.o, m.dispute_id);
  if (!d) return d.error();
  const Job j = read_job(c.o, d->job_id).value();
  const kernels::JobSpec spec = stored_spec(c.o, j.spec_hash);
  OutcomeContext oc{c.o, c.params, c.block.height, c.events};
  if (d->kind == DisputeKind::availability) {
    if (auto t = verifier::check_checkpoint(spec, m.checkpoint, d->game.lo, d->game.lo_hash); !t)
      return fail(TxCode::checkpoint_rejected, "checkpoint rejected: " + t.error());
    d->checkpoint_blob = sha256(m.checkpoint);
    c.events.push_back({"checkpoint_published",
                        {{"dispute_id", num(d->id)},
                         {"job_id", num(d->job_id)},
                         {"step", num(d->game.lo)},
                         {"state_hash", to_hex(d->game.lo_hash)},
                         {"bytes", num(m.checkpoint.size())},
                         {"checkpoint_sha256", to_hex(sha256(m.checkpoint))}}});
    resolve_dispute(oc, *d, DisputeLoser::nobody, "checkpoint_published");
    return TxStatus::success();
  }
  if (!d->game.finished())
    return fail(TxCode::no_pending_step,
                "the bisection of dispute " + num(d->id) +
                    " is not finished: the referee runs once hi = lo + 1 (now lo " +
                    num(d->game.lo) + ", hi " + num(d->game.hi) + ")");
  if (c.block.datasets == nullptr) {
    std::fprintf(stderr, "fatal: block execution has no data sets for the referee step\n");
    std::abort();
  }
  auto data = c.block.datasets->dataset_for(spec);
  if (!data) {
    // Deciding without the data would fork this validator from the others.
    std::fprintf(stderr, "fatal: this validator cannot run the referee step of job %llu: %s\n",
                 static_cast<unsigned long long>(j.id), data.error().c_str());
    std::abort();
  }
  verifier::RefereeCase rc{d->game.lo, d->game.lo_hash, d->game.provider_hi, d->game.challenger_hi};
  // A probe dispute's claims at the probe step are trace leaves; at any earlier
  // step (a bisection midpoint) they are state hashes.
  if (d->kind == DisputeKind::probe) {
    const auto seg = verifier::segment_bounds(d->segment, spec.steps, spec.checkpoint_interval);
    rc.claims_are_leaves = d->game.hi == seg.start + verifier::probe_offset(seg.end - seg.start);
  }
  auto verdict = verifier::referee_step(spec, **data, m.checkpoint, rc);
  if (!verdict) return fail(TxCode::checkpoint_rejected, "checkpoint rejected: " + verdict.error());
  d->referee_next = verdict->true_next;
  d->checkpoint_blob = sha256(m.checkpoint);
  c.events.push_back({"referee",
                      {{"dispute_id", num(d->id)},
                       {"job_id", num(d->job_id)},
                       {"from_step", num(d->game.lo)},
                       {"step", num(d->game.lo + 1)},
                       {"true_hash", to_hex(verdict->true_next)},
                       {"provider_claim", to_hex(d->game.provider_hi)},
                       {"challenger_claim", to_hex(d->game.challenger_hi)},
                       {"verdict", verifier::verdict_name(verdict->verdict)}}});
  switch (verdict->verdict) {
    case verifier::Verdict::provider:
      resolve_dispute(oc, *d, DisputeLoser::challenger, "false_challenge");
      break;
    case verifier::Verdict::challenger:
      resolve_dispute(oc, *d, DisputeLoser::provider, "fraud_proven");
      break;
    case verifier::Verdict::neither:
      // The provider's chain is wrong, but the challenger could not show the
      // true value either: the provider is slashed and nobody is rewarded.
      resolve_dispute(oc, *d, DisputeLoser::provider, "provider_chain_invalid", false);
      break;
  }
  return TxStatus::success();
}

}  // namespace

uint8_t post_party_bit(const DisputeRecord& d, const Address& sender) {
  return sender == d.provider ? 1 : sender == d.challenger ? 2 : 0;
}

uint64_t job_samples(const Params& p, const kernels::JobSpec& spec, uint32_t requested) {
  return std::min<uint64_t>(std::max(p.pol_samples, requested),
                            verifier::segment_count(spec.steps, spec.checkpoint_interval));
}

Result<CanonicalSpec> canonical_job_spec(std::string_view json, size_t max_bytes) {
  if (json.size() > max_bytes)
    return make_error("spec is " + num(json.size()) + " bytes, the limit is " + num(max_bytes));
  // The trainer's own rules: a spec the ledger stores is one a provider can run.
  auto spec = kernels::parse_job_spec(json);
  if (!spec) return make_error(spec.error);
  CanonicalSpec out;
  out.json = kernels::canonical_json(spec.value);
  out.hash = kernels::spec_hash(spec.value);
  return out;
}

Amount minimum_fee(const Params& params, size_t encoded_size) {
  if (encoded_size <= kFeeFreeBytes) return params.min_fee;
  const unsigned __int128 kib = (encoded_size - kFeeFreeBytes + 1023) / 1024;
  const unsigned __int128 fee = params.min_fee + kib * params.fee_per_kib;
  return fee > UINT64_MAX ? UINT64_MAX : static_cast<Amount>(fee);
}

Status check_transaction(const StateReader& state, const Params& params, const Transaction& tx,
                         size_t encoded_size, bool allow_future_nonce, SignatureCache* signatures) {
  return check_transaction(state, params, tx, encoded_size, allow_future_nonce, signatures,
                           signatures ? tx_hash(tx) : Hash256{});
}

SignatureCache::Pending pending_signature(const Transaction& tx, const Hash256& hash) {
  return {hash, tx.sender, signing_hash(tx), tx.sig};
}

Status check_transaction(const StateReader& state, const Params& params, const Transaction& tx,
                         size_t encoded_size, bool allow_future_nonce, SignatureCache* signatures,
                         const Hash256& hash) {
  if (encoded_size > params.max_tx_bytes)
    return make_error("transaction is " + num(encoded_size) + " bytes, the limit is " +
                      num(params.max_tx_bytes));
  if (tx.chain_id != params.chain_id)
    return make_error("wrong chain id '" + tx.chain_id + "', this chain is '" + params.chain_id +
                      "'");
  const Amount required = minimum_fee(params, encoded_size);
  if (tx.fee < required)
    return make_error("fee " + num(tx.fee) + " is below the minimum fee " + num(required) +
                      (encoded_size > kFeeFreeBytes
                           ? " for a transaction of " + num(encoded_size) + " bytes"
                           : std::string()));
  Account acc = read_account(state, tx.sender);
  if (tx.nonce < acc.nonce)
    return make_error("nonce " + num(tx.nonce) + " was already used; the account's next nonce is " +
                      num(acc.nonce));
  if (tx.nonce > acc.nonce && !allow_future_nonce)
    return make_error("nonce " + num(tx.nonce) + " leaves a gap; the account's next nonce is " +
                      num(acc.nonce));
  if (acc.balance < tx.fee)
    return make_error("insufficient balance for the fee: have " + num(acc.balance) + ", need " +
                      num(tx.fee));
  if (signatures) {
    if (!signatures->contains(hash)) {
      if (signatures->refused(hash) || !signatures->verify(tx.sender, signing_hash(tx), tx.sig)) {
        signatures->insert_refused(hash);
        return make_error(std::string(kInvalidSignature));
      }
      signatures->insert(hash);
    }
  } else if (!signature_valid(tx)) {
    return make_error(std::string(kInvalidSignature));
  }
  if (const auto* post = std::get_if<CheckpointPost>(&tx.msg)) {
    // Posts are the block's scarcest space (max_posts_per_block): only the
    // dispute's parties may post, each may fail once, so nobody can crowd out
    // the post a party owes.
    auto d = read_dispute(state, post->dispute_id);
    if (!d) return make_error("dispute " + num(post->dispute_id) + " does not exist");
    if (!d->open())
      return make_error("dispute " + num(post->dispute_id) + " is resolved (" + d->outcome + ")");
    const uint8_t bit = post_party_bit(*d, tx.sender);
    if (bit == 0)
      return make_error("only the provider or the challenger of dispute " + num(post->dispute_id) +
                        " may post its checkpoint");
    if (d->failed_posts & bit)
      return make_error("this party's checkpoint_post already failed once in dispute " +
                        num(post->dispute_id));
  }
  return Status::success();
}

BlockExecutor::BlockExecutor(const StateReader& committed, const BlockContext& ctx)
    : ctx_(ctx),
      params_(read_params(committed)),
      block_(committed),
      signers_(validator_set_of(committed)) {
  begin_block();
}

void BlockExecutor::begin_block() {
  block_.put(keys::randomness(), Bytes(ctx_.randomness.begin(), ctx_.randomness.end()));
  // Posting slots of the previous height can no longer be reserved (new
  // deadlines lie at least a dispute window ahead): drop their counter.
  if (ctx_.height > 0 && block_.get(keys::posts_due(ctx_.height - 1)))
    block_.erase(keys::posts_due(ctx_.height - 1));
  // Unbonded stake matures.
  std::vector<Unbonding> matured;
  block_.scan(keys::unbonding_prefix(ctx_.height), [&](const Bytes&, const Bytes& v) {
    matured.push_back(decode_unbonding(v).value());
    return true;
  });
  for (const Unbonding& u : matured) {
    block_.erase(keys::unbonding(u.release_height, u.owner, u.validator));
    if (u.validator != Ed25519Pubkey{})
      block_.erase(keys::validator_unbonding(u.validator, u.release_height));
    Account acc = read_account(block_, u.owner);
    acc.balance += u.amount;  // cannot overflow: total supply fits in u64
    write_account(block_, u.owner, acc);
    result_.begin_events.push_back(
        {"unbonded", {{"owner", addr(u.owner)}, {"amount", num(u.amount)}}});
  }
  // Jobs past their deadline expire: the client gets the escrow back; a provider
  // that accepted and did not deliver loses expiry_slash_bps of its bond to the client.
  std::vector<uint64_t> expiring;
  block_.scan(keys::job_expiry_prefix(ctx_.height), [&](const Bytes& k, const Bytes&) {
    Reader r(ByteView(k).subspan(9));
    expiring.push_back(r.u64("job_id"));
    return true;
  });
  for (uint64_t id : expiring) {
    block_.erase(keys::job_expiry(ctx_.height, id));
    Job j = read_job(block_, id).value();
    if (j.status != JobStatus::Open && j.status != JobStatus::Accepted) continue;
    Amount refund = j.payment;
    Amount slashed = 0;
    if (j.status == JobStatus::Accepted) {
      Provider p = read_provider(block_, *j.provider).value();
      // bond * bps / 10000 without overflow: bond < 2^64, bps <= 10^4.
      slashed = static_cast<Amount>(static_cast<unsigned __int128>(j.bond_required) *
                                    params_.expiry_slash_bps / 10000);
      p.locked -= j.bond_required;
      p.stake -= slashed;
      p.jobs_expired += 1;
      write_provider(block_, p);
      refund += slashed;
    }
    Account acc = read_account(block_, j.client);
    acc.balance += refund;
    write_account(block_, j.client, acc);
    j.status = JobStatus::Expired;
    j.closed_height = ctx_.height;
    write_job(block_, j);
    result_.begin_events.push_back(
        {"job_expired",
         {{"job_id", num(id)}, {"refund", num(refund)}, {"provider_slashed", num(slashed)}}});
  }
  // Proof-of-learning work due at this height: sampling, the probe seed, settlement.
  std::vector<uint64_t> pol_due;
  block_.scan(keys::pol_work_prefix(ctx_.height), [&](const Bytes& k, const Bytes&) {
    Reader r(ByteView(k).subspan(9));
    pol_due.push_back(r.u64("job_id"));
    return true;
  });
  for (uint64_t id : pol_due) {
    block_.erase(keys::pol_work(ctx_.height, id));
    run_pol_work(id);
  }
  // Disputes whose deadline passed at the previous height: silence loses.
  std::vector<uint64_t> disputes_due;
  block_.scan(keys::dispute_work_prefix(ctx_.height), [&](const Bytes& k, const Bytes&) {
    Reader r(ByteView(k).subspan(9));
    disputes_due.push_back(r.u64("dispute_id"));
    return true;
  });
  for (uint64_t id : disputes_due) {
    block_.erase(keys::dispute_work(ctx_.height, id));
    run_dispute_deadline(id);
  }
}

void BlockExecutor::run_pol_work(uint64_t id) {
  Job j = read_job(block_, id).value();
  JobPol pol = read_job_pol(block_, id).value();
  auto& events = result_.begin_events;
  const kernels::JobSpec spec = stored_spec(block_, j.spec_hash);

  if (j.status == JobStatus::Committed && ctx_.height == pol.sample_height) {
    // Sampling: the seed mixes this block's VRF randomness (unknown at the commit,
    // and its proposer could only withhold it, not choose it).
    const Hash256 seed = verifier::derive_seed(ctx_.randomness, id, pol.root);
    const uint64_t segments = verifier::segment_count(spec.steps, spec.checkpoint_interval);
    std::vector<uint64_t> sampled = verifier::sample_segments(seed, segments, j.samples).value();
    // Eligible: stake at the floor (slashes can take it below) and active.
    std::vector<verifier::Candidate> candidates;
    for (const Verifier& v : read_verifiers(block_))  // ascending by address
      if (v.stake >= params_.min_verifier_stake && v.activation_height <= ctx_.height)
        candidates.push_back({v.owner, v.stake});
    const std::vector<Address> excluded = {*j.provider, j.client};
    auto committees = verifier::assign_committees(seed, sampled.size(), params_.pol_redundancy,
                                                  candidates, excluded);
    if (!committees) {
      wait_for_verifiers(j, pol);
      return;
    }
    schedule_assignments(j, pol, spec, sampled, *committees);
    std::string list;
    for (size_t i = 0; i < sampled.size(); ++i) list += (i ? "," : "") + num(sampled[i]);
    events.push_back({"job_sampled",
                      {{"job_id", num(id)},
                       {"seed", to_hex(seed)},
                       {"segments", list},
                       {"committee_size", num(committees->front().size())},
                       {"commit_deadline", num(pol.commit_deadline)},
                       {"probe_deadline", num(pol.probe_deadline)},
                       {"reveal_deadline", num(pol.reveal_deadline)}}});
    return;
  }

  if (j.status != JobStatus::Verifying) return;
  if (ctx_.height == pol.commit_deadline + 1) {
    // The probe window opens. The probe is the segment's last step (see
    // verifier::probe_offset); the block's randomness is recorded as the
    // window's seed so probes could be widened later without a new record.
    pol.probe_seed = ctx_.randomness;
    write_job_pol(block_, pol);
    events.push_back(
        {"probe_drawn", {{"job_id", num(id)}, {"probe_seed", to_hex(*pol.probe_seed)}}});
    return;
  }
  if (ctx_.height == pol.reveal_deadline + 1) judge_reveals(j, pol);
}

// After the reveal window: every assignment is agreed, absent or disputed. A
// provider that did not reveal its probe for a revealed segment is silent in
// that dispute and loses at once; otherwise each disagreement opens a bisection
// game and the job settles when the last one is resolved.
void BlockExecutor::judge_reveals(Job& j, JobPol& pol) {
  const uint64_t id = j.id;
  auto& events = result_.begin_events;
  OutcomeContext oc{block_, params_, ctx_.height, events};
  const verifier::Commitment committed = stored_commitment(block_, id);
  struct Disagreement {
    size_t index;
    verifier::Judgement jd;
  };
  std::vector<Disagreement> disagreements;
  std::optional<Address> probe_missing;  // first verifier left without the provider's probe
  std::set<Address> absent_slashed;      // at most one absence slash per verifier per job
  for (size_t i = 0; i < pol.assignments.size(); ++i) {
    Assignment& a = pol.assignments[i];
    if (!a.attest_commitment || !a.revealed) {
      a.result = AssignmentResult::absent;
      // A sampled segment nobody checked lowers the detection probability every
      // client pays for: the absent verifier loses stake as well as its fee.
      const Amount slashed =
          absent_slashed.insert(a.verifier).second ? slash_absent_verifier(oc, id, a.verifier) : 0;
      events.push_back({"verifier_absent",
                        {{"job_id", num(id)},
                         {"segment", num(a.segment)},
                         {"verifier", addr(a.verifier)},
                         {"missing", a.attest_commitment ? "reveal" : "commit"},
                         {"fee_forfeited", num(params_.verifier_fee)},
                         {"stake_burned", num(slashed)}}});
      continue;
    }
    if (!a.provider_probe) {
      a.result = AssignmentResult::disputed;
      if (!probe_missing) probe_missing = a.verifier;
      continue;
    }
    // The seed is drawn (this is after the reveal window) and both sides are in.
    const std::optional<verifier::Judgement> jd = judge_assignment(a, committed, true);
    assert(jd);
    if (jd->kind == verifier::JudgeKind::agree) {
      a.result = AssignmentResult::agreed;
    } else {
      a.result = AssignmentResult::disputed;
      disagreements.push_back({i, *jd});
    }
  }
  pol.judged = true;
  // Assignments end here, except those whose dispute is still to be played.
  for (const Assignment& a : pol.assignments)
    if (probe_missing || a.result != AssignmentResult::disputed) end_assignment(block_, a.verifier);
  if (probe_missing) {
    write_job_pol(block_, pol);
    slash_provider(oc, id, 0, probe_missing, "provider_probe_missing");
    return;
  }
  for (const Disagreement& d : disagreements) {
    const Assignment& a = pol.assignments[d.index];
    // Both start from the provider's committed checkpoint at the segment's
    // start, which the verifier replayed from.
    auto game = verifier::open_dispute(*j.provider, a.verifier, d.jd.lo, d.jd.hi,
                                       committed.checkpoints.at(a.segment), d.jd.provider_hi,
                                       d.jd.verifier_hi, ctx_.height, params_.pol_dispute_window);
    if (!game) {
      std::fprintf(stderr, "fatal: judging opened an invalid dispute: %s\n", game.error().c_str());
      std::abort();
    }
    if (game->finished()) game->deadline = reserve_post_deadline(block_, params_, game->deadline);
    open_dispute_record(
        oc, pol,
        d.jd.kind == verifier::JudgeKind::dispute_end ? DisputeKind::end : DisputeKind::probe,
        a.segment, *j.provider, a.verifier, *game);
  }
  write_job_pol(block_, pol);
  close_if_done(oc, id);
}

// Fail closed: a committed job nobody can verify is never paid blindly. It
// tries again each verifier_activation_blocks (a new verifier needs that long
// to become eligible) until pol_wait_blocks after its commit; then the client
// gets its payment back and the provider its bond (nobody is at fault).
void BlockExecutor::wait_for_verifiers(Job& j, JobPol& pol) {
  auto& events = result_.begin_events;
  const uint64_t give_up = pol.commit_height + params_.pol_wait_blocks;
  if (ctx_.height >= give_up) {
    Provider p = read_provider(block_, *j.provider).value();
    p.locked -= j.bond_required;
    write_provider(block_, p);
    add_balance(block_, j.client, j.payment);
    j.status = JobStatus::Unverified;
    j.closed_height = ctx_.height;
    write_job(block_, j);
    events.push_back({"job_unverified",
                      {{"job_id", num(j.id)},
                       {"client", addr(j.client)},
                       {"refund", num(j.payment)},
                       {"bond_released", num(j.bond_required)}}});
    return;
  }
  pol.sample_height = std::min(give_up, ctx_.height + params_.verifier_activation_blocks);
  write_job_pol(block_, pol);
  block_.put(keys::pol_work(pol.sample_height, j.id), Bytes{});
  events.push_back({"verification_waiting",
                    {{"job_id", num(j.id)},
                     {"next_attempt", num(pol.sample_height)},
                     {"refund_height", num(give_up)}}});
}

// Each verifier replays its segments at the chain's budget
// (verifier_replay_budget multiply-adds per pol_commit_window blocks), after
// the work already queued on it: its busy_until moves on by the blocks this
// work takes, and the job's commit window lasts until its busiest verifier is
// done (at least pol_commit_window). So windows follow from the work assigned
// and an honest verifier replaying at the budget's pace never misses one.
void BlockExecutor::schedule_assignments(Job& j, JobPol& pol, const kernels::JobSpec& spec,
                                         const std::vector<uint64_t>& sampled,
                                         const std::vector<std::vector<Address>>& committees) {
  auto& events = result_.begin_events;
  const uint64_t step_cost = verifier::referee_cost(spec);
  std::map<Address, unsigned __int128> work;  // ordered: deterministic
  for (size_t i = 0; i < sampled.size(); ++i) {
    const auto seg = verifier::segment_bounds(sampled[i], spec.steps, spec.checkpoint_interval);
    for (const Address& who : committees[i]) {
      work[who] += static_cast<unsigned __int128>(seg.end - seg.start) * step_cost;
      Assignment a;
      a.segment = sampled[i];
      a.verifier = who;
      pol.assignments.push_back(a);
      events.push_back(
          {"verifier_assigned",
           {{"job_id", num(j.id)}, {"segment", num(a.segment)}, {"verifier", addr(a.verifier)}}});
    }
  }
  uint64_t commit_deadline = ctx_.height + params_.pol_commit_window;
  for (const auto& [who, w] : work) {
    Verifier v = read_verifier(block_, who).value();
    const unsigned __int128 blocks =
        (w * params_.pol_commit_window + params_.verifier_replay_budget - 1) /
        params_.verifier_replay_budget;
    const uint64_t start = std::max(ctx_.height, v.busy_until);
    // Bounded: at most kMaxAssignments segments, each within one window.
    v.busy_until = start + static_cast<uint64_t>(std::max<unsigned __int128>(blocks, 1));
    commit_deadline = std::max(commit_deadline, v.busy_until);
    for (const Assignment& a : pol.assignments)
      if (a.verifier == who) {
        v.segments_assigned += 1;
        v.active_assignments += 1;
      }
    write_verifier(block_, v);
  }
  set_job_windows(block_, params_, pol, commit_deadline);
  write_job_pol(block_, pol);
  j.status = JobStatus::Verifying;
  write_job(block_, j);
}

void BlockExecutor::run_dispute_deadline(uint64_t dispute_id) {
  DisputeRecord d = read_dispute(block_, dispute_id).value();
  if (!d.open()) return;
  OutcomeContext oc{block_, params_, ctx_.height, result_.begin_events};
  if (d.kind == DisputeKind::availability) {
    resolve_dispute(oc, d, DisputeLoser::provider, "checkpoint_withheld");
    return;
  }
  const auto out = verifier::timeout(d.game, ctx_.height);
  if (!out) return;  // not past the deadline (cannot happen: the entry sits at deadline + 1)
  resolve_dispute(
      oc, d,
      out->loser == verifier::Party::provider ? DisputeLoser::provider : DisputeLoser::challenger,
      out->loser == verifier::Party::provider ? "provider_timeout" : "challenger_timeout");
}

Result<Validator> check_evidence(const StateReader& state, const Params& params, uint64_t height,
                                 const Evidence& e) {
  if (auto s = check_equivocation(e, params.chain_id); !s) return s.take_error();
  const uint64_t offence = offence_height(e);
  if (offence >= height)
    return make_error("evidence of height " + num(offence) + " in block " + num(height) +
                      ": it must be of an earlier height");
  if (height - offence > params.max_evidence_age_blocks)
    return make_error("evidence of height " + num(offence) + " is more than " +
                      num(params.max_evidence_age_blocks) + " blocks old");
  auto v = read_validator(state, offender(e));
  if (!v) return make_error("evidence against " + to_hex(offender(e)) + ", not a validator");
  if (v->tombstoned)
    return make_error("validator " + to_hex(offender(e)) +
                      " is already punished for double signing");
  return *v;
}

Status BlockExecutor::apply_last_commit(const Hash256& parent_hash,
                                        const CommitCertificate& last_commit) {
  if (body_started_) return make_error("the last commit comes before evidence and transactions");
  if (!signers_) return make_error("no validator can sign this block: " + signers_.error());
  OutcomeContext oc{block_, params_, ctx_.height, result_.begin_events};
  return track_liveness(oc, parent_hash, last_commit, signers_.value());
}

Status BlockExecutor::apply_evidence(const Evidence& e) {
  if (!result_.receipts.empty()) return make_error("evidence comes before the transactions");
  body_started_ = true;
  auto v = check_evidence(block_, params_, ctx_.height, e);
  if (!v) return v.take_error();
  OutcomeContext oc{block_, params_, ctx_.height, result_.begin_events};
  punish_double_signer(
      oc, v.value(), offence_height(e),
      std::holds_alternative<DoubleProposal>(e) ? "double_proposal" : "double_sign");
  return Status::success();
}

Result<Receipt> execute_transaction(Overlay& state, const Params& params, const BlockContext& ctx,
                                    const Transaction& tx, size_t encoded_size) {
  return execute_transaction(state, params, ctx, tx, encoded_size,
                             ctx.signatures ? tx_hash(tx) : Hash256{});
}

Result<Receipt> execute_transaction(Overlay& state, const Params& params, const BlockContext& ctx,
                                    const Transaction& tx, size_t encoded_size,
                                    const Hash256& hash) {
  if (auto s = check_transaction(state, params, tx, encoded_size, false, ctx.signatures, hash); !s)
    return s.take_error();
  // The fee and the nonce are kept whatever the message does.
  Account acc = read_account(state, tx.sender);
  acc.balance -= tx.fee;
  acc.nonce += 1;
  write_account(state, tx.sender, acc);
  Account proposer = read_account(state, ctx.fee_recipient);
  proposer.balance += tx.fee;
  write_account(state, ctx.fee_recipient, proposer);

  Receipt receipt;
  receipt.fee = tx.fee;
  Overlay tx_overlay(static_cast<const StateReader&>(state));  // on state, not a copy of it
  MsgContext c{tx_overlay, tx, ctx, params, receipt.events};
  TxStatus s = std::visit([&](const auto& m) { return run(c, m); }, tx.msg);
  if (s) {
    tx_overlay.commit_into(state);
  } else {
    receipt.success = false;
    receipt.code = s.code();
    receipt.reason = s.reason();
    if (const auto* post = std::get_if<CheckpointPost>(&tx.msg)) {
      // admission made sure the dispute is open and the sender a party
      DisputeRecord d = read_dispute(state, post->dispute_id).value();
      d.failed_posts |= post_party_bit(d, tx.sender);
      write_dispute(state, d);
    }
    receipt.events.clear();
  }
  return receipt;
}

Result<Receipt> BlockExecutor::apply(const Transaction& tx, size_t encoded_size) {
  return apply(tx, encoded_size, tx_hash(tx));
}

Result<Receipt> BlockExecutor::apply(const Transaction& tx, size_t encoded_size,
                                     const Hash256& hash) {
  body_started_ = true;
  const bool post = std::holds_alternative<CheckpointPost>(tx.msg);
  if (post && posts_in_block_ >= params_.max_posts_per_block) {
    // Refused only if it would otherwise be admitted (a bad one keeps its own reason).
    if (auto s = check_transaction(block_, params_, tx, encoded_size, false, ctx_.signatures, hash);
        !s)
      return s.take_error();
    return make_error("this block holds max_posts_per_block (" + num(params_.max_posts_per_block) +
                      ") checkpoint posts; the post waits for the next block");
  }
  auto receipt = execute_transaction(block_, params_, ctx_, tx, encoded_size, hash);
  if (!receipt) return receipt;
  if (post) ++posts_in_block_;
  result_.receipts.push_back(receipt.value());
  result_.tx_hashes.push_back(hash);
  return receipt;
}

BlockResult BlockExecutor::finish() && {
  result_.changes = block_.take_changes();
  return std::move(result_);
}

}  // namespace vt::ledger
