#include "core/vrf.h"

#include <cryptopp/eccrypto.h>
#include <cryptopp/ecp.h>
#include <cryptopp/hmac.h>
#include <cryptopp/integer.h>
#include <cryptopp/misc.h>
#include <cryptopp/nbtheory.h>
#include <cryptopp/oids.h>
#include <cryptopp/sha.h>

#include <algorithm>
#include <cassert>
#include <initializer_list>
#include <optional>
#include <span>
#include <tuple>

#include "core/sha256.h"

namespace vt {
namespace {

using CryptoPP::ECP;
using CryptoPP::Integer;
using Point = ECP::Point;

// RFC 9381 5.5: ECVRF-P256-SHA256-TAI.
constexpr uint8_t kSuite = 0x01;
constexpr size_t kPtLen = 33;  // SEC1 compressed point
constexpr size_t kCLen = 16;   // challenge
constexpr size_t kQLen = 32;   // scalar
static_assert(kPtLen + kCLen + kQLen == std::tuple_size_v<VrfProof>);

// The domain separators of RFC 9381 5.4.1.1, 5.4.3 and 5.2.
constexpr uint8_t kEncodeToCurveFront = 0x01;
constexpr uint8_t kChallengeFront = 0x02;
constexpr uint8_t kProofToHashFront = 0x03;
constexpr uint8_t kBack = 0x00;

using PointString = std::array<uint8_t, kPtLen>;

// secp256r1 as Crypto++ knows it, in plain (not Montgomery) coordinates.
struct P256 {
  Integer p, a, b, n;
  Point g;
};

const P256& p256() {
  static const P256 params = [] {
    CryptoPP::DL_GroupParameters_EC<ECP> group(CryptoPP::ASN1::secp256r1());
    const ECP& curve = group.GetCurve();
    assert(group.GetCofactor() == Integer::One());
    return P256{curve.FieldSize(), curve.GetField().ConvertOut(curve.GetA()),
                curve.GetField().ConvertOut(curve.GetB()), group.GetSubgroupOrder(),
                group.GetSubgroupGenerator()};
  }();
  return params;
}

// A curve object per call: Crypto++'s ECP keeps a mutable scratch point, so one shared
// instance would not be thread-safe.
ECP make_curve() {
  const P256& c = p256();
  return ECP(c.p, c.a, c.b);
}

Integer int_from(ByteView bytes) {
  return Integer(bytes.data(), bytes.size(), Integer::UNSIGNED, CryptoPP::BIG_ENDIAN_ORDER);
}

// int_to_string: big-endian, exactly out.size() bytes (the value must fit).
void int_to(const Integer& v, std::span<uint8_t> out) {
  assert(v.MinEncodedSize() <= out.size());
  v.Encode(out.data(), out.size(), Integer::UNSIGNED);
}

// point_to_string of a point other than the identity: SEC1 compressed.
PointString encode_point(const Point& pt) {
  assert(!pt.identity);
  PointString out;
  out[0] = pt.y.GetBit(0) ? 0x03 : 0x02;
  int_to(pt.x, std::span<uint8_t>(out).subspan(1));
  return out;
}

// string_to_point: SEC1 compressed, x below the field prime, on the curve. Crypto++'s
// own DecodePoint does not refuse x >= p, so this decodes by hand.
std::optional<Point> decode_point(const ECP& curve, ByteView s) {
  if (s.size() != kPtLen || (s[0] != 0x02 && s[0] != 0x03)) return std::nullopt;
  const P256& c = p256();
  Integer x = int_from(s.subspan(1));
  if (x >= c.p) return std::nullopt;
  Integer y2 = (x * x * x + c.a * x + c.b) % c.p;
  // y2 = 0 would be a point of order 2, which a curve of prime order has not.
  if (CryptoPP::Jacobi(y2, c.p) != 1) return std::nullopt;
  Integer y = CryptoPP::ModularSquareRoot(y2, c.p);
  if (y.GetBit(0) != (s[0] == 0x03)) y = c.p - y;
  Point pt(x, y);
  if (!curve.VerifyPoint(pt)) return std::nullopt;
  return pt;
}

// Appends point_to_string(P); the identity is SEC1's single zero byte. Only a forged
// proof can make U or V the identity in verification.
void append_point(Bytes& out, const Point& pt) {
  if (pt.identity) {
    out.push_back(0x00);
    return;
  }
  PointString s = encode_point(pt);
  out.insert(out.end(), s.begin(), s.end());
}

struct Encoded {
  Point h;
  PointString h_string;
};

// RFC 9381 5.4.1.1, encode_to_curve_salt = PK_string.
Result<Encoded> encode_to_curve_tai(const ECP& curve, ByteView pk_string, ByteView alpha) {
  for (unsigned ctr = 0; ctr <= 0xff; ++ctr) {
    const uint8_t front[2] = {kSuite, kEncodeToCurveFront};
    const uint8_t back[2] = {static_cast<uint8_t>(ctr), kBack};  // ctr_string, 0x00
    Sha256 hash;
    hash.update(front).update(pk_string).update(alpha).update(back);
    Hash256 hash_string = hash.finish();
    // arbitrary_string_to_point(h) = string_to_point(0x02 || h).
    PointString candidate;
    candidate[0] = 0x02;
    std::copy(hash_string.begin(), hash_string.end(), candidate.begin() + 1);
    if (auto h = decode_point(curve, candidate)) return Encoded{*h, candidate};
  }
  // Each try succeeds with probability about 1/2: 256 failures do not happen.
  return make_error("encode_to_curve found no point in 256 tries");
}

// RFC 9381 5.4.3: the first cLen bytes of Hash(suite || 0x02 || P1..P5 || 0x00).
Integer challenge(const Point& y, const Point& h, const Point& gamma, const Point& u,
                  const Point& v) {
  Bytes str = {kSuite, kChallengeFront};
  for (const Point* pt : {&y, &h, &gamma, &u, &v}) append_point(str, *pt);
  str.push_back(kBack);
  Hash256 c_string = sha256(str);
  return int_from(ByteView(c_string).first(kCLen));
}

// RFC 9381 5.2 with cofactor 1: Hash(suite || 0x03 || point_to_string(Gamma) || 0x00).
Hash256 gamma_to_hash(const Point& gamma) {
  Bytes str = {kSuite, kProofToHashFront};
  append_point(str, gamma);
  str.push_back(kBack);
  return sha256(str);
}

Hash256 hmac_sha256(const Hash256& key, std::initializer_list<ByteView> parts) {
  CryptoPP::HMAC<CryptoPP::SHA256> mac(key.data(), key.size());
  for (ByteView part : parts) mac.Update(part.data(), part.size());
  Hash256 out;
  mac.Final(out.data());
  return out;
}

// RFC 6979 3.2 with HMAC-SHA256, m = h_string (RFC 9381 5.4.2.1). qlen = hlen = 256, so
// bits2int is a plain big-endian read and bits2octets one conditional subtraction.
Integer nonce_rfc6979(const Integer& x, ByteView h_string) {
  const Integer& n = p256().n;
  Hash256 h1 = sha256(h_string);
  Integer z = int_from(h1);
  if (z >= n) z -= n;
  std::array<uint8_t, kQLen> x_octets, h_octets;
  int_to(x, x_octets);
  int_to(z, h_octets);
  Hash256 v, k;
  v.fill(0x01);
  k.fill(0x00);
  const uint8_t zero[1] = {0x00}, one[1] = {0x01};
  k = hmac_sha256(k, {v, zero, x_octets, h_octets});
  v = hmac_sha256(k, {v});
  k = hmac_sha256(k, {v, one, x_octets, h_octets});
  v = hmac_sha256(k, {v});
  Integer nonce;
  for (;;) {
    v = hmac_sha256(k, {v});  // tlen = hlen = qlen: one block is T
    nonce = int_from(v);
    if (nonce.NotZero() && nonce < n) break;
    k = hmac_sha256(k, {v, zero});
    v = hmac_sha256(k, {v});
  }
  CryptoPP::SecureWipeArray(x_octets.data(), x_octets.size());
  CryptoPP::SecureWipeArray(k.data(), k.size());
  CryptoPP::SecureWipeArray(v.data(), v.size());
  return nonce;
}

Result<Integer> secret_scalar(const VrfSecretKey& secret) {
  Integer x = int_from(secret);
  if (x.IsZero() || x >= p256().n)
    return make_error("VRF secret key is zero or not below the P-256 group order");
  return x;
}

struct DecodedProof {
  Point gamma;
  Integer c, s;
};

// RFC 9381 5.4.4.
Result<DecodedProof> decode_proof(const ECP& curve, const VrfProof& proof) {
  ByteView pi(proof);
  auto gamma = decode_point(curve, pi.first(kPtLen));
  if (!gamma) return make_error("VRF proof's Gamma is not a compressed P-256 point");
  Integer c = int_from(pi.subspan(kPtLen, kCLen));
  Integer s = int_from(pi.subspan(kPtLen + kCLen, kQLen));
  if (s >= p256().n) return make_error("VRF proof's s is not below the P-256 group order");
  return DecodedProof{*gamma, c, s};
}

}  // namespace

VrfSecretKey vrf_secret_from_seed(const std::array<uint8_t, 32>& seed) {
  for (uint8_t i = 0;; ++i) {
    Bytes msg(seed.begin(), seed.end());
    msg.push_back(i);
    const VrfSecretKey x = tagged_hash("veritrain/vrf-key", msg);
    if (vrf_public_key(x).ok()) return x;
  }
}

Result<VrfPublicKey> vrf_public_key(const VrfSecretKey& secret) {
  auto x = secret_scalar(secret);
  if (!x) return x.take_error();
  ECP curve = make_curve();
  return encode_point(curve.ScalarMultiply(p256().g, *x));
}

Result<VrfProof> vrf_prove(const VrfSecretKey& secret, ByteView alpha) {
  auto x = secret_scalar(secret);
  if (!x) return x.take_error();
  const P256& c256 = p256();
  ECP curve = make_curve();
  Point y = curve.ScalarMultiply(c256.g, *x);
  PointString pk = encode_point(y);
  auto encoded = encode_to_curve_tai(curve, pk, alpha);
  if (!encoded) return encoded.take_error();
  const Point& h = encoded->h;
  Point gamma = curve.ScalarMultiply(h, *x);
  Integer k = nonce_rfc6979(*x, encoded->h_string);
  Point u = curve.ScalarMultiply(c256.g, k);
  Point v = curve.ScalarMultiply(h, k);
  Integer c = challenge(y, h, gamma, u, v);
  Integer s = (k + c * *x) % c256.n;
  VrfProof pi;
  PointString gamma_string = encode_point(gamma);
  std::copy(gamma_string.begin(), gamma_string.end(), pi.begin());
  int_to(c, std::span<uint8_t>(pi).subspan(kPtLen, kCLen));
  int_to(s, std::span<uint8_t>(pi).subspan(kPtLen + kCLen, kQLen));
  return pi;
}

bool vrf_key_valid(const VrfPublicKey& pk) {
  ECP curve = make_curve();
  auto y = decode_point(curve, pk);
  return y && !y->identity;
}

Result<Hash256> vrf_verify(const VrfPublicKey& pk, const VrfProof& proof, ByteView alpha) {
  const P256& c256 = p256();
  ECP curve = make_curve();
  // validate_key (5.4.5): decodes, lies on the curve, is not the identity (the only
  // point of small order, the cofactor being 1).
  auto y = decode_point(curve, pk);
  if (!y || y->identity) return make_error("VRF public key is not a compressed P-256 point");
  auto decoded = decode_proof(curve, proof);
  if (!decoded) return decoded.take_error();
  auto encoded = encode_to_curve_tai(curve, pk, alpha);
  if (!encoded) return encoded.take_error();
  const Point& h = encoded->h;
  // U = s*B - c*Y, V = s*H - c*Gamma; c < 2^128 < n, so n - c is -c mod n. (Crypto++'s
  // CascadeScalarMultiply works in affine coordinates: two ScalarMultiply are faster.)
  Integer minus_c = (c256.n - decoded->c) % c256.n;
  Point u = curve.Add(curve.ScalarMultiply(c256.g, decoded->s), curve.ScalarMultiply(*y, minus_c));
  Point v =
      curve.Add(curve.ScalarMultiply(h, decoded->s), curve.ScalarMultiply(decoded->gamma, minus_c));
  if (challenge(*y, h, decoded->gamma, u, v) != decoded->c)
    return make_error("VRF proof does not verify for this public key and input");
  return gamma_to_hash(decoded->gamma);
}

Result<Hash256> vrf_proof_to_hash(const VrfProof& proof) {
  ECP curve = make_curve();
  auto decoded = decode_proof(curve, proof);
  if (!decoded) return decoded.take_error();
  return gamma_to_hash(decoded->gamma);
}

namespace vrf_internal {

Result<std::array<uint8_t, 33>> encode_to_curve(const VrfPublicKey& pk, ByteView alpha) {
  auto encoded = encode_to_curve_tai(make_curve(), pk, alpha);
  if (!encoded) return encoded.take_error();
  return encoded->h_string;
}

Result<std::array<uint8_t, 32>> nonce(const VrfSecretKey& secret, ByteView h_string) {
  auto x = secret_scalar(secret);
  if (!x) return x.take_error();
  std::array<uint8_t, 32> out;
  int_to(nonce_rfc6979(*x, h_string), out);
  return out;
}

}  // namespace vrf_internal

}  // namespace vt
