#include "node/p2p/secret_channel.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "core/encoding.h"
#include "core/sha256.h"

namespace vt::node::p2p {

namespace {

constexpr std::string_view kKeysDomain = "veritrain/p2p/keys/v1";
constexpr std::string_view kChallengeDomain = "veritrain/p2p/challenge/v1";
constexpr std::string_view kAuthDomain = "veritrain/p2p/auth/v1";

// BLAKE2b keyed with the X25519 secret over domain | lo | hi.
template <size_t N>
std::array<uint8_t, N> derive(std::string_view domain, const std::array<uint8_t, 32>& dh,
                              const std::array<uint8_t, 32>& lo,
                              const std::array<uint8_t, 32>& hi) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, dh.data(), dh.size(), N);
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(domain.data()), domain.size());
  crypto_generichash_update(&st, lo.data(), lo.size());
  crypto_generichash_update(&st, hi.data(), hi.size());
  std::array<uint8_t, N> out{};
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

std::array<uint8_t, crypto_aead_chacha20poly1305_IETF_NPUBBYTES> nonce_of(uint64_t counter) {
  std::array<uint8_t, crypto_aead_chacha20poly1305_IETF_NPUBBYTES> n{};
  for (int i = 0; i < 8; ++i) n[4 + i] = static_cast<uint8_t>(counter >> (56 - 8 * i));
  return n;
}

std::array<uint8_t, kLengthBytes> length_prefix(uint32_t length) {
  return {static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
          static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)};
}

}  // namespace

Bytes auth_signing_bytes(const std::array<uint8_t, 32>& challenge) {
  Bytes m(kAuthDomain.size() + challenge.size());
  std::memcpy(m.data(), kAuthDomain.data(), kAuthDomain.size());
  std::memcpy(m.data() + kAuthDomain.size(), challenge.data(), challenge.size());
  return m;
}

std::string node_id(const Ed25519Pubkey& key) {
  const Hash256 h = sha256(ByteView(key.data(), key.size()));
  return to_hex(ByteView(h.data(), 20));
}

Status SecretChannel::check_frame_length(uint32_t length) {
  if (length < kTagBytes || length - kTagBytes > kMaxFramePlaintext)
    return make_error("frame length " + std::to_string(length) + " is outside " +
                      std::to_string(kTagBytes) + ".." +
                      std::to_string(kMaxFramePlaintext + kTagBytes));
  return Status::success();
}

Result<Bytes> SecretChannel::seal(ByteView plaintext) {
  if (plaintext.size() > kMaxFramePlaintext)
    return make_error("message of " + std::to_string(plaintext.size()) +
                      " bytes is above the frame limit " + std::to_string(kMaxFramePlaintext));
  if (send_counter_ == UINT64_MAX) return make_error("frame counter exhausted; reconnect");
  const uint32_t length = static_cast<uint32_t>(plaintext.size()) + kTagBytes;
  const auto prefix = length_prefix(length);
  Bytes frame(kLengthBytes + length);
  std::memcpy(frame.data(), prefix.data(), kLengthBytes);
  const auto nonce = nonce_of(send_counter_);
  unsigned long long written = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(frame.data() + kLengthBytes, &written, plaintext.data(),
                                            plaintext.size(), prefix.data(), prefix.size(), nullptr,
                                            nonce.data(), send_key_.data());
  ++send_counter_;
  return frame;
}

Result<Bytes> SecretChannel::open(uint32_t length, ByteView ciphertext) {
  if (auto s = check_frame_length(length); !s) return s.take_error();
  if (ciphertext.size() != length)
    return make_error("frame body is " + std::to_string(ciphertext.size()) +
                      " bytes, its prefix says " + std::to_string(length));
  if (recv_counter_ == UINT64_MAX) return make_error("frame counter exhausted; reconnect");
  const auto prefix = length_prefix(length);
  const auto nonce = nonce_of(recv_counter_);
  Bytes plain(length - kTagBytes);
  unsigned long long written = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(plain.data(), &written, nullptr, ciphertext.data(),
                                                ciphertext.size(), prefix.data(), prefix.size(),
                                                nonce.data(), recv_key_.data()) != 0)
    return make_error("frame " + std::to_string(recv_counter_) +
                      " does not authenticate (altered, replayed or out of order)");
  ++recv_counter_;
  return plain;
}

Handshake::Handshake(const Ed25519Key& identity, std::optional<std::string> expected_peer)
    : identity_(identity), expected_peer_(std::move(expected_peer)) {
  random_bytes(ephemeral_secret_);  // also initialises libsodium
  crypto_scalarmult_base(ephemeral_public_.data(), ephemeral_secret_.data());
}

Handshake::~Handshake() {
  sodium_memzero(ephemeral_secret_.data(), ephemeral_secret_.size());
}

Status Handshake::on_hello(ByteView peer_hello) {
  if (keys_ready_) return make_error("handshake: a second hello");
  if (peer_hello.size() != kHelloBytes)
    return make_error("handshake: hello is " + std::to_string(peer_hello.size()) + " bytes, not " +
                      std::to_string(kHelloBytes));
  std::array<uint8_t, 32> peer{};
  std::memcpy(peer.data(), peer_hello.data(), peer.size());
  if (peer == ephemeral_public_)
    return make_error("handshake: the peer sent our own key back (a reflection)");
  std::array<uint8_t, 32> dh{};
  if (crypto_scalarmult(dh.data(), ephemeral_secret_.data(), peer.data()) != 0)
    return make_error("handshake: the peer's key is of low order (no shared secret)");
  const bool we_are_lo = std::lexicographical_compare(
      ephemeral_public_.begin(), ephemeral_public_.end(), peer.begin(), peer.end());
  const auto& lo = we_are_lo ? ephemeral_public_ : peer;
  const auto& hi = we_are_lo ? peer : ephemeral_public_;
  const auto keys = derive<64>(kKeysDomain, dh, lo, hi);
  std::memcpy((we_are_lo ? channel_.send_key_ : channel_.recv_key_).data(), keys.data(), 32);
  std::memcpy((we_are_lo ? channel_.recv_key_ : channel_.send_key_).data(), keys.data() + 32, 32);
  challenge_ = derive<32>(kChallengeDomain, dh, lo, hi);
  sodium_memzero(dh.data(), dh.size());
  keys_ready_ = true;
  return Status::success();
}

Result<Bytes> Handshake::auth_frame() {
  if (!keys_ready_) return make_error("handshake: auth before hello");
  Bytes auth(32 + 64);
  const Ed25519Sig sig = identity_.sign(auth_signing_bytes(challenge_));
  std::memcpy(auth.data(), identity_.pubkey().data(), 32);
  std::memcpy(auth.data() + 32, sig.data(), 64);
  return channel_.seal(auth);
}

Result<PeerIdentity> Handshake::on_auth(uint32_t length, ByteView ciphertext) {
  if (!keys_ready_) return make_error("handshake: auth before hello");
  auto plain = channel_.open(length, ciphertext);
  if (!plain) return make_error("handshake: " + plain.error());
  if (plain->size() != 32 + 64)
    return make_error("handshake: auth message is " + std::to_string(plain->size()) +
                      " bytes, not 96");
  PeerIdentity peer;
  std::memcpy(peer.key.data(), plain->data(), 32);
  Ed25519Sig sig{};
  std::memcpy(sig.data(), plain->data() + 32, 64);
  if (!ed25519_verify(peer.key, auth_signing_bytes(challenge_), sig))
    return make_error("handshake: the peer cannot prove the key it claims (" + node_id(peer.key) +
                      ")");
  peer.id = node_id(peer.key);
  if (peer.key == identity_.pubkey()) return make_error("handshake: connected to ourselves");
  if (expected_peer_ && *expected_peer_ != peer.id)
    return make_error("handshake: expected node " + *expected_peer_ + ", the peer is " + peer.id);
  return peer;
}

}  // namespace vt::node::p2p
