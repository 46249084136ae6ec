// The Tendermint BFT engine (Buchman, Kwon, Milosevic 2018, Algorithm 1) as a pure,
// deterministic state machine: verified messages and timer expiries in, actions out.
// No I/O, clocks, threads or crypto. One Engine per node; not thread-safe (drive it
// from one thread or under one lock).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <variant>
#include <vector>

#include "consensus/messages.h"
#include "consensus/sign_guard.h"
#include "consensus/validator_set.h"

namespace vt::consensus {

// Timeouts in milliseconds. A round-r timeout of a step lasts base + r * delta, so
// rounds stretch until the network's real delay fits in them.
struct EngineConfig {
  uint64_t propose_base_ms = 3000;
  uint64_t propose_delta_ms = 500;
  uint64_t prevote_base_ms = 1000;
  uint64_t prevote_delta_ms = 500;
  uint64_t precommit_base_ms = 1000;
  uint64_t precommit_delta_ms = 500;
  // The block interval: how long the node waits after a Commit before it calls
  // start_height for the next height (the engine does not time this itself).
  uint64_t commit_ms = 1000;

  uint64_t timeout_ms(Step step, uint32_t round) const;
};

// ---- Actions: what the node must do, in the order returned. ----

// We propose in (height, round) and hold no valid block: build one and answer with
// Engine::on_block_built(height, round, id).
struct BuildBlock {
  uint64_t height = 0;
  uint32_t round = 0;
  bool operator==(const BuildBlock&) const = default;
};
// Sign (after may_sign and persisting signed_state), then gossip with the block body.
struct BroadcastProposal {
  Proposal proposal;
  bool operator==(const BroadcastProposal&) const = default;
};
// Sign (after may_sign and persisting signed_state), then gossip. The engine has
// already counted it; feeding it back through on_vote is harmless (deduplicated).
struct BroadcastVote {
  Vote vote;
  bool operator==(const BroadcastVote&) const = default;
};
// Call Engine::on_timeout(timeout) after delay_ms. Stale timers are ignored, so the
// node never needs to cancel one.
struct ScheduleTimeout {
  Timeout timeout;
  uint64_t delay_ms = 0;
  bool operator==(const ScheduleTimeout&) const = default;
};
// `block` is final at `height`: more than 2/3 of the power precommitted it in `round`
// (`precommits`, ordered by validator index, is the commit certificate; pair them
// with the signatures the node verified). have_block: the node told us it holds
// this block and it is valid (on_proposal(.., true) or on_block_built); if false,
// fetch it by id from peers (block sync). Apply it, wait commit_ms, start_height(height+1).
struct Commit {
  uint64_t height = 0;
  uint32_t round = 0;
  BlockId block{};
  std::vector<Vote> precommits;
  bool have_block = false;
  bool operator==(const Commit&) const = default;
};
// One validator signed two different votes of the same type, height and round.
// Both were verified by the node; keep their signatures for the ledger to slash.
struct Evidence {
  Vote a;
  Vote b;
  bool operator==(const Evidence&) const = default;
};

using Action =
    std::variant<BuildBlock, BroadcastProposal, BroadcastVote, ScheduleTimeout, Commit, Evidence>;
using Actions = std::vector<Action>;

class Engine {
 public:
  // Votes more than this many rounds ahead of ours are not stored (they still count
  // towards skipping to a higher round); bounds what a faulty validator can make us keep.
  static constexpr uint32_t kMaxRoundsAhead = 32;

  // self: our consensus key, or nullopt for a non-validator that only follows.
  // last_signed: what the WAL says we signed last; the engine never emits a vote or
  // proposal that may_sign refuses after it (it skips that vote instead). Its lock
  // (locked_round, locked_block) is restored when that height starts.
  Engine(EngineConfig config, std::optional<ValidatorKey> self, SignedState last_signed = {});

  // Begin `height` with its validator set (height must be above the current one; the
  // first call may start anywhere). Drops all state of the previous height.
  // first_round: where to begin; a validator restarting at a height for which its
  // WAL already holds signatures begins past the last signed round, since it may not
  // sign that round again and would otherwise wait forever for its own votes.
  Actions start_height(uint64_t height, const ValidatorSet& validators, uint32_t first_round = 0);

  // A proposal whose signature the node verified (by proposer_index in this height's
  // set); block_valid: the node holds the block body and it is valid on top of our
  // state. Proposals for another height, from the wrong proposer, or malformed give
  // no actions (see last_rejection()).
  Actions on_proposal(const Proposal& proposal, bool block_valid);
  // Answer to BuildBlock. Ignored unless it matches the pending request.
  Actions on_block_built(uint64_t height, uint32_t round, const BlockId& block);
  // A vote whose signature the node verified. Our own votes may come back here.
  Actions on_vote(const Vote& vote);
  Actions on_timeout(const Timeout& timeout);

  // Inspection (logs, metrics, tests, and the node's routing of future-height messages).
  bool started() const { return started_; }
  uint64_t height() const { return height_; }
  uint32_t round() const { return round_; }
  Step step() const { return step_; }
  bool decided() const { return decided_; }
  std::optional<uint32_t> own_index() const { return own_index_; }
  std::optional<BlockId> locked_value() const { return locked_value_; }
  int32_t locked_round() const { return locked_round_; }
  std::optional<BlockId> valid_value() const { return valid_value_; }
  int32_t valid_round() const { return valid_round_; }
  const SignedState& last_signed() const { return last_signed_; }
  const EngineConfig& config() const { return config_; }
  // Why the last input gave nothing; empty when it was accepted.
  std::string_view last_rejection() const { return rejection_; }

 private:
  // One vote type in one round: the first vote of each validator, the first
  // conflicting one (kept as evidence; bounds memory at two per validator), the
  // power per value and the power of all validators that voted.
  struct VoteTally {
    std::vector<std::optional<Vote>> by_validator;
    std::vector<std::optional<Vote>> conflicting;
    // An equivocator's third and later versions, each for a value that other
    // votes already back, at most one per value (so at most ~2n per validator).
    std::vector<std::vector<Vote>> extra;
    std::map<std::optional<BlockId>, uint64_t> power_for;
    uint64_t total = 0;
  };
  struct RoundState {
    VoteTally prevotes;
    VoteTally precommits;
    std::optional<Proposal> proposal;  // the first well-formed one from the round's proposer
    bool proposal_valid = false;
    bool prevote_timeout_scheduled = false;    // line 34
    bool polka_value_handled = false;          // line 36
    bool precommit_timeout_scheduled = false;  // line 47
  };

  Actions reject(std::string_view why);
  RoundState& round_state(uint32_t round);
  bool is_proposer() const;
  void start_round(uint32_t round, Actions& out);
  void emit_vote(VoteType type, std::optional<BlockId> block, Actions& out);
  void emit_proposal(const BlockId& block, int32_t pol_round, Actions& out);
  void schedule(Step step, Actions& out);
  // Stores a vote unless it is a duplicate; a conflicting second vote becomes Evidence.
  void add_vote(const Vote& vote, Actions& out);
  void add_power(VoteTally& tally, const Vote& vote, uint64_t power);
  void note_round_activity(uint32_t validator, uint32_t round);
  // Re-evaluates every "upon" rule until none fires.
  void drive(Actions& out);
  bool try_commit(Actions& out);
  bool try_skip_round(Actions& out);
  bool try_proposal_rules(Actions& out);
  bool try_polka_value(Actions& out);
  bool try_polka_nil(Actions& out);
  bool try_prevote_timeout(Actions& out);
  bool try_precommit_timeout(Actions& out);

  EngineConfig config_;
  std::optional<ValidatorKey> self_;
  SignedState last_signed_;
  // The lock the WAL recorded, restored by start_height of its height (once).
  std::optional<SignedState> restart_lock_;
  std::string_view rejection_;

  // Per height (reset by start_height).
  bool started_ = false;
  std::optional<ValidatorSet> validators_;
  std::optional<uint32_t> own_index_;
  uint64_t height_ = 0;
  uint32_t round_ = 0;
  Step step_ = Step::Propose;
  bool decided_ = false;
  bool awaiting_build_ = false;
  std::optional<BlockId> locked_value_;
  int32_t locked_round_ = -1;
  std::optional<BlockId> valid_value_;
  int32_t valid_round_ = -1;
  std::map<uint32_t, RoundState> rounds_;
  std::vector<int64_t> highest_round_seen_;  // per validator, -1 = none; for the round-skip rule
  bool skip_check_pending_ = false;          // someone was seen above round_
  std::set<BlockId> known_valid_blocks_;     // blocks the node vouched for at this height
  std::optional<std::pair<uint32_t, BlockId>>
      commit_candidate_;  // first (round, block) with +2/3 precommits
};

}  // namespace vt::consensus
