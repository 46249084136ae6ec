// Chain parameters fixed at genesis and committed to by the state root.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "ledger/objects.h"

namespace vt::ledger {

// Room a block keeps for its header and framing besides its transactions,
// evidence and last commit.
inline constexpr size_t kBlockOverheadBytes = 4096;

// Transactions up to this size pay only min_fee.
inline constexpr size_t kFeeFreeBytes = 16384;

struct Params {
  std::string chain_id;
  Amount min_fee = 0;             // per transaction, paid to the block's proposer
  Amount min_provider_stake = 0;  // to register and to accept jobs
  uint64_t unbonding_blocks = 0;  // unstaked amounts stay slashable this long
  uint64_t min_job_deadline_blocks = 0;
  uint64_t max_job_deadline_blocks = 0;
  uint32_t expiry_slash_bps = 0;  // share of the bond (in 1/10000) an undelivering provider loses
  uint32_t max_spec_bytes = 0;    // job spec JSON size limit
  uint32_t max_tx_bytes = 0;
  uint32_t max_block_txs = 0;
  uint32_t max_block_bytes = 0;
  // Proof of learning (docs/proof-of-learning.md).
  uint32_t pol_samples = 0;  // m: segments replayed per job (fewer if the job has fewer)
  uint64_t pol_sample_delay_blocks = 0;  // the seed is the hash of block commit_height + this
  uint64_t pol_commit_window = 0;        // blocks for attestation commits after sampling
  uint64_t pol_reveal_window = 0;        // blocks for reveals after the commit window
  Amount verifier_fee = 0;               // per verified segment, paid out of the job's payment
  Amount min_verifier_stake = 0;         // to register as a verifier
  uint64_t max_referee_cost = 0;         // verifier::check_referee_cost bound at job_submit
  uint32_t max_checkpoints = 0;          // per commitment (<= verifier::kMaxCheckpoints)
  // Disputes and slashing (docs/proof-of-learning.md, "On chain: disputes").
  uint64_t pol_dispute_window = 0;   // blocks for each dispute move or checkpoint post
  uint32_t fraud_reward_bps = 0;     // share of a slashed amount paid to the winner; rest burned
  Amount false_challenge_slash = 0;  // verifier stake lost by a challenger who loses a dispute
  uint64_t max_referee_state_bytes = 0;  // bound on a job's checkpoint (max_checkpoint_bytes)
  Amount absent_verifier_slash = 0;      // verifier stake burned for an assignment left unattested
  // Size fee: every KiB (or part) of a transaction beyond kFeeFreeBytes adds
  // this to the minimum fee, so a block cannot be filled with checkpoints for
  // the price of small transactions.
  Amount fee_per_kib = 0;
  // Adversary bounds (docs/proof-of-learning.md, "Threat model"). The defaults
  // are the devnet's; genesis must still name each one.
  // A verifier (or one that added stake) is eligible for sampling only this many
  // blocks later: more than commit -> sampling, so nobody joins knowing a commitment.
  uint64_t verifier_activation_blocks = 5;
  // Multiply-adds (verifier::referee_cost units) an honest verifier must replay
  // per pol_commit_window blocks. A job's segment must fit one window; commit
  // windows stretch with the work queued on a verifier (Verifier::busy_until).
  uint64_t verifier_replay_budget = 100'000'000'000;
  // A committed job that finds no eligible verifier waits this long, then the
  // client is refunded and the bond released: never paid unverified.
  uint64_t pol_wait_blocks = 100;
  // Checkpoint posts (each up to max_referee_state_bytes, each a referee step up
  // to max_referee_cost) per block, at least 3; posting deadlines are spread so
  // that at most a third of this many fall due at one height.
  uint32_t max_posts_per_block = 3;
  // r: verifiers per sampled segment, distinct (fewer when fewer are eligible).
  // A faked segment escapes only if every one of them colludes with the
  // provider (docs/proof-of-learning.md, "Collusion"). pol_samples * r and a
  // job's samples * r are at most kMaxAssignments. The devnet uses 5; the
  // default 1 keeps the ledger tests' one verifier per segment.
  uint32_t pol_redundancy = 1;
  // Validators (docs/consensus.md, "Evidence and slashing"). A validator that
  // signs two conflicting votes loses this share (in 1/10000) of its stake,
  // burned, and is jailed for good (tombstoned).
  uint32_t double_sign_slash_bps = 500;
  // Evidence older than this many blocks (by its votes' height) is refused: the
  // offender may have left, and nodes need not keep votes forever. At most
  // unbonding_blocks, so that stake unstaked after an offence is still there to cut.
  uint64_t max_evidence_age_blocks = 1000;
  // Least stake (uvt) a validator registers with or keeps (other than 0, which
  // leaves the set), and most validators in the set at once.
  Amount min_validator_stake = 1'000'000'000;
  uint32_t max_validators = 100;
  // Missed blocks (docs/consensus.md, "Missed blocks"): a validator that misses
  // more than downtime_max_missed_blocks of the last downtime_window_blocks
  // blocks it could sign is jailed, and may unjail downtime_jail_blocks later.
  // At most half the window, so that proposers leaving a validator's signature
  // out cannot jail it unless they propose more than half of the blocks.
  uint64_t downtime_window_blocks = 100;
  uint64_t downtime_max_missed_blocks = 50;
  uint64_t downtime_jail_blocks = 100;
  bool operator==(const Params&) const = default;
};

// Every numeric parameter in encoding order, with its genesis name: the binary
// encoding, genesis parsing and the RPC view all walk this one list.
struct ParamField {
  const char* name;
  uint64_t Params::*u64 = nullptr;  // exactly one of u64 / u32 is set
  uint32_t Params::*u32 = nullptr;
  bool amount = false;  // shown as a decimal string over RPC
};
std::span<const ParamField> param_fields();
inline uint64_t param_value(const Params& p, const ParamField& f) {
  return f.u64 ? p.*f.u64 : p.*f.u32;
}

Bytes encode(const Params&);
Result<Params> decode_params(ByteView);
// Checks the relations between fields; names the first offending one.
Status validate(const Params&);

}  // namespace vt::ledger
