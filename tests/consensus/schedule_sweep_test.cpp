// Ten thousand seeded schedules of the engine network: each seed picks the
// network's size, delays, losses, duplicates, a partition that heals and at
// most one faulty validator in four (crashed, silent, double-voting,
// equivocating or fully byzantine). Safety must hold in every one (no two
// honest nodes commit different blocks at a height, no engine signs against
// its record) and liveness must come back once the network heals.
#include <doctest/doctest.h>

#include <string>

#include "tests/consensus/simulator.h"

using namespace vt::consensus;
using namespace vt::consensus::sim;

TEST_CASE("sim: 10,000 seeded schedules: always safe, live again after healing") {
  const Behaviour faults[] = {Behaviour::Honest,
                              Behaviour::Crashed,
                              Behaviour::SilentProposer,
                              Behaviour::DoubleVoter,
                              Behaviour::EquivocatingProposer,
                              Behaviour::Byzantine};
  uint64_t runs = 0, partitioned = 0, faulty = 0, with_evidence = 0, double_voters = 0;
  uint64_t late_rounds = 0;
  std::vector<std::string> stuck;
  constexpr uint64_t kTarget = 3;  // heights every live honest node must commit
  for (uint64_t seed = 1; seed <= 10'000; ++seed) {
    Rng pick(seed * 0x9E3779B97F4A7C15ull);
    SimConfig config;
    config.seed = seed;
    const uint32_t n = pick.below(4) == 0 ? 7 : 4;
    config.powers.assign(n, 1);
    config.min_delay_ms = 1 + pick.below(5);
    config.max_delay_ms = config.min_delay_ms + pick.below(120);
    config.drop_per_mille = static_cast<uint32_t>(pick.below(200));
    config.duplicate_per_mille = static_cast<uint32_t>(pick.below(300));
    config.sync_ms = 500;
    config.relay_votes = true;  // gossip forwards votes, as the node's will
    config.engine = EngineConfig{40, 10, 20, 10, 20, 10, 5};
    Simulator sim(config);
    uint64_t heal = 0;
    if (pick.below(3) == 0) {  // a partition: a random side, healed at a random time
      std::vector<uint32_t> group;
      for (uint32_t i = 0; i < n; ++i)
        if (pick.below(2)) group.push_back(i);
      heal = 200 + pick.below(3'000);
      sim.partition(group, heal);
      ++partitioned;
    }
    const Behaviour fault = faults[pick.below(6)];
    const uint32_t bad = static_cast<uint32_t>(pick.below(n));
    if (fault != Behaviour::Honest) {
      sim.set_behaviour(bad, fault);
      ++faulty;
    }
    sim.start();
    const bool live = sim.run_until_height(kTarget, heal + 600'000);
    ++runs;
    // Safety: the simulator records any disagreement or refused signature.
    if (!sim.violations().empty()) {
      std::string all;
      for (const auto& v : sim.violations()) all += v + "\n";
      FAIL("seed " << seed << ": " << all);
    }
    // Honest nodes agree at every height any two of them committed.
    for (uint64_t h = 1; h <= kTarget; ++h) {
      std::optional<BlockId> seen;
      for (uint32_t i = 0; i < n; ++i) {
        if (fault != Behaviour::Honest && fault != Behaviour::SilentProposer && i == bad) continue;
        auto it = sim.commits(i).find(h);
        if (it == sim.commits(i).end()) continue;
        if (seen && *seen != it->second.block) FAIL("seed " << seed << ": height " << h);
        seen = it->second.block;
      }
    }
    if (!live) {
      std::string heights;
      for (uint32_t i = 0; i < n; ++i) heights += " " + std::to_string(sim.commits(i).size());
      stuck.push_back("seed " + std::to_string(seed) + " (n " + std::to_string(n) + ", fault " +
                      std::to_string(static_cast<int>(fault)) + ", heal " + std::to_string(heal) +
                      ", drop " + std::to_string(config.drop_per_mille) + ", commits" + heights +
                      ", round " + std::to_string(sim.engine((bad + 1) % n).round()) + ")");
    }
    late_rounds += sim.commits_after_round_zero();
    if (fault == Behaviour::DoubleVoter) {
      ++double_voters;
      bool seen = false;
      for (uint32_t i = 0; i < n; ++i) seen = seen || !sim.evidence(i).empty();
      with_evidence += seen ? 1 : 0;
    }
  }
  MESSAGE(runs << " schedules (" << partitioned << " partitioned, " << faulty
               << " with a faulty validator), " << late_rounds << " commits after round 0, "
               << with_evidence << " of " << double_voters << " double voters caught");
  CHECK(runs == 10'000);
  std::string stuck_text;
  for (const auto& x : stuck) stuck_text += x + "\n";
  CHECK_MESSAGE(stuck.empty(), stuck.size() << " schedules not live:\n" << stuck_text);
  CHECK(late_rounds > 0);  // the schedules reached multi-round heights, where locks matter
  // A double voter sends both versions to every odd-numbered peer: some
  // honest node sees both and reports it, unless it crashed out early.
  CHECK(with_evidence * 10 >= double_voters * 9);
}
