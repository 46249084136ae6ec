// The validator node: owns the chain store, the in-memory ledger state, the
// mempool and the consensus engine, and drives them from one Asio thread
// (timers, RPC handlers and block production all run on `io`, so nothing here
// needs a lock). Created by `veritraind start`; tests create it the same way.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include "consensus/engine.h"
#include "ledger/block.h"
#include "ledger/block_execution.h"
#include "ledger/executor.h"
#include "ledger/genesis.h"
#include "ledger/state.h"
#include "node/blob_store.h"
#include "node/chain_store.h"
#include "node/datasets.h"
#include "node/kv_store.h"
#include "node/mempool.h"
#include "node/signing_state_file.h"

namespace vt::node::p2p {
class BlockServer;
}  // namespace vt::node::p2p

namespace vt::rpc {
class HttpServer;
class MethodTable;
}  // namespace vt::rpc

namespace vt::node {

struct NodeConfig {
  std::string data_dir;  // RocksDB lives here
  // What this validator signed last (node/signing_state_file.h); empty:
  // data_dir/signing_state.json. `veritraind init` puts it in the home.
  std::string signing_state_file;
  std::string rpc_host = "127.0.0.1";
  uint16_t rpc_port = 26657;
  // Peers fetch blocks here over the encrypted channel (node/p2p); 0: no listener.
  std::string p2p_host = "127.0.0.1";
  uint16_t p2p_port = 0;
  uint64_t block_interval_ms = 1000;
  size_t mempool_max_txs = 20000;
  size_t mempool_max_bytes = 64u << 20;
  size_t rpc_body_limit = 16u << 20;  // a checkpoint_post transaction is hex in the body
  std::string fashion_mnist_dir = kernels::kDefaultFashionMnistDir;  // for the referee step
  BlobLimits blob_limits;
  bool blob_uploads = true;  // accept blob uploads over RPC (providers publishing checkpoints)
};

struct NodeMetrics {
  uint64_t blocks_committed = 0;
  uint64_t txs_committed = 0;
  uint64_t txs_rejected = 0;
  uint64_t last_commit_us = 0;          // time to execute + persist the last block
  uint64_t last_block_interval_ms = 0;  // block time of the last block minus its parent's
};

class Node {
 public:
  // Opens (or creates from genesis) the chain in config.data_dir. validator_key:
  // this node's consensus key; it must be in the genesis validator set.
  static Result<std::unique_ptr<Node>> open(boost::asio::io_context& io, NodeConfig config,
                                            ledger::Genesis genesis, Ed25519Key validator_key);
  // Same, over a given store (tests inject faults through it); config.data_dir is unused.
  static Result<std::unique_ptr<Node>> open_with_store(boost::asio::io_context& io,
                                                       NodeConfig config, ledger::Genesis genesis,
                                                       Ed25519Key validator_key,
                                                       std::unique_ptr<KvStore> kv);
  ~Node();

  // Starts the RPC server and block production (returns at once; io.run() drives them).
  [[nodiscard]] Status start();
  // Stops producing blocks and closes the RPC server; io.run() then returns.
  void stop();
  uint16_t rpc_port() const;
  uint16_t p2p_port() const;  // 0 when not listening

  // ---- read side, used by the RPC methods (on the io thread) ----
  const ChainHead& head() const { return head_; }
  const ledger::StateStore& state() const { return state_; }
  const ledger::Params& params() const { return params_; }
  const ChainStore& chain() const { return chain_; }
  const ledger::Genesis& genesis() const { return genesis_; }
  const Mempool& mempool() const { return mempool_; }
  const NodeMetrics& metrics() const { return metrics_; }
  const consensus::Engine& engine() const { return engine_; }
  const consensus::ValidatorSet& validators() const { return validators_; }
  // What this validator signed last (its signing-state file).
  const consensus::SignedState& last_signed() const { return persisted_signed_; }
  BlobStore& blobs() { return blobs_; }
  const NodeConfig& config() const { return config_; }
  // Admits a raw signed transaction into the mempool, or says why not.
  [[nodiscard]] Result<Hash256> submit_transaction(ByteView raw);

 private:
  Node(boost::asio::io_context& io, NodeConfig config, ledger::Genesis genesis, Ed25519Key key,
       std::unique_ptr<KvStore> kv, consensus::ValidatorSet validators,
       SigningStateFile signing_file, consensus::SignedState last_signed);
  [[nodiscard]] Status load();
  void handle(consensus::Actions actions);
  void build_block(uint64_t height, uint32_t round, consensus::Actions& out);
  // The head as the parent of the next block.
  ledger::ParentBlock parent_of_next() const;
  void commit(const consensus::Commit& c);
  void publish_events(const ledger::Block& block, const ledger::BlockResult& result);
  void sign_vote(const consensus::Vote& v);
  void sign_proposal(const consensus::Proposal& p);
  [[nodiscard]] Status persist_signed(const consensus::SignedState& s);
  void schedule(const consensus::Timeout& t, uint64_t delay_ms);
  void start_next_height(uint64_t delay_ms);
  void revert_speculation();
  void fatal(const std::string& why);

  boost::asio::io_context& io_;
  NodeConfig config_;
  ledger::Genesis genesis_;
  Ed25519Key key_;
  VrfSecretKey vrf_secret_{};  // vrf_secret_from_seed(key_.seed())
  std::unique_ptr<KvStore> kv_;
  ChainStore chain_;
  void keep_published_checkpoints(const ledger::Block& block, const ledger::BlockResult& result);
  BlobStore blobs_;
  DatasetDirectory datasets_;
  ledger::StateStore state_;
  ledger::Params params_;
  ChainHead head_;
  Mempool mempool_;
  consensus::ValidatorSet validators_;
  consensus::Engine engine_;
  NodeMetrics metrics_;
  bool running_ = false;
  // What the signing-state file says we signed last; every signature is
  // checked against it and recorded in it first.
  SigningStateFile signing_file_;
  consensus::SignedState persisted_signed_;

  // Blocks built or received at the current height, by id, with their execution.
  struct Candidate {
    ledger::Block block;
    ledger::BlockResult result;
  };
  std::map<consensus::BlockId, Candidate> candidates_;
  // The candidate whose changes are applied to state_ (to compute its state root),
  // with the changes that undo them.
  struct Speculation {
    consensus::BlockId block{};
    ledger::ChangeSet undo;
  };
  std::optional<Speculation> speculation_;
  // Signatures of votes at the current height: (round, type, validator) -> sig.
  std::map<std::tuple<uint32_t, uint8_t, uint32_t>, Ed25519Sig> vote_sigs_;
  std::vector<std::shared_ptr<boost::asio::steady_timer>> timers_;

  std::unique_ptr<rpc::MethodTable> rpc_table_;
  std::unique_ptr<rpc::HttpServer> rpc_server_;
  std::unique_ptr<p2p::BlockServer> block_server_;
};

}  // namespace vt::node
