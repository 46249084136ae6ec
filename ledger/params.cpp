#include "ledger/params.h"

#include "core/encoding.h"
#include "verifier/commitment.h"

namespace vt::ledger {

Bytes encode(const Params& p) {
  return Writer()
      .str(p.chain_id)
      .u64(p.min_fee)
      .u64(p.min_provider_stake)
      .u64(p.unbonding_blocks)
      .u64(p.min_job_deadline_blocks)
      .u64(p.max_job_deadline_blocks)
      .u32(p.expiry_slash_bps)
      .u32(p.max_spec_bytes)
      .u32(p.max_tx_bytes)
      .u32(p.max_block_txs)
      .u32(p.max_block_bytes)
      .u32(p.pol_samples)
      .u64(p.pol_sample_delay_blocks)
      .u64(p.pol_commit_window)
      .u64(p.pol_reveal_window)
      .u64(p.verifier_fee)
      .u64(p.min_verifier_stake)
      .u64(p.max_referee_cost)
      .u32(p.max_checkpoints)
      .u64(p.pol_dispute_window)
      .u32(p.fraud_reward_bps)
      .u64(p.false_challenge_slash)
      .u64(p.max_referee_state_bytes)
      .u64(p.absent_verifier_slash)
      .u64(p.fee_per_kib)
      .take();
}

Result<Params> decode_params(ByteView in) {
  Reader r(in);
  Params p;
  p.chain_id = r.str("params.chain_id", 64);
  p.min_fee = r.u64("params.min_fee");
  p.min_provider_stake = r.u64("params.min_provider_stake");
  p.unbonding_blocks = r.u64("params.unbonding_blocks");
  p.min_job_deadline_blocks = r.u64("params.min_job_deadline_blocks");
  p.max_job_deadline_blocks = r.u64("params.max_job_deadline_blocks");
  p.expiry_slash_bps = r.u32("params.expiry_slash_bps");
  p.max_spec_bytes = r.u32("params.max_spec_bytes");
  p.max_tx_bytes = r.u32("params.max_tx_bytes");
  p.max_block_txs = r.u32("params.max_block_txs");
  p.max_block_bytes = r.u32("params.max_block_bytes");
  p.pol_samples = r.u32("params.pol_samples");
  p.pol_sample_delay_blocks = r.u64("params.pol_sample_delay_blocks");
  p.pol_commit_window = r.u64("params.pol_commit_window");
  p.pol_reveal_window = r.u64("params.pol_reveal_window");
  p.verifier_fee = r.u64("params.verifier_fee");
  p.min_verifier_stake = r.u64("params.min_verifier_stake");
  p.max_referee_cost = r.u64("params.max_referee_cost");
  p.max_checkpoints = r.u32("params.max_checkpoints");
  p.pol_dispute_window = r.u64("params.pol_dispute_window");
  p.fraud_reward_bps = r.u32("params.fraud_reward_bps");
  p.false_challenge_slash = r.u64("params.false_challenge_slash");
  p.max_referee_state_bytes = r.u64("params.max_referee_state_bytes");
  p.absent_verifier_slash = r.u64("params.absent_verifier_slash");
  p.fee_per_kib = r.u64("params.fee_per_kib");
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
  if (p.max_block_bytes < p.max_tx_bytes)
    return make_error("max_block_bytes: must be at least max_tx_bytes");
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
  // A job's checkpoint must fit in a checkpoint_post transaction.
  if (p.max_referee_state_bytes < 1024 || p.max_referee_state_bytes > p.max_tx_bytes)
    return make_error("max_referee_state_bytes: must be between 1024 and max_tx_bytes");
  return Status::success();
}

}  // namespace vt::ledger
