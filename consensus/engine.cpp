#include "consensus/engine.h"

#include <algorithm>
#include <limits>

namespace vt::consensus {

uint64_t EngineConfig::timeout_ms(Step step, uint32_t round) const {
  uint64_t base = 0;
  uint64_t delta = 0;
  switch (step) {
    case Step::Propose:
      base = propose_base_ms, delta = propose_delta_ms;
      break;
    case Step::Prevote:
      base = prevote_base_ms, delta = prevote_delta_ms;
      break;
    case Step::Precommit:
      base = precommit_base_ms, delta = precommit_delta_ms;
      break;
  }
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (round != 0 && delta > (kMax - base) / round) return kMax;  // saturate, never wrap
  return base + delta * round;
}

Engine::Engine(EngineConfig config, std::optional<ValidatorKey> self, SignedState last_signed)
    : config_(config), self_(self), last_signed_(last_signed) {
  if (!last_signed.empty && last_signed.locked_round >= 0 && last_signed.locked_block &&
      !is_zero(*last_signed.locked_block))
    restart_lock_ = last_signed;
}

Actions Engine::reject(std::string_view why) {
  rejection_ = why;
  return {};
}

Engine::RoundState& Engine::round_state(uint32_t round) {
  auto [it, inserted] = rounds_.try_emplace(round);
  if (inserted) {
    const size_t n = validators_->size();
    for (VoteTally* tally : {&it->second.prevotes, &it->second.precommits}) {
      tally->by_validator.resize(n);
      tally->conflicting.resize(n);
      tally->extra.resize(n);
    }
  }
  return it->second;
}

bool Engine::is_proposer() const {
  return own_index_ && validators_->proposer(height_, round_) == *own_index_;
}

// ---------------------------------------------------------------- inputs

Actions Engine::start_height(uint64_t height, const ValidatorSet& validators,
                             uint32_t first_round) {
  rejection_ = {};
  if (started_ && height <= height_)
    return reject("start_height: height is not above the current one");
  if (first_round > kMaxRound) return reject("start_height: first round too large");
  started_ = true;
  validators_ = validators;
  own_index_ = self_ ? validators.index_of(*self_) : std::nullopt;
  height_ = height;
  round_ = 0;
  step_ = Step::Propose;
  decided_ = false;
  awaiting_build_ = false;
  locked_value_.reset();
  locked_round_ = -1;
  valid_value_.reset();
  valid_round_ = -1;
  rounds_.clear();
  highest_round_seen_.assign(validators.size(), -1);
  skip_check_pending_ = false;
  known_valid_blocks_.clear();
  commit_candidate_.reset();
  // Restarted mid-height: the lock we precommitted under still binds us, and is
  // also the value we re-propose (Tendermint's validValue).
  if (restart_lock_ && restart_lock_->height == height &&
      static_cast<uint32_t>(restart_lock_->locked_round) < first_round) {
    locked_value_ = restart_lock_->locked_block;
    locked_round_ = restart_lock_->locked_round;
    valid_value_ = locked_value_;
    valid_round_ = locked_round_;
  }
  restart_lock_.reset();

  Actions out;
  start_round(first_round, out);
  drive(out);
  return out;
}

Actions Engine::on_proposal(const Proposal& p, bool block_valid) {
  rejection_ = {};
  if (!started_) return reject("proposal: engine not started");
  if (decided_) return reject("proposal: height already decided");
  if (p.height != height_) return reject("proposal: not for the current height");
  if (p.round > kMaxRound) return reject("proposal: round too large");
  if (p.proposer_index >= validators_->size())
    return reject("proposal: proposer index out of range");
  if (p.proposer_index != validators_->proposer(p.height, p.round))
    return reject("proposal: not from the round's proposer");
  if (p.pol_round < -1 || p.pol_round >= static_cast<int64_t>(p.round))
    return reject("proposal: pol_round out of range");
  if (is_zero(p.block)) return reject("proposal: zero block id");

  if (block_valid) known_valid_blocks_.insert(p.block);
  note_round_activity(p.proposer_index, p.round);
  Actions out;
  if (p.round <= static_cast<uint64_t>(round_) + kMaxRoundsAhead) {
    RoundState& rs = round_state(p.round);
    if (!rs.proposal) {
      rs.proposal = p;
      rs.proposal_valid = block_valid;
    } else if (*rs.proposal == p) {
      // A re-delivery; the node may have fetched and checked the body since.
      if (block_valid) rs.proposal_valid = true;
    } else {
      // The proposer signed two proposals for one round; we keep the first.
      rejection_ = "proposal: conflicts with the proposal already held for this round";
    }
  }
  drive(out);
  return out;
}

Actions Engine::on_block_built(uint64_t height, uint32_t round, const BlockId& block) {
  rejection_ = {};
  if (!started_ || decided_ || !awaiting_build_ || height != height_ || round != round_ ||
      step_ != Step::Propose) {
    return reject("block built: no matching BuildBlock pending");
  }
  if (is_zero(block)) return reject("block built: zero block id");
  awaiting_build_ = false;
  Actions out;
  emit_proposal(block, -1, out);
  drive(out);
  return out;
}

Actions Engine::on_vote(const Vote& v) {
  rejection_ = {};
  if (!started_) return reject("vote: engine not started");
  if (decided_) return reject("vote: height already decided");
  if (v.type != VoteType::Prevote && v.type != VoteType::Precommit)
    return reject("vote: unknown type");
  if (v.height != height_) return reject("vote: not for the current height");
  if (v.round > kMaxRound) return reject("vote: round too large");
  if (v.validator_index >= validators_->size()) return reject("vote: validator index out of range");
  if (v.block && is_zero(*v.block)) return reject("vote: zero block id");

  note_round_activity(v.validator_index, v.round);
  Actions out;
  if (v.round <= static_cast<uint64_t>(round_) + kMaxRoundsAhead) add_vote(v, out);
  drive(out);
  return out;
}

Actions Engine::on_timeout(const Timeout& t) {
  rejection_ = {};
  if (!started_) return reject("timeout: engine not started");
  if (decided_ || t.height != height_ || t.round != round_) return reject("timeout: stale");
  Actions out;
  switch (t.step) {
    case Step::Propose:  // line 57
      if (step_ != Step::Propose) return reject("timeout: stale");
      awaiting_build_ = false;
      emit_vote(VoteType::Prevote, std::nullopt, out);
      step_ = Step::Prevote;
      break;
    case Step::Prevote:  // line 61
      if (step_ != Step::Prevote) return reject("timeout: stale");
      emit_vote(VoteType::Precommit, std::nullopt, out);
      step_ = Step::Precommit;
      break;
    case Step::Precommit:  // line 65
      if (round_ >= kMaxRound) return reject("timeout: round limit reached");
      start_round(round_ + 1, out);
      break;
    default:
      return reject("timeout: unknown step");
  }
  drive(out);
  return out;
}

// ---------------------------------------------------------------- own messages

void Engine::start_round(uint32_t round, Actions& out) {  // line 11
  round_ = round;
  step_ = Step::Propose;
  awaiting_build_ = false;
  round_state(round);
  if (is_proposer()) {
    if (valid_value_) {
      emit_proposal(*valid_value_, valid_round_, out);  // re-propose what a polka made valid
    } else {
      out.push_back(BuildBlock{height_, round_});
      awaiting_build_ = true;
    }
  }
  // The paper schedules this only for non-proposers; we also arm it for the
  // proposer so a block that never gets built cannot stall the round.
  schedule(Step::Propose, out);
}

void Engine::schedule(Step step, Actions& out) {
  out.push_back(ScheduleTimeout{Timeout{height_, round_, step}, config_.timeout_ms(step, round_)});
}

void Engine::emit_vote(VoteType type, std::optional<BlockId> block, Actions& out) {
  if (!own_index_) return;  // a follower never votes
  const Vote vote{type, height_, round_, block, *own_index_};
  // After a restart the WAL may say we already signed this step: then we stay
  // silent here rather than risk a second, different signature.
  if (!may_sign(last_signed_, vote)) return;
  last_signed_ = signed_state(vote);
  out.push_back(BroadcastVote{vote});
  add_vote(vote, out);  // our own vote counts at once; its loop-back is a duplicate
}

void Engine::emit_proposal(const BlockId& block, int32_t pol_round, Actions& out) {
  const Proposal p{height_, round_, block, pol_round, *own_index_};
  if (!may_sign(last_signed_, p)) return;
  last_signed_ = signed_state(p);
  RoundState& rs = round_state(round_);
  rs.proposal = p;
  rs.proposal_valid = true;  // we built it, or it is our validValue
  known_valid_blocks_.insert(block);
  out.push_back(BroadcastProposal{p});
}

// ---------------------------------------------------------------- bookkeeping

void Engine::add_vote(const Vote& v, Actions& out) {
  RoundState& rs = round_state(v.round);
  VoteTally& tally = v.type == VoteType::Prevote ? rs.prevotes : rs.precommits;
  std::optional<Vote>& slot = tally.by_validator[v.validator_index];
  const uint64_t power = validators_->power(v.validator_index);
  if (slot) {
    if (*slot == v) return;  // duplicate delivery
    if (auto& second = tally.conflicting[v.validator_index]) {
      if (*second == v) return;  // duplicate delivery
      // A third or later version (evidence is already out). It counts for its
      // value only if other votes back that value, once per value: junk from an
      // equivocator costs us no memory, and it cannot hide a polka everyone else
      // saw by showing us other versions first (found by the seeded schedule
      // sweep: seven validators stuck for hundreds of rounds, an unlocked
      // minority never seeing the polka the locked ones re-proposed). Counting
      // each signed version once per value is safe: two conflicting quorums
      // would need more than 1/3 of the power to have signed both.
      auto& extras = tally.extra[v.validator_index];
      for (const Vote& e : extras)
        if (e.block == v.block) return;
      auto backed = tally.power_for.find(v.block);
      if (backed == tally.power_for.end() || backed->second == 0) return;
      extras.push_back(v);
      add_power(tally, v, power);
      return;
    }
    tally.conflicting[v.validator_index] = v;
    out.push_back(Evidence{*slot, v});
    // The second version still counts for its own value (not for the any-value
    // total): it is a real signature, so a certificate using it is valid, and the
    // +2/3 intersection argument rests on honest validators only. Without this an
    // equivocator could hide from us the quorum everyone else saw.
    add_power(tally, v, power);
    return;
  }
  slot = v;
  tally.total += power;
  add_power(tally, v, power);
}

void Engine::add_power(VoteTally& tally, const Vote& v, uint64_t power) {
  const uint64_t for_value = (tally.power_for[v.block] += power);
  if (v.type == VoteType::Precommit && v.block && !commit_candidate_ &&
      for_value >= validators_->quorum_power()) {
    commit_candidate_ = std::make_pair(v.round, *v.block);
  }
}

void Engine::note_round_activity(uint32_t validator, uint32_t round) {
  int64_t& seen = highest_round_seen_[validator];
  if (round > seen) seen = round;
  if (round > round_) skip_check_pending_ = true;
}

// ---------------------------------------------------------------- the "upon" rules

void Engine::drive(Actions& out) {
  // Order matters only for which actions appear: deciding first means a decided
  // height schedules no more timers; value rules before timer rules likewise.
  while (!decided_) {
    if (try_commit(out)) break;
    if (try_skip_round(out)) continue;
    if (try_proposal_rules(out)) continue;
    if (try_polka_value(out)) continue;
    if (try_polka_nil(out)) continue;
    if (try_prevote_timeout(out)) continue;
    if (try_precommit_timeout(out)) continue;
    break;
  }
}

// Line 49: +2/3 precommits for a block in any round decide it. We decide even if we
// never saw the proposal: more than 1/3 honest power vouched for it, and the node
// can fetch the body by id (Commit::have_block tells it whether it must).
bool Engine::try_commit(Actions& out) {
  if (!commit_candidate_) return false;
  const auto [round, block] = *commit_candidate_;
  Commit commit{height_, round, block, {}, known_valid_blocks_.count(block) > 0};
  const VoteTally& precommits = rounds_.at(round).precommits;
  for (size_t i = 0; i < precommits.by_validator.size(); ++i) {
    for (const auto* vote : {&precommits.by_validator[i], &precommits.conflicting[i]}) {
      if (*vote && (*vote)->block == block) commit.precommits.push_back(**vote);
    }
    for (const Vote& e : precommits.extra[i])
      if (e.block == block) commit.precommits.push_back(e);
  }
  decided_ = true;
  out.push_back(std::move(commit));
  return true;
}

// Line 55: messages from more than 1/3 of the power at rounds above ours mean an
// honest validator is there; jump to the highest round such a group has reached.
bool Engine::try_skip_round(Actions& out) {
  if (!skip_check_pending_) return false;
  skip_check_pending_ = false;
  std::vector<std::pair<int64_t, uint32_t>> ahead;  // (round, validator), highest first
  for (uint32_t i = 0; i < highest_round_seen_.size(); ++i) {
    if (highest_round_seen_[i] > static_cast<int64_t>(round_))
      ahead.emplace_back(highest_round_seen_[i], i);
  }
  std::sort(ahead.begin(), ahead.end(), std::greater<>());
  uint64_t power = 0;
  for (const auto& [round, validator] : ahead) {
    power += validators_->power(validator);
    if (power >= validators_->one_third_plus_power()) {
      start_round(static_cast<uint32_t>(round), out);
      return true;
    }
  }
  return false;
}

// Lines 22 and 28: the proposal of our round decides our prevote.
bool Engine::try_proposal_rules(Actions& out) {
  if (step_ != Step::Propose) return false;
  const RoundState& rs = rounds_.at(round_);
  if (!rs.proposal) return false;
  const Proposal& p = *rs.proposal;
  bool accept = false;
  if (p.pol_round == -1) {
    accept = rs.proposal_valid && (locked_round_ == -1 || locked_value_ == p.block);
  } else {
    // A re-proposal needs the polka it cites; until we see it, keep waiting.
    auto pol = rounds_.find(static_cast<uint32_t>(p.pol_round));
    if (pol == rounds_.end()) return false;
    auto it = pol->second.prevotes.power_for.find(p.block);
    if (it == pol->second.prevotes.power_for.end() || it->second < validators_->quorum_power())
      return false;
    accept = rs.proposal_valid && (locked_round_ <= p.pol_round || locked_value_ == p.block);
  }
  awaiting_build_ = false;
  emit_vote(VoteType::Prevote, accept ? std::optional<BlockId>(p.block) : std::nullopt, out);
  step_ = Step::Prevote;
  return true;
}

// Line 36: a polka for the valid proposal of our round locks it (if we are still
// prevoting) and makes it our validValue either way.
bool Engine::try_polka_value(Actions& out) {
  if (step_ == Step::Propose) return false;
  RoundState& rs = rounds_.at(round_);
  if (rs.polka_value_handled || !rs.proposal || !rs.proposal_valid) return false;
  const BlockId block = rs.proposal->block;
  auto it = rs.prevotes.power_for.find(block);
  if (it == rs.prevotes.power_for.end() || it->second < validators_->quorum_power()) return false;
  rs.polka_value_handled = true;
  if (step_ == Step::Prevote) {
    locked_value_ = block;
    locked_round_ = static_cast<int32_t>(round_);
    emit_vote(VoteType::Precommit, block, out);
    step_ = Step::Precommit;
  }
  valid_value_ = block;
  valid_round_ = static_cast<int32_t>(round_);
  return true;
}

// Line 44: a polka for nil.
bool Engine::try_polka_nil(Actions& out) {
  if (step_ != Step::Prevote) return false;
  const RoundState& rs = rounds_.at(round_);
  auto it = rs.prevotes.power_for.find(std::nullopt);
  if (it == rs.prevotes.power_for.end() || it->second < validators_->quorum_power()) return false;
  emit_vote(VoteType::Precommit, std::nullopt, out);
  step_ = Step::Precommit;
  return true;
}

// Line 34: +2/3 prevotes for anything, but no single value yet: wait a bit more.
bool Engine::try_prevote_timeout(Actions& out) {
  if (step_ != Step::Prevote) return false;
  RoundState& rs = rounds_.at(round_);
  if (rs.prevote_timeout_scheduled || rs.prevotes.total < validators_->quorum_power()) return false;
  rs.prevote_timeout_scheduled = true;
  schedule(Step::Prevote, out);
  return true;
}

// Line 47: +2/3 precommits for anything: the round ends after a timeout.
bool Engine::try_precommit_timeout(Actions& out) {
  RoundState& rs = rounds_.at(round_);
  if (rs.precommit_timeout_scheduled || rs.precommits.total < validators_->quorum_power())
    return false;
  rs.precommit_timeout_scheduled = true;
  schedule(Step::Precommit, out);
  return true;
}

}  // namespace vt::consensus
