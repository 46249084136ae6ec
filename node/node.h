// The validator node: owns the chain store, the in-memory ledger state, the
// mempool and the consensus engine, and drives them from one Asio thread
// (timers, RPC handlers and block production all run on `io`, so nothing here
// needs a lock). Created by `veritraind start`; tests create it the same way.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
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
#include "node/event_feeds.h"
#include "node/kv_store.h"
#include "node/mempool.h"
#include "node/node_metrics.h"
#include "node/p2p/blob_exchange.h"
#include "node/p2p/consensus_wire.h"
#include "node/p2p/peer_manager.h"
#include "node/signing_state_file.h"

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
  // Peers connect here over the encrypted channel (node/p2p). 0 with no
  // persistent peers: no peers at all (a lone devnet validator); 0 with peers:
  // dial them, listen on a free port.
  std::string p2p_host = "127.0.0.1";
  uint16_t p2p_port = 0;
  std::vector<p2p::PeerAddress> persistent_peers;
  size_t max_peers = 32;
  // Test only: with each prevote for a block also sign and send a prevote for
  // nil in the same round (double signing). Only the veritraind-equivocator
  // test build sets it; no config key reaches it.
  bool test_equivocate = false;
  uint64_t block_interval_ms = 1000;
  size_t mempool_max_txs = 20000;
  size_t mempool_max_bytes = 64u << 20;
  size_t rpc_body_limit = 16u << 20;  // a checkpoint_post transaction is hex in the body
  // Browser origins allowed to call the RPC (CORS; "*" for any). Empty: none.
  std::vector<std::string> rpc_cors_origins;
  size_t rpc_max_connections = 256;  // rpc::ServerOptions has the rules
  size_t rpc_max_connections_per_address = 32;
  size_t rpc_reserved_connections = 32;
  ChainIndexes indexes;  // [storage]: the explorer indexes this node keeps
  std::string fashion_mnist_dir = kernels::kDefaultFashionMnistDir;  // for the referee step
  BlobLimits blob_limits;
  bool blob_uploads = true;  // accept blob uploads over RPC (providers publishing checkpoints)
};

class Node {
 public:
  // Opens (or creates from genesis) the chain in config.data_dir. validator_key:
  // this node's key (its peer identity); in the validator set it signs, else the
  // node follows consensus as a full node.
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
  // Connected peers (empty without a p2p listener).
  std::vector<p2p::PeerInfo> peers() const;
  const Ed25519Pubkey& validator_pubkey() const { return key_.pubkey(); }
  bool is_validator() const { return validators_.index_of(key_.pubkey()).has_value(); }

  // ---- read side, used by the RPC methods (on the io thread) ----
  const ChainHead& head() const { return head_; }
  const ledger::StateStore& state() const { return state_; }
  const ledger::Params& params() const { return params_; }
  const ChainStore& chain() const { return chain_; }
  const ledger::Genesis& genesis() const { return genesis_; }
  // Block 1's prev_hash: ledger::genesis_hash of the genesis state.
  const Hash256& genesis_hash() const { return genesis_hash_; }
  const Hash256& genesis_state_root() const { return genesis_state_root_; }
  const Mempool& mempool() const { return mempool_; }
  const ledger::SignatureCache& signatures() const { return signatures_; }
  NodeMetrics& metrics() { return metrics_; }
  const consensus::Engine& engine() const { return engine_; }
  const consensus::ValidatorSet& validators() const { return validators_; }
  // What this validator signed last (its signing-state file).
  const consensus::SignedState& last_signed() const { return persisted_signed_; }
  BlobStore& blobs() { return blobs_; }
  // For a blob this node lacks (blob_get): starts fetching it from the peers,
  // or says how far that is; an error says why it cannot be had (no peer has
  // it, no peers, too many fetches at once).
  [[nodiscard]] Result<p2p::BlobFetcher::Status> fetch_blob(const Hash256& hash);
  const NodeConfig& config() const { return config_; }
  // Admits a raw signed transaction into the mempool, or says why not; an
  // admitted one is gossiped to every peer but `from` (the peer it came from).
  // Besides the mempool's checks, the transaction is executed against the head
  // plus what is pending, and refused if it would fail on chain.
  [[nodiscard]] Result<Hash256> submit_transaction(ByteView raw, const std::string& from = {});
  // Before several transactions are submitted together (an RPC batch): checks
  // their signatures as one BIP-340 batch into the signature cache, so that each
  // submit_transaction finds its signature checked. Changes no answer.
  void prepare_submissions(std::span<const Bytes> raws);
  // What executing the transaction would give now (after the pending ones),
  // without admitting it: its receipt, or the admission error.
  [[nodiscard]] Result<ledger::Receipt> simulate_transaction(const ledger::Transaction& tx,
                                                             size_t encoded_size);

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
  // Stores a committed block (ours or a peer's), moves the head and schedules the next height.
  void finish_commit(const ledger::Block& block, const Hash256& id,
                     const ledger::BlockResult& result, const ledger::CommitCertificate& cert,
                     std::chrono::steady_clock::time_point start);
  // A precommit for the head block that came after we committed it: added to
  // the last commit the next block carries, so a slower validator is not
  // counted as missing the block (ledger/liveness.h).
  void on_late_precommit(const p2p::SignedVote& v);
  void sign_vote(const consensus::Vote& v);
  void sign_proposal(const consensus::Proposal& p);
  [[nodiscard]] Status persist_signed(const consensus::SignedState& s);
  // persist_signed with the engine's lock (and the locked block's bytes, once).
  [[nodiscard]] Status persist_signed_with_lock(consensus::SignedState s);
  // After a restart mid-height: the locked block back among the candidates, and
  // our own last vote back into the engine.
  void restore_locked_block();
  void replay_own_last_vote(const consensus::SignedState& signed_before_start);
  void schedule(const consensus::Timeout& t, uint64_t delay_ms);
  void start_next_height(uint64_t delay_ms);
  void revert_speculation();
  void fatal(const std::string& why);

  // A decoded transaction on its way to admit_transaction (raw: its encoding).
  struct Incoming {
    ledger::Transaction tx;
    const Bytes* raw;
    Hash256 hash;
  };
  // Checks as one batch, into the signature cache, the signatures that admitting
  // `incoming` would check one by one (SignatureCache::kMinBatch or more of them).
  void verify_signatures_ahead(std::span<const Incoming> incoming);
  // Admits a decoded transaction and queues it for gossip. `raw` is its
  // encoding and `hash` is tx_hash_of_encoding(raw), computed once by the caller:
  // it finds a relayed copy of a pending transaction before anything is decoded
  // (every validator relays what it admits, so in a full mesh most arrive two or
  // three times), and the mempool and the signature cache use it after.
  Result<Hash256> admit_transaction(const ledger::Transaction& tx, ByteView raw,
                                    const Hash256& hash, const std::string& from);
  void schedule_gossip_flush();
  void flush_gossip();

  // ---- peers (node/p2p), all on the io thread ----
  void drain_peers();
  void on_peer_message(p2p::Inbound in);
  // Where a message for `height` goes: handled now, kept for the next height,
  // or (from a peer ahead of us) a reason to sync.
  enum class Route { now, later, drop };
  Route route(uint64_t height, const std::string& from);
  void on_vote(const p2p::SignedVote& v, const std::string& from);
  void on_proposal(p2p::SignedProposal p, const std::string& from);
  void on_block_answer(ByteView payload, const std::string& from);
  void send_blob_actions(const p2p::BlobFetcher::Actions& a);
  void answer_block_request(ByteView payload, const std::string& from);
  // Executes a received block on our state; true when it is valid (it then
  // becomes a candidate with its state applied as the speculation).
  bool check_candidate(const ledger::Block& block, const consensus::Proposal& p);
  void request_next_block(const std::string& peer);
  // Sends where consensus stands at this height (proposals and votes with
  // signatures) to one peer, or to all when peer is empty.
  void gossip_state(const std::string& peer);
  void tick();
  void start_height_if_due();
  // ---- double-sign evidence ----
  // Keeps evidence the next block may include (checked against the state) and
  // gossips it; false when it is not admissible.
  bool add_evidence(const ledger::Evidence& e, const std::string& from);
  // The engine saw two conflicting votes of one validator: turn them into evidence.
  void on_double_sign(const consensus::Vote& a, const consensus::Vote& b);
  // After a commit: the set of the next height, and evidence no longer admissible dropped.
  void after_state_change();

  boost::asio::io_context& io_;
  NodeConfig config_;
  ledger::Genesis genesis_;
  Hash256 genesis_hash_{};
  Hash256 genesis_state_root_{};
  Ed25519Key key_;
  VrfSecretKey vrf_secret_{};  // vrf_secret_from_seed(key_.seed())
  std::unique_ptr<KvStore> kv_;
  ChainStore chain_;
  void keep_published_checkpoints(const ledger::Block& block, const ledger::BlockResult& result);
  BlobStore blobs_;
  p2p::BlobFetcher blob_fetcher_{blobs_};
  DatasetDirectory datasets_;
  ledger::StateStore state_;
  ledger::Params params_;
  ChainHead head_;
  Mempool mempool_;
  // Signatures checked at admission are not checked again when a block runs.
  ledger::SignatureCache signatures_{kSignatureCacheSize};
  static constexpr size_t kSignatureCacheSize = 1 << 18;
  consensus::ValidatorSet validators_;  // the set of the next height (head + 1)
  // The set that signed the head block, and the head's precommits we hold
  // (each signed): the last commit of the block we propose next.
  std::optional<consensus::ValidatorSet> head_signers_;
  ledger::CommitCertificate last_commit_;
  consensus::Engine engine_;
  NodeMetrics metrics_;
  bool running_ = false;
  // What the signing-state file says we signed last; every signature is
  // checked against it and recorded in it first.
  SigningStateFile signing_file_;
  consensus::SignedState persisted_signed_;
  // The block whose bytes the signing-state file's locked_block copy holds.
  std::optional<consensus::BlockId> saved_lock_;

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
  // ---- what admission executes a new transaction against ----
  // The committed head's state, even while state_ holds a speculative block.
  ledger::LayeredView head_state_{state_,
                                  [this] { return speculation_ ? &speculation_->undo : nullptr; }};
  // The head plus every transaction admitted since, in admission order (the
  // Cosmos CheckTx state): a new one that would fail here is refused before it
  // costs a fee. Rebuilt from the mempool after each commit.
  std::unique_ptr<ledger::Overlay> check_state_;
  void rebuild_check_state();
  // The context a transaction is checked in: the next height, no proposer.
  ledger::BlockContext check_context();
  // Signed votes at the current height (ours and peers'), by (round, type,
  // validator, value): the commit certificate and what is re-gossiped.
  std::map<std::tuple<uint32_t, uint8_t, uint32_t, std::optional<consensus::BlockId>>, Ed25519Sig>
      vote_sigs_;
  // Admitted transactions not yet gossiped, by the peer they came from ("" for
  // RPC): flushed every kGossipFlushMs, or at once at kGossipFlushCount.
  static constexpr uint64_t kGossipFlushMs = 20;
  static constexpr size_t kGossipFlushCount = 256;
  std::map<std::string, std::vector<Bytes>> gossip_out_;
  bool gossip_flush_scheduled_ = false;
  // Each peer's peers, as it last told us (MessageType::peers). A peer sends
  // what it admits to all of its peers, so what came from it is not relayed to
  // them: in a full mesh each transaction crosses each link once, not three
  // times. A peer that lies about its peers only keeps its own gossip from
  // spreading (blocks still carry every transaction).
  std::map<std::string, std::set<std::string>> peers_of_;
  std::vector<std::string> advertised_peers_;  // our peers, as we last told them
  // Tells every peer our peers when they changed (a new or lost connection), and
  // `joined` (a new peer) in any case.
  void advertise_peers(const std::string& joined = {});
  // Evidence waiting for a block, by (validator, offence height); bounded.
  static constexpr size_t kMaxPendingEvidence = 64;
  std::map<std::pair<Ed25519Pubkey, uint64_t>, ledger::Evidence> evidence_pool_;
  // Signed proposals at the current height by round, as gossiped.
  std::map<uint32_t, p2p::SignedProposal> proposals_;
  // Messages for the next height that came while this one was being committed.
  std::vector<p2p::Inbound> next_height_;
  // The block we asked a peer for (we are behind), and when.
  struct PendingSync {
    std::string peer;
    uint64_t height = 0;
    std::chrono::steady_clock::time_point since;
  };
  std::optional<PendingSync> pending_sync_;
  // Consensus progress at the last tick; unchanged for a while means messages
  // were lost, so the state is gossiped again.
  std::tuple<uint64_t, uint32_t, consensus::Step> last_progress_{};
  unsigned stalled_ticks_ = 0;
  std::shared_ptr<bool> alive_ =
      std::make_shared<bool>(true);  // for handlers posted by peer threads
  std::vector<std::shared_ptr<boost::asio::steady_timer>> timers_;

  std::unique_ptr<rpc::MethodTable> rpc_table_;
  std::unique_ptr<NodeEventSource> event_source_;  // what WebSocket subscriptions read
  std::unique_ptr<rpc::HttpServer> rpc_server_;
  std::unique_ptr<p2p::PeerManager> peers_;
};

}  // namespace vt::node
