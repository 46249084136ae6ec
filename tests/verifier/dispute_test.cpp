#include "verifier/dispute.h"

#include <doctest/doctest.h>

#include <vector>

#include "fixture.h"

using namespace vt;
using namespace vt::verifier;
using vt::verifier::testing::h;

namespace {
Address addr(uint8_t x) {
  Address a{};
  a.fill(x);
  return a;
}
const Address P = addr(1), C = addr(2);

// A run's true per-step hashes truth[0..k], and the provider's version that is
// right up to step `fake` and wrong after it (fake == k: honest).
Hash256 truth_at(uint64_t i) {
  Hash256 x{};
  for (int b = 0; b < 8; ++b)
    x[static_cast<std::size_t>(b)] = static_cast<uint8_t>((i + 1) >> (8 * b));
  x[31] = 0x11;
  return x;
}
Hash256 lie_at(uint64_t i) {
  Hash256 x = truth_at(i);
  x[31] = 0x22;
  return x;
}

// Plays the game to the end with both sides acting on their beliefs; returns the final state.
Dispute play(uint64_t k, uint64_t fake, bool honest_challenger, uint64_t* height) {
  auto provider_says = [&](uint64_t i) { return i <= fake ? truth_at(i) : lie_at(i); };
  auto challenger_says = [&](uint64_t i) { return honest_challenger ? truth_at(i) : lie_at(i); };
  auto d = open_dispute(P, C, 0, k, truth_at(0), provider_says(k),
                        honest_challenger ? truth_at(k) : lie_at(k), *height, 10);
  REQUIRE_MESSAGE(d.ok(), d.error());
  Dispute g = *d;
  while (!g.finished()) {
    ++*height;
    auto a = apply(g, Move{P, MoveKind::post_mid, provider_says(g.mid())}, *height);
    REQUIRE_MESSAGE(a.ok(), a.error());
    g = *a;
    ++*height;
    const Hash256 mine = challenger_says(g.mid());
    Move m =
        mine == g.provider_mid ? Move{C, MoveKind::agree, {}} : Move{C, MoveKind::disagree, mine};
    auto b = apply(g, m, *height);
    REQUIRE_MESSAGE(b.ok(), b.error());
    g = *b;
    auto rt = decode_dispute(encode(g));
    REQUIRE(rt.ok());
    CHECK(*rt == g);
  }
  return g;
}
}  // namespace

TEST_CASE("dispute: bisection pins the first faked step in at most ceil(log2 k) rounds") {
  for (uint64_t k = 1; k <= 300; ++k) {
    for (uint64_t fake = 0; fake < k; fake += (k > 40 ? k / 13 + 1 : 1)) {
      uint64_t height = 100;
      const Dispute g = play(k, fake, true, &height);
      CHECK(g.lo == fake);  // the one step j whose input both agree on
      CHECK(g.hi == fake + 1);
      CHECK(g.lo_hash == truth_at(fake));
      CHECK(g.provider_hi == lie_at(fake + 1));
      CHECK(g.challenger_hi == truth_at(fake + 1));
      CHECK(g.round <= max_rounds(k));
    }
    // Faking the last step makes every answer "agree": the longest path.
    uint64_t height = 100;
    const Dispute last = play(k, k - 1, true, &height);
    CHECK(last.round == max_rounds(k));
  }
  CHECK(max_rounds(1) == 0);
  CHECK(max_rounds(2) == 1);
  CHECK(max_rounds(200) == 8);
  CHECK(max_rounds(1000000000) == 30);
}

TEST_CASE("dispute: a lying challenger against an honest provider ends on a true provider claim") {
  for (uint64_t k : {1u, 2u, 7u, 64u, 200u}) {
    uint64_t height = 5;
    const Dispute g = play(k, k, false, &height);
    CHECK(g.provider_hi == truth_at(g.hi));  // the referee will side with the provider
    CHECK(g.challenger_hi != truth_at(g.hi));
  }
}

TEST_CASE("dispute: moves out of turn, by the wrong party, late or malformed are refused") {
  auto d0 = open_dispute(P, C, 10, 18, h(1), h(2), h(3), 100, 5);
  REQUIRE(d0.ok());
  const Dispute d = *d0;
  CHECK(d.turn == Turn::provider);
  CHECK(d.deadline == 105);
  CHECK(d.mid() == 14);
  CHECK(apply(d, Move{C, MoveKind::post_mid, h(4)}, 101).error().find("provider's turn") !=
        std::string::npos);
  CHECK(apply(d, Move{P, MoveKind::agree, {}}, 101).error().find("midpoint") != std::string::npos);
  CHECK(apply(d, Move{P, MoveKind::post_mid, Hash256{}}, 101).error().find("zero") !=
        std::string::npos);
  CHECK(apply(d, Move{P, MoveKind::post_mid, h(4)}, 106).error().find("deadline") !=
        std::string::npos);
  auto d1 = apply(d, Move{P, MoveKind::post_mid, h(4)}, 105);
  REQUIRE(d1.ok());
  CHECK(d1->deadline == 110);
  CHECK(apply(*d1, Move{P, MoveKind::post_mid, h(5)}, 106).error().find("challenger's turn") !=
        std::string::npos);
  CHECK(apply(*d1, Move{C, MoveKind::disagree, h(4)}, 106).error().find("own hash") !=
        std::string::npos);
  CHECK(apply(*d1, Move{C, MoveKind::agree, h(9)}, 106).error().find("no hash") !=
        std::string::npos);
  CHECK(apply(*d1, Move{C, MoveKind::post_mid, h(9)}, 106).error().find("agree or disagree") !=
        std::string::npos);
  auto d2 = apply(*d1, Move{C, MoveKind::agree, {}}, 106);
  REQUIRE(d2.ok());
  CHECK(d2->lo == 14);
  CHECK(d2->lo_hash == h(4));
  CHECK(d2->round == 1);

  // Opening checks.
  CHECK_FALSE(open_dispute(P, P, 0, 4, h(1), h(2), h(3), 1, 5).ok());
  CHECK_FALSE(open_dispute(P, C, 4, 4, h(1), h(2), h(3), 1, 5).ok());
  CHECK_FALSE(open_dispute(P, C, 0, 4, h(1), h(2), h(2), 1, 5).ok());
  CHECK_FALSE(open_dispute(P, C, 0, 4, h(1), h(2), h(3), 1, 0).ok());
  CHECK_FALSE(open_dispute(P, C, 0, 4, h(1), h(2), h(3), UINT64_MAX, 5).ok());
  auto one = open_dispute(P, C, 7, 8, h(1), h(2), h(3), 1, 5);
  REQUIRE(one.ok());
  CHECK(one->finished());
  CHECK(apply(*one, Move{P, MoveKind::post_mid, h(4)}, 2).error().find("over") !=
        std::string::npos);
}

TEST_CASE("dispute: silence past the deadline loses") {
  const Dispute d = *open_dispute(P, C, 0, 8, h(1), h(2), h(3), 100, 5);
  CHECK_FALSE(timeout(d, 105).has_value());
  REQUIRE(timeout(d, 106).has_value());
  CHECK(timeout(d, 106)->loser == Party::provider);
  const Dispute d1 = *apply(d, Move{P, MoveKind::post_mid, h(4)}, 101);
  CHECK_FALSE(timeout(d1, 106).has_value());
  CHECK(timeout(d1, 107)->loser == Party::challenger);
  const Dispute fin = *open_dispute(P, C, 0, 1, h(1), h(2), h(3), 100, 5);
  CHECK(timeout(fin, 106)->loser == Party::provider);
}

TEST_CASE("dispute: encodings are canonical and checked") {
  const Dispute d = *apply(*open_dispute(P, C, 0, 8, h(1), h(2), h(3), 100, 5),
                           Move{P, MoveKind::post_mid, h(4)}, 101);
  const Bytes e = encode(d);
  CHECK(*decode_dispute(e) == d);
  for (std::size_t n = 0; n < e.size(); n += 5)
    CHECK_FALSE(decode_dispute(ByteView(e.data(), n)).ok());
  Bytes bad = e;
  bad.push_back(1);
  CHECK_FALSE(decode_dispute(bad).ok());
  bad = e;
  bad[1 + 32 + 32 + 8 + 8 + 96] = 7;  // turn
  CHECK(decode_dispute(bad).error().find("turn") != std::string::npos);
  bad = e;
  bad[1 + 32 + 32 + 8 + 8 + 96] = 0;  // provider's turn with a pending mid hash
  CHECK(decode_dispute(bad).error().find("provider_mid") != std::string::npos);
  bad = e;
  bad[1] = 2;  // provider byte 0 == challenger's
  for (int i = 1; i <= 32; ++i) bad[static_cast<std::size_t>(i)] = 2;
  CHECK_FALSE(decode_dispute(bad).ok());

  const Move m{C, MoveKind::disagree, h(9)};
  auto dm = decode_move(encode(m), C);
  REQUIRE(dm.ok());
  CHECK(*dm == m);
  Bytes bm = encode(m);
  bm[0] = 3;
  CHECK(decode_move(bm, C).error().find("kind") != std::string::npos);
  CHECK_FALSE(decode_move(ByteView(bm.data(), 10), C).ok());
}
