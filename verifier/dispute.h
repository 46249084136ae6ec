// The bisection game over the steps of a disputed segment: a pure state machine
// value (Dispute) advanced by moves at block heights; silence past a deadline
// loses. It ends at one step j whose input both parties agree on. No I/O.
#pragma once

#include <cstdint>
#include <optional>

#include "core/bech32m.h"
#include "core/bytes.h"
#include "core/result.h"

namespace vt::verifier {

enum class Party : uint8_t { provider = 0, challenger = 1 };

// Whose move it is. `referee`: hi == lo + 1, the game is over and step lo waits
// for the referee (someone must post the checkpoint at lo).
enum class Turn : uint8_t { provider = 0, challenger = 1, referee = 2 };

// Longest segment a dispute may cover (k is at most 1e9 in a job spec).
inline constexpr uint64_t kMaxDisputeSteps = 1000000000;

struct Dispute {
  Address provider{}, challenger{};
  uint64_t lo = 0, hi = 0;  // steps; both agree on the state after `lo` steps
  Hash256 lo_hash{};        // the agreed state hash at lo
  Hash256 provider_hi{};    // the provider's claim at hi
  Hash256 challenger_hi{};  // the challenger's claim at hi (differs from provider_hi)
  Turn turn = Turn::provider;
  Hash256 provider_mid{};  // while turn == challenger: the provider's hash at mid(); else zero
  uint64_t window = 0;     // blocks allowed for each move (genesis parameter)
  uint64_t deadline = 0;   // last height at which the party to move may move
  uint32_t round = 0;      // completed bisection rounds
  bool operator==(const Dispute&) const = default;

  uint64_t mid() const { return lo + (hi - lo) / 2; }
  bool finished() const { return turn == Turn::referee; }
};

// Opens a dispute over [lo, hi] at `height`: lo < hi, hi - lo <= kMaxDisputeSteps,
// the claims at hi differ, provider != challenger, window >= 1. If hi == lo + 1
// the game is already over (turn = referee).
Result<Dispute> open_dispute(const Address& provider, const Address& challenger, uint64_t lo,
                             uint64_t hi, const Hash256& lo_hash, const Hash256& provider_hi,
                             const Hash256& challenger_hi, uint64_t height, uint64_t window);

enum class MoveKind : uint8_t {
  post_mid = 0,  // provider: its state hash at mid()
  agree = 1,     // challenger: agrees with provider_mid  -> lo := mid
  disagree = 2,  // challenger: its own, different hash at mid -> hi := mid
};

struct Move {
  Address sender{};  // the transaction's signer; not part of the encoding
  MoveKind kind = MoveKind::post_mid;
  Hash256 hash{};  // post_mid: provider's hash; disagree: challenger's hash; agree: zero
  bool operator==(const Move&) const = default;
};

// Rejects (with a reason) a finished game, a move out of turn, by the wrong
// party, after the deadline, or malformed (disagree with the provider's own
// hash, agree carrying a hash). The next deadline is height + window.
Result<Dispute> apply(const Dispute& d, const Move& move, uint64_t height);

struct Outcome {
  Party loser = Party::provider;
  const char* reason = "";
  bool operator==(const Outcome&) const = default;
};
// Who loses by silence at `height` (> deadline): the party to move; in the
// referee turn the provider, who must post the checkpoint at lo (see docs).
std::optional<Outcome> timeout(const Dispute& d, uint64_t height);

// Rounds of the game for a segment of `steps` steps in the worst case: ceil(log2 steps).
uint32_t max_rounds(uint64_t steps);

// Canonical encodings. Dispute: u8 version (1) | provider | challenger | u64 lo |
// u64 hi | lo_hash | provider_hi | challenger_hi | u8 turn | provider_mid |
// u64 window | u64 deadline | u32 round; decoding checks every invariant.
// Move: u8 kind | 32-byte hash.
Bytes encode(const Dispute& d);
Result<Dispute> decode_dispute(ByteView in);
Bytes encode(const Move& m);
Result<Move> decode_move(ByteView in, const Address& sender);

}  // namespace vt::verifier
