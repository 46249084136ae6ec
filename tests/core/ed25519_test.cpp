// Ed25519 against RFC 8032 section 7.1 TEST 1, 2 and 3.
#include <doctest/doctest.h>

#include <string>

#include "core/keys.h"

namespace {

struct Vector {
  const char* name;
  const char* seed;
  const char* pubkey;
  const char* message;
  const char* signature;
};

const Vector kRfc8032[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "6594a7c15e9716ed28dc027beceea1ec40a"},
};

template <size_t N>
std::array<uint8_t, N> fixed(const char* hex) {
  auto b = vt::from_hex(hex);
  REQUIRE(b.ok());
  REQUIRE(b->size() == N);
  std::array<uint8_t, N> out{};
  std::copy(b->begin(), b->end(), out.begin());
  return out;
}

}  // namespace

TEST_CASE("Ed25519 RFC 8032 7.1: seed -> public key and signature are exact") {
  for (const Vector& v : kRfc8032) {
    CAPTURE(v.name);
    vt::Ed25519Key key = vt::Ed25519Key::from_seed(fixed<32>(v.seed));
    CHECK(vt::to_hex(key.pubkey()) == v.pubkey);
    CHECK(vt::to_hex(key.seed()) == v.seed);
    auto msg = vt::from_hex(v.message);
    REQUIRE(msg.ok());
    vt::Ed25519Sig sig = key.sign(*msg);
    CHECK(vt::to_hex(sig) == v.signature);
    CHECK(vt::ed25519_verify(fixed<32>(v.pubkey), *msg, fixed<64>(v.signature)));
  }
}

TEST_CASE("Ed25519: verify rejects a flipped bit in signature, message or key") {
  for (const Vector& v : kRfc8032) {
    CAPTURE(v.name);
    auto pk = fixed<32>(v.pubkey);
    auto sig = fixed<64>(v.signature);
    auto msg = vt::from_hex(v.message);
    REQUIRE(msg.ok());
    for (size_t bit = 0; bit < 64 * 8; bit += 13) {
      auto bad = sig;
      bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      CHECK_FALSE(vt::ed25519_verify(pk, *msg, bad));
    }
    if (!msg->empty()) {
      vt::Bytes bad = *msg;
      bad[0] ^= 1;
      CHECK_FALSE(vt::ed25519_verify(pk, bad, sig));
    } else {
      vt::Bytes one = {0};
      CHECK_FALSE(vt::ed25519_verify(pk, one, sig));
    }
    auto bad_pk = pk;
    bad_pk[0] ^= 1;
    CHECK_FALSE(vt::ed25519_verify(bad_pk, *msg, sig));
  }
}

TEST_CASE("Ed25519: generated keys differ and round trip") {
  vt::Ed25519Key a = vt::Ed25519Key::generate(), b = vt::Ed25519Key::generate();
  CHECK(a.pubkey() != b.pubkey());
  const std::string text = "vote";
  vt::Ed25519Sig sig = a.sign(vt::as_view(text));
  CHECK(vt::ed25519_verify(a.pubkey(), vt::as_view(text), sig));
  CHECK_FALSE(vt::ed25519_verify(b.pubkey(), vt::as_view(text), sig));
  // Same seed, same key.
  CHECK(vt::Ed25519Key::from_seed(a.seed()).pubkey() == a.pubkey());
}
