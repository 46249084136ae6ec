// tx_*: search the transaction index, submit, simulate.
#include "ledger/state_access.h"
#include "node/json_views.h"
#include "node/node.h"
#include "node/rpc_methods.h"
#include "node/rpc_queries.h"
#include "node/tx_index.h"
#include "rpc/method_table.h"

namespace vt::node {

void register_tx_methods(rpc::MethodTable& t, Node& node) {
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
  // A batch of submissions has its signatures checked together first.
  t.set_batch_preparer("tx_submit", [&node](const std::vector<const json*>& params) {
    std::vector<Bytes> raws;
    raws.reserve(params.size());
    for (const json* p : params) {
      const json* tx = nullptr;
      if (p->is_object() && p->contains("tx")) tx = &p->at("tx");
      if (p->is_array() && !p->empty()) tx = &p->at(0);
      if (tx == nullptr || !tx->is_string()) continue;
      auto raw = from_hex(tx->get_ref<const std::string&>());
      if (raw) raws.push_back(std::move(raw).value());
    }
    node.prepare_submissions(raws);
  });

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

}  // namespace vt::node
