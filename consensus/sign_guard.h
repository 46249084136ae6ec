// Double-sign protection for the node's write-ahead log: the last (height, round,
// step) this validator signed and a check that refuses anything that could conflict.
// Pure functions on values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "consensus/messages.h"

namespace vt::consensus {

// What a validator signed last. Persist it (fsync) before the signature leaves the
// process; load it on restart and hand it to the Engine.
struct SignedState {
  bool empty = true;  // nothing signed yet
  uint64_t height = 0;
  uint32_t round = 0;
  Step step = Step::Propose;     // Propose = a proposal, else the vote's type
  std::optional<BlockId> block;  // what was signed at that point (nullopt = nil vote)
  int32_t pol_round = -1;        // proposals only
  // The engine's lock at `height` when this was signed (locked_round -1: none).
  // A validator that precommitted a block and restarts in a later round of the
  // same height must keep it: without it, it could prevote another block that
  // no polka justifies and help commit a conflicting block.
  int32_t locked_round = -1;
  std::optional<BlockId> locked_block;
  bool operator==(const SignedState&) const = default;
};

// True iff signing `vote`/`proposal` after `last` cannot double-sign: its (height,
// round, step) is strictly after last's, or it is exactly what was signed last (a
// re-broadcast of the same message). Steps order Propose < Prevote < Precommit.
bool may_sign(const SignedState& last, const Vote& vote);
bool may_sign(const SignedState& last, const Proposal& proposal);

// The state to persist once `vote`/`proposal` is signed.
SignedState signed_state(const Vote& vote);
SignedState signed_state(const Proposal& proposal);

}  // namespace vt::consensus
