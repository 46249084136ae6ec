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
  SignedState s;
  s.empty = false;
  s.height = vote.height;
  s.round = vote.round;
  s.step = step_of(vote.type);
  s.block = vote.block;
  return s;
}

SignedState signed_state(const Proposal& p) {
  SignedState s;
  s.empty = false;
  s.height = p.height;
  s.round = p.round;
  s.step = Step::Propose;
  s.block = p.block;
  s.pol_round = p.pol_round;
  return s;
}

bool may_sign(const SignedState& last, const Vote& vote) {
  return may_sign_state(last, signed_state(vote));
}

bool may_sign(const SignedState& last, const Proposal& p) {
  return may_sign_state(last, signed_state(p));
}

}  // namespace vt::consensus
