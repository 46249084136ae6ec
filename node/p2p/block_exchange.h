// Block sync over the peer channel. The serving side (BlockServer) answers
// block requests from its own thread with blocks and commit certificates read
// from the chain store (RocksDB allows reads beside the node's writes); the
// syncing side (sync_blocks) asks for each next height, checks the block with
// ledger::check_block and its certificate with verify_commit, exactly as
// `verify-chain` does, and only then commits it. A peer that sends anything
// else, or a block that does not check, ends the sync with the reason.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "consensus/validator_set.h"
#include "core/keys.h"
#include "core/result.h"
#include "ledger/executor.h"
#include "ledger/genesis.h"
#include "node/chain_audit.h"
#include "node/chain_store.h"
#include "node/p2p/secret_stream.h"

namespace vt::node::p2p {

// block_request payload: u64 height. block payload: u64 height | u8 found |
// [u32 length | block | u32 length | commit certificate].
Bytes encode_block_request(uint64_t height);
// found = block and cert both present.
Bytes encode_block_answer(uint64_t height, const std::optional<ledger::Block>& block,
                          const std::optional<Bytes>& cert);
Result<uint64_t> decode_block_request(ByteView payload);

struct BlockAnswer {
  uint64_t height = 0;
  std::optional<ledger::Block> block;  // absent: the peer holds no block at that height
  Bytes raw_cert;                      // as stored beside the block
  CommitCertificate cert;
};
// Decodes (does not check) an answer; sizes are bounded by the chain's params.
Result<BlockAnswer> decode_block_answer(ByteView payload, const ledger::Params& params,
                                        size_t max_validators);

class BlockServer {
 public:
  // Listens on host:port (0: any free port) and serves `chain` to peers that
  // complete the handshake, one connection at a time, until stop(). A peer
  // address that fails the handshake or sends a message this server does not
  // answer (or one above its limit) is refused for `ban_for`.
  static Result<std::unique_ptr<BlockServer>> start(
      const std::string& host, uint16_t port, const Ed25519Key& identity, const ChainStore& chain,
      MessageLimits limits, std::chrono::milliseconds ban_for = std::chrono::seconds(60));
  ~BlockServer();
  uint16_t port() const { return port_; }
  void stop();
  // Connections refused because their address was banned (for tests and metrics).
  uint64_t refused() const { return refused_; }

 private:
  BlockServer(const Ed25519Key& identity, const ChainStore& chain, MessageLimits limits,
              std::chrono::milliseconds ban_for)
      : identity_(identity), chain_(chain), limits_(limits), ban_for_(ban_for) {}
  void run();
  // False when the peer misbehaved (it is then banned); true when it left or idled.
  bool serve(boost::asio::ip::tcp::socket socket);
  Ed25519Key identity_;
  const ChainStore& chain_;
  MessageLimits limits_;
  std::chrono::milliseconds ban_for_;
  std::map<std::string, std::chrono::steady_clock::time_point> banned_;  // address -> until
  std::atomic<uint64_t> refused_{0};
  boost::asio::io_context io_;
  std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

struct SyncReport {
  uint64_t from_height = 0;  // the store's head before
  uint64_t height = 0;       // and after
  Hash256 state_root{};
};
// Pulls blocks from `peer` until it has no next one. `chain` must hold this
// genesis (ChainStore::init_genesis); its state is loaded and extended.
// Each block's commit is checked against the validator set of its height
// (validator_set_of the state before it).
Result<SyncReport> sync_blocks(SecretStream& peer, ChainStore& chain,
                               const ledger::Genesis& genesis,
                               const ledger::DatasetSource* datasets, const MessageLimits& limits);

}  // namespace vt::node::p2p
