// Whole networks of engines on the simulated bus: agreement, liveness under faults,
// safety under adversarial delivery, evidence of double signing.
#include <doctest/doctest.h>

#include "tests/consensus/simulator.h"

using namespace vt::consensus;
using namespace vt::consensus::sim;

namespace {

// Every node that committed a height committed the same block there.
void check_agreement(const Simulator& sim, uint64_t up_to, const std::vector<uint32_t>& nodes) {
  for (uint64_t h = 1; h <= up_to; ++h) {
    std::optional<BlockId> seen;
    for (uint32_t i : nodes) {
      auto it = sim.commits(i).find(h);
      if (it == sim.commits(i).end()) continue;
      if (seen) CHECK(*seen == it->second.block);
      seen = it->second.block;
    }
  }
}

std::vector<uint32_t> all_nodes(const Simulator& sim) {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < sim.size(); ++i) out.push_back(i);
  return out;
}

std::string violations_text(const Simulator& sim) {
  std::string out;
  for (const auto& v : sim.violations()) out += v + "\n";
  return out;
}

}  // namespace

TEST_CASE("sim: a single validator commits 50 heights with no timeout") {
  SimConfig config;
  config.powers = {1};
  Simulator sim(config);
  sim.start();
  REQUIRE(sim.run_until_height(50, 1'000'000));
  CHECK(sim.effective_timeouts() == 0);
  CHECK(sim.violations().empty());
  // One block per commit interval plus build time: no waiting on timers.
  CHECK(sim.now_ms() <= 50 * (config.engine.commit_ms + config.build_ms));
  for (uint64_t h = 1; h <= 50; ++h) CHECK(sim.commits(0).at(h).round == 0);
}

TEST_CASE(
    "sim: 4 validators commit the same block at every height over 50 heights with random delays") {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    SimConfig config;
    config.seed = seed;
    config.min_delay_ms = 1;
    config.max_delay_ms = 40;
    Simulator sim(config);
    sim.start();
    REQUIRE(sim.run_until_height(50, 10'000'000));
    INFO(violations_text(sim));
    CHECK(sim.violations().empty());
    check_agreement(sim, 50, all_nodes(sim));
    for (uint32_t i = 0; i < 4; ++i) CHECK(sim.commits(i).size() >= 50);
  }
}

TEST_CASE("sim: 7 validators of unequal power agree over 30 heights with reordering") {
  SimConfig config;
  config.powers = {5, 1, 3, 2, 8, 1, 4};
  config.seed = 77;
  config.min_delay_ms = 1;
  config.max_delay_ms = 60;  // wide spread: messages overtake each other
  Simulator sim(config);
  sim.start();
  REQUIRE(sim.run_until_height(30, 10'000'000));
  INFO(violations_text(sim));
  CHECK(sim.violations().empty());
  check_agreement(sim, 30, all_nodes(sim));
}

TEST_CASE("sim: one crashed validator of 4 does not stop the chain (liveness after timeouts)") {
  SimConfig config;
  config.seed = 5;
  Simulator sim(config);
  sim.set_behaviour(2, Behaviour::Crashed);
  sim.start();
  REQUIRE(sim.run_until_height(20, 10'000'000));
  INFO(violations_text(sim));
  CHECK(sim.violations().empty());
  CHECK(sim.effective_timeouts() > 0);        // its turns as proposer time out
  CHECK(sim.commits_after_round_zero() > 0);  // and are taken over in round 1+
  check_agreement(sim, 20, {0, 1, 3});
}

TEST_CASE("sim: a silent proposer costs a round, not the chain") {
  SimConfig config;
  config.seed = 9;
  Simulator sim(config);
  sim.set_behaviour(0, Behaviour::SilentProposer);
  sim.start();
  REQUIRE(sim.run_until_height(20, 10'000'000));
  CHECK(sim.violations().empty());
  CHECK(sim.commits_after_round_zero() > 0);
  for (uint64_t h = 1; h <= 20; ++h) {
    // No block proposed by the silent validator was ever committed.
    const Commit& c = sim.commits(1).at(h);
    CHECK(sim.validators().proposer(h, c.round) != 0);
  }
  check_agreement(sim, 20, all_nodes(sim));
}

TEST_CASE("sim: a 2-2 partition commits nothing, then heals and goes on") {
  SimConfig config;
  config.seed = 11;
  Simulator sim(config);
  sim.partition({0, 1}, 3'000);
  sim.start();
  sim.run_until_time(2'999);
  for (uint32_t i = 0; i < 4; ++i) CHECK(sim.commits(i).empty());  // no side has 2/3
  REQUIRE(sim.run_until_height(15, 10'000'000));
  INFO(violations_text(sim));
  CHECK(sim.violations().empty());
  check_agreement(sim, 15, all_nodes(sim));
}

TEST_CASE("sim: a double-voting validator is reported with Evidence and the chain goes on") {
  SimConfig config;
  config.seed = 13;
  Simulator sim(config);
  sim.set_behaviour(3, Behaviour::DoubleVoter);
  sim.start();
  REQUIRE(sim.run_until_height(10, 10'000'000));
  CHECK(sim.violations().empty());
  check_agreement(sim, 10, {0, 1, 2});
  // Odd-numbered peers receive both versions of each of its votes.
  size_t found = 0;
  for (uint32_t i = 0; i < 3; ++i) {
    for (const Evidence& e : sim.evidence(i)) {
      CHECK(e.a.validator_index == 3);
      CHECK(e.b.validator_index == 3);
      CHECK(e.a.type == e.b.type);
      CHECK(e.a.height == e.b.height);
      CHECK(e.a.round == e.b.round);
      CHECK(e.a.block != e.b.block);
      ++found;
    }
  }
  CHECK(found > 0);
  CHECK_FALSE(sim.evidence(1).empty());
}

TEST_CASE(
    "sim: locking keeps honest nodes from committing different blocks under adversarial delivery") {
  // Delays far above the timeouts, lost messages, and one byzantine validator that
  // sends different proposals and conflicting votes to different halves of the net.
  uint64_t late_commits = 0;
  uint64_t heights = 0;
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    CAPTURE(seed);
    SimConfig config;
    config.seed = seed;
    config.min_delay_ms = 1;
    config.max_delay_ms = 150;
    config.drop_per_mille = 100;
    config.sync_ms = 1'000;
    config.engine = EngineConfig{40, 5, 20, 5, 20, 5, 5};
    Simulator sim(config);
    sim.set_behaviour(seed % 4, Behaviour::Byzantine);
    sim.start();
    sim.run_until_time(40'000);
    INFO(violations_text(sim));
    CHECK(sim.violations().empty());
    late_commits += sim.commits_after_round_zero();
    heights += sim.commits((seed + 1) % 4).size();
  }
  MESSAGE("adversarial runs: " << heights << " heights committed, " << late_commits
                               << " in round > 0");
  CHECK(heights > 0);
  CHECK(late_commits > 0);  // the runs did exercise multi-round heights, where locks matter
}

TEST_CASE("sim: 7 validators with 2 byzantine stay safe") {
  uint64_t heights = 0;
  for (uint64_t seed = 100; seed < 108; ++seed) {
    CAPTURE(seed);
    SimConfig config;
    config.powers = {1, 1, 1, 1, 1, 1, 1};
    config.seed = seed;
    config.max_delay_ms = 200;
    config.drop_per_mille = 50;
    config.engine = EngineConfig{60, 10, 30, 10, 30, 10, 5};
    Simulator sim(config);
    sim.set_behaviour(seed % 7, Behaviour::Byzantine);
    sim.set_behaviour((seed + 3) % 7, Behaviour::Byzantine);
    sim.start();
    sim.run_until_time(6'000);
    INFO(violations_text(sim));
    CHECK(sim.violations().empty());
    heights += sim.commits((seed + 1) % 7).size();
  }
  CHECK(heights > 0);
}
