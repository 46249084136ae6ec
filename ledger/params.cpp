#include "ledger/params.h"

#include <string>

#include "core/encoding.h"
#include "ledger/commit.h"
#include "verifier/commitment.h"

namespace vt::ledger {

namespace {
using P = Params;
constexpr ParamField u64f(const char* n, uint64_t P::*m, bool amount = false) {
  return ParamField{n, m, nullptr, amount};
}
constexpr ParamField u32f(const char* n, uint32_t P::*m) {
  return ParamField{n, nullptr, m, false};
}
constexpr ParamField kFields[] = {
    u64f("min_fee", &P::min_fee, true),
    u64f("min_provider_stake", &P::min_provider_stake, true),
    u64f("unbonding_blocks", &P::unbonding_blocks),
    u64f("min_job_deadline_blocks", &P::min_job_deadline_blocks),
    u64f("max_job_deadline_blocks", &P::max_job_deadline_blocks),
    u32f("expiry_slash_bps", &P::expiry_slash_bps),
    u32f("max_spec_bytes", &P::max_spec_bytes),
    u32f("max_tx_bytes", &P::max_tx_bytes),
    u32f("max_block_txs", &P::max_block_txs),
    u32f("max_block_bytes", &P::max_block_bytes),
    u32f("pol_samples", &P::pol_samples),
    u64f("pol_sample_delay_blocks", &P::pol_sample_delay_blocks),
    u64f("pol_commit_window", &P::pol_commit_window),
    u64f("pol_reveal_window", &P::pol_reveal_window),
    u64f("verifier_fee", &P::verifier_fee, true),
    u64f("min_verifier_stake", &P::min_verifier_stake, true),
    u64f("max_referee_cost", &P::max_referee_cost),
    u32f("max_checkpoints", &P::max_checkpoints),
    u64f("pol_dispute_window", &P::pol_dispute_window),
    u32f("fraud_reward_bps", &P::fraud_reward_bps),
    u64f("false_challenge_slash", &P::false_challenge_slash, true),
    u64f("max_referee_state_bytes", &P::max_referee_state_bytes),
    u64f("absent_verifier_slash", &P::absent_verifier_slash, true),
    u64f("fee_per_kib", &P::fee_per_kib, true),
    u64f("verifier_activation_blocks", &P::verifier_activation_blocks),
    u64f("verifier_replay_budget", &P::verifier_replay_budget),
    u64f("pol_wait_blocks", &P::pol_wait_blocks),
    u32f("max_posts_per_block", &P::max_posts_per_block),
    u32f("pol_redundancy", &P::pol_redundancy),
    u32f("double_sign_slash_bps", &P::double_sign_slash_bps),
    u64f("max_evidence_age_blocks", &P::max_evidence_age_blocks),
    u64f("min_validator_stake", &P::min_validator_stake, true),
    u32f("max_validators", &P::max_validators),
    u64f("downtime_window_blocks", &P::downtime_window_blocks),
    u64f("downtime_max_missed_blocks", &P::downtime_max_missed_blocks),
    u64f("downtime_jail_blocks", &P::downtime_jail_blocks),
};
}  // namespace

std::span<const ParamField> param_fields() {
  return kFields;
}

Bytes encode(const Params& p) {
  Writer w;
  w.str(p.chain_id);
  for (const ParamField& f : kFields) {
    if (f.u64)
      w.u64(p.*f.u64);
    else
      w.u32(p.*f.u32);
  }
  return w.take();
}

Result<Params> decode_params(ByteView in) {
  Reader r(in);
  Params p;
  p.chain_id = r.str("params.chain_id", 64);
  for (const ParamField& f : kFields) {
    if (f.u64)
      p.*f.u64 = r.u64(f.name);
    else
      p.*f.u32 = r.u32(f.name);
  }
  if (auto s = r.finish(); !s) return s.take_error();
  if (auto s = validate(p); !s) return s.take_error();
  return p;
}

Status validate(const Params& p) {
  if (p.chain_id.empty() || p.chain_id.size() > 64)
    return make_error("chain_id: must be 1 to 64 characters");
  for (char c : p.chain_id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
      return make_error("chain_id: only letters, digits, '-' and '_' are allowed");
  if (p.min_provider_stake == 0) return make_error("min_provider_stake: must be positive");
  if (p.unbonding_blocks == 0) return make_error("unbonding_blocks: must be positive");
  if (p.min_job_deadline_blocks == 0)
    return make_error("min_job_deadline_blocks: must be positive");
  if (p.max_job_deadline_blocks > UINT32_MAX)
    return make_error("max_job_deadline_blocks: must be at most 4294967295");
  if (p.max_job_deadline_blocks < p.min_job_deadline_blocks)
    return make_error("max_job_deadline_blocks: must be at least min_job_deadline_blocks");
  if (p.expiry_slash_bps > 10000) return make_error("expiry_slash_bps: must be at most 10000");
  if (p.max_spec_bytes < 64 || p.max_spec_bytes > (1u << 20))
    return make_error("max_spec_bytes: must be between 64 and 1048576");
  if (p.max_tx_bytes < p.max_spec_bytes + 512)
    return make_error("max_tx_bytes: must exceed max_spec_bytes by at least 512");
  if (p.max_block_txs == 0) return make_error("max_block_txs: must be positive");
  // The largest transaction must fit beside a header and the largest last commit.
  if (p.max_block_bytes < uint64_t{p.max_tx_bytes} + kBlockOverheadBytes +
                              commit_certificate_max_bytes(p.max_validators))
    return make_error(
        "max_block_bytes: must be at least max_tx_bytes plus 4096 (header) plus 8 + 69 x "
        "max_validators (the last commit)");
  // Bounds keep every deadline computation (height + windows) far from overflow
  // and the per-job records small.
  if (p.pol_samples == 0 || p.pol_samples > 1024)
    return make_error("pol_samples: must be between 1 and 1024");
  if (p.pol_sample_delay_blocks == 0 || p.pol_sample_delay_blocks > 1000)
    return make_error("pol_sample_delay_blocks: must be between 1 and 1000");
  if (p.pol_commit_window == 0 || p.pol_commit_window > 100000)
    return make_error("pol_commit_window: must be between 1 and 100000");
  if (p.pol_reveal_window == 0 || p.pol_reveal_window > 100000)
    return make_error("pol_reveal_window: must be between 1 and 100000");
  if (p.min_verifier_stake == 0) return make_error("min_verifier_stake: must be positive");
  if (p.max_referee_cost == 0) return make_error("max_referee_cost: must be positive");
  if (p.max_checkpoints < 2 || p.max_checkpoints > verifier::kMaxCheckpoints)
    return make_error("max_checkpoints: must be between 2 and 1048576");
  if (p.pol_dispute_window == 0 || p.pol_dispute_window > 100000)
    return make_error("pol_dispute_window: must be between 1 and 100000");
  if (p.fraud_reward_bps > 10000) return make_error("fraud_reward_bps: must be at most 10000");
  if (p.double_sign_slash_bps > 10000)
    return make_error("double_sign_slash_bps: must be at most 10000");
  if (p.max_evidence_age_blocks == 0)
    return make_error("max_evidence_age_blocks: must be at least 1");
  // Otherwise a double signer could unstake and have its stake back before the
  // evidence against it lands.
  if (p.max_evidence_age_blocks > p.unbonding_blocks)
    return make_error("max_evidence_age_blocks: must be at most unbonding_blocks");
  if (p.min_validator_stake == 0) return make_error("min_validator_stake: must be positive");
  if (p.max_validators == 0 || p.max_validators > 10'000)
    return make_error("max_validators: must be 1 to 10000");
  if (p.downtime_window_blocks < 2 || p.downtime_window_blocks > 100'000)
    return make_error("downtime_window_blocks: must be 2 to 100000");
  if (p.downtime_max_missed_blocks == 0 ||
      p.downtime_max_missed_blocks * 2 > p.downtime_window_blocks)
    return make_error(
        "downtime_max_missed_blocks: must be at least 1 and at most half of "
        "downtime_window_blocks");
  if (p.downtime_jail_blocks == 0 || p.downtime_jail_blocks > 10'000'000)
    return make_error("downtime_jail_blocks: must be 1 to 10000000");
  // A job's checkpoint must fit in a checkpoint_post transaction.
  if (p.max_referee_state_bytes < 1024 || p.max_referee_state_bytes > p.max_tx_bytes)
    return make_error("max_referee_state_bytes: must be between 1024 and max_tx_bytes");
  // Nobody may join the verifier set after seeing a commitment and before its
  // sampling (commit at c, sampling at c + delay + 1).
  if (p.verifier_activation_blocks <= p.pol_sample_delay_blocks + 1 ||
      p.verifier_activation_blocks > 1000000)
    return make_error(
        "verifier_activation_blocks: must exceed pol_sample_delay_blocks + 1 and be at most "
        "1000000");
  if (p.verifier_replay_budget == 0) return make_error("verifier_replay_budget: must be positive");
  if (p.pol_wait_blocks == 0 || p.pol_wait_blocks > 1000000)
    return make_error("pol_wait_blocks: must be between 1 and 1000000");
  // Posts must fit the block beside the proposer's margin (node: 4096 bytes)
  // and the transaction's own fields.
  if (p.max_posts_per_block < 3 ||
      static_cast<uint64_t>(p.max_posts_per_block) * (p.max_referee_state_bytes + 1024) >
          p.max_block_bytes - 4096ull)
    return make_error(
        "max_posts_per_block: must be at least 3 (an obligation may take 3 posts), and that many "
        "checkpoints of "
        "max_referee_state_bytes (+1024 bytes each) must fit in max_block_bytes - 4096");
  if (p.pol_redundancy == 0 || p.pol_redundancy > kMaxRedundancy ||
      static_cast<uint64_t>(p.pol_samples) * p.pol_redundancy > kMaxAssignments)
    return make_error("pol_redundancy: must be between 1 and " + std::to_string(kMaxRedundancy) +
                      ", and pol_samples * pol_redundancy at most " +
                      std::to_string(kMaxAssignments));
  return Status::success();
}

}  // namespace vt::ledger
