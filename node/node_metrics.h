// The node's Prometheus metrics, held in a prometheus-cpp registry: counters and
// histograms (base units: seconds, bytes) updated as blocks commit and calls are
// answered, gauges set from the node at each scrape. Every series exists from the
// start at 0. Owned by the Node; prometheus-cpp's metrics are thread-safe.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/block.h"
#include "ledger/executor.h"
#include "ledger/objects.h"

namespace vt::node {

using ledger::kJobStatusCount;

// What a scrape reads off the node and its servers at that moment.
struct NodeGauges {
  uint64_t height = 0;
  uint64_t mempool_transactions = 0;
  uint64_t mempool_bytes = 0;
  uint64_t consensus_round = 0;
  uint64_t last_signed_height = 0;
  uint64_t peers = 0;
  uint64_t validators = 0;
  bool is_validator = false;
  uint64_t rpc_connections = 0;                            // HTTP and WebSocket
  uint64_t websocket_clients = 0;                          // of those, WebSocket
  uint64_t blob_store_bytes = 0;                           // sealed blobs and uploads under way
  std::array<uint64_t, kJobStatusCount> jobs_by_status{};  // indexed by ledger::JobStatus
  // The signature cache's running counts (SignatureCache::checked_*), exposed
  // as one counter by how: under load nearly every check should be batched.
  uint64_t signatures_checked_alone = 0;
  uint64_t signatures_checked_in_batches = 0;
};

class NodeMetrics {
 public:
  NodeMetrics();
  NodeMetrics(const NodeMetrics&) = delete;
  NodeMetrics& operator=(const NodeMetrics&) = delete;

  // A committed block: its transactions and the chain events (disputes, slashes,
  // payouts) in its results; commit_seconds to execute and persist it;
  // interval_seconds from its parent's block time to its own (none for block 1,
  // whose parent's time is the genesis time).
  void block_committed(const ledger::Block& block, const ledger::BlockResult& result,
                       double commit_seconds, std::optional<double> interval_seconds);
  // Of those, one that came from a peer's block and certificate (catching up).
  void block_synced() { blocks_synced_.Increment(); }
  void tx_rejected() { txs_rejected_.Increment(); }
  void precommits_missed(uint64_t n) { missed_precommits_.Increment(static_cast<double>(n)); }
  void peer_message() { peer_messages_.Increment(); }
  void evidence_kept() { evidence_.Increment(); }

  // Creates the series of each registered RPC method at 0; call once, before serving.
  void declare_rpc_methods(const std::vector<std::string>& names);
  // One call to a declared method answered in `seconds` (an error when !ok).
  void rpc_call(const std::string& method, bool ok, double seconds);

  // The text exposition format 0.0.4: the gauges set from `now`, then every family
  // of the registry and the process_* metrics.
  std::string render(const NodeGauges& now);

 private:
  struct RpcSeries {
    prometheus::Histogram* seconds;
    prometheus::Counter* errors;
  };

  prometheus::Registry registry_;
  std::chrono::system_clock::time_point started_;

  prometheus::Counter& blocks_committed_;
  prometheus::Counter& txs_committed_;
  prometheus::Counter& txs_rejected_;
  prometheus::Counter& blocks_synced_;
  prometheus::Counter& missed_precommits_;
  prometheus::Counter& peer_messages_;
  prometheus::Counter& evidence_;
  prometheus::Histogram& commit_seconds_;
  prometheus::Histogram& interval_seconds_;
  prometheus::Counter& disputes_opened_;
  prometheus::Counter& disputes_resolved_;
  std::map<std::string, prometheus::Counter*, std::less<>> slashes_;  // by event type
  std::map<std::string, prometheus::Counter*, std::less<>> payouts_;  // by event type
  std::map<std::string, prometheus::Counter*, std::less<>> paid_;     // by event type

  prometheus::Gauge& height_;
  prometheus::Gauge& mempool_transactions_;
  prometheus::Gauge& mempool_bytes_;
  prometheus::Gauge& round_;
  prometheus::Gauge& last_signed_height_;
  prometheus::Gauge& peers_;
  prometheus::Gauge& validators_;
  prometheus::Gauge& is_validator_;
  prometheus::Gauge& rpc_connections_;
  prometheus::Gauge& websocket_clients_;
  prometheus::Gauge& blob_store_bytes_;
  std::array<prometheus::Gauge*, kJobStatusCount> jobs_{};
  prometheus::Family<prometheus::Counter>& signatures_family_;
  prometheus::Counter& signatures_alone_;
  prometheus::Counter& signatures_batched_;

  prometheus::Family<prometheus::Histogram>& rpc_seconds_family_;
  prometheus::Family<prometheus::Counter>& rpc_errors_family_;
  std::map<std::string, RpcSeries, std::less<>> rpc_;
};

}  // namespace vt::node
