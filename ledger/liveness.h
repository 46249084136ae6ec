// Missed blocks: block h carries the precommits that committed block h-1 (its
// last commit). The ledger checks them against the set that signed h-1, counts
// for each of that set's validators whether it signed, over a sliding window of
// downtime_window_blocks heights, and jails one that missed more than
// downtime_max_missed_blocks of them (docs/consensus.md, "Missed blocks").
// Pure; runs inside BlockExecutor.
#pragma once

#include <cstdint>
#include <optional>

#include "consensus/validator_set.h"
#include "core/bytes.h"
#include "core/result.h"
#include "ledger/commit.h"
#include "ledger/outcomes.h"
#include "ledger/state.h"

namespace vt::ledger {

// One validator's signing record, under keys::liveness(consensus key).
struct Liveness {
  uint64_t last_height = 0;   // the last height counted (0: none); a gap starts afresh
  uint32_t missed = 0;        // heights missed among the last downtime_window_blocks counted
  Bytes missed_bits;          // ceil(window / 8) bytes; bit (height % window): that height missed
  uint64_t jailed_until = 0;  // jailed for downtime: validator_unjail is refused before this height
  bool operator==(const Liveness&) const = default;
};
Bytes encode(const Liveness& l);
Result<Liveness> decode_liveness(ByteView in);
Liveness read_liveness(const StateReader& s, const Ed25519Pubkey& key);  // empty if absent

// The set that signed the head block (none before block 1).
std::optional<consensus::ValidatorSet> read_signing_set(const StateReader& s);

// Block `c.height`'s start, before its evidence and transactions. `last_commit`
// must be the precommits for block c.height-1 (hash `parent_hash`) of more than
// 2/3 of the set that signed it, every entry with its signature (empty at height
// 1). Then every validator of that set has its miss counted; one past
// downtime_max_missed_blocks is jailed (unless it is the last active validator)
// with a validator_jailed event. `signers` is the set that signs this block
// (validator_set_of the state before it), kept for the next block's check.
// Refused: nothing is written.
Status track_liveness(OutcomeContext& c, const Hash256& parent_hash,
                      const CommitCertificate& last_commit, const consensus::ValidatorSet& signers);

}  // namespace vt::ledger
