#include "node/event_feeds.h"

#include "core/bech32m.h"
#include "node/json_views.h"

namespace vt::node {

using nlohmann::json;
using rpc::internal;
using rpc::invalid;
using rpc::RpcError;
using rpc::RpcOutcome;

namespace {

constexpr uint64_t kMaxResultsPerBlockEvent =
    1000;  // newBlocks: the rest via chain_getBlockResults

// The filter's fields, each checked against what the topic accepts.
std::optional<RpcError> check_fields(const json& filter,
                                     std::initializer_list<const char*> allowed) {
  if (!filter.is_object()) return invalid("filter must be an object");
  for (const auto& [key, value] : filter.items()) {
    bool known = false;
    std::string names;
    for (const char* a : allowed) {
      known = known || key == a;
      names += names.empty() ? a : std::string(", ") + a;
    }
    if (!known)
      return invalid("filter field '" + key +
                     "' is not one of: " + (names.empty() ? "(none)" : names));
    if (key == "job" && !(value.is_number_unsigned()))
      return invalid("filter field 'job' must be a job id (integer)");
    if (key != "job" && !value.is_string())
      return invalid("filter field '" + key + "' must be a string");
  }
  return std::nullopt;
}

// newBlocks: one event per block, with its results (the first 1000 receipts).
class BlocksFeed final : public rpc::EventFeed {
 public:
  explicit BlocksFeed(const ChainStore& chain) : chain_(chain) {}
  RpcOutcome events_at(uint64_t height) override {
    auto block = chain_.block_at(height);
    if (!block) return internal(block.error());
    if (!block.value()) return internal("block " + std::to_string(height) + " is not stored");
    const auto& h = block.value()->header;
    RpcOutcome results = block_results_json(chain_, height, 0, kMaxResultsPerBlockEvent);
    if (!results.ok()) return results;
    return json::array({{{"height", height},
                         {"hash", to_hex(ledger::block_hash(h))},
                         {"time_ms", h.time_ms},
                         {"txs", block.value()->txs.size()},
                         {"state_root", to_hex(h.state_root)},
                         {"results", results.result()}}});
  }

 private:
  const ChainStore& chain_;
};

// txs: every committed transaction matching a tx_search query.
class TxsFeed final : public rpc::EventFeed {
 public:
  TxsFeed(const ChainStore& chain, TxQuery query) : chain_(chain), query_(std::move(query)) {}
  RpcOutcome events_at(uint64_t height) override {
    TxQuery q = query_;
    q.from_height = q.to_height = height;
    q.newest_first = false;
    json out = json::array();
    std::optional<TxPosition> at;
    do {
      auto page = search_txs(chain_.kv(), q, at, kMaxTxSearchPage);
      if (!page) return internal(page.error());
      for (const TxHit& hit : page.value().hits) {
        auto rec = chain_.tx(hit.hash);
        if (!rec) return internal(rec.error());
        if (!rec.value())
          return internal("indexed transaction " + to_hex(hit.hash) + " is missing");
        out.push_back(tx_summary_json(hit.hash, *rec.value()));
      }
      at = page.value().next;
    } while (at);
    return out;
  }

 private:
  const ChainStore& chain_;
  TxQuery query_;
};

// jobEvents, disputes, slashes: the block's events (begin-block and receipts)
// whose type the topic selects, optionally of one job.
class ChainEventsFeed final : public rpc::EventFeed {
 public:
  using Selects = bool (*)(const std::string& type);
  ChainEventsFeed(const ChainStore& chain, Selects selects, std::optional<std::string> job)
      : chain_(chain), selects_(selects), job_(std::move(job)) {}
  RpcOutcome events_at(uint64_t height) override {
    json out = json::array();
    auto add = [&](const std::vector<ledger::Event>& events, const std::string& tx) {
      for (const auto& e : events) {
        if (!selects_(e.type)) continue;
        json attrs = json::object();
        for (const auto& [k, v] : e.attrs) attrs[k] = v;
        if (job_ && attrs.value("job_id", "") != *job_) continue;
        out.push_back({{"height", height}, {"tx", tx}, {"type", e.type}, {"attributes", attrs}});
      }
    };
    auto begin = chain_.block_events(height);
    if (!begin) return internal(begin.error());
    if (begin.value()) add(*begin.value(), "");
    auto block = chain_.block_at(height);
    if (!block) return internal(block.error());
    if (!block.value()) return internal("block " + std::to_string(height) + " is not stored");
    for (const auto& tx : block.value()->txs) {
      const Hash256 hash = ledger::tx_hash(tx);
      auto rec = chain_.tx(hash);
      if (!rec) return internal(rec.error());
      if (!rec.value())
        return internal("the receipt of transaction " + to_hex(hash) + " is missing");
      add(rec.value()->receipt.events, to_hex(hash));
    }
    return out;
  }

 private:
  const ChainStore& chain_;
  Selects selects_;
  std::optional<std::string> job_;
};

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool is_job_event(const std::string& type) {
  return starts_with(type, "job_");
}
bool is_dispute_event(const std::string& type) {
  return starts_with(type, "dispute_");
}
bool is_slash_event(const std::string& type) {
  return ends_with(type, "_slashed");
}

}  // namespace

RpcOutcome block_results_json(const ChainStore& chain, uint64_t height, uint64_t offset,
                              uint64_t limit) {
  auto block = chain.block_at(height);
  if (!block) return internal(block.error());
  if (!block.value()) return rpc::not_found("no block at that height");
  const ledger::Block& b = *block.value();
  if (offset > b.txs.size())
    return invalid("offset " + std::to_string(offset) + " is past the block's " +
                   std::to_string(b.txs.size()) + " transactions");
  auto events = chain.block_events(height);
  if (!events) return internal(events.error());
  json results = json::array();
  const uint64_t end = std::min<uint64_t>(b.txs.size(), offset + limit);
  for (uint64_t i = offset; i < end; ++i) {
    const Hash256 h = ledger::tx_hash(b.txs[i]);
    auto rec = chain.tx(h);
    if (!rec) return internal(rec.error());
    if (!rec.value()) return internal("the receipt of transaction " + to_hex(h) + " is missing");
    json r = to_json(rec.value()->receipt);
    r["index"] = i;
    r["hash"] = to_hex(h);
    r["type"] = ledger::message_name(b.txs[i].msg);
    r["sender"] = address_to_string(b.txs[i].sender);
    results.push_back(std::move(r));
  }
  return json{{"height", height},
              {"block_hash", to_hex(ledger::block_hash(b.header))},
              {"txs_total", b.txs.size()},
              {"offset", offset},
              {"next_offset", end < b.txs.size() ? json(end) : json(nullptr)},
              {"begin_events", events.value() ? to_json(*events.value()) : json::array()},
              {"results", results}};
}

json tx_summary_json(const Hash256& hash, const TxRecord& r) {
  return {{"hash", to_hex(hash)},
          {"height", r.height},
          {"index", r.index},
          {"type", ledger::message_name(r.tx.msg)},
          {"sender", address_to_string(r.tx.sender)},
          {"success", r.receipt.success},
          {"code_name", ledger::tx_code_name(r.receipt.code)},
          {"fee", std::to_string(r.receipt.fee)}};
}

std::optional<RpcError> parse_tx_conditions(const std::optional<std::string>& address,
                                            std::optional<uint64_t> job,
                                            const std::optional<std::string>& event,
                                            TxQuery& query) {
  if (address) {
    auto a = address_from_string(*address);
    if (!a) return invalid("address: " + a.error());
    query.address = a.value();
  }
  query.job = job;
  if (event) {
    if (event->empty() || event->size() > kMaxEventTypeBytes ||
        event->find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
      return invalid("event: an event type is 1 to 64 of a-z and _");
    query.event = *event;
  }
  return std::nullopt;
}

std::vector<std::string> NodeEventSource::topics() const {
  return {"newBlocks", "txs", "jobEvents", "disputes", "slashes"};
}

uint64_t NodeEventSource::head_height() const {
  auto h = chain_.head();
  return h.ok() && h.value() ? h.value()->height : 0;
}

rpc::EventSource::Opened NodeEventSource::open(const std::string& topic, const json& filter) {
  Opened out;
  auto field = [&filter](const char* name) -> std::optional<std::string> {
    if (!filter.contains(name)) return std::nullopt;
    return filter[name].get<std::string>();
  };
  auto job = [&filter]() -> std::optional<uint64_t> {
    if (!filter.contains("job")) return std::nullopt;
    return filter["job"].get<uint64_t>();
  };
  if (topic == "newBlocks") {
    out.error = check_fields(filter, {});
    if (!out.error) out.feed = std::make_unique<BlocksFeed>(chain_);
  } else if (topic == "txs") {
    out.error = check_fields(filter, {"address", "job", "event"});
    if (!out.error && !chain_.indexes().tx_index)
      out.error = RpcError{rpc::kUnsupported,
                           "this node keeps no transaction index (config.toml [storage] tx_index)",
                           nullptr};
    TxQuery q;
    if (!out.error) out.error = parse_tx_conditions(field("address"), job(), field("event"), q);
    if (!out.error) out.feed = std::make_unique<TxsFeed>(chain_, std::move(q));
  } else if (topic == "jobEvents" || topic == "disputes" || topic == "slashes") {
    out.error = check_fields(filter, {"job"});
    if (!out.error) {
      ChainEventsFeed::Selects selects = topic == "jobEvents"  ? is_job_event
                                         : topic == "disputes" ? is_dispute_event
                                                               : is_slash_event;
      std::optional<std::string> id;
      if (auto j = job()) id = std::to_string(*j);
      out.feed = std::make_unique<ChainEventsFeed>(chain_, selects, id);
    }
  } else {
    std::string names;
    for (const auto& t : topics()) names += (names.empty() ? "" : ", ") + t;
    out.error = RpcError{
        rpc::kInvalidParams,
        "Invalid params: param 'topic' names no topic: " + topic + " (topics: " + names + ")",
        {{"topics", topics()}}};
  }
  return out;
}

}  // namespace vt::node
