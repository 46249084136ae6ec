// ECVRF-P256-SHA256-TAI against RFC 9381 Appendix B.1 (Examples 10, 11 and 12), plus
// the refusals verification owes: another key, another input, a flipped bit, s >= n, a
// public key off the curve, a secret key of 0 or n.
#include "core/vrf.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

namespace {

// RFC 9381 Appendix B.1, ECVRF-P256-SHA256-TAI, copied verbatim (hex, lower case). The
// keys are those of RFC 6979 A.2.5 (Examples 10, 11) and ANSI X9.62-2005 L.4.2 (12).
struct Vector {
  const char* name;
  const char* sk;
  const char* pk;
  const char* alpha;
  const char* h;
  const char* k;
  const char* pi;
  const char* beta;
};

const Vector kRfc9381[] = {
    {"Example 10", "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
     "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
     "73616d706c65",  // "sample"
     "0272a877532e9ac193aff4401234266f59900a4a9e3fc3cfc6a4b7e467a15d06d4",
     "0d90591273453d2dc67312d39914e3a93e194ab47a58cd598886897076986f77",
     "035b5c726e8c0e2c488a107c600578ee75cb702343c153cb1eb8dec77f4b5071b4a53f0a46f018bc2c56e58d383"
     "f2305e0975972c26feea0eb122fe7893c15af376b33edf7de17c6ea056d4d82de6bc02f",
     "a3ad7b0ef73d8fc6655053ea22f9bede8c743f08bbed3d38821f0e16474b505e"},
    {"Example 11", "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
     "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
     "74657374",  // "test"
     "02173119b4fff5e6f8afed4868a29fe8920f1b54c2cf89cc7b301d0d473de6b974",
     "5852353a868bdce26938cde1826723e58bf8cb06dd2fed475213ea6f3b12e961",
     "034dac60aba508ba0c01aa9be80377ebd7562c4a52d74722e0abae7dc3080ddb56c19e067b15a8a8174905b1361"
     "7804534214f935b94c2287f797e393eb0816969d864f37625b443f30f1a5a33f2b3c854",
     "a284f94ceec2ff4b3794629da7cbafa49121972671b466cab4ce170aa365f26d"},
    {"Example 12", "2ca1411a41b17b24cc8c3b089cfd033f1920202a6c0de8abb97df1498d50d2c8",
     "03596375e6ce57e0f20294fc46bdfcfd19a39f8161b58695b3ec5b3d16427c274d",
     // "Example using ECDSA key from Appendix L.4.2 of ANSI.X9-62-2005"
     "4578616d706c65207573696e67204543445341206b65792066726f6d20417070656e646978204c2e342e3220"
     "6f6620414e53492e58392d36322d32303035",
     "0258055c26c4b01d01c00fb57567955f7d39cd6f6e85fd37c58f696cc6b7aa761d",
     "5689e2e08e1110b4dda293ac21667eac6db5de4a46a519c73d533f69be2f4da3",
     "03d03398bf53aa23831d7d1b2937e005fb0062cbefa06796579f2a1fc7e7b8c667d091c00b0f5c3619d10ecea44"
     "363b5a599cadc5b2957e223fec62e81f7b4825fc799a771a3d7334b9186bdbee87316b1",
     "90871e06da5caa39a3c61578ebb844de8635e27ac0b13e829997d0d95dd98c19"},
};

// The P-256 group order n and field prime p.
constexpr const char* kOrder = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
constexpr const char* kPrime = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";

template <size_t N>
std::array<uint8_t, N> fixed(const std::string& hex) {
  auto b = vt::from_hex(hex);
  REQUIRE(b.ok());
  REQUIRE(b->size() == N);
  std::array<uint8_t, N> out{};
  std::copy(b->begin(), b->end(), out.begin());
  return out;
}

vt::Bytes bytes(const char* hex) {
  auto b = vt::from_hex(hex);
  REQUIRE(b.ok());
  return *b;
}

bool refused(const vt::Result<vt::Hash256>& r, const std::string& reason_part) {
  return !r.ok() && r.error().find(reason_part) != std::string::npos;
}

}  // namespace

TEST_CASE("VRF RFC 9381 B.1: public key, H, k, pi and beta are exact; verify returns beta") {
  for (const Vector& v : kRfc9381) {
    CAPTURE(v.name);
    auto sk = fixed<32>(v.sk);
    vt::Bytes alpha = bytes(v.alpha);

    auto pk = vt::vrf_public_key(sk);
    REQUIRE(pk.ok());
    CHECK(vt::to_hex(*pk) == v.pk);

    auto h = vt::vrf_internal::encode_to_curve(*pk, alpha);
    REQUIRE(h.ok());
    CHECK(vt::to_hex(*h) == v.h);
    auto k = vt::vrf_internal::nonce(sk, *h);
    REQUIRE(k.ok());
    CHECK(vt::to_hex(*k) == v.k);

    auto pi = vt::vrf_prove(sk, alpha);
    REQUIRE(pi.ok());
    CHECK(vt::to_hex(*pi) == v.pi);

    auto beta = vt::vrf_proof_to_hash(*pi);
    REQUIRE(beta.ok());
    CHECK(vt::to_hex(*beta) == v.beta);

    auto verified = vt::vrf_verify(fixed<33>(v.pk), fixed<81>(v.pi), alpha);
    REQUIRE_MESSAGE(verified.ok(), verified.error());
    CHECK(vt::to_hex(*verified) == v.beta);
  }
}

TEST_CASE("VRF: prove is deterministic and an empty input works") {
  auto sk = fixed<32>(kRfc9381[2].sk);
  auto a = vt::vrf_prove(sk, {});
  auto b = vt::vrf_prove(sk, {});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
  auto beta = vt::vrf_verify(fixed<33>(kRfc9381[2].pk), *a, {});
  REQUIRE(beta.ok());
  CHECK(*beta == *vt::vrf_proof_to_hash(*a));
}

TEST_CASE("VRF: a proof is refused under another key and for another input") {
  const Vector& v10 = kRfc9381[0];
  const Vector& v11 = kRfc9381[1];
  const Vector& v12 = kRfc9381[2];
  // Example 10's proof under Example 12's key.
  CHECK(refused(vt::vrf_verify(fixed<33>(v12.pk), fixed<81>(v10.pi), bytes(v10.alpha)),
                "does not verify"));
  // Examples 10 and 11 share a key: each valid proof is refused for the other's input.
  CHECK(refused(vt::vrf_verify(fixed<33>(v10.pk), fixed<81>(v10.pi), bytes(v11.alpha)),
                "does not verify"));
  CHECK(refused(vt::vrf_verify(fixed<33>(v11.pk), fixed<81>(v11.pi), bytes(v10.alpha)),
                "does not verify"));
  // One more byte of input.
  vt::Bytes longer = bytes(v10.alpha);
  longer.push_back(0x00);
  CHECK(refused(vt::vrf_verify(fixed<33>(v10.pk), fixed<81>(v10.pi), longer), "does not verify"));
}

TEST_CASE("VRF: a flipped bit of a proof, in Gamma, c or s, is refused") {
  // Every one of the 648 bits of Example 10's proof; one bit of every byte of the others
  // (a verification costs a few milliseconds).
  for (const Vector& v : kRfc9381) {
    CAPTURE(v.name);
    const bool every_bit = &v == &kRfc9381[0];
    auto pk = fixed<33>(v.pk);
    vt::Bytes alpha = bytes(v.alpha);
    const vt::VrfProof good = fixed<81>(v.pi);
    for (size_t byte = 0; byte < good.size(); ++byte) {
      for (size_t bit = 0; bit < 8; ++bit) {
        if (!every_bit && bit != byte % 8) continue;
        CAPTURE(byte);
        CAPTURE(bit);
        vt::VrfProof bad = good;
        bad[byte] ^= static_cast<uint8_t>(1u << bit);
        CHECK_FALSE(vt::vrf_verify(pk, bad, alpha).ok());
      }
    }
  }
  // One in each part, with the reason it is refused for.
  const Vector& v = kRfc9381[0];
  auto pk = fixed<33>(v.pk);
  vt::Bytes alpha = bytes(v.alpha);
  vt::VrfProof gamma_prefix = fixed<81>(v.pi);
  gamma_prefix[0] ^= 0x04;  // 0x03 -> 0x07: not a SEC1 compressed point
  CHECK(refused(vt::vrf_verify(pk, gamma_prefix, alpha), "Gamma"));
  CHECK_FALSE(vt::vrf_proof_to_hash(gamma_prefix).ok());
  vt::VrfProof gamma_x = fixed<81>(v.pi);
  gamma_x[32] ^= 0x01;
  CHECK_FALSE(vt::vrf_verify(pk, gamma_x, alpha).ok());
  vt::VrfProof c = fixed<81>(v.pi);
  c[33 + 15] ^= 0x01;
  CHECK(refused(vt::vrf_verify(pk, c, alpha), "does not verify"));
  vt::VrfProof s = fixed<81>(v.pi);
  s[80] ^= 0x01;
  CHECK(refused(vt::vrf_verify(pk, s, alpha), "does not verify"));
}

TEST_CASE("VRF: s >= n is refused, not reduced") {
  const Vector& v = kRfc9381[0];
  auto pk = fixed<33>(v.pk);
  vt::Bytes alpha = bytes(v.alpha);
  auto order = fixed<32>(kOrder);
  vt::VrfProof pi = fixed<81>(v.pi);

  // s = n.
  std::copy(order.begin(), order.end(), pi.begin() + 49);
  CHECK(refused(vt::vrf_verify(pk, pi, alpha), "s is not below"));
  CHECK_FALSE(vt::vrf_proof_to_hash(pi).ok());
  // s = n + 1 and s = 2^256 - 1 (s + n itself does not fit in 32 bytes for these vectors).
  pi[80] += 1;
  CHECK(refused(vt::vrf_verify(pk, pi, alpha), "s is not below"));
  std::fill(pi.begin() + 49, pi.end(), 0xff);
  CHECK(refused(vt::vrf_verify(pk, pi, alpha), "s is not below"));
}

TEST_CASE("VRF: a public key that is not a point of P-256 is refused") {
  const Vector& v = kRfc9381[0];
  auto pi = fixed<81>(v.pi);
  vt::Bytes alpha = bytes(v.alpha);
  auto verify_with = [&](const std::string& pk_hex) {
    return vt::vrf_verify(fixed<33>(pk_hex), pi, alpha);
  };
  const std::string zeros(62, '0');
  // x = 1: x^3 - 3x + b is not a square mod p.
  CHECK(refused(verify_with("02" + zeros + "01"), "public key"));
  CHECK(refused(verify_with("03" + zeros + "01"), "public key"));
  // x = 5 lies on the curve: a well-formed key, so the refusal is the proof's.
  CHECK(refused(verify_with("02" + zeros + "05"), "does not verify"));
  // x = p + 5 and x = p are not field elements, though they are 5 and 0 mod p.
  const std::string p_plus_5 = "ffffffff00000001000000000000000000000001000000000000000000000004";
  CHECK(refused(verify_with("02" + p_plus_5), "public key"));
  CHECK(refused(verify_with(std::string("02") + kPrime), "public key"));
  // Not the compressed form: identity (0x00), uncompressed (0x04), hybrid (0x06) tags.
  std::string x = std::string(v.pk).substr(2);
  for (const char* tag : {"00", "04", "06", "07", "ff"})
    CHECK(refused(verify_with(tag + x), "public key"));
  CHECK(refused(verify_with("00" + zeros + "00"), "public key"));
}

TEST_CASE("VRF: the secret key must be in [1, n-1]") {
  auto zero = fixed<32>(std::string(64, '0'));
  auto n = fixed<32>(kOrder);
  auto all_ones = fixed<32>(std::string(64, 'f'));
  for (const auto& sk : {zero, n, all_ones}) {
    CHECK_FALSE(vt::vrf_public_key(sk).ok());
    CHECK_FALSE(vt::vrf_prove(sk, vt::Bytes{1, 2, 3}).ok());
  }
  // x = 1 gives the base point B; x = n - 1 gives -B.
  auto one = fixed<32>(std::string(63, '0') + "1");
  auto n_minus_1 = n;
  n_minus_1[31] -= 1;
  const std::string bx = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
  auto pk1 = vt::vrf_public_key(one);
  auto pk2 = vt::vrf_public_key(n_minus_1);
  REQUIRE(pk1.ok());
  REQUIRE(pk2.ok());
  CHECK(vt::to_hex(*pk1) == "03" + bx);  // B's y is odd
  CHECK(vt::to_hex(*pk2) == "02" + bx);
  // Both extremes prove and verify.
  for (const auto& sk : {one, n_minus_1}) {
    auto pi = vt::vrf_prove(sk, vt::Bytes{1, 2, 3});
    REQUIRE(pi.ok());
    CHECK(vt::vrf_verify(*vt::vrf_public_key(sk), *pi, vt::Bytes{1, 2, 3}).ok());
  }
}
