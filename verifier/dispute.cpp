#include "verifier/dispute.h"

#include <string>

#include "core/encoding.h"

namespace vt::verifier {

namespace {
constexpr uint8_t kDisputeVersion = 1;

Status check_invariants(const Dispute& d) {
  if (d.provider == d.challenger)
    return make_error("dispute: provider and challenger are the same address");
  if (d.hi <= d.lo) return make_error("dispute: hi must be above lo");
  if (d.hi - d.lo > kMaxDisputeSteps) return make_error("dispute: segment longer than the limit");
  if (d.provider_hi == d.challenger_hi)
    return make_error("dispute: the claims at hi do not differ");
  if (d.window == 0) return make_error("dispute.window: must be at least 1");
  const bool over = d.hi == d.lo + 1;
  if (over != (d.turn == Turn::referee))
    return make_error("dispute.turn: inconsistent with the bounds");
  if (d.turn != Turn::challenger && !is_zero(d.provider_mid))
    return make_error("dispute.provider_mid: set outside the challenger's turn");
  if (d.turn == Turn::challenger && is_zero(d.provider_mid))
    return make_error("dispute.provider_mid: missing in the challenger's turn");
  return Status::success();
}
}  // namespace

uint32_t max_rounds(uint64_t steps) {
  uint32_t r = 0;
  // ceil(log2 steps): the smallest r with 2^r >= steps.
  while (r < 64 && (uint64_t{1} << r) < steps) ++r;
  return r;
}

Result<Dispute> open_dispute(const Address& provider, const Address& challenger, uint64_t lo,
                             uint64_t hi, const Hash256& lo_hash, const Hash256& provider_hi,
                             const Hash256& challenger_hi, uint64_t height, uint64_t window) {
  Dispute d;
  d.provider = provider;
  d.challenger = challenger;
  d.lo = lo;
  d.hi = hi;
  d.lo_hash = lo_hash;
  d.provider_hi = provider_hi;
  d.challenger_hi = challenger_hi;
  d.window = window;
  d.turn = hi == lo + 1 ? Turn::referee : Turn::provider;
  if (window > UINT64_MAX - height) return make_error("dispute.window: deadline overflows");
  d.deadline = height + window;
  if (auto s = check_invariants(d); !s) return s.take_error();
  return d;
}

Result<Dispute> apply(const Dispute& d, const Move& move, uint64_t height) {
  if (d.finished()) return make_error("dispute move: the bisection is over; the referee decides");
  if (height > d.deadline)
    return make_error("dispute move: deadline " + std::to_string(d.deadline) +
                      " passed at height " + std::to_string(height));
  if (d.window > UINT64_MAX - height) return make_error("dispute move: deadline overflows");
  Dispute n = d;
  n.deadline = height + d.window;
  if (d.turn == Turn::provider) {
    if (move.sender != d.provider) return make_error("dispute move: it is the provider's turn");
    if (move.kind != MoveKind::post_mid)
      return make_error("dispute move: the provider must post its hash at the midpoint");
    if (is_zero(move.hash)) return make_error("dispute move: the midpoint hash is zero");
    n.provider_mid = move.hash;
    n.turn = Turn::challenger;
    return n;
  }
  // Challenger's turn.
  if (move.sender != d.challenger) return make_error("dispute move: it is the challenger's turn");
  const uint64_t mid = d.mid();
  switch (move.kind) {
    case MoveKind::agree:
      if (!is_zero(move.hash)) return make_error("dispute move: agree carries no hash");
      n.lo = mid;
      n.lo_hash = d.provider_mid;
      break;
    case MoveKind::disagree:
      if (move.hash == d.provider_mid)
        return make_error("dispute move: disagree with the provider's own hash");
      if (is_zero(move.hash))
        return make_error("dispute move: the challenger's midpoint hash is zero");
      n.hi = mid;
      n.provider_hi = d.provider_mid;
      n.challenger_hi = move.hash;
      break;
    case MoveKind::post_mid:
      return make_error("dispute move: the challenger must agree or disagree");
  }
  n.provider_mid = Hash256{};
  n.round = d.round + 1;
  n.turn = n.hi == n.lo + 1 ? Turn::referee : Turn::provider;
  return n;
}

std::optional<Outcome> timeout(const Dispute& d, uint64_t height) {
  if (height <= d.deadline) return std::nullopt;
  switch (d.turn) {
    case Turn::provider:
      return Outcome{Party::provider, "the provider did not post its midpoint hash in time"};
    case Turn::challenger:
      return Outcome{Party::challenger, "the challenger did not answer in time"};
    case Turn::referee:
      return Outcome{Party::provider, "no checkpoint for the disputed step was posted in time"};
  }
  return std::nullopt;
}

Bytes encode(const Dispute& d) {
  Writer w;
  w.u8(kDisputeVersion).fixed(d.provider).fixed(d.challenger).u64(d.lo).u64(d.hi);
  w.fixed(d.lo_hash).fixed(d.provider_hi).fixed(d.challenger_hi);
  w.u8(static_cast<uint8_t>(d.turn)).fixed(d.provider_mid);
  w.u64(d.window).u64(d.deadline).u32(d.round);
  return w.take();
}

Result<Dispute> decode_dispute(ByteView in) {
  Reader r(in);
  Dispute d;
  const uint8_t version = r.u8("dispute.version");
  if (r.ok() && version != kDisputeVersion)
    r.fail("dispute.version: unknown version " + std::to_string(version));
  d.provider = r.fixed<32>("dispute.provider");
  d.challenger = r.fixed<32>("dispute.challenger");
  d.lo = r.u64("dispute.lo");
  d.hi = r.u64("dispute.hi");
  d.lo_hash = r.fixed<32>("dispute.lo_hash");
  d.provider_hi = r.fixed<32>("dispute.provider_hi");
  d.challenger_hi = r.fixed<32>("dispute.challenger_hi");
  const uint8_t turn = r.u8("dispute.turn");
  if (r.ok() && turn > 2) r.fail("dispute.turn: unknown value " + std::to_string(turn));
  d.turn = static_cast<Turn>(turn);
  d.provider_mid = r.fixed<32>("dispute.provider_mid");
  d.window = r.u64("dispute.window");
  d.deadline = r.u64("dispute.deadline");
  d.round = r.u32("dispute.round");
  if (auto s = r.finish(); !s) return s.take_error();
  if (auto s = check_invariants(d); !s) return s.take_error();
  return d;
}

Bytes encode(const Move& m) {
  Writer w;
  w.u8(static_cast<uint8_t>(m.kind)).fixed(m.hash);
  return w.take();
}

Result<Move> decode_move(ByteView in, const Address& sender) {
  Reader r(in);
  Move m;
  m.sender = sender;
  const uint8_t kind = r.u8("move.kind");
  if (r.ok() && kind > 2) r.fail("move.kind: unknown value " + std::to_string(kind));
  m.kind = static_cast<MoveKind>(kind);
  m.hash = r.fixed<32>("move.hash");
  if (auto s = r.finish(); !s) return s.take_error();
  return m;
}

}  // namespace vt::verifier
