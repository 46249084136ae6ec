// Account keys (BIP-340 Schnorr over secp256k1, libsecp256k1) and validator keys
// (Ed25519, libsodium). Secret keys are wiped on destruction. All functions are
// thread-safe (one read-only library context, created on first use).
#pragma once

#include <array>
#include <optional>
#include <span>

#include "core/bytes.h"
#include "core/result.h"

namespace vt {

using SchnorrPubkey = std::array<uint8_t, 32>;  // BIP-340 x-only public key
using SchnorrSig = std::array<uint8_t, 64>;

class SchnorrKey {
 public:
  // A key from 32 secret bytes; fails if they are zero or not below the curve order.
  static Result<SchnorrKey> from_secret(const std::array<uint8_t, 32>& secret);
  static SchnorrKey generate();  // from the OS random source (libsodium)
  ~SchnorrKey();
  SchnorrKey(const SchnorrKey&) = default;
  SchnorrKey& operator=(const SchnorrKey&) = default;

  const SchnorrPubkey& pubkey() const { return pubkey_; }
  const std::array<uint8_t, 32>& secret() const { return secret_; }
  // BIP-340 signature of a 32-byte message with the given auxiliary randomness.
  SchnorrSig sign(const Hash256& msg, const std::array<uint8_t, 32>& aux) const;
  // Same, with fresh auxiliary randomness.
  SchnorrSig sign(const Hash256& msg) const;

 private:
  SchnorrKey() = default;
  std::array<uint8_t, 32> secret_{};
  SchnorrPubkey pubkey_{};
};

// BIP-340 verification; false for an invalid key or signature.
bool schnorr_verify(const SchnorrPubkey& pubkey, ByteView msg, const SchnorrSig& sig);

// An x-only key already decoded onto the curve. Decoding takes a square root,
// about a tenth of a verification, so a verifier that sees many signatures of
// one key decodes it once.
struct ParsedSchnorrPubkey {
  SchnorrPubkey bytes{};             // as signed
  std::array<uint8_t, 64> opaque{};  // the system libsecp256k1's decoded key
  std::array<uint8_t, 64> point{};   // the batch verifier's (core/schnorr_batch.h)
};
// Fails for 32 bytes that are no x coordinate of a curve point.
std::optional<ParsedSchnorrPubkey> parse_schnorr_pubkey(const SchnorrPubkey& pubkey);
// The same answer as schnorr_verify for the key that was parsed.
bool schnorr_verify(const ParsedSchnorrPubkey& pubkey, ByteView msg, const SchnorrSig& sig);

// One signature of a batch; the pointers must outlive the call.
struct SchnorrBatchItem {
  const ParsedSchnorrPubkey* pubkey;
  const Hash256* msg;
  const SchnorrSig* sig;
};
// BIP-340 batch verification: true if every signature is valid, so that
// schnorr_verify would say true for each; false if any one is not, without
// saying which (check them one by one for that). A false "true" has probability
// about 2^-128 whoever picks the signatures. For 100 signatures it costs about
// two thirds of 100 single checks (docs/performance.md).
bool schnorr_verify_batch(std::span<const SchnorrBatchItem> items);

using Ed25519Pubkey = std::array<uint8_t, 32>;
using Ed25519Sig = std::array<uint8_t, 64>;

class Ed25519Key {
 public:
  static Ed25519Key from_seed(const std::array<uint8_t, 32>& seed);
  static Ed25519Key generate();
  ~Ed25519Key();
  Ed25519Key(const Ed25519Key&) = default;
  Ed25519Key& operator=(const Ed25519Key&) = default;

  const Ed25519Pubkey& pubkey() const { return pubkey_; }
  const std::array<uint8_t, 32>& seed() const { return seed_; }
  Ed25519Sig sign(ByteView msg) const;

 private:
  Ed25519Key() = default;
  std::array<uint8_t, 32> seed_{};
  std::array<uint8_t, 64> secret_{};  // libsodium's expanded form: seed || pubkey
  Ed25519Pubkey pubkey_{};
};

bool ed25519_verify(const Ed25519Pubkey& pubkey, ByteView msg, const Ed25519Sig& sig);

// Fills the buffer from the OS random source.
void random_bytes(std::span<uint8_t> out);

}  // namespace vt
