#include "core/keys.h"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/schnorr_batch.h"

namespace vt {
namespace {

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) std::abort();  // no secure randomness: nothing is safe to do
    return true;
  }();
  (void)ready;
}

const secp256k1_context* secp_context() {
  static secp256k1_context* ctx = [] {
    secp256k1_context* c =
        secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
    std::array<uint8_t, 32> seed;
    random_bytes(seed);
    // Blinding against side channels; the context is read-only afterwards.
    if (!secp256k1_context_randomize(c, seed.data())) std::abort();
    return c;
  }();
  return ctx;
}

void batch_tables_ready() {
  static const bool ready = [] {
    vt_secp_batch_init();
    return true;
  }();
  (void)ready;
}

}  // namespace

void random_bytes(std::span<uint8_t> out) {
  ensure_sodium();
  randombytes_buf(out.data(), out.size());
}

Result<SchnorrKey> SchnorrKey::from_secret(const std::array<uint8_t, 32>& secret) {
  secp256k1_keypair kp;
  if (!secp256k1_keypair_create(secp_context(), &kp, secret.data()))
    return make_error("secret key is zero or not below the secp256k1 group order");
  secp256k1_xonly_pubkey xonly;
  int parity = 0;
  if (!secp256k1_keypair_xonly_pub(secp_context(), &xonly, &parity, &kp)) std::abort();
  SchnorrKey key;
  key.secret_ = secret;
  secp256k1_xonly_pubkey_serialize(secp_context(), key.pubkey_.data(), &xonly);
  sodium_memzero(&kp, sizeof kp);
  return key;
}

SchnorrKey SchnorrKey::generate() {
  for (;;) {
    std::array<uint8_t, 32> secret;
    random_bytes(secret);
    auto key = from_secret(secret);
    sodium_memzero(secret.data(), secret.size());
    if (key) return std::move(key).value();
  }
}

SchnorrKey::~SchnorrKey() {
  sodium_memzero(secret_.data(), secret_.size());
}

SchnorrSig SchnorrKey::sign(const Hash256& msg, const std::array<uint8_t, 32>& aux) const {
  secp256k1_keypair kp;
  if (!secp256k1_keypair_create(secp_context(), &kp, secret_.data())) std::abort();
  SchnorrSig sig;
  if (!secp256k1_schnorrsig_sign32(secp_context(), sig.data(), msg.data(), &kp, aux.data()))
    std::abort();
  sodium_memzero(&kp, sizeof kp);
  return sig;
}

SchnorrSig SchnorrKey::sign(const Hash256& msg) const {
  std::array<uint8_t, 32> aux;
  random_bytes(aux);
  return sign(msg, aux);
}

bool schnorr_verify(const SchnorrPubkey& pubkey, ByteView msg, const SchnorrSig& sig) {
  auto parsed = parse_schnorr_pubkey(pubkey);
  return parsed && schnorr_verify(*parsed, msg, sig);
}

std::optional<ParsedSchnorrPubkey> parse_schnorr_pubkey(const SchnorrPubkey& pubkey) {
  secp256k1_xonly_pubkey xonly;
  if (!secp256k1_xonly_pubkey_parse(secp_context(), &xonly, pubkey.data())) return std::nullopt;
  static_assert(sizeof(xonly.data) == sizeof(ParsedSchnorrPubkey::opaque));
  ParsedSchnorrPubkey out;
  out.bytes = pubkey;
  std::memcpy(out.opaque.data(), xonly.data, sizeof(xonly.data));
  batch_tables_ready();
  // Both libraries accept exactly the x coordinates below p with a square root.
  if (!vt_secp_lift_xonly(pubkey.data(), out.point.data())) return std::nullopt;
  return out;
}

bool schnorr_verify(const ParsedSchnorrPubkey& pubkey, ByteView msg, const SchnorrSig& sig) {
  secp256k1_xonly_pubkey xonly;
  std::memcpy(xonly.data, pubkey.opaque.data(), sizeof(xonly.data));
  return secp256k1_schnorrsig_verify(secp_context(), sig.data(), msg.data(), msg.size(), &xonly) ==
         1;
}

bool schnorr_verify_batch(std::span<const SchnorrBatchItem> items) {
  batch_tables_ready();
  std::vector<vt_secp_batch_item> c(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    c[i].pk32 = items[i].pubkey->bytes.data();
    c[i].point64 = items[i].pubkey->point.data();
    c[i].msg32 = items[i].msg->data();
    c[i].sig64 = items[i].sig->data();
  }
  return vt_secp_schnorr_batch_verify(c.data(), c.size()) == 1;
}

Ed25519Key Ed25519Key::from_seed(const std::array<uint8_t, 32>& seed) {
  ensure_sodium();
  Ed25519Key key;
  key.seed_ = seed;
  crypto_sign_seed_keypair(key.pubkey_.data(), key.secret_.data(), seed.data());
  return key;
}

Ed25519Key Ed25519Key::generate() {
  std::array<uint8_t, 32> seed;
  random_bytes(seed);
  Ed25519Key key = from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Ed25519Key::~Ed25519Key() {
  sodium_memzero(seed_.data(), seed_.size());
  sodium_memzero(secret_.data(), secret_.size());
}

Ed25519Sig Ed25519Key::sign(ByteView msg) const {
  Ed25519Sig sig;
  crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), secret_.data());
  return sig;
}

bool ed25519_verify(const Ed25519Pubkey& pubkey, ByteView msg, const Ed25519Sig& sig) {
  ensure_sodium();
  return crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), pubkey.data()) == 0;
}

}  // namespace vt
