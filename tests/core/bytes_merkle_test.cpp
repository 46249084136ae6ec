// hex conversion and merkle_root, the latter recomputed independently here
// from sha256 following the documented scheme (0x00 leaf, 0x01 node tags,
// odd node promoted unchanged), and pinned to values computed with Python.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/merkle.h"
#include "core/sha256.h"

TEST_CASE("hex: round trip, both cases accepted, output lower case") {
  const vt::Bytes b = {0x00, 0x01, 0xab, 0xcd, 0xef, 0xff};
  CHECK(vt::to_hex(b) == "0001abcdefff");
  auto lower = vt::from_hex("0001abcdefff");
  auto upper = vt::from_hex("0001ABCDEFFF");
  REQUIRE(lower.ok());
  REQUIRE(upper.ok());
  CHECK(*lower == b);
  CHECK(*upper == b);
  auto empty = vt::from_hex("");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  CHECK(vt::to_hex(vt::Bytes{}).empty());
}

TEST_CASE("hex: odd length and bad characters are rejected with reasons") {
  auto odd = vt::from_hex("abc");
  REQUIRE_FALSE(odd.ok());
  CHECK(odd.error().find("odd") != std::string::npos);
  for (std::string bad : {"0g", "g0", "0x00", " 000", "00  ", "-1", "zz",
                          "\xff"
                          "0"}) {
    CAPTURE(bad);
    auto r = vt::from_hex(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("invalid hex") != std::string::npos);
  }
}

TEST_CASE("hash_from_hex: exactly 64 hex characters") {
  const std::string good(64, 'a');
  auto h = vt::hash_from_hex(good);
  REQUIRE(h.ok());
  for (uint8_t byte : *h) CHECK(byte == 0xaa);
  for (size_t len : {0, 2, 62, 63, 65, 66, 128}) {
    CAPTURE(len);
    auto r = vt::hash_from_hex(std::string(len, 'a'));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("64") != std::string::npos);
  }
  std::string bad = good;
  bad[63] = 'q';
  CHECK_FALSE(vt::hash_from_hex(bad).ok());
}

namespace {

vt::Hash256 leaf_hash(const vt::Hash256& leaf) {
  vt::Bytes buf{0x00};
  buf.insert(buf.end(), leaf.begin(), leaf.end());
  return vt::sha256(buf);
}

vt::Hash256 node_hash(const vt::Hash256& l, const vt::Hash256& r) {
  vt::Bytes buf{0x01};
  buf.insert(buf.end(), l.begin(), l.end());
  buf.insert(buf.end(), r.begin(), r.end());
  return vt::sha256(buf);
}

vt::Hash256 filled(uint8_t v) {
  vt::Hash256 h;
  h.fill(v);
  return h;
}

}  // namespace

TEST_CASE("merkle_root: empty, one, two, three (odd promotion), five") {
  CHECK(vt::is_zero(vt::merkle_root({})));

  const vt::Hash256 a = filled(1), b = filled(2), c = filled(3), d = filled(4), e = filled(5);
  CHECK(vt::merkle_root({a}) == leaf_hash(a));
  CHECK(vt::merkle_root({a}) != a);  // a lone leaf is still tagged
  CHECK(vt::to_hex(vt::merkle_root({a})) ==
        "dcffe786ded16d283c663846ad0c4ff26558fccde36ca9d30b2ea19eade9fc0e");

  CHECK(vt::merkle_root({a, b}) == node_hash(leaf_hash(a), leaf_hash(b)));
  CHECK(vt::to_hex(vt::merkle_root({a, b})) ==
        "3a066e0f40c6a1981ebfa60d2411625d0517ae22c2fc8c7c1784ff8a75c78565");
  CHECK(vt::merkle_root({a, b}) != vt::merkle_root({b, a}));

  // Three: the third leaf is promoted, not paired with a copy of itself.
  const vt::Hash256 three = node_hash(node_hash(leaf_hash(a), leaf_hash(b)), leaf_hash(c));
  CHECK(vt::merkle_root({a, b, c}) == three);
  CHECK(vt::to_hex(three) == "df896896c799531f1fd1e556cea26a6989ab06853bcbfdd3e4f5097a611f658f");
  CHECK(vt::merkle_root({a, b, c}) != vt::merkle_root({a, b, c, c}));

  const vt::Hash256 five = node_hash(
      node_hash(node_hash(leaf_hash(a), leaf_hash(b)), node_hash(leaf_hash(c), leaf_hash(d))),
      leaf_hash(e));
  CHECK(vt::merkle_root({a, b, c, d, e}) == five);
}

TEST_CASE("merkle_root: a leaf cannot pose as an inner node") {
  const vt::Hash256 a = filled(1), b = filled(2);
  // The inner node of {a, b}, given as a single leaf, must not give the same root.
  const vt::Hash256 inner = node_hash(leaf_hash(a), leaf_hash(b));
  CHECK(vt::merkle_root({inner}) != vt::merkle_root({a, b}));
}
