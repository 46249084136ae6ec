#include "verifier/sampling.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/sha256.h"

using namespace vt;
using namespace vt::verifier;

namespace {
Hash256 seed_n(uint64_t n) {
  Hash256 b{};
  for (int i = 0; i < 8; ++i) b[static_cast<std::size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
  return sha256(b);
}
Address addr(uint8_t x) {
  Address a{};
  a.fill(x);
  return a;
}
}  // namespace

TEST_CASE("sampling: the seed binds block, job and root") {
  Hash256 b{}, r{};
  CHECK(derive_seed(b, 1, r) != derive_seed(b, 2, r));
  r[0] = 1;
  CHECK(derive_seed(b, 1, r) != derive_seed(b, 1, Hash256{}));
  CHECK(derive_seed(b, 1, r) == derive_seed(b, 1, r));
}

TEST_CASE("sampling: uniform() is in range and unbiased enough") {
  RandomStream s(seed_n(1), "test");
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) ++counts[s.uniform(7)];
  for (int c : counts) CHECK(std::abs(c - 10000) < 500);  // ~5 sigma
  RandomStream one(seed_n(2), "test");
  for (int i = 0; i < 10; ++i) CHECK(one.uniform(1) == 0);
  // Near 2^64 the rejection region is almost half: still terminates and in range.
  const uint64_t n = (UINT64_MAX / 2) + 2;
  for (int i = 0; i < 100; ++i) CHECK(one.uniform(n) < n);
  // Domains are independent streams.
  RandomStream a(seed_n(3), "a"), b(seed_n(3), "b");
  CHECK(a.next_u64() != b.next_u64());
}

TEST_CASE("sampling: segments are deterministic, distinct, in range, all of S when m == S") {
  for (uint64_t S : {1u, 2u, 5u, 100u, 1000000u}) {
    for (uint64_t m : {0u, 1u, 3u, 44u, 100u}) {
      if (m > S) {
        CHECK_FALSE(sample_segments(seed_n(S), S, m).ok());
        continue;
      }
      auto a = sample_segments(seed_n(S * 1000 + m), S, m);
      auto b = sample_segments(seed_n(S * 1000 + m), S, m);
      REQUIRE(a.ok());
      CHECK(*a == *b);
      CHECK(a->size() == m);
      CHECK(std::adjacent_find(a->begin(), a->end()) ==
            a->end());  // sorted, so this means distinct
      CHECK(std::is_sorted(a->begin(), a->end()));
      for (uint64_t x : *a) CHECK(x < S);
      if (m == S)
        for (uint64_t i = 0; i < S; ++i) CHECK((*a)[i] == i);
    }
  }
  CHECK_FALSE(sample_segments(seed_n(0), 0, 0).ok());
  // Every segment is equally likely: 5 of 20, 4000 seeds -> 1000 hits each.
  std::vector<int> hits(20, 0);
  for (uint64_t s = 0; s < 4000; ++s) {
    const std::vector<uint64_t> picks = sample_segments(seed_n(s), 20, 5).value();
    for (uint64_t x : picks) ++hits[x];
  }
  for (int c : hits) CHECK(std::abs(c - 1000) < 150);
}

TEST_CASE("sampling: verifiers are stake-weighted, never excluded, distinct when enough") {
  std::vector<Candidate> cands;
  for (uint8_t i = 1; i <= 6; ++i) cands.push_back({addr(i), uint64_t{i} * 1000});  // stakes 1..6 k
  const Address provider = addr(3), client = addr(5);
  const std::vector<Address> excl{provider, client};
  // Deterministic, excluded never drawn, distinct up to the 4 eligible.
  for (uint64_t s = 0; s < 200; ++s) {
    auto a = assign_verifiers(seed_n(s), 4, cands, excl);
    REQUIRE(a.ok());
    CHECK(*a == *assign_verifiers(seed_n(s), 4, cands, excl));
    std::set<Address> distinct(a->begin(), a->end());
    CHECK(distinct.size() == 4);
    CHECK(!distinct.count(provider));
    CHECK(!distinct.count(client));
    // More segments than verifiers: each serves ceil(9/4) = 3 at most.
    auto b = assign_verifiers(seed_n(s), 9, cands, excl);
    REQUIRE(b.ok());
    std::map<Address, int> load;
    for (const auto& x : *b) ++load[x];
    for (const auto& [x, n] : load) CHECK(n <= 3);
    CHECK(!load.count(provider));
  }
  // Proportional to stake: the first pick over 12000 fixed seeds. Eligible
  // stakes 1, 2, 4, 6 (sum 13): expected share stake/13; bound 5 sigma.
  std::map<Address, int> first;
  const int trials = 12000;
  for (uint64_t s = 0; s < trials; ++s)
    ++first[(*assign_verifiers(seed_n(s + 100000), 1, cands, excl))[0]];
  for (uint8_t i : {1, 2, 4, 6}) {
    const double p = i / 13.0, expect = trials * p, sigma = std::sqrt(trials * p * (1 - p));
    CHECK(std::abs(first[addr(i)] - expect) < 5 * sigma);
  }
  // Refusals: unsorted, duplicate, nobody eligible, zero stake skipped.
  std::vector<Candidate> unsorted{cands[1], cands[0]};
  CHECK_FALSE(assign_verifiers(seed_n(1), 1, unsorted, {}).ok());
  std::vector<Candidate> dup{cands[0], cands[0]};
  CHECK_FALSE(assign_verifiers(seed_n(1), 1, dup, {}).ok());
  std::vector<Candidate> only_provider{{provider, 10}};
  CHECK(assign_verifiers(seed_n(1), 1, only_provider, excl).error().find("no eligible") !=
        std::string::npos);
  std::vector<Candidate> zero{{addr(1), 0}, {addr(2), 5}};
  for (uint64_t s = 0; s < 20; ++s)
    CHECK((*assign_verifiers(seed_n(s), 1, zero, {}))[0] == addr(2));
  std::vector<Candidate> overflow{{addr(1), UINT64_MAX}, {addr(2), 1}};
  CHECK_FALSE(assign_verifiers(seed_n(1), 1, overflow, {}).ok());
}

TEST_CASE("sampling: committees of r distinct verifiers, stake-weighted, spread by rounds") {
  std::vector<Candidate> cands;
  for (uint8_t i = 1; i <= 7; ++i) cands.push_back({addr(i), uint64_t{i} * 1000});
  const std::vector<Address> excl{addr(3)};  // 6 eligible
  for (uint64_t s = 0; s < 300; ++s) {
    // r = 1 is assign_verifiers, seat for seat.
    const auto one = assign_committees(seed_n(s), 9, 1, cands, excl).value();
    const auto flat = assign_verifiers(seed_n(s), 9, cands, excl).value();
    for (size_t i = 0; i < 9; ++i) CHECK(one[i] == std::vector<Address>{flat[i]});
    // r = 4 over 10 segments: 40 seats over 6 eligible verifiers in rounds
    // that often end inside a committee; every committee distinct.
    const auto c = assign_committees(seed_n(s), 10, 4, cands, excl).value();
    REQUIRE(c.size() == 10);
    std::map<Address, int> load;
    for (const auto& committee : c) {
      REQUIRE(committee.size() == 4);
      std::set<Address> distinct(committee.begin(), committee.end());
      CHECK(distinct.size() == 4);
      CHECK(!distinct.count(addr(3)));
      for (const auto& a : committee) ++load[a];
    }
    // One seat per round. The first round seats 6; a round that ends inside a
    // committee carries at most 3 members into the next, which then seats at
    // least 3 new: at most 1 + ceil(34 / 3) = 13 rounds, well under the 40
    // seats one verifier could otherwise take.
    for (const auto& [a, n] : load) CHECK(n <= 13);
    CHECK(c == assign_committees(seed_n(s), 10, 4, cands, excl).value());
    // More seats than verifiers: the committee is everyone eligible.
    const auto all = assign_committees(seed_n(s), 2, 10, cands, excl).value();
    for (const auto& committee : all)
      CHECK(std::set<Address>(committee.begin(), committee.end()).size() == 6);
  }
  // Stake-weighted: the chance of a seat on a 2-seat committee. Eligible stakes
  // 1, 2, 4, 5, 6, 7 (sum 25) over 12000 seeds; the exact probability of
  // sitting is P(first) + sum over others of P(other first) * P(me second).
  const std::vector<uint64_t> st{1, 2, 4, 5, 6, 7};
  std::map<Address, int> seated;
  const int trials = 12000;
  for (uint64_t s = 0; s < trials; ++s) {
    const auto c = assign_committees(seed_n(s + 5000), 1, 2, cands, excl).value();
    for (const auto& a : c[0]) ++seated[a];
  }
  for (size_t i = 0; i < st.size(); ++i) {
    double p = st[i] / 25.0;
    for (size_t o = 0; o < st.size(); ++o)
      if (o != i) p += st[o] / 25.0 * st[i] / (25.0 - st[o]);
    const uint8_t who = static_cast<uint8_t>(st[i]);
    const double expect = trials * p, sigma = std::sqrt(trials * p * (1 - p));
    CHECK(std::abs(seated[addr(who)] - expect) < 5 * sigma);
  }
  CHECK_FALSE(assign_committees(seed_n(1), 1, 0, cands, excl).ok());
}
