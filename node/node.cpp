#include "node/node.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <filesystem>

#include "consensus/sign_guard.h"
#include "core/encoding.h"
#include "core/merkle.h"
#include "core/sha256.h"
#include "ledger/block_execution.h"
#include "ledger/liveness.h"
#include "ledger/randomness.h"
#include "ledger/state_access.h"
#include "node/chain_audit.h"
#include "node/p2p/block_exchange.h"
#include "node/p2p/tx_gossip.h"
#include "node/rpc_methods.h"
#include "rpc/http_server.h"
#include "rpc/method_table.h"

namespace vt::node {

namespace {

uint64_t now_ms() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::string short_hex(const Hash256& h) {
  return to_hex(ByteView(h.data(), 6));
}

// A proposed block may carry a time this far ahead of our clock (clocks of
// honest validators differ by less); a later one is refused as from the future.
constexpr uint64_t kMaxClockDriftMs = 10'000;
// Messages for the next height kept while this one is being committed.
constexpr size_t kMaxNextHeightMessages = 10'000;
// Votes and proposals for rounds further ahead of ours are dropped (not a
// fault): what one height holds stays bounded whatever a Byzantine validator
// signs. Honest rounds advance by timeouts, far slower than this window.
constexpr uint32_t kMaxRoundsAhead = 64;
// A block asked of a peer that has not come after this is asked again.
constexpr auto kSyncRequestTimeout = std::chrono::seconds(5);
constexpr uint64_t kTickMs = 1000;

// The entries of a commit certificate that carry a signature (what a block's
// last commit may hold), by validator index.
ledger::CommitCertificate signed_entries(const ledger::CommitCertificate& cert) {
  ledger::CommitCertificate out;
  out.round = cert.round;
  for (const ledger::CommitSig& s : cert.sigs)
    if (s.sig) out.sigs.push_back(s);
  std::sort(out.sigs.begin(), out.sigs.end(),
            [](const auto& a, const auto& b) { return a.validator_index < b.validator_index; });
  return out;
}

std::filesystem::path signing_state_path(const NodeConfig& c) {
  if (!c.signing_state_file.empty()) return c.signing_state_file;
  return std::filesystem::path(c.data_dir) / "signing_state.json";
}

}  // namespace

Result<std::unique_ptr<Node>> Node::open(boost::asio::io_context& io, NodeConfig config,
                                         ledger::Genesis genesis, Ed25519Key validator_key) {
  auto kv = open_rocksdb(config.data_dir);
  if (!kv) return kv.take_error();
  return open_with_store(io, std::move(config), std::move(genesis), std::move(validator_key),
                         std::move(kv).value());
}

Result<std::unique_ptr<Node>> Node::open_with_store(boost::asio::io_context& io, NodeConfig config,
                                                    ledger::Genesis genesis,
                                                    Ed25519Key validator_key,
                                                    std::unique_ptr<KvStore> kv) {
  ChainStore chain(*kv);
  auto head = chain.head();
  if (!head) return head.take_error();
  if (!head.value()) {
    if (auto s = chain.init_genesis_if_empty(genesis); !s) return s.take_error();
    spdlog::info("initialised chain '{}' from genesis, state root {}", genesis.params.chain_id,
                 to_hex(chain.head().value()->state_root));
  }
  // What we signed last lives apart from the database. A database behind it
  // lost blocks this validator had already built on (a damaged log, a restored
  // copy): signing again from there could contradict what it signed before.
  SigningStateFile signing_file(signing_state_path(config));
  auto signed_record = signing_file.load();
  if (!signed_record) return signed_record.take_error();
  consensus::SignedState last_signed;
  if (signed_record.value()) last_signed = **signed_record;
  auto stored_head = chain.head();
  if (!stored_head) return stored_head.take_error();
  if (!last_signed.empty && last_signed.height > stored_head.value()->height + 1)
    return make_error(
        "this validator signed at height " + std::to_string(last_signed.height) +
        " (signing state " + signing_file.path().string() + ") but its database ends at height " +
        std::to_string(stored_head.value()->height) +
        ": the database lost committed blocks (a damaged log, or an old copy); it will not "
        "sign until it holds height " +
        std::to_string(last_signed.height - 1) + " again (sync it from peers)");
  // The genesis set until load() reads the set of the next height from the state.
  auto set = ledger::consensus_validators(genesis.validators);
  if (!set) return set.take_error();
  std::unique_ptr<Node> node(
      new Node(io, std::move(config), std::move(genesis), std::move(validator_key), std::move(kv),
               std::move(set).value(), std::move(signing_file), last_signed));
  if (auto s = node->load(); !s) return s.take_error();
  return node;
}

Node::Node(boost::asio::io_context& io, NodeConfig config, ledger::Genesis genesis, Ed25519Key key,
           std::unique_ptr<KvStore> kv, consensus::ValidatorSet validators,
           SigningStateFile signing_file, consensus::SignedState last_signed)
    : io_(io),
      config_(std::move(config)),
      genesis_(std::move(genesis)),
      key_(std::move(key)),
      vrf_secret_(vrf_secret_from_seed(key_.seed())),
      kv_(std::move(kv)),
      chain_(*kv_, config_.indexes),
      blobs_(*kv_, config_.blob_limits),
      datasets_(config_.fashion_mnist_dir),
      mempool_(config_.mempool_max_txs, config_.mempool_max_bytes),
      validators_(std::move(validators)),
      engine_(
          [&] {
            consensus::EngineConfig c;
            c.commit_ms = config_.block_interval_ms;
            return c;
          }(),
          key_.pubkey(), last_signed),
      signing_file_(std::move(signing_file)),
      persisted_signed_(last_signed) {}

Node::~Node() {
  *alive_ = false;
  if (peers_) peers_->stop();
}

Status Node::load() {
  auto head = chain_.head();
  if (!head) return head.take_error();
  head_ = head.value().value();
  if (auto s = chain_.load_state(state_); !s) return s;
  Hash256 root = state_.root();
  if (root != head_.state_root)
    return make_error("stored state root " + to_hex(root) + " does not match the head's " +
                      to_hex(head_.state_root) + " at height " + std::to_string(head_.height) +
                      ": the database is corrupt");
  if (auto s = chain_.complete_indexes(state_); !s)
    return make_error("cannot complete the transaction index or state history: " + s.error());
  params_ = ledger::read_params(state_);
  {
    ledger::StateStore at_genesis;
    at_genesis.apply(ledger::genesis_changes(genesis_));
    genesis_state_root_ = at_genesis.root();
    genesis_hash_ = ledger::genesis_hash(genesis_, genesis_state_root_);
  }
  head_signers_ = ledger::read_signing_set(state_);
  if (head_.height >= 1) {
    auto raw = chain_.commit_at(head_.height);
    if (!raw) return raw.take_error();
    if (!raw.value()) return make_error("the head's commit is missing from the database");
    auto cert = ledger::decode_commit_certificate(**raw, consensus::ValidatorSet::kMaxValidators);
    if (!cert) return make_error("the head's stored commit: " + cert.error());
    last_commit_ = signed_entries(cert.value());
  }
  auto set = ledger::validator_set_of(state_);
  if (!set) return make_error("at height " + std::to_string(head_.height) + ": " + set.error());
  validators_ = std::move(set).value();
  const bool in_set = validators_.index_of(key_.pubkey()).has_value();
  if (!in_set && config_.persistent_peers.empty())
    return make_error("key " + to_hex(key_.pubkey()) + " is not in the validator set of height " +
                      std::to_string(head_.height + 1) +
                      ", and a node outside it needs persistent_peers to follow the chain from");
  if (!in_set)
    spdlog::info(
        "key {} is not in the validator set: running as a full node (follows "
        "consensus; signs from the first height whose set holds it)",
        to_hex(key_.pubkey()));
  // A key whose recorded VRF key differs could never prove a block's randomness.
  if (auto v = ledger::read_validator(state_, key_.pubkey());
      v && vrf_public_key(vrf_secret_).value() != v->vrf_key)
    return make_error(
        "the chain records another vrf_key for this validator than its key file "
        "gives (" +
        to_hex(vrf_public_key(vrf_secret_).value()) + ")");
  if (params_.chain_id != genesis_.params.chain_id)
    return make_error("the database holds chain '" + params_.chain_id + "', the genesis says '" +
                      genesis_.params.chain_id + "'");
  // A genesis.json edited since the chain began (balances, fees, validators,
  // time) would have this node check blocks against another chain's rules.
  Hash256 stored_genesis = head_.block_hash;  // at height 0 the head is the genesis
  if (head_.height >= 1) {
    auto first = chain_.block_at(1);
    if (!first) return first.take_error();
    if (!first.value()) return make_error("block 1 is missing from the database");
    stored_genesis = first.value()->header.prev_hash;
  }
  if (stored_genesis != genesis_hash_)
    return make_error("genesis.json is not the genesis of the chain in the database (its hash " +
                      to_hex(genesis_hash_) + ", the chain's " + to_hex(stored_genesis) +
                      "): it was edited after the chain began; restore it, or start a new home");
  spdlog::info("chain '{}' at height {} (block {}, state root {}), {} state entries",
               params_.chain_id, head_.height, short_hex(head_.block_hash),
               short_hex(head_.state_root), state_.size());
  // A validator must be able to run the referee step on every data set the
  // chain accepts jobs on; one that cannot would have to stop mid-block.
  if (auto s = datasets_.check_registry(ledger::read_datasets(state_)); !s)
    return make_error("this validator cannot serve the chain's data-set registry: " + s.error() +
                      " (config.toml [datasets])");
  return Status::success();
}

Status Node::start() {
  rpc_table_ = std::make_unique<rpc::MethodTable>("veritrain", "0.1.0");
  register_rpc_methods(*rpc_table_, *this);
  metrics_.declare_rpc_methods(rpc_table_->method_names());
  rpc_table_->set_call_observer([this](const std::string& method, bool ok, double seconds) {
    metrics_.rpc_call(method, ok, seconds);
  });
  rpc::ServerOptions options;
  options.body_limit = config_.rpc_body_limit;
  options.cors_origins = config_.rpc_cors_origins;
  options.max_connections = config_.rpc_max_connections;
  options.max_connections_per_address = config_.rpc_max_connections_per_address;
  options.reserved_connections = config_.rpc_reserved_connections;
  try {
    boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address(config_.rpc_host),
                                      config_.rpc_port);
    rpc_server_ = std::make_unique<rpc::HttpServer>(io_, *rpc_table_, ep, options);
  } catch (const std::exception& e) {
    return make_error("cannot listen for RPC on " + config_.rpc_host + ":" +
                      std::to_string(config_.rpc_port) + ": " + e.what());
  }
  register_http_routes(*rpc_server_, *this);
  event_source_ = std::make_unique<NodeEventSource>(chain_);
  rpc_server_->set_event_source(*event_source_);
  // Peers to dial start the peer manager even without a configured port (it then
  // listens on a free one, which nobody is told about).
  if (config_.p2p_port != 0 || !config_.persistent_peers.empty()) {
    p2p::PeerManagerConfig pc;
    pc.listen_host = config_.p2p_host;
    pc.listen_port = config_.p2p_port;
    pc.persistent_peers = config_.persistent_peers;
    pc.max_peers = config_.max_peers;
    pc.limits =
        p2p::MessageLimits{params_.max_block_bytes, params_.max_tx_bytes, params_.max_validators};
    // Peer threads only queue; the node drains on its own thread.
    std::weak_ptr<bool> alive = alive_;
    auto pm = p2p::PeerManager::start(pc, key_, [this, alive] {
      boost::asio::post(io_, [this, alive] {
        if (alive.lock()) drain_peers();
      });
    });
    if (!pm) return pm.take_error();
    peers_ = std::move(pm).value();
    spdlog::info("p2p listening on {}:{} as node {} ({} persistent peers)", config_.p2p_host,
                 peers_->port(), peers_->self_id(), config_.persistent_peers.size());
  }
  running_ = true;
  spdlog::info("JSON-RPC listening on http://{}:{}", config_.rpc_host, rpc_server_->port());
  // After a crash between signing and committing, the WAL holds signatures for
  // the next height: resume past that round (see Engine::start_height).
  uint32_t first_round = 0;
  if (!persisted_signed_.empty && persisted_signed_.height == head_.height + 1) {
    first_round = persisted_signed_.round + 1;
    restore_locked_block();
  }
  const consensus::SignedState signed_before = persisted_signed_;
  handle(engine_.start_height(head_.height + 1, validators_, first_round));
  replay_own_last_vote(signed_before);
  if (peers_) tick();
  return Status::success();
}

void Node::replay_own_last_vote(const consensus::SignedState& last) {
  // The engine forgot, with the crash, the last vote we signed at this height.
  // Signed again it is the very same message (Ed25519 is deterministic), not a
  // new one, and it may complete a quorum: a lone validator's precommit is the
  // commit of the block it locked on.
  if (last.empty || last.height != head_.height + 1 || last.step == consensus::Step::Propose ||
      !engine_.own_index() || !running_)
    return;
  consensus::Vote v;
  v.type = last.step == consensus::Step::Prevote ? consensus::VoteType::Prevote
                                                 : consensus::VoteType::Precommit;
  v.height = last.height;
  v.round = last.round;
  v.block = last.block;
  v.validator_index = *engine_.own_index();
  const Ed25519Sig sig = key_.sign(consensus::sign_bytes(v, params_.chain_id));
  vote_sigs_[{v.round, static_cast<uint8_t>(v.type), v.validator_index, v.block}] = sig;
  if (peers_) peers_->broadcast({p2p::MessageType::vote, p2p::encode(p2p::SignedVote{v, sig})});
  handle(engine_.on_vote(v));
}

void Node::stop() {
  if (!running_) return;
  running_ = false;
  for (auto& t : timers_) t->cancel();
  timers_.clear();
  if (rpc_server_) rpc_server_->stop();
  if (peers_) peers_->stop();
  spdlog::info("stopped at height {}", head_.height);
}

uint16_t Node::rpc_port() const {
  return rpc_server_ ? rpc_server_->port() : 0;
}

uint16_t Node::p2p_port() const {
  return peers_ ? peers_->port() : 0;
}

std::vector<p2p::PeerInfo> Node::peers() const {
  return peers_ ? peers_->peers() : std::vector<p2p::PeerInfo>{};
}

void Node::fatal(const std::string& why) {
  spdlog::critical("{}; stopping so that nothing inconsistent is written", why);
  stop();
  io_.stop();
}

Result<Hash256> Node::submit_transaction(ByteView raw, const std::string& from) {
  auto tx = ledger::decode_transaction(raw, params_.max_tx_bytes);
  if (!tx) {
    metrics_.tx_rejected();
    return tx.take_error();
  }
  return admit_transaction(tx.value(), raw, ledger::tx_hash_of_encoding(raw), from);
}

ledger::BlockContext Node::check_context() {
  ledger::BlockContext ctx;
  ctx.height = head_.height + 1;
  ctx.time_ms = head_.time_ms + 1;
  ctx.randomness = ledger::read_randomness(head_state_);
  ctx.datasets = &datasets_;
  ctx.signatures = &signatures_;
  return ctx;
}

void Node::rebuild_check_state() {
  check_state_ = std::make_unique<ledger::Overlay>(head_state_);
  const ledger::BlockContext ctx = check_context();
  // Each pending transaction again, on the new head; one that fails now stays
  // pending (a block may still include it) but adds nothing to the check state.
  mempool_.for_each_by_sender([&](const ledger::Transaction& tx, size_t size) {
    ledger::Overlay attempt(static_cast<const ledger::StateReader&>(*check_state_));
    auto r = ledger::execute_transaction(attempt, params_, ctx, tx, size);
    if (r && r->success) attempt.commit_into(*check_state_);
  });
}

Result<ledger::Receipt> Node::simulate_transaction(const ledger::Transaction& tx,
                                                   size_t encoded_size) {
  if (!check_state_) rebuild_check_state();
  ledger::Overlay attempt(
      static_cast<const ledger::StateReader&>(*check_state_));  // dropped: nothing is kept
  return ledger::execute_transaction(attempt, params_, check_context(), tx, encoded_size);
}

void Node::prepare_submissions(std::span<const Bytes> raws) {
  std::vector<Incoming> incoming;
  incoming.reserve(raws.size());
  for (const Bytes& raw : raws) {
    auto tx = ledger::decode_transaction(raw, params_.max_tx_bytes);
    if (tx) incoming.push_back({std::move(tx).value(), &raw, ledger::tx_hash_of_encoding(raw)});
  }
  verify_signatures_ahead(incoming);
}

void Node::verify_signatures_ahead(std::span<const Incoming> incoming) {
  // Only those admission would verify: a replayed transaction (its nonce used)
  // or one for another chain is refused before its signature is looked at,
  // and must not cost a signature check here either.
  std::vector<ledger::SignatureCache::Pending> pending;
  pending.reserve(incoming.size());
  for (const Incoming& in : incoming) {
    if (in.tx.chain_id != params_.chain_id || mempool_.contains(in.hash)) continue;
    if (in.tx.nonce < ledger::read_account(head_state_, in.tx.sender).nonce) continue;
    pending.push_back(ledger::pending_signature(in.tx, in.hash));
  }
  if (pending.size() >= ledger::SignatureCache::kMinBatch) (void)signatures_.verify_batch(pending);
}

Result<Hash256> Node::admit_transaction(const ledger::Transaction& tx, ByteView raw,
                                        const Hash256& hash, const std::string& from) {
  if (!check_state_) rebuild_check_state();
  // Executed against the head plus what is pending (CheckTx), except a
  // checkpoint post: its referee step is a training step, too costly to run for
  // a transaction that may never pay (the mempool's checks still apply).
  ledger::Overlay attempt(static_cast<const ledger::StateReader&>(*check_state_));
  std::optional<ledger::Receipt> would;
  if (!std::holds_alternative<ledger::CheckpointPost>(tx.msg)) {
    // An admission error here (a nonce past the pending ones, a bad signature)
    // is the mempool's to explain below.
    if (auto r =
            ledger::execute_transaction(attempt, params_, check_context(), tx, raw.size(), hash))
      would = std::move(r).value();
  }
  if (would && !would->success) {
    metrics_.tx_rejected();
    return make_error("it would fail on chain (" + std::string(ledger::tx_code_name(would->code)) +
                      "): " + would->reason);
  }
  auto h = mempool_.add(tx, hash, raw.size(), state_, params_, &signatures_);
  if (!h) {
    metrics_.tx_rejected();
    return h;
  }
  if (would) attempt.commit_into(*check_state_);
  // Admitted here: the other validators' mempools get it too, in batches (one
  // per origin, so it does not go back to the peer it came from).
  if (peers_) {
    auto& batch = gossip_out_[from];
    batch.push_back(Bytes(raw.begin(), raw.end()));
    if (batch.size() >= kGossipFlushCount)
      flush_gossip();
    else if (!gossip_flush_scheduled_)
      schedule_gossip_flush();
  }
  return h;
}

void Node::schedule_gossip_flush() {
  gossip_flush_scheduled_ = true;
  auto timer =
      std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(kGossipFlushMs));
  timers_.push_back(timer);
  timer->async_wait([this, timer](const boost::system::error_code& ec) {
    std::erase(timers_, timer);
    gossip_flush_scheduled_ = false;
    if (ec || !running_) return;
    flush_gossip();
  });
}

void Node::flush_gossip() {
  if (!peers_) return gossip_out_.clear();
  // One message per peer per flush (more only past the limits), holding what
  // was queued from every origin but that peer: each frame costs its sender and
  // its receiver a wake-up, which on a loaded validator weighs more than its bytes.
  for (const p2p::PeerInfo& peer : peers_->peers()) {
    std::vector<Bytes> part;
    size_t bytes = 0;
    auto send = [&] {
      if (part.empty()) return;
      peers_->send(peer.id, {p2p::MessageType::txs, p2p::encode_tx_batch(part)});
      part.clear();
      bytes = 0;
    };
    for (const auto& [from, txs] : gossip_out_) {
      if (from == peer.id) continue;  // it has them
      if (auto of = peers_of_.find(from); of != peers_of_.end() && of->second.contains(peer.id))
        continue;  // `from` sent them to it
      for (const Bytes& raw : txs) {
        if (part.size() == p2p::kMaxGossipBatch || bytes + raw.size() > params_.max_block_bytes)
          send();
        bytes += raw.size();
        part.push_back(raw);
      }
    }
    send();
  }
  gossip_out_.clear();
}

void Node::advertise_peers(const std::string& joined) {
  std::vector<std::string> now;
  for (const p2p::PeerInfo& peer : peers_->peers()) now.push_back(peer.id);
  std::sort(now.begin(), now.end());
  if (now != advertised_peers_) {
    advertised_peers_ = now;
    std::erase_if(peers_of_, [&](const auto& entry) {  // what a lost peer told us
      return !std::binary_search(now.begin(), now.end(), entry.first);
    });
    peers_->broadcast({p2p::MessageType::peers, p2p::encode_peer_list(now)});
  } else if (!joined.empty()) {
    peers_->send(joined, {p2p::MessageType::peers, p2p::encode_peer_list(now)});
  }
}

void Node::handle(consensus::Actions actions) {
  // Actions may produce more actions (e.g. a built block leads to a proposal and votes).
  for (size_t i = 0; i < actions.size() && running_; ++i) {
    consensus::Action action = actions[i];
    consensus::Actions more;
    if (auto* a = std::get_if<consensus::BuildBlock>(&action)) {
      build_block(a->height, a->round, more);
    } else if (auto* a = std::get_if<consensus::BroadcastProposal>(&action)) {
      sign_proposal(a->proposal);
    } else if (auto* a = std::get_if<consensus::BroadcastVote>(&action)) {
      sign_vote(a->vote);
    } else if (auto* a = std::get_if<consensus::ScheduleTimeout>(&action)) {
      schedule(a->timeout, a->delay_ms);
    } else if (auto* a = std::get_if<consensus::Commit>(&action)) {
      commit(*a);
    } else if (auto* a = std::get_if<consensus::Evidence>(&action)) {
      on_double_sign(a->a, a->b);
    }
    actions.insert(actions.end(), more.begin(), more.end());
  }
}

void Node::revert_speculation() {
  if (!speculation_) return;
  state_.apply(speculation_->undo);
  speculation_.reset();
}

void Node::build_block(uint64_t height, uint32_t round, consensus::Actions& out) {
  revert_speculation();
  // The block's randomness: our VRF output over the previous one; build_block
  // checks it like any received block's, so a key that disagrees with genesis
  // fails here.
  const auto proof = vrf_prove(
      vrf_secret_, ledger::vrf_alpha(params_.chain_id, height, ledger::read_randomness(state_)));
  if (!proof) return fatal("cannot prove the block's randomness: " + proof.error());
  ledger::BlockProposal p;
  p.proposer = key_.pubkey();
  p.vrf_proof = proof.value();
  p.time_ms = std::max(now_ms(), head_.time_ms + 1);  // block time never goes back
  if (head_.height >= 1) p.last_commit = last_commit_;
  // Room for the transactions: the block less its header, framing and last commit.
  p.max_bytes =
      params_.max_block_bytes - ledger::kBlockOverheadBytes - ledger::encode(p.last_commit).size();
  p.candidates = mempool_.select(state_, params_.max_block_txs, p.max_bytes);
  for (const auto& [key, e] : evidence_pool_) p.evidence.push_back(e);
  std::vector<std::pair<Hash256, std::string>> left_out;
  // The header commits to the state after the block: build_block applies it;
  // the undo takes it back if consensus decides on another block.
  auto built = ledger::build_block(state_, parent_of_next(), &datasets_, std::move(p), &left_out,
                                   &signatures_);
  if (!built) return fatal("cannot build block " + std::to_string(height) + ": " + built.error());
  for (const auto& [hash, why] : left_out)
    spdlog::debug("left out tx {}: {}", short_hex(hash), why);
  consensus::BlockId id = ledger::block_hash(built->block.header);
  speculation_ = Speculation{id, std::move(built->undo)};
  candidates_[id] = Candidate{std::move(built->block), std::move(built->result)};
  auto next = engine_.on_block_built(height, round, id);
  out.insert(out.end(), next.begin(), next.end());
}

ledger::ParentBlock Node::parent_of_next() const {
  return {head_.height, head_.block_hash, head_.time_ms};
}

Status Node::persist_signed(const consensus::SignedState& s) {
  // Written (and synced) before the signature exists, so a crash can never make
  // us sign a conflicting message for the same step after a restart.
  if (auto st = signing_file_.save(s); !st) return st;
  persisted_signed_ = s;
  return Status::success();
}

Status Node::persist_signed_with_lock(consensus::SignedState s) {
  // The lock goes with every record; the locked block's bytes beside it, before
  // the precommit that takes the lock is signed (a restart then still holds it).
  if (engine_.locked_round() >= 0 && engine_.locked_value()) {
    s.locked_round = engine_.locked_round();
    s.locked_block = engine_.locked_value();
    if (saved_lock_ != s.locked_block) {
      auto it = candidates_.find(*s.locked_block);
      if (it != candidates_.end()) {
        if (auto st = signing_file_.save_locked_block(ledger::encode(it->second.block)); !st)
          return st;
        saved_lock_ = s.locked_block;
      }
    }
  }
  return persist_signed(s);
}

void Node::sign_proposal(const consensus::Proposal& p) {
  if (!consensus::may_sign(persisted_signed_, p)) return;
  auto it = candidates_.find(p.block);
  if (it == candidates_.end()) {
    // Only after a restart that lost the locked block (its file missing or not
    // valid any more): propose nothing this round rather than a block we lack.
    spdlog::warn(
        "consensus re-proposes block {} at height {} round {}, which this node does "
        "not hold; not proposing",
        short_hex(p.block), p.height, p.round);
    return;
  }
  if (auto s = persist_signed_with_lock(consensus::signed_state(p)); !s)
    return fatal("cannot persist signing state: " + s.error());
  Ed25519Sig sig = key_.sign(consensus::sign_bytes(p, params_.chain_id));
  p2p::SignedProposal sp{p, sig, ledger::encode(it->second.block)};
  if (peers_) peers_->broadcast({p2p::MessageType::proposal, p2p::encode(sp)});
  proposals_[p.round] = std::move(sp);
}

void Node::sign_vote(const consensus::Vote& v) {
  if (!consensus::may_sign(persisted_signed_, v)) return;
  if (auto s = persist_signed_with_lock(consensus::signed_state(v)); !s)
    return fatal("cannot persist signing state: " + s.error());
  Ed25519Sig sig = key_.sign(consensus::sign_bytes(v, params_.chain_id));
  vote_sigs_[{v.round, static_cast<uint8_t>(v.type), v.validator_index, v.block}] = sig;
  if (peers_) peers_->broadcast({p2p::MessageType::vote, p2p::encode(p2p::SignedVote{v, sig})});
  if (config_.test_equivocate && peers_ && v.type == consensus::VoteType::Prevote && v.block) {
    consensus::Vote nil = v;
    nil.block = std::nullopt;
    spdlog::warn("test build: double signing a nil prevote at height {} round {}", v.height,
                 v.round);
    const Ed25519Sig twin = key_.sign(consensus::sign_bytes(nil, params_.chain_id));
    peers_->broadcast({p2p::MessageType::vote, p2p::encode(p2p::SignedVote{nil, twin})});
  }
}

void Node::schedule(const consensus::Timeout& t, uint64_t delay_ms) {
  auto timer =
      std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(delay_ms));
  timers_.push_back(timer);
  timer->async_wait([this, timer, t](const boost::system::error_code& ec) {
    std::erase(timers_, timer);
    if (ec || !running_) return;
    handle(engine_.on_timeout(t));
  });
}

void Node::start_next_height(uint64_t delay_ms) {
  auto timer =
      std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(delay_ms));
  timers_.push_back(timer);
  timer->async_wait([this, timer](const boost::system::error_code& ec) {
    std::erase(timers_, timer);
    if (ec || !running_) return;
    start_height_if_due();
  });
}

void Node::start_height_if_due() {
  // Block sync may have started this height already (or moved past it).
  if (engine_.started() && engine_.height() >= head_.height + 1) return;
  handle(engine_.start_height(head_.height + 1, validators_));
  // What peers sent for this height while we were committing the last one.
  std::vector<p2p::Inbound> kept;
  kept.swap(next_height_);
  for (auto& in : kept) on_peer_message(std::move(in));
}

// A checkpoint posted on chain (checkpoint_post) is also kept as a blob, so
// verifiers and clients fetch it with blob_get by its SHA-256 like any other.
// Best effort: the block already holds the bytes; a failure is logged.
void Node::keep_published_checkpoints(const ledger::Block& block,
                                      const ledger::BlockResult& result) {
  for (size_t i = 0; i < block.txs.size() && i < result.receipts.size(); ++i) {
    const auto* post = std::get_if<ledger::CheckpointPost>(&block.txs[i].msg);
    if (!post || !result.receipts[i].success) continue;
    const Hash256 h = sha256(post->checkpoint);
    Status s = Status::success();
    if (auto b = blobs_.begin(h, post->checkpoint.size()); !b) {
      s = b.take_error();
    } else if (!b->complete) {
      const ByteView bytes(post->checkpoint);
      const uint64_t chunk = config_.blob_limits.chunk_bytes;
      for (uint64_t off = 0; s && off < bytes.size(); off += chunk) {
        auto c = blobs_.put_chunk(
            h, off, bytes.subspan(off, std::min<uint64_t>(chunk, bytes.size() - off)));
        if (!c) s = c.take_error();
      }
      if (s) {
        if (auto d = blobs_.seal(h); !d) s = d.take_error();
      }
    }
    if (!s) spdlog::warn("cannot keep checkpoint {} as a blob: {}", short_hex(h), s.error());
  }
}

void Node::commit(const consensus::Commit& c) {
  auto start = std::chrono::steady_clock::now();
  auto it = candidates_.find(c.block);
  if (it == candidates_.end()) {
    // More than 2/3 precommitted a block whose proposal never reached us: those
    // validators hold it, and commit it now; fetch it with its certificate.
    spdlog::info("height {} committed block {} that this node did not receive; fetching it",
                 c.height, short_hex(c.block));
    if (peers_)
      peers_->broadcast({p2p::MessageType::block_request, p2p::encode_block_request(c.height)});
    return;
  }
  if (!speculation_ || speculation_->block != c.block) {
    revert_speculation();
    state_.apply(it->second.result.changes);
  }
  speculation_.reset();
  const ledger::Block& block = it->second.block;
  if (state_.root() != block.header.state_root)
    return fatal("state root mismatch after executing the committed block");

  // The commit certificate: round and the precommit signatures we hold.
  ledger::CommitCertificate cert;
  cert.round = c.round;
  for (const auto& v : c.precommits) {
    auto sig = vote_sigs_.find({v.round, static_cast<uint8_t>(consensus::VoteType::Precommit),
                                v.validator_index, v.block});
    ledger::CommitSig entry{v.validator_index, std::nullopt};
    if (sig != vote_sigs_.end()) entry.sig = sig->second;
    cert.sigs.push_back(entry);
  }
  metrics_.precommits_missed(validators_.size() - c.precommits.size());
  const Candidate committed = std::move(it->second);
  finish_commit(committed.block, c.block, committed.result, cert, start);
}

void Node::finish_commit(const ledger::Block& block, const Hash256& id,
                         const ledger::BlockResult& result, const ledger::CommitCertificate& cert,
                         std::chrono::steady_clock::time_point start) {
  if (auto s = chain_.commit_block(block, ledger::encode(cert), result, state_); !s)
    return fatal("cannot persist block " + std::to_string(block.header.height) + ": " + s.error());
  const uint64_t interval_ms = block.header.time_ms - head_.time_ms;  // time only moves on
  head_ = ChainHead{block.header.height, id, block.header.state_root, block.header.time_ms};
  // The next block carries this commit: the signers of this height (the set
  // before after_state_change moves on) and their signatures so far.
  head_signers_ = validators_;
  last_commit_ = signed_entries(cert);
  metrics_.block_committed(
      block, result,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
      block.header.height >= 2 ? std::optional<double>(static_cast<double>(interval_ms) / 1000.0)
                               : std::nullopt);
  mempool_.prune(state_);
  after_state_change();
  rebuild_check_state();
  if (!running_) return;
  keep_published_checkpoints(block, result);
  if (!block.txs.empty() || block.header.height % 100 == 0)
    spdlog::info("committed block {} ({}) with {} txs, state root {}", block.header.height,
                 short_hex(id), block.txs.size(), short_hex(block.header.state_root));
  if (rpc_server_) rpc_server_->notify_new_block();
  candidates_.clear();
  vote_sigs_.clear();
  proposals_.clear();
  if (pending_sync_ && pending_sync_->height <= head_.height) pending_sync_.reset();
  start_next_height(config_.block_interval_ms);
}

// ---- peers ----

void Node::drain_peers() {
  if (!running_ || !peers_) return;
  constexpr size_t kBatch = 256;  // then let timers and RPC run
  auto items = peers_->drain(kBatch);
  for (auto& in : items) {
    if (!running_) return;
    on_peer_message(std::move(in));
  }
  if (items.size() == kBatch) {
    std::weak_ptr<bool> alive = alive_;
    boost::asio::post(io_, [this, alive] {
      if (alive.lock()) drain_peers();
    });
  }
}

Node::Route Node::route(uint64_t height, const std::string& from) {
  const uint64_t target = head_.height + 1;
  if (height < target) return Route::drop;  // late: that height is committed
  if (height > target) {
    // The peer is past a height we have not committed: we are behind.
    request_next_block(from);
    return Route::drop;
  }
  if (!engine_.started() || engine_.height() != target) return Route::later;
  return Route::now;
}

void Node::on_peer_message(p2p::Inbound in) {
  if (!peers_) return;
  const std::string& from = in.peer;
  if (!in.message) {  // a new peer: tell it where we stand, and who our peers are
    advertise_peers(from);
    return gossip_state(from);
  }
  p2p::Message& m = *in.message;
  metrics_.peer_message();
  auto keep_for_next_height = [&] {
    if (next_height_.size() < kMaxNextHeightMessages) next_height_.push_back(std::move(in));
  };
  switch (m.type) {
    case p2p::MessageType::tx: {
      const Hash256 hash = ledger::tx_hash_of_encoding(m.payload);
      if (mempool_.contains(hash)) return;  // a relayed copy
      auto tx = ledger::decode_transaction(m.payload, params_.max_tx_bytes);
      if (!tx) return peers_->punish(from, "malformed transaction: " + tx.error());
      // Refused by state (nonce, balance, already held): not a fault.
      (void)admit_transaction(tx.value(), m.payload, hash, from);
      return;
    }
    case p2p::MessageType::peers: {
      auto ids = p2p::decode_peer_list(m.payload);
      if (!ids) return peers_->punish(from, ids.error());
      peers_of_[from] = std::set<std::string>(ids->begin(), ids->end());
      return;
    }
    case p2p::MessageType::txs: {
      auto batch = p2p::decode_tx_batch(m.payload, params_.max_tx_bytes);
      if (!batch) return peers_->punish(from, batch.error());
      std::vector<Incoming> incoming;
      incoming.reserve(batch->size());
      for (const Bytes& raw : *batch) {
        const Hash256 hash = ledger::tx_hash_of_encoding(raw);
        if (mempool_.contains(hash)) continue;  // a relayed copy
        auto tx = ledger::decode_transaction(raw, params_.max_tx_bytes);
        if (!tx) return peers_->punish(from, "malformed transaction: " + tx.error());
        incoming.push_back({std::move(tx).value(), &raw, hash});
      }
      verify_signatures_ahead(incoming);
      for (const Incoming& in : incoming) {
        auto admitted = admit_transaction(in.tx, *in.raw, in.hash, from);
        // A node relays only what it admitted, so a forged signature marks the
        // peer, not a difference in state: otherwise each forgery it sends
        // costs this node signature checks for free.
        if (!admitted && admitted.error() == ledger::kInvalidSignature)
          return peers_->punish(from, "relayed a transaction with an invalid signature");
      }
      return;
    }
    case p2p::MessageType::vote: {
      auto v = p2p::decode_signed_vote(m.payload);
      if (!v) return peers_->punish(from, v.error());
      switch (route(v->vote.height, from)) {
        case Route::now:
          return on_vote(*v, from);
        case Route::later:
          return keep_for_next_height();
        case Route::drop:
          if (v->vote.height == head_.height) on_late_precommit(*v);
          return;
      }
      return;
    }
    case p2p::MessageType::proposal: {
      auto p = p2p::decode_signed_proposal(m.payload, params_.max_block_bytes);
      if (!p) return peers_->punish(from, p.error());
      switch (route(p->proposal.height, from)) {
        case Route::now:
          return on_proposal(std::move(p).value(), from);
        case Route::later:
          return keep_for_next_height();
        case Route::drop:
          return;
      }
      return;
    }
    case p2p::MessageType::block_request:
      return answer_block_request(m.payload, from);
    case p2p::MessageType::blob_request: {
      auto req = p2p::decode_blob_request(m.payload);
      if (!req) return peers_->punish(from, req.error());
      auto answer = p2p::answer_blob_request(blobs_, *req);
      if (!answer) return peers_->punish(from, answer.error());
      return peers_->send(from, {p2p::MessageType::blob_chunk, p2p::encode_blob_chunk(*answer)});
    }
    case p2p::MessageType::blob_chunk: {
      auto chunk = p2p::decode_blob_chunk(m.payload);
      if (!chunk) return peers_->punish(from, chunk.error());
      return send_blob_actions(
          blob_fetcher_.on_chunk(from, *chunk, std::chrono::steady_clock::now()));
    }
    case p2p::MessageType::block:
      return on_block_answer(m.payload, from);
    case p2p::MessageType::evidence: {
      auto e = ledger::decode_evidence(m.payload);
      if (!e) return peers_->punish(from, e.error());
      // Forged votes are the sender's fault; evidence that is merely stale or
      // already punished (a race with a block) is not.
      if (auto s = ledger::check_equivocation(*e, params_.chain_id); !s)
        return peers_->punish(from, "invalid evidence: " + s.error());
      (void)add_evidence(*e, from);
      return;
    }
    case p2p::MessageType::ping:
    case p2p::MessageType::pong:
      return;  // the peer manager answers these
  }
}

void Node::on_late_precommit(const p2p::SignedVote& v) {
  const consensus::Vote& vote = v.vote;
  if (!head_signers_ || vote.type != consensus::VoteType::Precommit ||
      vote.height != head_.height || vote.round != last_commit_.round ||
      vote.block != std::optional<consensus::BlockId>(head_.block_hash) ||
      vote.validator_index >= head_signers_->size())
    return;
  auto& sigs = last_commit_.sigs;
  auto at = std::find_if(sigs.begin(), sigs.end(), [&](const ledger::CommitSig& s) {
    return s.validator_index >= vote.validator_index;
  });
  if (at != sigs.end() && at->validator_index == vote.validator_index) return;  // held already
  // A forged one is dropped, not punished: it may have been relayed in good faith.
  if (!p2p::check_signature(v, *head_signers_, params_.chain_id)) return;
  sigs.insert(at, ledger::CommitSig{vote.validator_index, v.sig});
}

void Node::on_vote(const p2p::SignedVote& v, const std::string& from) {
  if (v.vote.round > engine_.round() + kMaxRoundsAhead) return;
  const auto key = std::make_tuple(v.vote.round, static_cast<uint8_t>(v.vote.type),
                                   v.vote.validator_index, v.vote.block);
  if (vote_sigs_.contains(key)) return;  // seen (our own, relayed back, or a duplicate)
  // Two versions of one validator's vote are evidence. A third or later one is
  // kept only for a value another validator voted for (the engine counts it
  // only then) and only up to one per validator: memory stays bounded.
  const uint8_t type = static_cast<uint8_t>(v.vote.type);
  size_t versions = 0;
  bool backed = false;
  for (auto it = vote_sigs_.lower_bound({v.vote.round, type, 0, std::nullopt});
       it != vote_sigs_.end() && std::get<0>(it->first) == v.vote.round &&
       std::get<1>(it->first) == type;
       ++it) {
    if (std::get<2>(it->first) == v.vote.validator_index)
      ++versions;
    else if (std::get<3>(it->first) == v.vote.block)
      backed = true;
  }
  if (versions >= 2 && (!backed || versions >= validators_.size())) return;
  if (auto s = p2p::check_signature(v, validators_, params_.chain_id); !s)
    return peers_->punish(from, s.error());
  vote_sigs_[key] = v.sig;
  handle(engine_.on_vote(v.vote));
  if (peers_) peers_->broadcast({p2p::MessageType::vote, p2p::encode(v)}, from);
}

void Node::on_proposal(p2p::SignedProposal sp, const std::string& from) {
  const consensus::Proposal& p = sp.proposal;
  if (p.round > engine_.round() + kMaxRoundsAhead) return;
  if (auto it = proposals_.find(p.round); it != proposals_.end()) {
    // Two different signed proposals of one proposer for one round: evidence.
    const p2p::SignedProposal& first = it->second;
    if (first.proposal != p && first.proposal.proposer_index == p.proposer_index &&
        p2p::check_signature(sp, validators_, params_.chain_id))
      (void)add_evidence(
          ledger::DoubleProposal{
              validators_.at(p.proposer_index).key, {first.proposal, first.sig}, {p, sp.sig}},
          "");
    return;
  }
  if (p.proposer_index != validators_.proposer(p.height, p.round))
    return peers_->punish(from, "a proposal from validator " + std::to_string(p.proposer_index) +
                                    ", not the proposer of its round");
  if (auto s = p2p::check_signature(sp, validators_, params_.chain_id); !s)
    return peers_->punish(from, s.error());
  auto block = ledger::decode_block(sp.block, params_.max_block_bytes, params_.max_block_txs,
                                    params_.max_tx_bytes);
  if (!block) return peers_->punish(from, "proposal block: " + block.error());
  if (ledger::block_hash(block->header) != p.block)
    return peers_->punish(from, "the proposal's block is not the one it names");
  const bool valid = candidates_.contains(p.block) || check_candidate(*block, p);
  proposals_[p.round] = sp;
  handle(engine_.on_proposal(p, valid));
  if (peers_) peers_->broadcast({p2p::MessageType::proposal, p2p::encode(sp)}, from);
}

bool Node::check_candidate(const ledger::Block& block, const consensus::Proposal& p) {
  revert_speculation();
  // A fresh proposal's block is the round proposer's own; a re-proposal
  // (pol_round >= 0) carries a block an earlier round's proposer built.
  const Ed25519Pubkey round_proposer = validators_.at(validators_.proposer(p.height, p.round)).key;
  const Ed25519Pubkey expected =
      p.pol_round < 0
          ? round_proposer
          : committed_block_proposer(validators_, p.height, p.round, block.header.proposer)
                .value_or(round_proposer);
  ledger::BlockVerdict v =
      ledger::check_block(state_, parent_of_next(), block, expected, now_ms() + kMaxClockDriftMs,
                          &datasets_, &signatures_);
  if (v.code != ledger::BlockCode::ok) {
    spdlog::warn("refusing proposed block {} at height {} round {}: {}: {}", short_hex(p.block),
                 p.height, p.round, ledger::block_code_name(v.code), v.reason);
    return false;
  }
  speculation_ = Speculation{p.block, std::move(v.executed.undo)};
  // The checked block is the proposal's block (same header, every root recomputed
  // equal): keep it rather than copy the proposal's.
  candidates_[p.block] = Candidate{std::move(v.executed.block), std::move(v.executed.result)};
  return true;
}

void Node::answer_block_request(ByteView payload, const std::string& from) {
  auto h = p2p::decode_block_request(payload);
  if (!h) return peers_->punish(from, h.error());
  auto block = chain_.block_at(*h);
  auto cert = chain_.commit_at(*h);
  if (!block || !cert) {
    spdlog::warn("cannot read block {} for peer {}: {}", *h, from,
                 !block ? block.error() : cert.error());
    return;
  }
  peers_->send(from, {p2p::MessageType::block, p2p::encode_block_answer(*h, *block, *cert)});
}

void Node::send_blob_actions(const p2p::BlobFetcher::Actions& a) {
  for (const auto& s : a.sends)
    peers_->send(s.peer, {p2p::MessageType::blob_request,
                          p2p::encode_blob_request(s.request.hash, s.request.offset)});
  for (const auto& p : a.punish) peers_->punish(p.peer, p.why);
}

Result<p2p::BlobFetcher::Status> Node::fetch_blob(const Hash256& hash) {
  if (!peers_) return make_error("this node has no peer network to fetch it from");
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::string> ids;
  for (const auto& p : peers_->peers()) ids.push_back(p.id);
  auto started = blob_fetcher_.start(hash, std::move(ids), now);
  if (!started) return started.take_error();
  send_blob_actions(started.value());
  return blob_fetcher_.status(hash, now);
}

void Node::request_next_block(const std::string& peer) {
  const auto now = std::chrono::steady_clock::now();
  if (pending_sync_ && now - pending_sync_->since < kSyncRequestTimeout) return;
  pending_sync_ = PendingSync{peer, head_.height + 1, now};
  peers_->send(peer,
               {p2p::MessageType::block_request, p2p::encode_block_request(head_.height + 1)});
}

void Node::on_block_answer(ByteView payload, const std::string& from) {
  auto answer = p2p::decode_block_answer(payload, params_, validators_.size());
  if (!answer) return peers_->punish(from, answer.error());
  if (answer->height != head_.height + 1) return;  // an answer we no longer need
  const bool asked = pending_sync_ && pending_sync_->peer == from;
  pending_sync_.reset();
  if (!answer->block) {
    if (asked) start_height_if_due();  // the peer has nothing newer: we are caught up
    return;
  }
  auto start = std::chrono::steady_clock::now();
  revert_speculation();
  auto executed = check_committed_block(state_, parent_of_next(), *answer->block, answer->cert,
                                        validators_, params_.chain_id, &datasets_, &signatures_);
  if (!executed)
    return peers_->punish(from,
                          "block " + std::to_string(answer->height) + ": " + executed.error());
  const Hash256 id = ledger::block_hash(answer->block->header);
  metrics_.block_synced();
  finish_commit(*answer->block, id, executed->result, answer->cert, start);
  request_next_block(from);  // more until the peer says it has none
}

void Node::gossip_state(const std::string& peer) {
  std::vector<p2p::Message> out;
  for (const auto& [round, sp] : proposals_)
    out.push_back({p2p::MessageType::proposal, p2p::encode(sp)});
  for (const auto& [key, sig] : vote_sigs_) {
    const auto& [round, type, index, block] = key;
    consensus::Vote v{static_cast<consensus::VoteType>(type), head_.height + 1, round, block,
                      index};
    out.push_back({p2p::MessageType::vote, p2p::encode(p2p::SignedVote{v, sig})});
  }
  for (const auto& m : out) peer.empty() ? peers_->broadcast(m) : peers_->send(peer, m);
}

void Node::restore_locked_block() {
  const auto& lock = persisted_signed_;
  if (lock.locked_round < 0 || !lock.locked_block) return;
  auto raw = signing_file_.load_locked_block();
  std::optional<ledger::Block> block;
  if (raw && raw.value()) {
    auto b = ledger::decode_block(**raw, params_.max_block_bytes, params_.max_block_txs,
                                  params_.max_tx_bytes);
    if (b && ledger::block_hash(b->header) == *lock.locked_block) block = std::move(b).value();
  }
  if (!block) {
    spdlog::warn(
        "locked on block {} at height {} but its copy ({}) is missing or another "
        "block: the lock still binds the votes; the block must come from peers",
        short_hex(*lock.locked_block), lock.height, signing_file_.locked_block_path().string());
    return;
  }
  // Checked like any proposal of that round (its proposer may be an earlier round's).
  const uint32_t round = static_cast<uint32_t>(lock.locked_round);
  const Ed25519Pubkey expected =
      committed_block_proposer(validators_, lock.height, round, block->header.proposer)
          .value_or(validators_.at(validators_.proposer(lock.height, round)).key);
  ledger::BlockVerdict v = ledger::check_block(state_, parent_of_next(), *block, expected,
                                               UINT64_MAX, &datasets_, &signatures_);
  if (v.code != ledger::BlockCode::ok) {
    spdlog::warn("the locked block {} does not check any more: {}: {}",
                 short_hex(*lock.locked_block), ledger::block_code_name(v.code), v.reason);
    return;
  }
  spdlog::info("restored the block this validator is locked on: {} (height {}, round {})",
               short_hex(*lock.locked_block), lock.height, round);
  saved_lock_ = lock.locked_block;
  speculation_ = Speculation{*lock.locked_block, std::move(v.executed.undo)};
  candidates_[*lock.locked_block] = Candidate{std::move(*block), std::move(v.executed.result)};
}

// ---- double-sign evidence ----

bool Node::add_evidence(const ledger::Evidence& e, const std::string& from) {
  const uint64_t height = ledger::offence_height(e);
  const auto key = std::make_pair(ledger::offender(e), height);
  if (evidence_pool_.contains(key)) return true;
  // Double signing at the height in progress goes into the next block after it.
  const uint64_t next = head_.height + 1;
  if (height > next) return false;  // from a height we have not reached
  auto v = ledger::check_evidence(state_, params_, std::max(next, height + 1), e);
  if (!v) {
    spdlog::debug("evidence against {} not kept: {}", short_hex(ledger::offender(e)), v.error());
    return false;
  }
  if (evidence_pool_.size() >= kMaxPendingEvidence) return false;
  spdlog::warn(
      "validator {} double-signed ({}) at height {} round {}: evidence kept for the next "
      "block",
      to_hex(ledger::offender(e)), ledger::offence_name(e), height, ledger::offence_round(e));
  evidence_pool_[key] = e;
  metrics_.evidence_kept();
  if (peers_) peers_->broadcast({p2p::MessageType::evidence, ledger::encode(e)}, from);
  return true;
}

void Node::on_double_sign(const consensus::Vote& a, const consensus::Vote& b) {
  auto sig_of = [&](const consensus::Vote& v) -> std::optional<Ed25519Sig> {
    auto it = vote_sigs_.find({v.round, static_cast<uint8_t>(v.type), v.validator_index, v.block});
    if (it == vote_sigs_.end()) return std::nullopt;
    return it->second;
  };
  auto sa = sig_of(a);
  auto sb = sig_of(b);
  if (!sa || !sb || a.validator_index >= validators_.size()) return;
  (void)add_evidence(ledger::DoubleSign{validators_.at(a.validator_index).key, {a, *sa}, {b, *sb}},
                     "");
}

void Node::after_state_change() {
  auto set = ledger::validator_set_of(state_);
  if (!set)
    return fatal("the validator set after block " + std::to_string(head_.height) + ": " +
                 set.error());
  if (set->validators() != validators_.validators())
    spdlog::info("validator set from height {}: {} validators, total power {}", head_.height + 1,
                 set->size(), set->total_power());
  validators_ = std::move(set).value();
  for (auto it = evidence_pool_.begin(); it != evidence_pool_.end();)
    it = ledger::check_evidence(state_, params_, head_.height + 1, it->second)
             ? std::next(it)
             : evidence_pool_.erase(it);
}

void Node::tick() {
  if (!running_) return;
  const auto progress = std::make_tuple(engine_.height(), engine_.round(), engine_.step());
  stalled_ticks_ = progress == last_progress_ ? stalled_ticks_ + 1 : 0;
  last_progress_ = progress;
  if (pending_sync_ &&
      std::chrono::steady_clock::now() - pending_sync_->since > kSyncRequestTimeout)
    pending_sync_.reset();
  if (engine_.decided() && engine_.height() == head_.height + 1) {
    // Decided on a block we do not hold: ask everyone until one has it.
    peers_->broadcast(
        {p2p::MessageType::block_request, p2p::encode_block_request(head_.height + 1)});
  } else if (stalled_ticks_ >= 2) {
    // No step for two ticks: a message may have been lost (a peer restarted,
    // a connection dropped); send everything we hold for this height again.
    gossip_state("");
    stalled_ticks_ = 0;
  }
  send_blob_actions(blob_fetcher_.tick(std::chrono::steady_clock::now()));
  advertise_peers();  // a lost connection
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(kTickMs));
  timers_.push_back(timer);
  timer->async_wait([this, timer](const boost::system::error_code& ec) {
    std::erase(timers_, timer);
    if (ec || !running_) return;
    tick();
  });
}

}  // namespace vt::node
