#include "node/rpc_methods.h"

#include "core/bech32m.h"
#include "ledger/state_access.h"
#include "node/chain_audit.h"
#include "node/event_feeds.h"
#include "node/explorer_assets.h"
#include "node/json_views.h"
#include "node/node.h"
#include "node/pol_view.h"
#include "node/state_history.h"
#include "node/tx_index.h"
#include "rpc/http_server.h"
#include "rpc/method_table.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"

namespace vt::node {

using nlohmann::json;
using rpc::internal;
using rpc::invalid;
using rpc::not_found;
using rpc::ParamType;
using rpc::RpcError;
using rpc::RpcOutcome;

namespace {

// One page of address-ordered records for the state_list* methods: `after`
// (exclusive) and `limit` (1 to 1000, default 100) come from the params.
class AddressPage {
 public:
  static Result<AddressPage> from(const rpc::Params& p) {
    AddressPage page;
    page.limit_ = p.u64_or("limit", 100);
    if (page.limit_ == 0 || page.limit_ > 1000) return make_error("limit: must be 1 to 1000");
    if (p.has("after")) {
      auto a = address_from_string(p.str("after"));
      if (!a) return make_error("after: " + a.error());
      page.after_ = a.value();
    }
    return page;
  }
  // Offers the next record in address order; false once the page is full.
  bool offer(const Address& owner, json item) {
    if (after_ && owner <= *after_) return true;
    if (list_.size() == limit_) {
      next_ = list_.back()["address"];
      return false;
    }
    list_.push_back(std::move(item));
    return true;
  }
  json result(const char* field) const { return {{field, list_}, {"next", next_}}; }

 private:
  std::optional<Address> after_;
  uint64_t limit_ = 100;
  json list_ = json::array();
  json next_ = nullptr;
};

// The same for id-ordered records (jobs, disputes, slashes): `after` is an id.
class IdPage {
 public:
  static Result<IdPage> from(const rpc::Params& p) {
    IdPage page;
    page.limit_ = p.u64_or("limit", 100);
    if (page.limit_ == 0 || page.limit_ > 1000) return make_error("limit: must be 1 to 1000");
    page.after_ = p.u64_or("after", 0);
    return page;
  }
  // Offers the next record in id order; false once the page is full.
  bool offer(uint64_t id, json item) {
    if (id <= after_) return true;
    if (list_.size() == limit_) {
      next_ = list_.back()["id"];
      return false;
    }
    list_.push_back(std::move(item));
    return true;
  }
  json result(const char* field) const { return {{field, list_}, {"next", next_}}; }

 private:
  uint64_t after_ = 0;
  uint64_t limit_ = 100;
  json list_ = json::array();
  json next_ = nullptr;
};

json block_json(const ledger::Block& b, const std::optional<std::vector<ledger::Event>>& events) {
  json txs = json::array();
  for (const auto& tx : b.txs) txs.push_back(to_json(tx));
  json evidence = json::array();
  for (const auto& e : b.evidence)
    evidence.push_back({{"validator", to_hex(ledger::offender(e))},
                        {"height", ledger::offence_height(e)},
                        {"round", ledger::offence_round(e)},
                        {"type", ledger::offence_name(e)}});
  // Who signed the parent (indices in the parent's validator set).
  json signers = json::array();
  for (const auto& s : b.last_commit.sigs) signers.push_back(s.validator_index);
  return {{"hash", to_hex(ledger::block_hash(b.header))},
          {"header", to_json(b.header)},
          {"txs", txs},
          {"evidence", evidence},
          {"last_commit", {{"round", b.last_commit.round}, {"signers", signers}}},
          {"begin_events", events ? to_json(*events) : json::array()}};
}

json verifier_json(const ledger::Verifier& v) {
  return object_json(v);
}

// A job with its spec document and proof-of-learning record, for state_getJob.
json job_json(const ledger::StateReader& state, uint64_t height, bool at_head,
              const ledger::Job& j) {
  json out = to_json(j);
  auto spec = ledger::read_spec(state, j.spec_hash);
  out["spec"] = spec ? json::parse(*spec, nullptr, false) : json(nullptr);
  out["pol"] = pol_json(state, height, at_head, j);
  return out;
}

// The state a query reads: the head's in memory, or, with a `height` or a
// proof asked for, the stored history at that height, which can prove its reads.
struct StateView {
  uint64_t height = 0;
  Hash256 root{};
  std::unique_ptr<HistoricalState> history;  // null: the head in memory
  const ledger::StateReader* reader = nullptr;
  bool at_head() const { return history == nullptr; }
};

const rpc::ParamSpec kHeightParam{"height", ParamType::Integer, false,
                                  "read the state after this block (default: the head); see "
                                  "chain_status.earliest_state_height"};
const rpc::ParamSpec kProveParam{"prove", ParamType::Boolean, false,
                                 "also return a sparse-Merkle proof against that height's state "
                                 "root (docs/state-root.md)"};
const json kProofSchema = {{"type", {"object", "null"}}};

std::optional<RpcError> open_state_view(const Node& node, const rpc::Params& p, StateView& view) {
  const ChainHead& head = node.head();
  view.height = head.height;
  view.root = head.state_root;
  view.reader = &node.state();
  const bool prove = p.has("prove") && p.boolean("prove");
  if (!p.has("height") && !prove) return std::nullopt;
  if (p.has("height")) view.height = p.u64("height");
  if (view.height > head.height)
    return invalid("height " + std::to_string(view.height) + " is above the head (" +
                   std::to_string(head.height) + ")");
  if (!node.chain().indexes().state_history)
    return RpcError{rpc::kUnsupported,
                    "this node keeps no state history (config.toml [storage] state_history): "
                    "it serves the head only, without proofs",
                    nullptr};
  auto earliest = node.chain().earliest_state_height();
  if (!earliest) return internal(earliest.error());
  if (view.height < earliest.value())
    return not_found("height " + std::to_string(view.height) +
                     " is before the earliest state this node keeps (" +
                     std::to_string(earliest.value()) + ")");
  if (view.height == 0) {
    view.root = node.genesis_state_root();
  } else if (view.height != head.height) {
    auto block = node.chain().block_at(view.height);
    if (!block) return internal(block.error());
    if (!block.value()) return internal("block " + std::to_string(view.height) + " is missing");
    view.root = block.value()->header.state_root;
  }
  view.history = std::make_unique<HistoricalState>(node.chain().kv(), view.height, view.root);
  view.reader = view.history.get();
  return std::nullopt;
}

// The proof of `key` in view (which must read history), as JSON; null unless asked.
RpcOutcome proof_json(const StateView& view, const rpc::Params& p, ByteView key) {
  if (!(p.has("prove") && p.boolean("prove"))) return json(nullptr);
  auto proven = view.history->prove(key);
  if (!proven) return internal(proven.error());
  const auto& proof = proven.value().proof;
  json siblings = json::array();
  for (const auto& s : proof.siblings) siblings.push_back(to_hex(s));
  const auto& value = proven.value().value;
  return json{{"height", view.height},
              {"state_root", to_hex(view.root)},
              {"key", to_hex(key)},
              {"value", value ? json(to_hex(*value)) : json(nullptr)},
              {"siblings", siblings},
              {"leaf", proof.leaf ? json{{"path", to_hex(proof.leaf->path)},
                                         {"value_hash", to_hex(proof.leaf->value_hash)}}
                                  : json(nullptr)}};
}

std::optional<RpcError> need_tx_index(const Node& node) {
  if (node.chain().indexes().tx_index) return std::nullopt;
  return RpcError{rpc::kUnsupported,
                  "this node keeps no transaction index (config.toml [storage] tx_index)", nullptr};
}

// A history read that failed in the store must not pass for an absent object.
std::optional<RpcError> history_error(const StateView& view) {
  if (view.history && !view.history->error().empty()) return internal(view.history->error());
  return std::nullopt;
}

}  // namespace

void register_rpc_methods(rpc::MethodTable& t, Node& node) {
  const json status_schema =
      schema_object({{"chain_id", kString},
                     {"height", kInteger},
                     {"block_hash", kString},
                     {"state_root", kString},
                     {"time_ms", kInteger},
                     {"mempool_size", kInteger},
                     {"genesis_hash", kString},
                     {"earliest_height", kInteger},
                     {"earliest_state_height", {{"type", {"integer", "null"}}}},
                     {"consensus", {{"type", "object"}}}});
  t.add({"chain_status",
         "The chain's head, state root and mempool size, the genesis hash, the earliest "
         "height whose block this node serves (1: it keeps every block; 0 before the first), "
         "the earliest height whose state it can read and prove (state queries' height) "
         "and the height and round consensus is deciding.",
         {},
         "status",
         status_schema,
         [&node](const rpc::Params&) -> RpcOutcome {
           const auto& h = node.head();
           json earliest_state = nullptr;  // no state history kept
           if (node.chain().indexes().state_history) {
             auto e = node.chain().earliest_state_height();
             if (!e) return internal(e.error());
             earliest_state = e.value();
           }
           return json{{"chain_id", node.params().chain_id},
                       {"genesis_hash", to_hex(node.genesis_hash())},
                       {"earliest_height", h.height >= 1 ? 1 : 0},
                       {"earliest_state_height", earliest_state},
                       {"height", h.height},
                       {"block_hash", to_hex(h.block_hash)},
                       {"state_root", to_hex(h.state_root)},
                       {"time_ms", h.time_ms},
                       {"mempool_size", node.mempool().size()},
                       {"consensus",
                        {{"height", node.engine().height()}, {"round", node.engine().round()}}}};
         }});

  t.add({"chain_getBlock",
         "A block by height or by hash (give exactly one), with its transactions, the "
         "double-sign evidence it carries, its last commit (the round and the indices of the "
         "validators whose precommits for the parent it carries) and its begin-block events "
         "(expiries, unbondings, validator slashes and jails, missed-block jails).",
         {{"height", ParamType::Integer, false, "block height (1 = first block)"},
          {"hash", ParamType::Hex, false, "block hash, 64 hex characters"}},
         "block",
         schema_object({{"hash", kString},
                        {"header", {{"type", "object"}}},
                        {"txs", {{"type", "array"}}},
                        {"evidence", {{"type", "array"}}},
                        {"last_commit", {{"type", "object"}}},
                        {"begin_events", {{"type", "array"}}}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           if (p.has("height") == p.has("hash"))
             return invalid("give exactly one of height or hash");
           Result<std::optional<ledger::Block>> block = std::optional<ledger::Block>();
           if (p.has("height")) {
             block = node.chain().block_at(p.u64("height"));
           } else {
             auto h = hash_from_hex(p.str("hash"));
             if (!h) return invalid("hash: " + h.error());
             block = node.chain().block_by_hash(h.value());
           }
           if (!block) return internal(block.error());
           if (!block.value()) return not_found("no such block");
           const auto& b = *block.value();
           auto events = node.chain().block_events(b.header.height);
           return block_json(b, events ? events.value() : std::nullopt);
         }});

  t.add({"chain_getGenesis",
         "The genesis this node runs, in the genesis.json format (genesis/README.md), and its "
         "hash (block 1's prev_hash).",
         {},
         "genesis",
         schema_object({{"genesis", {{"type", "object"}}}, {"genesis_hash", kString}}),
         [&node](const rpc::Params&) -> RpcOutcome {
           return json{{"genesis", to_json(node.genesis())},
                       {"genesis_hash", to_hex(node.genesis_hash())}};
         }});

  t.add({"chain_getBlockResults",
         "What executing a block did, for indexers: its begin-block events (unbondings, "
         "expiries, proof-of-learning outcomes, slashes and jails) and every transaction's "
         "receipt (success, code, reason, fee, events) in block order, a page at a time: "
         "`offset` (default 0) and `limit` (default and most 1000); `next_offset` is the "
         "offset of the next page, or null after the last.",
         {{"height", ParamType::Integer, true, "block height (1 = first block)"},
          {"offset", ParamType::Integer, false, "first transaction index of the page"},
          {"limit", ParamType::Integer, false, "transactions per page, 1 to 1000"}},
         "results",
         schema_object({{"height", kInteger},
                        {"block_hash", kString},
                        {"txs_total", kInteger},
                        {"offset", kInteger},
                        {"next_offset", {{"type", {"integer", "null"}}}},
                        {"begin_events", {{"type", "array"}}},
                        {"results", {{"type", "array"}}}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           constexpr uint64_t kMaxPage = 1000;
           const uint64_t limit = p.has("limit") ? p.u64("limit") : kMaxPage;
           if (limit == 0 || limit > kMaxPage)
             return invalid("limit must be between 1 and " + std::to_string(kMaxPage));
           return block_results_json(node.chain(), p.u64("height"), p.u64_or("offset", 0), limit);
         }});

  t.add({"chain_getCommit",
         "The commit certificate of a block: the round and each precommit signature, checked "
         "against the validator set as a syncing node checks it (verify_commit).",
         {{"height", ParamType::Integer, true, "block height (1 = first block)"}},
         "commit",
         schema_object({{"height", kInteger},
                        {"block_hash", kString},
                        {"round", kInteger},
                        {"signatures", {{"type", "array"}}},
                        {"power_signed", kInteger},
                        {"total_power", kInteger},
                        {"quorum_power", kInteger},
                        {"check", kString},
                        {"check_reason", kString}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           const uint64_t height = p.u64("height");
           auto block = node.chain().block_at(height);
           auto raw = node.chain().commit_at(height);
           if (!block || !raw) return internal(!block ? block.error() : raw.error());
           if (!block.value() || !raw.value()) return not_found("no block at that height");
           // The set that signed this height (the records the state held after height-1).
           auto stored = node.chain().validators_at(height);
           if (!stored) return internal(stored.error());
           auto signers = ledger::consensus_validators(
               stored.value() ? *stored.value() : ledger::read_validators(node.state()));
           if (!signers) return internal(signers.error());
           const consensus::ValidatorSet& set = signers.value();
           auto cert = ledger::decode_commit_certificate(*raw.value(), set.size());
           if (!cert) return internal(cert.error());
           const Hash256 id = ledger::block_hash(block.value()->header);
           json sigs = json::array();
           uint64_t signed_power = 0;
           for (const auto& s : cert->sigs) {
             const bool known = s.validator_index < set.size();
             sigs.push_back(
                 {{"validator_index", s.validator_index},
                  {"validator_key", known ? json(to_hex(set.at(s.validator_index).key)) : json()},
                  {"signature", s.sig ? json(to_hex(*s.sig)) : json(nullptr)}});
             if (known && s.sig) signed_power += set.power(s.validator_index);
           }
           const ledger::CommitVerdict v =
               ledger::verify_commit(set, node.params().chain_id, height, id, *cert);
           return json{{"height", height},
                       {"block_hash", to_hex(id)},
                       {"round", cert->round},
                       {"signatures", sigs},
                       {"power_signed", signed_power},
                       {"total_power", set.total_power()},
                       {"quorum_power", set.quorum_power()},
                       {"check", ledger::commit_code_name(v.code)},
                       {"check_reason", v.reason}};
         }});

  t.add({"chain_getValidators",
         "The validators at a height (default: the next block's): consensus keys, stakes "
         "(power), operators, VRF keys, whether jailed or tombstoned, the index of each in the "
         "set that signs that height (null when out of it) and the proposer of round 0. What a "
         "block changes (a slash, a jail) counts from the next height.",
         {{"height", ParamType::Integer, false, "block height; at most the head's + 1"}},
         "validators",
         schema_object({{"height", kInteger},
                        {"validators",
                         {{"type", "array"},
                          {"items", object_schema<ledger::Validator>(
                                        {{"index", {{"type", {"integer", "null"}}}}})}}},
                        {"total_power", kInteger},
                        {"proposer", kString}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           const uint64_t next = node.head().height + 1;
           const uint64_t height = p.has("height") ? p.u64("height") : next;
           if (height == 0 || height > next)
             return invalid("height must be between 1 and " + std::to_string(next));
           auto stored = node.chain().validators_at(height);
           if (!stored) return internal(stored.error());
           const std::vector<ledger::Validator> records =
               stored.value() ? *stored.value() : ledger::read_validators(node.state());
           auto set = ledger::consensus_validators(records);
           if (!set) return internal(set.error());
           json list = json::array();
           for (const auto& v : records) {
             auto index = set->index_of(v.consensus_key);
             json item = object_json(v);
             item["index"] = index ? json(*index) : json(nullptr);
             list.push_back(std::move(item));
           }
           return json{{"height", height},
                       {"validators", list},
                       {"total_power", set->total_power()},
                       {"proposer", to_hex(set->at(set->proposer(height, 0)).key)}};
         }});

  t.add({"net_peers",
         "The peers this node is connected to over the encrypted P2P channel: node id, address, "
         "direction and messages exchanged; and this node's own id.",
         {},
         "net",
         schema_object({{"node_id", {{"type", json::array({"string", "null"})}}},
                        {"listening", {{"type", "boolean"}}},
                        {"peers", {{"type", "array"}}}}),
         [&node](const rpc::Params&) -> RpcOutcome {
           json list = json::array();
           for (const auto& p : node.peers())
             list.push_back({{"node_id", p.id},
                             {"address", p.address},
                             {"outbound", p.outbound},
                             {"messages_sent", p.messages_sent},
                             {"messages_received", p.messages_received}});
           const bool listening = node.p2p_port() != 0;
           return json{
               {"node_id", listening ? json(p2p::node_id(node.validator_pubkey())) : json(nullptr)},
               {"listening", listening},
               {"peers", list}};
         }});

  t.add({"consensus_state",
         "Where this node's consensus engine is (height, round, step, locked and valid rounds) "
         "and what it signed last (its signing-state file).",
         {},
         "consensus",
         schema_object({{"height", kInteger},
                        {"round", kInteger},
                        {"step", kString},
                        {"locked_round", {{"type", "integer"}}},
                        {"valid_round", {{"type", "integer"}}},
                        {"proposer", kString},
                        {"last_signed", {{"type", json::array({"object", "null"})}}}}),
         [&node](const rpc::Params&) -> RpcOutcome {
           const auto& e = node.engine();
           auto step = [](consensus::Step s) {
             return s == consensus::Step::Propose   ? "propose"
                    : s == consensus::Step::Prevote ? "prevote"
                                                    : "precommit";
           };
           const auto& ls = node.last_signed();
           json last = nullptr;
           if (!ls.empty)
             last = {{"height", ls.height},
                     {"round", ls.round},
                     {"step", step(ls.step)},
                     {"block", ls.block ? json(to_hex(*ls.block)) : json(nullptr)}};
           const auto& set = node.validators();
           return json{{"height", e.height()},
                       {"round", e.round()},
                       {"step", step(e.step())},
                       {"locked_round", e.locked_round()},
                       {"valid_round", e.valid_round()},
                       {"proposer", to_hex(set.at(set.proposer(e.height(), e.round())).key)},
                       {"last_signed", last}};
         }});

  t.add({"chain_getTransaction",
         "A committed transaction with its receipt (height, success or reason, events), or "
         "{hash, pending: true} while it waits in the mempool.",
         {{"hash", ParamType::Hex, true, "transaction hash"}},
         "transaction",
         {{"oneOf",
           {schema_object({{"hash", kString},
                           {"pending", {{"type", "boolean"}}},
                           {"height", kInteger},
                           {"index", kInteger},
                           {"tx", {{"type", "object"}}},
                           {"receipt", {{"type", "object"}}}}),
            schema_object({{"hash", kString}, {"pending", {{"type", "boolean"}}}})}}},
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto h = hash_from_hex(p.str("hash"));
           if (!h) return invalid("hash: " + h.error());
           auto rec = node.chain().tx(h.value());
           if (!rec) return internal(rec.error());
           if (!rec.value()) {
             if (node.mempool().contains(h.value()))
               return json{{"hash", p.str("hash")}, {"pending", true}};
             return not_found("no such transaction");
           }
           return json{
               {"hash", p.str("hash")},          {"pending", false},
               {"height", rec.value()->height},  {"index", rec.value()->index},
               {"tx", to_json(rec.value()->tx)}, {"receipt", to_json(rec.value()->receipt)}};
         }});

  t.add({"state_getAccount",
         "An account's balance and next nonce (zero for an unknown address); pending_nonce also "
         "counts the "
         "account's transactions waiting in the mempool.",
         {{"address", ParamType::String, true, "vt1... address"}, kHeightParam, kProveParam},
         "account",
         object_schema<ledger::Account>(
             {{"address", kAddress}, {"pending_nonce", kInteger}, {"proof", kProofSchema}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto a = address_from_string(p.str("address"));
           if (!a) return invalid("address: " + a.error());
           StateView view;
           if (auto e = open_state_view(node, p, view)) return *e;
           ledger::Account acc = ledger::read_account(*view.reader, a.value());
           if (auto e = history_error(view)) return *e;
           json out = to_json(acc, a.value());
           out["pending_nonce"] = view.at_head() || view.height == node.head().height
                                      ? node.mempool().next_nonce(a.value(), acc.nonce)
                                      : acc.nonce;
           auto proof = proof_json(view, p, ledger::keys::account(a.value()));
           if (!proof.ok()) return proof;
           out["proof"] = proof.result();
           return out;
         }});

  t.add({"account_getTransactions",
         "Hashes of transactions sent or received by an account, newest first.",
         {{"address", ParamType::String, true, "vt1... address"},
          {"limit", ParamType::Integer, false, "at most this many (default 50, max 500)"}},
         "hashes",
         {{"type", "array"}, {"items", kString}},
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto a = address_from_string(p.str("address"));
           if (!a) return invalid("address: " + a.error());
           if (auto e = need_tx_index(node)) return *e;
           uint64_t limit = p.u64_or("limit", 50);
           if (limit == 0 || limit > 500) return invalid("limit: must be 1 to 500");
           auto hashes = node.chain().account_txs(a.value(), limit);
           if (!hashes) return internal(hashes.error());
           json out = json::array();
           for (const auto& h : hashes.value()) out.push_back(to_hex(h));
           return out;
         }});

  t.add(
      {"tx_search",
       "Committed transactions matching every condition given (AND): an address (as sender, "
       "transfer recipient or in any event attribute), a job id, an event type, a height "
       "range. Pages of at most 100 (a larger limit is refused), newest first unless order is "
       "\"asc\"; pass next back as cursor for the following page. A page may hold fewer than "
       "limit and still have a next cursor when the search stopped after reading 20000 index "
       "entries: next is null only when nothing more matches.",
       {{"address", ParamType::String, false, "vt1... address"},
        {"job", ParamType::Integer, false, "job id"},
        {"event", ParamType::String, false, "event type, e.g. job_settled"},
        {"from_height", ParamType::Integer, false, "lowest height (inclusive)"},
        {"to_height", ParamType::Integer, false, "highest height (inclusive)"},
        {"order", ParamType::String, false, "desc (newest first, default) or asc"},
        {"limit", ParamType::Integer, false, "page size, 1 to 100 (default 50)"},
        {"cursor", ParamType::String, false, "next of the previous page"}},
       "page",
       schema_object({{"txs",
                       {{"type", "array"},
                        {"items", schema_object({{"hash", kString},
                                                 {"height", kInteger},
                                                 {"index", kInteger},
                                                 {"type", kString},
                                                 {"sender", kString},
                                                 {"success", {{"type", "boolean"}}},
                                                 {"code_name", kString},
                                                 {"fee", kAmount}})}}},
                      {"next", {{"type", {"string", "null"}}}}}),
       [&node](const rpc::Params& p) -> RpcOutcome {
         if (auto e = need_tx_index(node)) return *e;
         TxQuery q;
         auto text = [&p](const char* name) -> std::optional<std::string> {
           return p.has(name) ? std::optional<std::string>(p.str(name)) : std::nullopt;
         };
         if (auto e = parse_tx_conditions(
                 text("address"),
                 p.has("job") ? std::optional<uint64_t>(p.u64("job")) : std::nullopt, text("event"),
                 q))
           return *e;
         q.from_height = p.u64_or("from_height", 0);
         q.to_height = p.u64_or("to_height", UINT64_MAX);
         if (q.from_height > q.to_height) return invalid("from_height is above to_height");
         const std::string order = p.str_or("order", "desc");
         if (order != "desc" && order != "asc") return invalid("order: must be one of desc, asc");
         q.newest_first = order == "desc";
         const uint64_t limit = p.u64_or("limit", 50);
         if (limit == 0 || limit > kMaxTxSearchPage)
           return invalid("limit: must be 1 to " + std::to_string(kMaxTxSearchPage) +
                          "; follow next for more");
         std::optional<TxPosition> start;
         if (p.has("cursor")) {
           auto c = decode_tx_cursor(p.str("cursor"));
           if (!c) return invalid("cursor: " + c.error());
           start = c.value();
         }
         auto page = search_txs(node.chain().kv(), q, start, limit);
         if (!page) return internal(page.error());
         json txs = json::array();
         for (const TxHit& hit : page.value().hits) {
           auto rec = node.chain().tx(hit.hash);
           if (!rec) return internal(rec.error());
           if (!rec.value())
             return internal("indexed transaction " + to_hex(hit.hash) + " is missing");
           txs.push_back(tx_summary_json(hit.hash, *rec.value()));
         }
         const auto& next = page.value().next;
         return json{{"txs", txs}, {"next", next ? json(encode_tx_cursor(*next)) : json(nullptr)}};
       }});

  t.add({"state_getProvider",
         "A registered provider: stake, locked bonds, endpoint, record.",
         {{"address", ParamType::String, true, "provider's vt1... address"}, kHeightParam},
         "provider",
         object_schema<ledger::Provider>(),
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto a = address_from_string(p.str("address"));
           if (!a) return invalid("address: " + a.error());
           StateView view;
           if (auto e = open_state_view(node, p, view)) return *e;
           auto prov = ledger::read_provider(*view.reader, a.value());
           if (auto e = history_error(view)) return *e;
           if (!prov) return not_found("no provider registered at " + p.str("address"));
           return to_json(*prov);
         }});

  t.add({"state_listProviders",
         "Registered providers in address order, paginated.",
         {{"after", ParamType::String, false, "continue after this address"},
          {"limit", ParamType::Integer, false, "at most this many (default 100, max 1000)"}},
         "page",
         schema_object(
             {{"providers", {{"type", "array"}, {"items", object_schema<ledger::Provider>()}}},
              {"next", {{"type", {"string", "null"}}}}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto page = AddressPage::from(p);
           if (!page) return invalid(page.error());
           node.state().scan(ledger::keys::prefix(ledger::keys::kProvider),
                             [&](const Bytes&, const Bytes& v) {
                               auto prov = ledger::decode_provider(v).value();
                               return page->offer(prov.owner, to_json(prov));
                             });
           return page->result("providers");
         }});

  t.add({"state_getJob",
         "A job: escrow, bond, status, provider, deadlines, its spec document and, once "
         "committed, its proof-of-learning record (pol: commitment root and fields, the heights "
         "of sampling, commit deadline, reveal deadline and settlement, each sampled segment "
         "with its verifier, attestation status, probe offset once drawn and judged result, the "
         "job's disputes and slashes).",
         {{"id", ParamType::Integer, true, "job id"}, kHeightParam, kProveParam},
         "job",
         object_schema<ledger::Job>({{"spec", {{"type", {"object", "null"}}}},
                                     {"pol", pol_schema()},
                                     {"proof", kProofSchema}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           StateView view;
           if (auto e = open_state_view(node, p, view)) return *e;
           auto j = ledger::read_job(*view.reader, p.u64("id"));
           if (auto e = history_error(view)) return *e;
           if (!j)
             return not_found("no job " + std::to_string(p.u64("id")) + " at height " +
                              std::to_string(view.height));
           json out = job_json(*view.reader, view.height, view.at_head(), *j);
           if (auto e = history_error(view)) return *e;
           auto proof = proof_json(view, p, ledger::keys::job(j->id));
           if (!proof.ok()) return proof;
           out["proof"] = proof.result();
           return out;
         }});

  t.add(
      {"state_listJobs",
       "Jobs in id order, filtered by status, client or provider; paginated by id.",
       {{"status", ParamType::String, false,
         "open, accepted, committed, verifying, settled, slashed, expired or cancelled"},
        {"client", ParamType::String, false, "client's vt1... address"},
        {"provider", ParamType::String, false, "provider's vt1... address"},
        {"after", ParamType::Integer, false, "continue after this job id"},
        {"limit", ParamType::Integer, false, "at most this many (default 100, max 1000)"}},
       "page",
       schema_object({{"jobs", {{"type", "array"}, {"items", object_schema<ledger::Job>()}}},
                      {"next", {{"type", {"integer", "null"}}}}}),
       [&node](const rpc::Params& p) -> RpcOutcome {
         std::optional<ledger::JobStatus> status;
         if (p.has("status")) {
           status = ledger::job_status_from_name(p.str("status"));
           if (!status) return invalid("status: unknown job status '" + p.str("status") + "'");
         }
         std::optional<Address> client, provider;
         for (auto [name, dst] : {std::pair{"client", &client}, std::pair{"provider", &provider}}) {
           if (!p.has(name)) continue;
           auto a = address_from_string(p.str(name));
           if (!a) return invalid(std::string(name) + ": " + a.error());
           *dst = a.value();
         }
         auto page = IdPage::from(p);
         if (!page) return invalid(page.error());
         node.state().scan(ledger::keys::prefix(ledger::keys::kJob),
                           [&](const Bytes&, const Bytes& v) {
                             auto j = ledger::decode_job(v).value();
                             if (status && j.status != *status) return true;
                             if (client && j.client != *client) return true;
                             if (provider && j.provider != provider) return true;
                             return page->offer(j.id, to_json(j));
                           });
         return page->result("jobs");
       }});

  t.add({"state_getVerifier",
         "A registered verifier: stake, registration height, segments assigned and agreed.",
         {{"address", ParamType::String, true, "verifier's vt1... address"}, kHeightParam},
         "verifier",
         object_schema<ledger::Verifier>(),
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto a = address_from_string(p.str("address"));
           if (!a) return invalid("address: " + a.error());
           StateView view;
           if (auto e = open_state_view(node, p, view)) return *e;
           auto v = ledger::read_verifier(*view.reader, a.value());
           if (auto e = history_error(view)) return *e;
           if (!v) return not_found("no verifier registered at " + p.str("address"));
           return verifier_json(*v);
         }});

  t.add({"state_listVerifiers",
         "Registered verifiers in address order (the sampling candidate order), paginated.",
         {{"after", ParamType::String, false, "continue after this address"},
          {"limit", ParamType::Integer, false, "at most this many (default 100, max 1000)"}},
         "page",
         schema_object(
             {{"verifiers", {{"type", "array"}, {"items", object_schema<ledger::Verifier>()}}},
              {"next", {{"type", {"string", "null"}}}}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto page = AddressPage::from(p);
           if (!page) return invalid(page.error());
           for (const ledger::Verifier& v : ledger::read_verifiers(node.state()))
             if (!page->offer(v.owner, verifier_json(v))) break;
           return page->result("verifiers");
         }});

  t.add({"state_getCheckpointProof",
         "The Merkle inclusion proof of a committed checkpoint's state hash under the job's "
         "commitment root: a verifier or client that downloaded checkpoint `index` (blob_get) "
         "checks its tensors' state hash against the root with it "
         "(verifier::verify_proof; proof = u64 index | u64 leaf_count | u32 n | n x 32 bytes).",
         {{"job_id", ParamType::Integer, true, "job id"},
          {"index", ParamType::Integer, true, "checkpoint index (0 = the initial state)"}},
         "proof",
         schema_object({{"job_id", kInteger},
                        {"index", kInteger},
                        {"step", kInteger},
                        {"state_hash", kString},
                        {"commitment_root", kString},
                        {"leaf_count", kInteger},
                        {"proof", kString}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           const uint64_t id = p.u64("job_id"), index = p.u64("index");
           auto raw = node.state().get(ledger::keys::commitment(id));
           if (!raw) return not_found("job " + std::to_string(id) + " has no commitment");
           auto c = verifier::decode_commitment(*raw);
           if (!c) return internal("stored commitment: " + c.error());
           if (index >= c->checkpoints.size())
             return invalid("index: the commitment has " + std::to_string(c->checkpoints.size()) +
                            " checkpoints");
           auto proof = verifier::make_proof(c->checkpoints, index);
           if (!proof) return internal(proof.error());
           return json{{"job_id", id},
                       {"index", index},
                       {"step", verifier::checkpoint_step(index, c->steps, c->interval)},
                       {"state_hash", to_hex(c->checkpoints[index])},
                       {"commitment_root", to_hex(verifier::commitment_root(*c))},
                       {"leaf_count", c->checkpoints.size()},
                       {"proof", to_hex(verifier::encode(*proof))}};
         }});

  t.add({"state_getDispute",
         "A dispute between a job's provider and one of its verifiers: its kind (end, probe or "
         "availability), the bisection state (lo, hi, the agreed hash at lo, both claims at hi, "
         "whose turn, the provider's pending midpoint, the deadline) and, once resolved, the "
         "loser, the outcome and the referee's hash.",
         {{"id", ParamType::Integer, true, "dispute id"}, kHeightParam},
         "dispute",
         dispute_schema(),
         [&node](const rpc::Params& p) -> RpcOutcome {
           StateView view;
           if (auto e = open_state_view(node, p, view)) return *e;
           auto d = ledger::read_dispute(*view.reader, p.u64("id"));
           if (auto e = history_error(view)) return *e;
           if (!d) return not_found("no dispute " + std::to_string(p.u64("id")));
           return to_json(*d);
         }});

  t.add({"state_listDisputes",
         "Disputes in id order, filtered by job, status or party; paginated by id.",
         {{"job_id", ParamType::Integer, false, "only this job's disputes"},
          {"status", ParamType::String, false, "open or resolved"},
          {"party", ParamType::String, false, "provider's or challenger's vt1... address"},
          {"after", ParamType::Integer, false, "continue after this dispute id"},
          {"limit", ParamType::Integer, false, "at most this many (default 100, max 1000)"}},
         "page",
         schema_object({{"disputes", {{"type", "array"}, {"items", dispute_schema()}}},
                        {"next", {{"type", {"integer", "null"}}}}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           std::optional<bool> want_open;
           if (p.has("status")) {
             if (p.str("status") != "open" && p.str("status") != "resolved")
               return invalid("status: must be open or resolved");
             want_open = p.str("status") == "open";
           }
           std::optional<Address> party;
           if (p.has("party")) {
             auto a = address_from_string(p.str("party"));
             if (!a) return invalid("party: " + a.error());
             party = a.value();
           }
           auto page = IdPage::from(p);
           if (!page) return invalid(page.error());
           node.state().scan(ledger::keys::prefix(ledger::keys::kDispute),
                             [&](const Bytes&, const Bytes& v) {
                               auto d = ledger::decode_dispute_record(v).value();
                               if (p.has("job_id") && d.job_id != p.u64("job_id")) return true;
                               if (want_open && d.open() != *want_open) return true;
                               if (party && d.provider != *party && d.challenger != *party)
                                 return true;
                               return page->offer(d.id, to_json(d));
                             });
           return page->result("disputes");
         }});

  t.add({"state_listSlashes",
         "Slashes in order: who lost how much (a provider's bond or a verifier's stake), why, "
         "what went to the winner and to agreeing verifiers and what was burned; filtered by "
         "job or offender, paginated by id. Also returns the total ever burned.",
         {{"job_id", ParamType::Integer, false, "only this job's slashes"},
          {"offender", ParamType::String, false, "only slashes of this vt1... address"},
          {"after", ParamType::Integer, false, "continue after this slash id"},
          {"limit", ParamType::Integer, false, "at most this many (default 100, max 1000)"}},
         "page",
         schema_object({{"slashes", {{"type", "array"}, {"items", slash_schema()}}},
                        {"next", {{"type", {"integer", "null"}}}},
                        {"burned_total", kAmount}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           std::optional<Address> offender;
           if (p.has("offender")) {
             auto a = address_from_string(p.str("offender"));
             if (!a) return invalid("offender: " + a.error());
             offender = a.value();
           }
           auto page = IdPage::from(p);
           if (!page) return invalid(page.error());
           node.state().scan(ledger::keys::prefix(ledger::keys::kSlash),
                             [&](const Bytes&, const Bytes& v) {
                               auto s = ledger::decode_slash_record(v).value();
                               if (p.has("job_id") && s.job_id != p.u64("job_id")) return true;
                               if (offender && s.offender != *offender) return true;
                               return page->offer(s.id, to_json(s));
                             });
           json out = page->result("slashes");
           out["burned_total"] =
               std::to_string(ledger::read_counter(node.state(), ledger::keys::kBurned));
           return out;
         }});

  register_blob_methods(t, node);

  t.add({"state_getParams",
         "The chain parameters set at genesis.",
         {},
         "params",
         {{"type", "object"}},
         [&node](const rpc::Params&) -> RpcOutcome { return to_json(node.params()); }});

  t.add({"state_listDatasets",
         "The data sets jobs may name (the genesis registry): name and the SHA-256 of each "
         "decompressed IDX file, as a job spec's dataset object spells them. job_submit refuses "
         "any other.",
         {},
         "datasets",
         schema_object({{"datasets", {{"type", "array"}}}}),
         [&node](const rpc::Params&) -> RpcOutcome {
           json list = json::array();
           for (const ledger::DatasetEntry& d : ledger::read_datasets(node.state()))
             list.push_back({{"id", to_hex(ledger::dataset_id(d))},
                             {"name", d.name},
                             {"train_images_sha256", to_hex(d.train_images)},
                             {"train_labels_sha256", to_hex(d.train_labels)},
                             {"test_images_sha256", to_hex(d.test_images)},
                             {"test_labels_sha256", to_hex(d.test_labels)}});
           return json{{"datasets", list}};
         }});

  t.add(
      {"tx_submit",
       "Submits a signed transaction (canonical encoding, hex). Returns its hash or the exact "
       "reason it was refused.",
       {{"tx", ParamType::Hex, true, "the signed transaction's bytes as hex"}},
       "result",
       schema_object({{"hash", kString}}),
       [&node](const rpc::Params& p) -> RpcOutcome {
         auto raw = from_hex(p.str("tx"));
         if (!raw) return invalid("tx: " + raw.error());
         auto h = node.submit_transaction(raw.value());
         if (!h) {
           int code =
               h.error().rfind("mempool is full", 0) == 0 ? rpc::kMempoolFull : rpc::kTxRejected;
           return RpcError{code, "transaction rejected: " + h.error(), json{{"reason", h.error()}}};
         }
         return json{{"hash", to_hex(h.value())}};
       }});

  t.add(
      {"tx_simulate",
       "Executes a signed transaction against the head plus the pending transactions without "
       "admitting it: the receipt it would have (success, code, reason, fee, events), its "
       "size in bytes and the least fee that size needs. Nothing is kept. A transaction that "
       "fails admission (signature, nonce, fee, chain id) is an error with the reason.",
       {{"tx", ParamType::Hex, true, "the signed transaction's bytes as hex"}},
       "simulation",
       schema_object({{"receipt", {{"type", "object"}}}, {"size", kInteger}, {"min_fee", kAmount}}),
       [&node](const rpc::Params& p) -> RpcOutcome {
         auto raw = from_hex(p.str("tx"));
         if (!raw) return invalid("tx: " + raw.error());
         auto tx = ledger::decode_transaction(raw.value(), node.params().max_tx_bytes);
         if (!tx) return invalid("tx: " + tx.error());
         auto r = node.simulate_transaction(tx.value(), raw->size());
         if (!r)
           return RpcError{rpc::kTxRejected, "transaction rejected: " + r.error(),
                           json{{"reason", r.error()}}};
         return json{{"receipt", to_json(r.value())},
                     {"size", raw->size()},
                     {"min_fee", std::to_string(ledger::minimum_fee(node.params(), raw->size()))}};
       }});
}

namespace {

json blob_json(const BlobInfo& b, uint32_t chunk_bytes) {
  return {{"hash", to_hex(b.hash)},
          {"size", b.size},
          {"complete", b.complete},
          {"received", b.received},
          {"chunk_bytes", chunk_bytes}};
}

RpcOutcome blob_error(const std::string& why) {
  return RpcError{rpc::kInvalidParams, why, nullptr};
}

}  // namespace

void register_blob_methods(rpc::MethodTable& t, Node& node) {
  const json info_schema = schema_object({{"hash", kString},
                                          {"size", kInteger},
                                          {"complete", {{"type", "boolean"}}},
                                          {"received", kInteger},
                                          {"chunk_bytes", kInteger}});
  auto uploads_allowed = [&node]() -> std::optional<RpcOutcome> {
    if (node.config().blob_uploads) return std::nullopt;
    return RpcOutcome(
        RpcError{rpc::kUnsupported, "this node does not accept blob uploads", nullptr});
  };
  t.add({"blob_begin",
         "Starts (or resumes) uploading a content-addressed blob (a checkpoint or model) of the "
         "given "
         "size whose SHA-256 is hash.",
         {{"hash", ParamType::Hex, true, "SHA-256 of the whole blob"},
          {"size", ParamType::Integer, true, "bytes"}},
         "blob",
         info_schema,
         [&node, uploads_allowed](const rpc::Params& p) -> RpcOutcome {
           if (auto refused = uploads_allowed()) return *refused;
           auto h = hash_from_hex(p.str("hash"));
           if (!h) return invalid("hash: " + h.error());
           auto b = node.blobs().begin(h.value(), p.u64("size"));
           if (!b) return blob_error(b.error());
           return blob_json(b.value(), node.blobs().limits().chunk_bytes);
         }});
  t.add({"blob_putChunk",
         "Uploads one chunk of a blob: offset a multiple of chunk_bytes, data a whole chunk (the "
         "last "
         "may be shorter), as hex.",
         {{"hash", ParamType::Hex, true, "the blob's SHA-256"},
          {"offset", ParamType::Integer, true, "byte offset"},
          {"data", ParamType::Hex, true, "the chunk's bytes as hex"}},
         "blob",
         info_schema,
         [&node, uploads_allowed](const rpc::Params& p) -> RpcOutcome {
           if (auto refused = uploads_allowed()) return *refused;
           auto h = hash_from_hex(p.str("hash"));
           if (!h) return invalid("hash: " + h.error());
           auto data = from_hex(p.str("data"));
           if (!data) return invalid("data: " + data.error());
           auto b = node.blobs().put_chunk(h.value(), p.u64("offset"), data.value());
           if (!b) return blob_error(b.error());
           return blob_json(b.value(), node.blobs().limits().chunk_bytes);
         }});
  t.add({"blob_seal",
         "Finishes an upload: the node hashes the whole blob and keeps it only if it matches.",
         {{"hash", ParamType::Hex, true, "the blob's SHA-256"}},
         "blob",
         info_schema,
         [&node, uploads_allowed](const rpc::Params& p) -> RpcOutcome {
           if (auto refused = uploads_allowed()) return *refused;
           auto h = hash_from_hex(p.str("hash"));
           if (!h) return invalid("hash: " + h.error());
           auto b = node.blobs().seal(h.value());
           if (!b) return blob_error(b.error());
           return blob_json(b.value(), node.blobs().limits().chunk_bytes);
         }});
  t.add(
      {"blob_get",
       "Reads up to chunk_bytes of a stored blob from offset, as hex, with the blob's size. A "
       "blob this node lacks is fetched from its peers (checked against its hash before it is "
       "kept): meanwhile the answer has fetching true, size the blob's size once a peer has "
       "said it (else 0) and no data; ask again. Not found once no peer has it.",
       {{"hash", ParamType::Hex, true, "the blob's SHA-256"},
        {"offset", ParamType::Integer, false, "byte offset (default 0)"},
        {"length", ParamType::Integer, false, "bytes, at most chunk_bytes (default chunk_bytes)"}},
       "chunk",
       schema_object({{"hash", kString},
                      {"offset", kInteger},
                      {"size", kInteger},
                      {"data", kString},
                      {"fetching", {{"type", "boolean"}}}}),
       [&node](const rpc::Params& p) -> RpcOutcome {
         auto h = hash_from_hex(p.str("hash"));
         if (!h) return invalid("hash: " + h.error());
         const uint64_t offset = p.u64_or("offset", 0);
         auto info = node.blobs().info(h.value());
         if (!info || !info.value().complete) {
           if (!node.config().blob_uploads)
             return not_found("blob " + p.str("hash") +
                              " is not on this node, which keeps no blobs from others "
                              "(blobs.uploads = false)");
           auto fetch = node.fetch_blob(h.value());
           if (!fetch)
             return not_found("blob " + p.str("hash") + " is not on this node: " + fetch.error());
           return json{{"hash", p.str("hash")},
                       {"offset", offset},
                       {"size", fetch.value().size},
                       {"data", ""},
                       {"fetching", true}};
         }
         auto data = node.blobs().read(h.value(), offset,
                                       p.u64_or("length", node.blobs().limits().chunk_bytes));
         if (!data) return blob_error(data.error());
         return json{{"hash", p.str("hash")},
                     {"offset", offset},
                     {"size", info->size},
                     {"data", to_hex(data.value())},
                     {"fetching", false}};
       }});
}

void register_http_routes(rpc::HttpServer& server, Node& node) {
  // The web explorer: static files compiled into the binary; "/" is its page.
  for (const ExplorerAsset& asset : explorer_assets()) {
    auto serve = [&asset] {
      return rpc::GetResponse{std::string(asset.content_type), std::string(asset.body)};
    };
    server.add_get(std::string(asset.path), serve);
    if (asset.path == "/index.html") server.add_get("/", serve);
  }
  server.add_get("/health", [&node] {
    return rpc::GetResponse{"application/json",
                            json{{"ok", true}, {"height", node.head().height}}.dump()};
  });
  // Jobs by status come from a scan of the state, done again only when the head moved.
  struct JobCount {
    uint64_t height = UINT64_MAX;
    std::array<uint64_t, kJobStatusCount> by_status{};
  };
  server.add_get("/metrics", [&node, &server, jobs = std::make_shared<JobCount>()] {
    if (jobs->height != node.head().height) {
      jobs->by_status = {};
      node.state().scan(
          ledger::keys::prefix(ledger::keys::kJob), [&](const Bytes&, const Bytes& v) {
            auto j = ledger::decode_job(v);
            const auto status = j ? static_cast<std::size_t>(j.value().status) : kJobStatusCount;
            if (status < kJobStatusCount) ++jobs->by_status[status];
            return true;
          });
      jobs->height = node.head().height;
    }
    NodeGauges now;
    now.height = node.head().height;
    now.mempool_transactions = node.mempool().size();
    now.mempool_bytes = node.mempool().bytes();
    now.consensus_round = node.engine().round();
    now.last_signed_height = node.last_signed().empty ? 0 : node.last_signed().height;
    now.peers = node.peers().size();
    now.validators = node.validators().size();
    now.is_validator = node.is_validator();
    now.rpc_connections = server.connections();
    now.websocket_clients = server.websocket_connections();
    auto blob_bytes = node.blobs().total_bytes();
    if (!blob_bytes)
      return rpc::GetResponse{"text/plain",
                              "cannot read the blob store: " + blob_bytes.error() + "\n", 500};
    now.blob_store_bytes = blob_bytes.value();
    now.jobs_by_status = jobs->by_status;
    // The content type of Prometheus's text format, version 0.0.4.
    return rpc::GetResponse{"text/plain; version=0.0.4; charset=utf-8", node.metrics().render(now)};
  });
}

}  // namespace vt::node
