// SaltedArrayHash: equal keys hash equal, and keys an attacker would pick to
// pile into one bucket (sequential numbers in the hashed bytes) spread out.
#include "core/salted_hash.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <unordered_set>

#include "core/bytes.h"

TEST_CASE("SaltedArrayHash spreads sequential keys over the buckets") {
  vt::SaltedArrayHash<32> hash;
  std::unordered_set<vt::Hash256, vt::SaltedArrayHash<32>> set;
  set.reserve(4096);
  for (uint32_t i = 0; i < 4096; ++i) {
    vt::Hash256 key{};
    key[6] = static_cast<uint8_t>(i >> 8);
    key[7] = static_cast<uint8_t>(i);
    CHECK(hash(key) == hash(vt::Hash256(key)));
    set.insert(key);
  }
  REQUIRE(set.size() == 4096);
  size_t largest = 0;
  for (size_t b = 0; b < set.bucket_count(); ++b) largest = std::max(largest, set.bucket_size(b));
  // A uniform hash over about 4,099 buckets puts 13 or more in one bucket with
  // probability under 1e-6 (Poisson, mean 1); a hash that ignored the bytes
  // these keys differ in would put all 4,096 in one.
  CHECK(largest <= 12);
}

TEST_CASE("SaltedArrayHash reads only the first eight bytes, and every bit of them") {
  vt::SaltedArrayHash<32> hash;
  vt::Hash256 a{};
  vt::Hash256 tail = a;
  tail[31] = 1;
  CHECK(hash(a) == hash(tail));
  for (int bit = 0; bit < 64; ++bit) {
    vt::Hash256 b = a;
    b[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    CHECK(hash(a) != hash(b));
  }
}
