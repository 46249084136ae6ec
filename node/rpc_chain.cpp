// chain_*: the head, blocks with their results and commits, validators, transactions by hash.
#include "ledger/state_access.h"
#include "node/chain_audit.h"
#include "node/json_views.h"
#include "node/node.h"
#include "node/rpc_methods.h"
#include "node/rpc_queries.h"
#include "rpc/method_table.h"

namespace vt::node {

void register_chain_methods(rpc::MethodTable& t, Node& node) {
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
          {"hash", ParamType::Hex, false, "block hash, 64 hex characters"},
          {"tx_hashes", ParamType::Boolean, false,
           "true: `txs` lists each transaction's hash only (a string), as a block listing or a "
           "client waiting for its transactions needs; default false"}},
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
           const bool hashes_only = p.has("tx_hashes") && p.boolean("tx_hashes");
           return block_json(b, events ? events.value() : std::nullopt, hashes_only);
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
}

}  // namespace vt::node
