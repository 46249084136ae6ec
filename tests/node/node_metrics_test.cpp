// NodeMetrics (node/node_metrics.h): every series exists at 0 before anything
// happens, a committed block's events move the right counters by the right
// amounts, histograms count in seconds, and callers cannot add label values.
// promtool's check of the real /metrics is in tests/e2e/devnet_e2e_test.py.
#include "node/node_metrics.h"

#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>

namespace vt::node {
namespace {

// "name{labels} value" lines of the text format, by everything before the value.
std::map<std::string, double> parse(const std::string& text) {
  std::map<std::string, double> values;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    values[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return values;
}

TEST_CASE("every series is there at 0 before anything happens") {
  NodeMetrics metrics;
  metrics.declare_rpc_methods({"chain_status", "tx_submit"});
  auto v = parse(metrics.render(NodeGauges{}));
  for (const char* name :
       {"veritrain_blocks_committed_total", "veritrain_txs_committed_total",
        "veritrain_txs_rejected_total", "veritrain_disputes_opened_total",
        "veritrain_block_commit_seconds_count", "veritrain_block_interval_seconds_count",
        "veritrain_slashes_total{role=\"provider\"}", "veritrain_slashes_total{role=\"verifier\"}",
        "veritrain_slashes_total{role=\"validator\"}", "veritrain_payouts_total{to=\"client\"}",
        "veritrain_paid_units_total{to=\"provider\"}", "veritrain_jobs{status=\"open\"}",
        "veritrain_jobs{status=\"unverified\"}", "veritrain_websocket_clients",
        "veritrain_blob_store_bytes", "veritrain_signatures_checked_total{how=\"alone\"}",
        "veritrain_signatures_checked_total{how=\"batch\"}",
        "veritrain_rpc_request_duration_seconds_count{method=\"tx_submit\"}",
        "veritrain_rpc_errors_total{method=\"chain_status\"}"}) {
    CAPTURE(name);
    REQUIRE(v.count(name) == 1);
    CHECK(v[name] == 0);
  }
  CHECK(v["veritrain_build_info{version=\"0.1.0\"}"] == 1);
  CHECK(v["process_resident_memory_bytes"] > 0);
}

TEST_CASE("a committed block's events move the counters they name") {
  NodeMetrics metrics;
  ledger::Block block;
  block.txs.resize(3);
  ledger::BlockResult result;
  result.begin_events.push_back({"job_refunded", {{"job_id", "4"}, {"refund", "900"}}});
  ledger::Receipt settle;
  settle.events.push_back({"verifier_paid", {{"job_id", "5"}, {"fee", "70"}}});
  settle.events.push_back({"verifier_paid", {{"job_id", "5"}, {"fee", "30"}}});
  settle.events.push_back(
      {"job_settled", {{"job_id", "5"}, {"provider_paid", "6000"}, {"refund", "0"}}});
  ledger::Receipt dispute;
  dispute.events.push_back({"dispute_opened", {{"dispute_id", "1"}}});
  dispute.events.push_back({"provider_slashed", {{"job_id", "6"}}});
  dispute.events.push_back({"dispute_resolved", {{"dispute_id", "1"}}});
  result.receipts = {settle, dispute, ledger::Receipt{}};
  metrics.block_committed(block, result, 0.003, std::nullopt);
  metrics.block_committed(ledger::Block{}, ledger::BlockResult{}, 0.2, 1.5);
  auto v = parse(metrics.render(NodeGauges{}));
  CHECK(v["veritrain_blocks_committed_total"] == 2);
  CHECK(v["veritrain_txs_committed_total"] == 3);
  CHECK(v["veritrain_payouts_total{to=\"verifier\"}"] == 2);
  CHECK(v["veritrain_paid_units_total{to=\"verifier\"}"] == 100);
  CHECK(v["veritrain_payouts_total{to=\"provider\"}"] == 1);
  CHECK(v["veritrain_paid_units_total{to=\"provider\"}"] == 6000);
  CHECK(v["veritrain_payouts_total{to=\"client\"}"] == 1);
  CHECK(v["veritrain_paid_units_total{to=\"client\"}"] == 900);
  CHECK(v["veritrain_disputes_opened_total"] == 1);
  CHECK(v["veritrain_disputes_resolved_total"] == 1);
  CHECK(v["veritrain_slashes_total{role=\"provider\"}"] == 1);
  CHECK(v["veritrain_slashes_total{role=\"verifier\"}"] == 0);
  // Seconds: 0.003 falls in the 0.005 bucket, not the 0.0025 one.
  CHECK(v["veritrain_block_commit_seconds_bucket{le=\"0.0025\"}"] == 0);
  CHECK(v["veritrain_block_commit_seconds_bucket{le=\"0.005\"}"] == 1);
  CHECK(v["veritrain_block_commit_seconds_count"] == 2);
  CHECK(v["veritrain_block_commit_seconds_sum"] == doctest::Approx(0.203));
  // Block 1 has no interval: one observation, 1.5 s.
  CHECK(v["veritrain_block_interval_seconds_count"] == 1);
  CHECK(v["veritrain_block_interval_seconds_bucket{le=\"1\"}"] == 0);
  CHECK(v["veritrain_block_interval_seconds_bucket{le=\"2\"}"] == 1);
}

TEST_CASE("only declared methods get series: a caller cannot grow the label set") {
  NodeMetrics metrics;
  metrics.declare_rpc_methods({"chain_status"});
  metrics.rpc_call("chain_status", true, 0.0002);
  metrics.rpc_call("chain_status", false, 0.0002);
  metrics.rpc_call("no_such_method_" + std::string(100, 'x'), true, 0.1);
  const std::string text = metrics.render(NodeGauges{});
  auto v = parse(text);
  CHECK(v["veritrain_rpc_request_duration_seconds_count{method=\"chain_status\"}"] == 2);
  CHECK(v["veritrain_rpc_errors_total{method=\"chain_status\"}"] == 1);
  CHECK(text.find("no_such_method") == std::string::npos);
}

TEST_CASE("gauges are what the node reported at the scrape") {
  NodeMetrics metrics;
  NodeGauges now;
  now.height = 42;
  now.websocket_clients = 3;
  now.blob_store_bytes = 1 << 20;
  now.is_validator = true;
  now.jobs_by_status[static_cast<std::size_t>(ledger::JobStatus::Settled)] = 7;
  auto v = parse(metrics.render(now));
  CHECK(v["veritrain_height"] == 42);
  CHECK(v["veritrain_websocket_clients"] == 3);
  CHECK(v["veritrain_blob_store_bytes"] == 1 << 20);
  CHECK(v["veritrain_is_validator"] == 1);
  CHECK(v["veritrain_jobs{status=\"settled\"}"] == 7);
  CHECK(v["veritrain_jobs{status=\"open\"}"] == 0);
}

TEST_CASE("the signature counters follow the node's running counts, never down") {
  NodeMetrics metrics;
  NodeGauges now;
  now.signatures_checked_alone = 5;
  now.signatures_checked_in_batches = 1200;
  auto v = parse(metrics.render(now));
  CHECK(v["veritrain_signatures_checked_total{how=\"alone\"}"] == 5);
  CHECK(v["veritrain_signatures_checked_total{how=\"batch\"}"] == 1200);
  now.signatures_checked_in_batches = 1300;
  v = parse(metrics.render(now));
  CHECK(v["veritrain_signatures_checked_total{how=\"batch\"}"] == 1300);
  CHECK(v["veritrain_signatures_checked_total{how=\"alone\"}"] == 5);
  now.signatures_checked_alone = 0;  // a counter does not go back
  v = parse(metrics.render(now));
  CHECK(v["veritrain_signatures_checked_total{how=\"alone\"}"] == 5);
}

}  // namespace
}  // namespace vt::node
