#include "consensus/sign_guard.h"

#include <tuple>

namespace vt::consensus {
namespace {

Step step_of(VoteType type) {
  return type == VoteType::Prevote ? Step::Prevote : Step::Precommit;
}

bool may_sign_state(const SignedState& last, const SignedState& next) {
  if (last.empty) return true;
  const auto before = std::make_tuple(last.height, last.round, static_cast<uint8_t>(last.step));
  const auto after = std::make_tuple(next.height, next.round, static_cast<uint8_t>(next.step));
  if (after > before) return true;
  // Same point: only the identical message may be signed again (the signature of a
  // deterministic scheme like Ed25519 is then identical too).
  return after == before && next.block == last.block && next.pol_round == last.pol_round;
}

}  // namespace

SignedState signed_state(const Vote& vote) {
  return SignedState{false, vote.height, vote.round, step_of(vote.type), vote.block, -1};
}

SignedState signed_state(const Proposal& p) {
  return SignedState{false, p.height, p.round, Step::Propose, p.block, p.pol_round};
}

bool may_sign(const SignedState& last, const Vote& vote) {
  return may_sign_state(last, signed_state(vote));
}

bool may_sign(const SignedState& last, const Proposal& p) {
  return may_sign_state(last, signed_state(p));
}

}  // namespace vt::consensus
