// Engine driven by hand: the single-validator path, the locking rules, evidence,
// round skipping, followers, restart safety and malformed input.
#include "consensus/engine.h"

#include <doctest/doctest.h>

using namespace vt::consensus;

namespace {

ValidatorKey key(uint32_t i) {
  ValidatorKey k{};
  k[0] = static_cast<uint8_t>(i + 1);
  return k;
}
BlockId block(uint8_t b) {
  BlockId id{};
  id.fill(b);
  return id;
}
ValidatorSet equal_set(uint32_t n) {
  std::vector<Validator> vs;
  for (uint32_t i = 0; i < n; ++i) vs.push_back({key(i), 10});
  return *ValidatorSet::create(vs);
}
template <class T>
std::vector<T> all(const Actions& actions) {
  std::vector<T> out;
  for (const auto& a : actions) {
    if (auto* t = std::get_if<T>(&a)) out.push_back(*t);
  }
  return out;
}
Vote prevote(uint64_t h, uint32_t r, std::optional<BlockId> b, uint32_t i) {
  return {VoteType::Prevote, h, r, b, i};
}
Vote precommit(uint64_t h, uint32_t r, std::optional<BlockId> b, uint32_t i) {
  return {VoteType::Precommit, h, r, b, i};
}
// The validator that proposes none of rounds 0..2 at `height`, so tests can play it.
uint32_t non_proposer(const ValidatorSet& set, uint64_t height) {
  for (uint32_t i = 0; i < set.size(); ++i) {
    if (set.proposer(height, 0) != i && set.proposer(height, 1) != i &&
        set.proposer(height, 2) != i)
      return i;
  }
  FAIL("no validator is idle for three rounds");
  return 0;
}
const EngineConfig kConfig{};

}  // namespace

TEST_CASE("engine: a single validator commits every height with no timeout") {
  auto set = equal_set(1);
  Engine engine(kConfig, key(0));
  for (uint64_t h = 1; h <= 100; ++h) {
    Actions started = engine.start_height(h, set);
    REQUIRE(started.size() == 2);
    CHECK(std::get<BuildBlock>(started[0]) == BuildBlock{h, 0});
    CHECK(std::get<ScheduleTimeout>(started[1]).timeout == Timeout{h, 0, Step::Propose});

    const BlockId b = block(static_cast<uint8_t>(h));
    Actions built = engine.on_block_built(h, 0, b);
    REQUIRE(built.size() == 4);
    CHECK(std::get<BroadcastProposal>(built[0]).proposal == Proposal{h, 0, b, -1, 0});
    CHECK(std::get<BroadcastVote>(built[1]).vote == prevote(h, 0, b, 0));
    CHECK(std::get<BroadcastVote>(built[2]).vote == precommit(h, 0, b, 0));
    const Commit& c = std::get<Commit>(built[3]);
    CHECK(c == Commit{h, 0, b, {precommit(h, 0, b, 0)}, true});
    CHECK(engine.decided());
    // Looping our own messages back changes nothing.
    CHECK(engine.on_vote(precommit(h, 0, b, 0)).empty());
    CHECK(engine.on_proposal(Proposal{h, 0, b, -1, 0}, true).empty());
    // The propose timer armed at the start fires late and is ignored.
    CHECK(engine.on_timeout(Timeout{h, 0, Step::Propose}).empty());
  }
}

TEST_CASE("engine: four validators, happy path from a non-proposer's view") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  const uint32_t proposer = set.proposer(1, 0);
  Engine engine(kConfig, key(me));
  Actions a = engine.start_height(1, set);
  REQUIRE(a.size() == 1);
  CHECK(std::get<ScheduleTimeout>(a[0]) ==
        ScheduleTimeout{Timeout{1, 0, Step::Propose}, kConfig.propose_base_ms});

  const BlockId b = block(7);
  a = engine.on_proposal(Proposal{1, 0, b, -1, proposer}, true);
  REQUIRE(a.size() == 1);
  CHECK(std::get<BroadcastVote>(a[0]).vote == prevote(1, 0, b, me));
  CHECK(engine.on_vote(prevote(1, 0, b, me)).empty());  // own vote loop-back is a duplicate

  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) others.push_back(i);
  CHECK(engine.on_vote(prevote(1, 0, b, others[0])).empty());
  a = engine.on_vote(prevote(1, 0, b, others[1]));  // 3 of 4: a polka
  REQUIRE(a.size() == 1);
  CHECK(std::get<BroadcastVote>(a[0]).vote == precommit(1, 0, b, me));
  CHECK(engine.locked_value() == b);
  CHECK(engine.locked_round() == 0);
  CHECK(engine.valid_value() == b);

  CHECK(engine.on_vote(precommit(1, 0, b, others[0])).empty());
  a = engine.on_vote(precommit(1, 0, b, others[2]));
  REQUIRE(a.size() == 1);
  const Commit& c = std::get<Commit>(a[0]);
  CHECK(c.height == 1);
  CHECK(c.block == b);
  CHECK(c.have_block);
  REQUIRE(c.precommits.size() == 3);
  CHECK(c.precommits[0].validator_index < c.precommits[1].validator_index);
  CHECK(engine.on_vote(precommit(1, 0, b, others[1])).empty());  // after the decision: ignored
}

TEST_CASE(
    "engine: a locked validator prevotes nil for another block, then follows a newer polka (lines "
    "22, 28)") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) others.push_back(i);
  Engine engine(kConfig, key(me));
  engine.start_height(1, set);
  const BlockId a_block = block(0xA), b_block = block(0xB);

  // Round 0: lock on A.
  engine.on_proposal(Proposal{1, 0, a_block, -1, set.proposer(1, 0)}, true);
  engine.on_vote(prevote(1, 0, a_block, others[0]));
  engine.on_vote(prevote(1, 0, a_block, others[1]));
  REQUIRE(engine.locked_value() == a_block);
  Actions a = engine.on_timeout(Timeout{1, 0, Step::Precommit});
  CHECK(engine.round() == 1);

  // Round 1: a fresh proposal of B. Locked on A, we prevote nil.
  a = engine.on_proposal(Proposal{1, 1, b_block, -1, set.proposer(1, 1)}, true);
  REQUIRE(all<BroadcastVote>(a).size() == 1);
  CHECK(all<BroadcastVote>(a)[0].vote == prevote(1, 1, std::nullopt, me));

  // Round 1: the others form a polka for B. We see it while at prevote with the
  // valid proposal of this round in hand: line 36 re-locks us on B.
  engine.on_vote(prevote(1, 1, b_block, others[0]));
  engine.on_vote(prevote(1, 1, b_block, others[1]));
  a = engine.on_vote(prevote(1, 1, b_block, others[2]));
  REQUIRE(all<BroadcastVote>(a).size() == 1);
  CHECK(all<BroadcastVote>(a)[0].vote == precommit(1, 1, b_block, me));
  CHECK(engine.locked_value() == b_block);
  CHECK(engine.locked_round() == 1);

  // Round 2: a re-proposal of A citing the round-0 polka. Our lock (round 1) is
  // newer than that polka, so we prevote nil.
  engine.on_timeout(Timeout{1, 1, Step::Precommit});
  CHECK(engine.round() == 2);
  a = engine.on_proposal(Proposal{1, 2, a_block, 0, set.proposer(1, 2)}, true);
  REQUIRE(all<BroadcastVote>(a).size() == 1);
  CHECK(all<BroadcastVote>(a)[0].vote == prevote(1, 2, std::nullopt, me));
}

TEST_CASE("engine: a re-proposal backed by a polka newer than our lock unlocks us (line 28)") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) others.push_back(i);
  Engine engine(kConfig, key(me));
  engine.start_height(1, set);
  const BlockId a_block = block(0xA), b_block = block(0xB);
  engine.on_proposal(Proposal{1, 0, a_block, -1, set.proposer(1, 0)}, true);
  engine.on_vote(prevote(1, 0, a_block, others[0]));
  engine.on_vote(prevote(1, 0, a_block, others[1]));
  REQUIRE(engine.locked_round() == 0);
  engine.on_timeout(Timeout{1, 0, Step::Precommit});

  // Round 1: we never see the proposal; the others prevote B (a polka we cannot use).
  Actions a = engine.on_timeout(Timeout{1, 1, Step::Propose});
  CHECK(all<BroadcastVote>(a)[0].vote == prevote(1, 1, std::nullopt, me));
  for (uint32_t i : others) engine.on_vote(prevote(1, 1, b_block, i));
  CHECK(engine.locked_value() == a_block);
  engine.on_timeout(Timeout{1, 1, Step::Prevote});
  engine.on_timeout(Timeout{1, 1, Step::Precommit});

  // Round 2: B re-proposed with pol_round 1. lockedRound 0 <= 1: prevote B.
  // A proposal citing a polka we do not have waits instead.
  Proposal reproposal{1, 2, b_block, 1, set.proposer(1, 2)};
  a = engine.on_proposal(reproposal, true);
  REQUIRE(all<BroadcastVote>(a).size() == 1);
  CHECK(all<BroadcastVote>(a)[0].vote == prevote(1, 2, b_block, me));
}

TEST_CASE("engine: a proposer holding a validValue re-proposes it with its polka round") {
  auto set = equal_set(4);
  uint64_t h = 1;
  while (set.proposer(h, 0) == set.proposer(h, 1)) ++h;
  const uint32_t me = set.proposer(h, 1);
  Engine engine(kConfig, key(me));
  engine.start_height(h, set);
  const BlockId a_block = block(0xA);
  engine.on_proposal(Proposal{h, 0, a_block, -1, set.proposer(h, 0)}, true);
  for (uint32_t i = 0; i < 4; ++i) engine.on_vote(prevote(h, 0, a_block, i));
  REQUIRE(engine.valid_value() == a_block);
  REQUIRE(engine.valid_round() == 0);
  Actions a = engine.on_timeout(Timeout{h, 0, Step::Precommit});
  CHECK(all<BuildBlock>(a).empty());
  REQUIRE(all<BroadcastProposal>(a).size() == 1);
  CHECK(all<BroadcastProposal>(a)[0].proposal == Proposal{h, 1, a_block, 0, me});
  // Its own re-proposal is backed by the round-0 polka: it prevotes it at once.
  REQUIRE(all<BroadcastVote>(a).size() == 1);
  CHECK(all<BroadcastVote>(a)[0].vote == prevote(h, 1, a_block, me));
}

TEST_CASE("engine: a re-proposal whose polka we have not seen waits for it") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  Engine engine(kConfig, key(me));
  engine.start_height(1, set);
  engine.on_timeout(Timeout{1, 0, Step::Propose});
  engine.on_timeout(Timeout{1, 0, Step::Prevote});
  engine.on_timeout(Timeout{1, 0, Step::Precommit});
  REQUIRE(engine.round() == 1);
  const BlockId b = block(3);
  CHECK(engine.on_proposal(Proposal{1, 1, b, 0, set.proposer(1, 1)}, true).empty());
  CHECK(engine.step() == Step::Propose);
  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) others.push_back(i);
  engine.on_vote(prevote(1, 0, b, others[0]));
  engine.on_vote(prevote(1, 0, b, others[1]));
  Actions a = engine.on_vote(prevote(1, 0, b, others[2]));  // the round-0 polka arrives late
  REQUIRE(all<BroadcastVote>(a).size() == 1);
  CHECK(all<BroadcastVote>(a)[0].vote == prevote(1, 1, b, me));
}

TEST_CASE("engine: an invalid block gets a nil prevote; a nil polka gives a nil precommit") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  Engine engine(kConfig, key(me));
  engine.start_height(1, set);
  Actions a = engine.on_proposal(Proposal{1, 0, block(1), -1, set.proposer(1, 0)}, false);
  CHECK(all<BroadcastVote>(a)[0].vote == prevote(1, 0, std::nullopt, me));
  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) others.push_back(i);
  engine.on_vote(prevote(1, 0, std::nullopt, others[0]));
  a = engine.on_vote(prevote(1, 0, std::nullopt, others[1]));
  REQUIRE(all<BroadcastVote>(a).size() == 1);
  CHECK(all<BroadcastVote>(a)[0].vote == precommit(1, 0, std::nullopt, me));
  CHECK(engine.locked_round() == -1);
}

TEST_CASE(
    "engine: split prevotes schedule the prevote timeout, split precommits the precommit timeout") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) others.push_back(i);
  Engine engine(kConfig, key(me));
  engine.start_height(1, set);
  engine.on_proposal(Proposal{1, 0, block(1), -1, set.proposer(1, 0)}, true);
  engine.on_vote(prevote(1, 0, block(2), others[0]));
  Actions a = engine.on_vote(prevote(1, 0, std::nullopt, others[1]));
  REQUIRE(all<ScheduleTimeout>(a).size() == 1);
  CHECK(all<ScheduleTimeout>(a)[0].timeout == Timeout{1, 0, Step::Prevote});
  a = engine.on_timeout(Timeout{1, 0, Step::Prevote});
  CHECK(all<BroadcastVote>(a)[0].vote == precommit(1, 0, std::nullopt, me));
  engine.on_vote(precommit(1, 0, block(2), others[0]));
  a = engine.on_vote(precommit(1, 0, block(1), others[1]));
  REQUIRE(all<ScheduleTimeout>(a).size() == 1);
  CHECK(all<ScheduleTimeout>(a)[0] ==
        ScheduleTimeout{Timeout{1, 0, Step::Precommit}, kConfig.precommit_base_ms});
  a = engine.on_timeout(Timeout{1, 0, Step::Precommit});
  CHECK(engine.round() == 1);
  // Timeouts grow with the round.
  const auto timers = all<ScheduleTimeout>(a);
  REQUIRE_FALSE(timers.empty());
  CHECK(timers.back().delay_ms == kConfig.propose_base_ms + kConfig.propose_delta_ms);
}

TEST_CASE("engine: a double vote yields Evidence once per round and type") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  Engine engine(kConfig, key(me));
  engine.start_height(1, set);
  const uint32_t cheater = (me + 1) % 4;
  CHECK(engine.on_vote(prevote(1, 0, block(1), cheater)).empty());
  Actions a = engine.on_vote(prevote(1, 0, block(2), cheater));
  REQUIRE(a.size() == 1);
  CHECK(std::get<Evidence>(a[0]) ==
        Evidence{prevote(1, 0, block(1), cheater), prevote(1, 0, block(2), cheater)});
  CHECK(engine.on_vote(prevote(1, 0, block(2), cheater)).empty());      // re-delivery
  CHECK(engine.on_vote(prevote(1, 0, std::nullopt, cheater)).empty());  // a third version
  a = engine.on_vote(precommit(1, 0, std::nullopt, cheater));
  CHECK(a.empty());
  a = engine.on_vote(precommit(1, 0, block(2), cheater));
  REQUIRE(all<Evidence>(a).size() == 1);  // another type: another piece of evidence
}

TEST_CASE("engine: an equivocator cannot hide a quorum: its second vote counts for its own value") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) others.push_back(i);
  Engine engine(kConfig, key(me));
  engine.start_height(1, set);
  const uint32_t cheater = others[2];
  engine.on_vote(precommit(1, 0, block(0xE), cheater));  // we see its bogus version first
  engine.on_vote(precommit(1, 0, block(0xB), others[0]));
  engine.on_vote(precommit(1, 0, block(0xB), others[1]));
  Actions a =
      engine.on_vote(precommit(1, 0, block(0xB), cheater));  // the version everyone else saw
  REQUIRE(all<Evidence>(a).size() == 1);
  REQUIRE(all<Commit>(a).size() == 1);
  const Commit c = all<Commit>(a)[0];
  CHECK(c.block == block(0xB));
  REQUIRE(c.precommits.size() == 3);
  for (const Vote& v : c.precommits) CHECK(v.block == block(0xB));
}

TEST_CASE("engine: an equivocator's third version counts only for a value others back") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) others.push_back(i);
  Engine engine(kConfig, key(me));
  engine.start_height(1, set);
  const uint32_t cheater = others[2];
  // Two versions nobody else backs, then junk: neither the third nor later
  // junk is kept (the third would have to be backed by others).
  engine.on_vote(precommit(1, 0, std::nullopt, cheater));
  engine.on_vote(precommit(1, 0, block(0xE1), cheater));
  for (uint8_t junk = 0xE2; junk < 0xF0; ++junk)
    CHECK(all<Commit>(engine.on_vote(precommit(1, 0, block(junk), cheater))).empty());
  // The version everyone else saw arrives last, after two honest precommits:
  // it counts, and the certificate carries it.
  engine.on_vote(precommit(1, 0, block(0xB), others[0]));
  engine.on_vote(precommit(1, 0, block(0xB), others[1]));
  Actions a = engine.on_vote(precommit(1, 0, block(0xB), cheater));
  CHECK(all<Evidence>(a).empty());  // its evidence went out with the second version
  REQUIRE(all<Commit>(a).size() == 1);
  const Commit c = all<Commit>(a)[0];
  CHECK(c.block == block(0xB));
  REQUIRE(c.precommits.size() == 3);
  for (const Vote& v : c.precommits) CHECK(v.block == block(0xB));
}

TEST_CASE("engine: more than 1/3 of the power at a higher round makes us skip to it (line 55)") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) others.push_back(i);
  Engine engine(kConfig, key(me));
  engine.start_height(1, set);
  CHECK(engine.on_vote(prevote(1, 5, std::nullopt, others[0])).empty());
  CHECK(engine.round() == 0);  // one validator (1/4) could be faulty
  Actions a = engine.on_vote(precommit(1, 9, std::nullopt, others[1]));
  CHECK(engine.round() == 5);  // two validators are at round >= 5
  CHECK_FALSE(all<ScheduleTimeout>(a).empty());
  // Far ahead, beyond the stored window, still counts for skipping.
  engine.on_vote(prevote(1, 500, std::nullopt, others[0]));
  engine.on_vote(prevote(1, 400, std::nullopt, others[2]));
  CHECK(engine.round() == 400);
}

TEST_CASE("engine: a follower (no key in the set) commits but never votes") {
  auto set = equal_set(4);
  Engine engine(kConfig, std::nullopt);
  engine.start_height(1, set);
  Actions a = engine.on_proposal(Proposal{1, 0, block(4), -1, set.proposer(1, 0)}, true);
  CHECK(all<BroadcastVote>(a).empty());
  for (uint32_t i = 0; i < 3; ++i) {
    a = engine.on_vote(prevote(1, 0, block(4), i));
    CHECK(all<BroadcastVote>(a).empty());
  }
  engine.on_vote(precommit(1, 0, block(4), 0));
  engine.on_vote(precommit(1, 0, block(4), 1));
  a = engine.on_vote(precommit(1, 0, block(4), 3));
  REQUIRE(all<Commit>(a).size() == 1);
  CHECK(all<Commit>(a)[0].have_block);
}

TEST_CASE("engine: +2/3 precommits decide even without the proposal (have_block = false)") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) others.push_back(i);
  Engine engine(kConfig, key(me));
  engine.start_height(1, set);
  Actions a;
  for (uint32_t i : others) a = engine.on_vote(precommit(1, 0, block(9), i));
  REQUIRE(all<Commit>(a).size() == 1);
  CHECK_FALSE(all<Commit>(a)[0].have_block);
  CHECK(all<Commit>(a)[0].precommits.size() == 3);
}

TEST_CASE("engine: after a restart it never signs against its write-ahead log") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  // Before the crash we prevoted X in (1, 0).
  const SignedState wal = signed_state(prevote(1, 0, block(0x58), me));
  Engine engine(kConfig, key(me), wal);
  engine.start_height(1, set);
  Actions a = engine.on_proposal(Proposal{1, 0, block(0x59), -1, set.proposer(1, 0)}, true);
  CHECK(all<BroadcastVote>(a).empty());  // a prevote for another block would double-sign
  CHECK(engine.step() == Step::Prevote);
  CHECK(engine.last_signed() == wal);
  // The same block again is a harmless re-broadcast.
  Engine same(kConfig, key(me), wal);
  same.start_height(1, set);
  a = same.on_proposal(Proposal{1, 0, block(0x58), -1, set.proposer(1, 0)}, true);
  CHECK(all<BroadcastVote>(a).size() == 1);
}

TEST_CASE("engine: restarted after precommitting, it keeps its lock and re-proposes the block") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  // Before the crash: a polka for X in (1, 0), so we locked on X and precommitted it.
  SignedState wal = signed_state(precommit(1, 0, block(0x58), me));
  wal.locked_round = 0;
  wal.locked_block = block(0x58);
  // Restarted in round 1, whose proposer offers Y without a polka: the lock
  // forbids a prevote for Y, so we prevote nil.
  Engine locked(kConfig, key(me), wal);
  locked.start_height(1, set, 1);
  CHECK(locked.locked_value() == block(0x58));
  CHECK(locked.locked_round() == 0);
  Actions a = locked.on_proposal(Proposal{1, 1, block(0x59), -1, set.proposer(1, 1)}, true);
  REQUIRE(all<BroadcastVote>(a).size() == 1);
  CHECK(all<BroadcastVote>(a)[0].vote == prevote(1, 1, std::nullopt, me));
  // Without the lock in its record (the state before this was kept) it would
  // have prevoted Y: the record is what keeps it safe.
  SignedState forgetful = signed_state(precommit(1, 0, block(0x58), me));
  Engine unlocked(kConfig, key(me), forgetful);
  unlocked.start_height(1, set, 1);
  a = unlocked.on_proposal(Proposal{1, 1, block(0x59), -1, set.proposer(1, 1)}, true);
  REQUIRE(all<BroadcastVote>(a).size() == 1);
  CHECK(all<BroadcastVote>(a)[0].vote == prevote(1, 1, block(0x59), me));
  // X re-proposed with its polka round gets our prevote once that polka is seen.
  Engine again(kConfig, key(me), wal);
  again.start_height(1, set, 1);
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) (void)again.on_vote(prevote(1, 0, block(0x58), i));
  a = again.on_proposal(Proposal{1, 1, block(0x58), 0, set.proposer(1, 1)}, true);
  REQUIRE(all<BroadcastVote>(a).size() == 1);
  CHECK(all<BroadcastVote>(a)[0].vote == prevote(1, 1, block(0x58), me));
  // When it is our turn to propose, we re-propose X (with its polka round), not a new block.
  uint32_t our_round = 1;
  while (set.proposer(1, our_round) != me) ++our_round;
  Engine proposer(kConfig, key(me), wal);
  a = proposer.start_height(1, set, our_round);
  CHECK(all<BuildBlock>(a).empty());
  REQUIRE(all<BroadcastProposal>(a).size() == 1);
  CHECK(all<BroadcastProposal>(a)[0].proposal == Proposal{1, our_round, block(0x58), 0, me});
  // The lock is for its own height only.
  Engine later(kConfig, key(me), wal);
  later.start_height(2, set);
  CHECK_FALSE(later.locked_value());
}

TEST_CASE("engine: malformed and out-of-place input gives no actions and no crash") {
  auto set = equal_set(4);
  const uint32_t me = non_proposer(set, 1);
  Engine engine(kConfig, key(me));
  CHECK(engine.on_vote(prevote(1, 0, block(1), 0)).empty());
  CHECK(engine.last_rejection() == "vote: engine not started");
  CHECK(engine.on_proposal(Proposal{1, 0, block(1), -1, 0}, true).empty());
  CHECK(engine.on_timeout(Timeout{1, 0, Step::Propose}).empty());
  CHECK(engine.on_block_built(1, 0, block(1)).empty());

  engine.start_height(1, set);
  const uint32_t proposer = set.proposer(1, 0);
  CHECK(engine.on_vote(prevote(1, 0, block(1), 4)).empty());
  CHECK(engine.last_rejection() == "vote: validator index out of range");
  CHECK(engine.on_vote(prevote(1, 0, block(1), UINT32_MAX)).empty());
  CHECK(engine.on_vote(prevote(1, kMaxRound + 1, block(1), 0)).empty());
  CHECK(engine.last_rejection() == "vote: round too large");
  CHECK(engine.on_vote(prevote(1, UINT32_MAX, block(1), 0)).empty());
  CHECK(engine.on_vote(prevote(2, 0, block(1), 0)).empty());
  CHECK(engine.on_vote(prevote(UINT64_MAX, 0, block(1), 0)).empty());
  CHECK(engine.on_vote(prevote(0, 0, block(1), 0)).empty());
  CHECK(engine.on_vote(prevote(1, 0, BlockId{}, 0)).empty());
  CHECK(engine.last_rejection() == "vote: zero block id");
  CHECK(engine.on_vote(Vote{static_cast<VoteType>(7), 1, 0, block(1), 0}).empty());
  CHECK(engine.on_proposal(Proposal{1, 0, block(1), -1, (proposer + 1) % 4}, true).empty());
  CHECK(engine.last_rejection() == "proposal: not from the round's proposer");
  CHECK(engine.on_proposal(Proposal{1, 0, block(1), -1, 99}, true).empty());
  CHECK(engine.on_proposal(Proposal{1, 0, block(1), 0, proposer}, true).empty());
  CHECK(engine.on_proposal(Proposal{1, 0, block(1), -7, proposer}, true).empty());
  CHECK(engine.on_proposal(Proposal{1, 0, block(1), INT32_MAX, proposer}, true).empty());
  CHECK(engine.on_proposal(Proposal{1, 0, BlockId{}, -1, proposer}, true).empty());
  CHECK(engine.on_proposal(Proposal{1, UINT32_MAX, block(1), -1, set.proposer(1, UINT32_MAX)}, true)
            .empty());
  CHECK(engine.on_proposal(Proposal{UINT64_MAX, 0, block(1), -1, proposer}, true).empty());
  CHECK(engine.on_block_built(1, 0, block(1)).empty());  // not the proposer
  CHECK(engine.on_timeout(Timeout{1, 0, static_cast<Step>(9)}).empty());
  CHECK(engine.on_timeout(Timeout{1, 7, Step::Precommit}).empty());
  CHECK(engine.on_timeout(Timeout{5, 0, Step::Precommit}).empty());
  CHECK(engine.start_height(1, set).empty());
  CHECK(engine.last_rejection() == "start_height: height is not above the current one");
  CHECK(engine.round() == 0);
  CHECK(engine.step() == Step::Propose);

  // Still healthy: the round proceeds normally.
  Actions a = engine.on_proposal(Proposal{1, 0, block(1), -1, proposer}, true);
  CHECK(all<BroadcastVote>(a).size() == 1);
  CHECK(engine.last_rejection().empty());
}

TEST_CASE("engine: the last round and the last height do not overflow") {
  auto set = equal_set(4);
  EngineConfig huge_delta = kConfig;
  huge_delta.precommit_delta_ms = UINT64_MAX / 2;
  const uint32_t me = non_proposer(set, UINT64_MAX);
  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < 4; ++i)
    if (i != me) others.push_back(i);
  Engine engine(huge_delta, key(me));
  engine.start_height(UINT64_MAX, set);
  engine.on_vote(prevote(UINT64_MAX, kMaxRound, std::nullopt, others[0]));
  engine.on_vote(prevote(UINT64_MAX, kMaxRound, std::nullopt, others[1]));
  CHECK(engine.round() == kMaxRound);
  engine.on_vote(precommit(UINT64_MAX, kMaxRound, std::nullopt, others[0]));
  engine.on_vote(precommit(UINT64_MAX, kMaxRound, std::nullopt, others[1]));
  Actions a = engine.on_vote(precommit(UINT64_MAX, kMaxRound, std::nullopt, others[2]));
  bool saturated = false;
  for (const auto& t : all<ScheduleTimeout>(a)) saturated |= t.delay_ms == UINT64_MAX;
  CHECK(saturated);
  CHECK(engine.on_timeout(Timeout{UINT64_MAX, kMaxRound, Step::Precommit}).empty());
  CHECK(engine.last_rejection() == "timeout: round limit reached");
  CHECK(engine.start_height(UINT64_MAX, set).empty());
}
