// ValidatorSet: construction rules, quorum arithmetic, proposer rotation.
#include "consensus/validator_set.h"

#include <doctest/doctest.h>

#include "tests/consensus/simulator.h"

using namespace vt::consensus;

namespace {
ValidatorKey key(uint8_t b) {
  ValidatorKey k{};
  k[0] = b;
  return k;
}
ValidatorSet set_of(std::vector<uint64_t> powers) {
  std::vector<Validator> vs;
  for (size_t i = 0; i < powers.size(); ++i)
    vs.push_back({key(static_cast<uint8_t>(i + 1)), powers[i]});
  return *ValidatorSet::create(vs);
}
}  // namespace

TEST_CASE("validator set: refuses empty, zero power, duplicate keys, overflowing power") {
  std::string why;
  CHECK_FALSE(ValidatorSet::create({}, &why));
  CHECK(why == "validator set is empty");
  CHECK_FALSE(ValidatorSet::create({{key(1), 0}}, &why));
  CHECK(why.find("zero power") != std::string::npos);
  CHECK_FALSE(ValidatorSet::create({{key(1), 1}, {key(2), 1}, {key(1), 5}}, &why));
  CHECK(why == "validators 0 and 2 share a key");
  CHECK_FALSE(ValidatorSet::create({{key(1), ValidatorSet::kMaxTotalPower}, {key(2), 1}}, &why));
  CHECK_FALSE(ValidatorSet::create({{key(1), UINT64_MAX}}, &why));
  CHECK(ValidatorSet::create({{key(1), ValidatorSet::kMaxTotalPower}}));
}

TEST_CASE("validator set: index lookup and order as given") {
  auto set = set_of({5, 1, 7});
  CHECK(set.size() == 3);
  CHECK(set.index_of(key(1)) == 0u);
  CHECK(set.index_of(key(3)) == 2u);
  CHECK_FALSE(set.index_of(key(9)));
  CHECK(set.power(2) == 7);
  CHECK(set.total_power() == 13);
}

TEST_CASE("validator set: quorum is more than 2/3 and f+1 more than 1/3, in integers") {
  CHECK(set_of({1}).quorum_power() == 1);
  CHECK(set_of({1, 1, 1, 1}).quorum_power() == 3);  // 3 of 4
  CHECK(set_of({1, 1, 1}).quorum_power() == 3);     // 2 of 3 is exactly 2/3: not enough
  CHECK(set_of({1, 1, 1, 1, 1, 1, 1}).quorum_power() == 5);
  CHECK(set_of({1, 1, 1, 1}).one_third_plus_power() == 2);
  CHECK(set_of({1, 1, 1}).one_third_plus_power() == 2);
  for (uint64_t total = 1; total < 200; ++total) {
    auto set = set_of({total});
    const uint64_t q = set.quorum_power();
    CHECK(3 * q > 2 * total);
    CHECK(3 * (q - 1) <= 2 * total);
    const uint64_t s = set.one_third_plus_power();
    CHECK(3 * s > total);
    CHECK(3 * (s - 1) <= total);
  }
  auto big = set_of({ValidatorSet::kMaxTotalPower - 1, 1});
  CHECK(big.quorum_power() == ValidatorSet::kMaxTotalPower / 3 * 2 + 1);
}

TEST_CASE("validator set: proposer rotation is proportional to power") {
  const std::vector<uint64_t> powers{1, 2, 3, 4, 10};
  auto set = set_of(powers);
  const uint64_t total = 20;
  // Over a long run the shares match power to within 0.05%.
  std::vector<uint64_t> count(powers.size(), 0);
  const uint64_t n = 200'000;
  for (uint64_t h = 1; h <= n; ++h) ++count[set.proposer(h, 0)];
  for (size_t i = 0; i < powers.size(); ++i) {
    const double expected = static_cast<double>(n) * powers[i] / total;
    CHECK(std::abs(static_cast<double>(count[i]) - expected) < n * 0.0005);
  }
  // And over any short window too (a low-discrepancy sequence): in every 100
  // consecutive heights each validator proposes within 3 of its share.
  for (uint64_t start = 1; start < 5'000; start += 37) {
    std::vector<int64_t> window(powers.size(), 0);
    for (uint64_t h = start; h < start + 100; ++h) ++window[set.proposer(h, 0)];
    for (size_t i = 0; i < powers.size(); ++i)
      CHECK(std::llabs(window[i] - static_cast<int64_t>(powers[i] * 5)) <= 3);
  }
}

TEST_CASE("validator set: proposer is deterministic, rounds rotate, extremes do not overflow") {
  auto set = set_of({1, 1, 1, 1});
  CHECK(set.proposer(10, 3) == set.proposer(10, 3));
  CHECK(set.proposer(10, 0) != set.proposer(10, 1));
  std::vector<int> seen(4, 0);
  for (uint32_t r = 0; r < 40; ++r) ++seen[set.proposer(7, r)];
  for (int s : seen) CHECK(s >= 8);
  CHECK(set.proposer(UINT64_MAX, UINT32_MAX) < 4);
  auto huge = set_of({ValidatorSet::kMaxTotalPower - 3, 1, 1, 1});
  CHECK(huge.proposer(UINT64_MAX, 5) < 4);
  auto one = set_of({42});
  for (uint64_t h = 0; h < 100; ++h) CHECK(one.proposer(h, static_cast<uint32_t>(h)) == 0);
}
