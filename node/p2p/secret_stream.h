// A SecretChannel over a connected TCP socket, with blocking reads and writes
// bounded by a timeout (a peer that stalls mid-frame is dropped, not waited on
// forever), and typed messages with a size limit per type. Owns its socket;
// one thread at a time. The node's asynchronous peer manager is built on the
// same channel (issue "Validators agree"); block sync and tests use this.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/keys.h"
#include "core/result.h"
#include "node/p2p/secret_channel.h"

namespace vt::node::p2p {

// What peers send each other. Numbers are the wire's; a type not listed here,
// or a payload above its type's limit, makes the sender a misbehaving peer.
enum class MessageType : uint8_t {
  ping = 1,  // empty; answered by pong
  pong = 2,
  proposal = 3,       // a signed consensus proposal with its block (p2p/consensus_wire.h)
  vote = 4,           // a signed vote
  block = 5,          // a block with its commit certificate
  block_request = 6,  // u64 height
  tx = 7,             // a signed transaction (mempool gossip)
  evidence = 8,       // two conflicting signed votes
  txs = 9,            // signed transactions, batched: u32 count | count x (u32 len | tx)
  blob_request = 10,  // a chunk of a blob (p2p/blob_exchange.h)
  blob_chunk = 11,    // the chunk, or "not found"
  peers = 12,         // the sender's connected peers (p2p/tx_gossip.h)
};
const char* message_type_name(MessageType t);

// Per-type payload limits; the block and transaction limits follow the chain's
// params (a block, its commit and framing; one transaction).
// Most transactions one `txs` message carries.
inline constexpr uint32_t kMaxGossipBatch = 1024;
// Most node ids one `peers` message carries, and the bytes of one (a node_id's
// 40 hex digits, decoded).
inline constexpr uint32_t kMaxPeerList = 1024;
inline constexpr uint32_t kNodeIdBytes = 20;

struct MessageLimits {
  uint32_t max_block_bytes = 0;
  uint32_t max_tx_bytes = 0;
  uint32_t max_validators = 0;
  uint32_t limit_of(MessageType t) const;
};

struct Message {
  MessageType type = MessageType::ping;
  Bytes payload;
  bool operator==(const Message&) const = default;
};
// u8 type | payload.
Bytes encode(const Message& m);
Result<Message> decode_message(ByteView in, const MessageLimits& limits);

class SecretStream {
 public:
  // Runs the handshake on a connected socket (each side calls this). Fails,
  // closing the socket, when the peer does not prove its key, is not
  // `expected_peer` (when given), or takes longer than `timeout`.
  static Result<SecretStream> establish(boost::asio::ip::tcp::socket socket,
                                        const Ed25519Key& identity,
                                        std::optional<std::string> expected_peer,
                                        std::chrono::milliseconds timeout);
  SecretStream(SecretStream&&) = default;

  const PeerIdentity& peer() const { return peer_; }
  [[nodiscard]] Status send(const Message& m);
  // The next message, checked against `limits`, within the stream's timeout; an
  // error means the connection is unusable (closed, timed out, altered or
  // oversized frame, bad message).
  Result<Message> receive(const MessageLimits& limits);
  // Each whole message read or written from now on must finish within `t`.
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }
  // Ends the connection for both directions (a blocked send or receive returns
  // an error) without releasing the socket, which stays valid until destroyed.
  void shutdown();
  void close();

 private:
  SecretStream(boost::asio::ip::tcp::socket socket, SecretChannel channel, PeerIdentity peer,
               std::chrono::milliseconds timeout)
      : socket_(std::move(socket)), channel_(channel), peer_(std::move(peer)), timeout_(timeout) {}
  boost::asio::ip::tcp::socket socket_;
  SecretChannel channel_;
  PeerIdentity peer_;
  std::chrono::milliseconds timeout_;  // for each whole message read or written
};

}  // namespace vt::node::p2p
