// Detection probability, bond rule and compute share; a Monte Carlo run of the
// real sample_segments against a cheater (doubles are fine in a test).
#include "verifier/economics.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/sha256.h"
#include "verifier/sampling.h"

using namespace vt;
using namespace vt::verifier;

namespace {
double hypergeometric(uint64_t S, uint64_t F, uint64_t m) {
  double miss = 1.0;
  for (uint64_t i = 0; i < m; ++i)
    miss *= static_cast<double>(S - F - i) / static_cast<double>(S - i);
  return 1.0 - miss;
}
Hash256 seed_n(uint64_t n) {
  Hash256 b{};
  for (int i = 0; i < 8; ++i) b[static_cast<std::size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
  b[31] = 0x5a;
  return sha256(b);
}
}  // namespace

TEST_CASE("economics: integer detection probabilities agree with the formulas (rounded down)") {
  for (uint64_t S : {10u, 50u, 200u, 1000u})
    for (uint64_t m : {1u, 5u, 10u}) {
      for (uint64_t F : {0u, 1u, 3u, 10u}) {
        if (F > S || m > S) continue;
        const double p = hypergeometric(S, F, m);
        const uint64_t ppm = detection_ppm_distinct(S, F, m);
        CHECK(static_cast<double>(ppm) <= p * 1e6 + 1e-6);
        CHECK(static_cast<double>(ppm) >= p * 1e6 - 2.0);
      }
    }
  CHECK(detection_ppm_distinct(10, 8, 3) == kPpm);  // any 3 of 10 hit one of 8
  CHECK(detection_ppm_distinct(10, 0, 3) == 0);
  for (uint64_t m : {1u, 10u, 44u, 100u}) {
    const double p = 1.0 - std::pow(0.9, static_cast<double>(m));
    const uint64_t ppm = detection_ppm_with_replacement(100000, m);
    CHECK(static_cast<double>(ppm) <= p * 1e6 + 1e-6);
    CHECK(static_cast<double>(ppm) >= p * 1e6 - 2.0);
  }
  // The headline: f = 10%, 99% detection needs m = 44 (1 - 0.9^44 = 0.99030).
  CHECK(samples_for_detection(100000, 990000) == 44);
  CHECK(detection_ppm_with_replacement(100000, 43) < 990000);
  CHECK(detection_ppm_with_replacement(100000, 44) >= 990000);
  CHECK(samples_for_detection(0, 990000) == 0);
  // Distinct sampling detects at least as well as with replacement.
  CHECK(detection_ppm_distinct(880, 88, 44) >= detection_ppm_with_replacement(100000, 44));
}

TEST_CASE("economics: the bond rule deters every fraction f") {
  CHECK(min_bond(1000, 44) == 23);
  CHECK(min_bond(1000, 1) == 1000);
  CHECK(min_bond(0, 7) == 0);
  CHECK(min_bond(UINT64_MAX, 1) == UINT64_MAX);
  CHECK(min_bond_without_forfeit(1000) == 1000);
  const double payment = 1e6;
  for (uint64_t S : {20u, 100u, 880u})
    for (uint64_t m : {1u, 5u, 20u}) {
      const double bond = static_cast<double>(min_bond(1000000, m));
      for (uint64_t F = 1; F <= S; ++F) {
        const double f = static_cast<double>(F) / static_cast<double>(S);
        const double P = hypergeometric(S, F, m);
        // With the payment forfeited on detection, cheating never pays.
        CHECK(P * (bond + payment) >= f * payment - 1e-6);
        // Without forfeiture the bond alone deters a one-segment cheat exactly,
        // and the payment-sized bond deters every f.
        if (F == 1) CHECK(P * bond >= f * payment - 1e-6);
        CHECK(P * min_bond_without_forfeit(1000000) >= f * payment - 1e-6);
      }
    }
}

TEST_CASE("economics: verification share m*k/N") {
  CHECK(verification_share_ppm(44, 200, 1876) == kPpm);  // demo: every segment
  CHECK(verification_share_ppm(44, 1, 880) == 50000);    // 5% at N/k = 880
  CHECK(verification_share_ppm(44, 200, 176000) == 50000);
  CHECK(verification_share_ppm(1, 1, 3) == 333334);  // rounded up
}

TEST_CASE(
    "economics: Monte Carlo of sample_segments against a fixed cheater matches the hypergeometric "
    "formula") {
  const uint64_t S = 50, m = 10, F = 5;  // f = 10%
  // The cheater's segments: a fixed "random" set drawn once.
  std::set<uint64_t> faked;
  const std::vector<uint64_t> cheat = sample_segments(seed_n(999999), S, F).value();
  faked.insert(cheat.begin(), cheat.end());
  REQUIRE(faked.size() == F);
  const int trials = 20000;
  int caught = 0;
  for (int t = 0; t < trials; ++t) {
    const std::vector<uint64_t> picks =
        sample_segments(seed_n(static_cast<uint64_t>(t)), S, m).value();
    caught +=
        std::any_of(picks.begin(), picks.end(), [&](uint64_t x) { return faked.count(x) > 0; }) ? 1
                                                                                                : 0;
  }
  const double emp = static_cast<double>(caught) / trials;
  const double hyper = hypergeometric(S, F, m);                                // 0.6894
  const double with_repl = 1.0 - std::pow(1.0 - 0.1, static_cast<double>(m));  // 0.6513
  const double sigma = std::sqrt(hyper * (1 - hyper) / trials);                // ~0.0033
  MESSAGE("empirical ", emp, " hypergeometric ", hyper, " with replacement ", with_repl);
  CHECK(std::abs(emp - hyper) < 4 * sigma);
  CHECK(std::abs(emp - with_repl) > 4 * sigma);  // the implementation samples without replacement
  CHECK(std::abs(static_cast<double>(detection_ppm_distinct(S, F, m)) / 1e6 - hyper) < 1e-5);
}

// A faked segment escapes when every verifier checking it colludes with the
// provider. The formula 1 - (1 - f (1 - s^r))^m models each draw independently;
// here it meets the real sampler and committees (what the ledger does), r = 1 and 3.
TEST_CASE("economics: collusion of a stake fraction s: the formula against the real sampler") {
  for (uint32_t r = 1; r <= 4; ++r)
    for (uint64_t m : {1u, 8u, 20u, 67u}) {
      const double expect = 1.0 - std::pow(1.0 - 0.1 * (1.0 - std::pow(1.0 / 3, r)), m);
      const double got = static_cast<double>(detection_ppm_collusion(100000, 333334, r, m)) / 1e6;
      CHECK(got <= expect + 1e-6);  // rounded down, never overstated
      CHECK(got > expect - 1e-5);
    }
  // What the docs quote: f = 10%, s = 1/3, r = 1 needs m = 67 for 99%.
  CHECK(detection_ppm_collusion(100000, 333334, 1, 67) >= 990000);
  CHECK(detection_ppm_collusion(100000, 333334, 1, 66) < 990000);
  CHECK(detection_ppm_collusion(100000, 0, 1, 20) == detection_ppm_with_replacement(100000, 20));
  CHECK(detection_ppm_collusion(100000, 1000000, 3, 20) == 0);  // everyone colludes

  struct Case {
    int verifiers, colluders;  // equal stakes; colluders are the first addresses
  };
  // The devnet's parameters (genesis/devnet.json: pol_samples 44, pol_redundancy 5).
  CHECK(detection_ppm_collusion(100000, 333334, 5, 44) >= 990000);
  for (Case cs : {Case{30, 10}, Case{6, 2}})
    for (uint32_t r : {1u, 3u}) {
      const uint64_t S = 1000, F = 100, m = 20;  // f = 10%
      const std::vector<uint64_t> cheat = sample_segments(seed_n(4242), S, F).value();
      const std::set<uint64_t> faked(cheat.begin(), cheat.end());
      std::vector<Candidate> candidates;
      std::set<Address> colluding;
      for (int i = 0; i < cs.verifiers; ++i) {
        Address a{};
        a[0] = static_cast<uint8_t>(i + 1);
        candidates.push_back({a, 1000});
        if (i < cs.colluders) colluding.insert(a);
      }
      const int trials = 20000;
      int caught = 0;
      for (int t = 0; t < trials; ++t) {
        const Hash256 seed = seed_n(static_cast<uint64_t>(t) + 777);
        const std::vector<uint64_t> picks = sample_segments(seed, S, m).value();
        const auto who = assign_committees(seed, m, r, candidates, {}).value();
        bool hit = false;
        for (size_t i = 0; i < picks.size(); ++i) {
          REQUIRE(who[i].size() == r);
          // Caught when one honest member checks a faked segment.
          const bool honest_member = std::any_of(
              who[i].begin(), who[i].end(), [&](const Address& a) { return !colluding.count(a); });
          hit = hit || (faked.count(picks[i]) && honest_member);
        }
        caught += hit ? 1 : 0;
      }
      const double emp = static_cast<double>(caught) / trials;
      const double model = static_cast<double>(detection_ppm_collusion(100000, 333334, r, m)) / 1e6;
      const double sigma = std::sqrt(model * (1 - model) / trials);
      MESSAGE(cs.verifiers, " verifiers, ", cs.colluders, " colluding, r = ", r, ": empirical ",
              emp, " model ", model);
      // Conservative: distinct segments and committees drawn without
      // replacement only help.
      CHECK(emp > model - 4 * sigma);
      // Close when a job's draws rarely repeat a verifier (30 verifiers, m = 20).
      if (cs.verifiers == 30) CHECK(emp < model + 0.03);
    }
}
