// ECVRF-P256-SHA256-TAI, the verifiable random function of RFC 9381 (suite_string 0x01),
// on Crypto++'s elliptic-curve arithmetic over NIST P-256. The holder of a secret scalar
// x proves beta = VRF_x(alpha); anyone with the public key checks the proof and gets the
// same beta. Byte for byte as the RFC: SEC1 compressed points, big-endian fixed-length
// integers, the RFC 6979 nonce (HMAC-SHA256), encode_to_curve by try-and-increment.
// Pure functions of their inputs (no clock, randomness or locale), thread-safe. Scalar
// multiplication is not constant-time: proving leaks timing about the secret key.
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"

namespace vt {

using VrfSecretKey = std::array<uint8_t, 32>;  // the scalar x, big-endian, 1 <= x < n
using VrfPublicKey = std::array<uint8_t, 33>;  // Y = x*B, SEC1 compressed
using VrfProof = std::array<uint8_t, 81>;      // pi = Gamma (33) | c (16) | s (32)

// A validator's VRF secret, derived from its Ed25519 seed so that one key file
// holds both: x = tagged_hash("veritrain/vrf-key", seed | u8 i) for the first i
// that gives 1 <= x < n (i = 0 but for a chance of about 2^-32).
VrfSecretKey vrf_secret_from_seed(const std::array<uint8_t, 32>& seed);

// Y = x*B; fails if x is zero or not below the group order n.
Result<VrfPublicKey> vrf_public_key(const VrfSecretKey& secret);

// The proof pi for alpha (RFC 9381 5.1); fails only for a secret vrf_public_key refuses.
Result<VrfProof> vrf_prove(const VrfSecretKey& secret, ByteView alpha);

// RFC 9381 validate_key: pk decodes to a point of the curve other than the identity.
bool vrf_key_valid(const VrfPublicKey& pk);
// Checks pi for alpha under pk (RFC 9381 5.3, with validate_key of 5.4.5) and returns
// beta, or why the key or proof is refused.
Result<Hash256> vrf_verify(const VrfPublicKey& pk, const VrfProof& proof, ByteView alpha);

// beta of a proof (RFC 9381 5.2) without checking it against a key or alpha: only for
// proofs already verified. Fails if Gamma does not decode or s is not below n.
Result<Hash256> vrf_proof_to_hash(const VrfProof& proof);

// The RFC's intermediate values, exposed so tests can compare them with Appendix B.1.
namespace vrf_internal {

// H = encode_to_curve(pk, alpha) by try-and-increment (5.4.1.1), SEC1 compressed.
Result<std::array<uint8_t, 33>> encode_to_curve(const VrfPublicKey& pk, ByteView alpha);
// k = nonce_generation(x, point_to_string(H)) per RFC 6979 3.2 (5.4.2.1), big-endian.
Result<std::array<uint8_t, 32>> nonce(const VrfSecretKey& secret, ByteView h_string);

}  // namespace vrf_internal

}  // namespace vt
