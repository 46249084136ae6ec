// The encrypted, authenticated channel between two nodes, as pure functions of
// bytes (no sockets; node/p2p/secret_stream.h runs it over TCP). Modelled on
// CometBFT's SecretConnection (station-to-station):
//   1. each side sends a fresh X25519 public key (32 bytes, in the clear);
//   2. both derive, from the X25519 secret and the two keys in sorted order, one
//      ChaCha20-Poly1305 (IETF) key per direction and a challenge;
//   3. each side sends, sealed, its Ed25519 node key and its signature over the
//      challenge; a peer that cannot prove the key it claims is refused.
// A relay that swaps the ephemeral keys gets different challenges on its two
// legs, so it cannot pass one side's signature to the other. Each direction
// numbers its frames (the AEAD nonce), so a replayed, dropped, reordered or
// altered frame fails to open. A node's id is the first 20 bytes of the
// SHA-256 of its Ed25519 key, in hex. One object per connection, one thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/keys.h"
#include "core/result.h"

namespace vt::node::p2p {

// Hex of sha256(node key)[0..20): how peers and config name a node.
std::string node_id(const Ed25519Pubkey& key);

// Largest plaintext in one frame; messages above it are refused by the sender
// and a length prefix above it by the receiver, before anything is allocated.
inline constexpr uint32_t kMaxFramePlaintext = 8u << 20;
inline constexpr uint32_t kTagBytes = 16;    // Poly1305
inline constexpr uint32_t kLengthBytes = 4;  // u32 big-endian ciphertext length
inline constexpr uint32_t kHelloBytes = 32;  // the ephemeral X25519 public key

// The keys of an established channel: sealing one way, opening the other.
class SecretChannel {
 public:
  // A whole frame: u32 length | ciphertext (plaintext + tag). The length is
  // authenticated as associated data.
  Result<Bytes> seal(ByteView plaintext);
  // The body of a frame whose length prefix was `length` (check it with
  // check_frame_length first).
  Result<Bytes> open(uint32_t length, ByteView ciphertext);
  static Status check_frame_length(uint32_t length);

 private:
  friend class Handshake;
  std::array<uint8_t, 32> send_key_{}, recv_key_{};
  uint64_t send_counter_ = 0, recv_counter_ = 0;
};

struct PeerIdentity {
  Ed25519Pubkey key{};
  std::string id;  // node_id(key)
};

// What a node signs to prove its key: "veritrain/p2p/auth/v1" | challenge.
Bytes auth_signing_bytes(const std::array<uint8_t, 32>& challenge);

// One side's handshake. Usage: send hello(); on the peer's hello call
// on_hello(), then send auth_frame() (the node key and its signature over the
// challenge, sealed); on the peer's auth frame call on_auth(), which checks it
// and yields the peer; then take channel().
class Handshake {
 public:
  // `expected_peer`: a persistent peer's node id; anyone else is refused.
  explicit Handshake(const Ed25519Key& identity, std::optional<std::string> expected_peer = {});
  ~Handshake();
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  const std::array<uint8_t, kHelloBytes>& hello() const { return ephemeral_public_; }
  // Refuses a low-order key (an all-zero shared secret) or our own key reflected.
  [[nodiscard]] Status on_hello(ByteView peer_hello);
  // The sealed auth frame (after on_hello).
  Result<Bytes> auth_frame();
  // Both sides derive the same challenge; only they can (after on_hello).
  const std::array<uint8_t, 32>& challenge() const { return challenge_; }
  // The peer's sealed auth frame body (after its length prefix).
  Result<PeerIdentity> on_auth(uint32_t length, ByteView ciphertext);
  // The channel, once on_auth succeeded.
  SecretChannel& channel() { return channel_; }

 private:
  const Ed25519Key& identity_;
  std::optional<std::string> expected_peer_;
  std::array<uint8_t, 32> ephemeral_secret_{};
  std::array<uint8_t, kHelloBytes> ephemeral_public_{};
  std::array<uint8_t, 32> challenge_{};
  bool keys_ready_ = false;
  SecretChannel channel_;
};

}  // namespace vt::node::p2p
