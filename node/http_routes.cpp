// The node's GET routes: the web explorer's files, /health and /metrics.
#include <array>
#include <memory>

#include "ledger/state_access.h"
#include "node/explorer_assets.h"
#include "node/node.h"
#include "node/rpc_methods.h"
#include "node/rpc_queries.h"
#include "rpc/http_server.h"
#include "rpc/method_table.h"

namespace vt::node {

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
    now.signatures_checked_alone = node.signatures().checked_alone();
    now.signatures_checked_in_batches = node.signatures().checked_in_batches();
    // The content type of Prometheus's text format, version 0.0.4.
    return rpc::GetResponse{"text/plain; version=0.0.4; charset=utf-8", node.metrics().render(now)};
  });
}

}  // namespace vt::node
