#include "node/node_metrics.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cassert>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/decimal.h"

namespace vt::node {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Commits take milliseconds on a small block and seconds on a full one.
const Histogram::BucketBoundaries kCommitBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,   0.25,   0.5,   1,    2.5,   5};
// Block intervals sit around block_interval_ms; rounds that fail take longer.
const Histogram::BucketBoundaries kIntervalBuckets = {0.05, 0.1, 0.25, 0.5, 1,  2,
                                                      3,    5,   10,   30,  60, 120};
// Most calls answer in well under a millisecond; blob and search calls take longer.
const Histogram::BucketBoundaries kRpcBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

prometheus::Counter& counter(prometheus::Registry& r, const char* name, const char* help) {
  return BuildCounter().Name(name).Help(help).Register(r).Add({});
}

prometheus::Gauge& gauge(prometheus::Registry& r, const char* name, const char* help) {
  return BuildGauge().Name(name).Help(help).Register(r).Add({});
}

prometheus::Histogram& histogram(prometheus::Registry& r, const char* name, const char* help,
                                 const Histogram::BucketBoundaries& buckets) {
  return BuildHistogram().Name(name).Help(help).Register(r).Add({}, buckets);
}

// An amount attribute of a ledger event (the ledger writes them as decimals).
double attr_number(const ledger::Event& e, std::string_view name) {
  for (const auto& [key, value] : e.attrs) {
    if (key != name) continue;
    const auto n = parse_u64_decimal(value);
    assert(n.ok() && "the ledger writes amounts as decimals");
    return n.ok() ? static_cast<double>(n.value()) : 0;
  }
  return 0;
}

prometheus::MetricFamily one_value(const char* name, const char* help, prometheus::MetricType type,
                                   double value) {
  prometheus::MetricFamily family{name, help, type, {}};
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter)
    m.counter.value = value;
  else
    m.gauge.value = value;
  family.metric.push_back(m);
  return family;
}

// The process_* metrics of Prometheus's client conventions, read from /proc.
std::vector<prometheus::MetricFamily> process_families(
    std::chrono::system_clock::time_point started) {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start at state, field 3.
  const std::size_t close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> f{"", "", ""};  // fields 1..2 skipped; f[3] is state
    for (std::string word; fields >> word;) f.push_back(word);
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    if (f.size() > 24 && ticks > 0) {
      const double cpu = (std::stod(f[14]) + std::stod(f[15])) / ticks;  // utime + stime
      out.push_back(one_value("process_cpu_seconds_total",
                              "Total user and system CPU time spent in seconds.",
                              MetricType::Counter, cpu));
      out.push_back(one_value("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                              MetricType::Gauge, std::stod(f[23])));
      out.push_back(one_value("process_resident_memory_bytes", "Resident memory size in bytes.",
                              MetricType::Gauge, std::stod(f[24]) * page));
    }
  }
  std::error_code ec;
  double fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++fds;
  out.push_back(
      one_value("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, fds));
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0)
    out.push_back(one_value("process_max_fds", "Maximum number of open file descriptors.",
                            MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
  const double start = std::chrono::duration<double>(started.time_since_epoch()).count();
  out.push_back(one_value("process_start_time_seconds",
                          "Start time of the process since unix epoch in seconds.",
                          MetricType::Gauge, start));
  return out;
}

}  // namespace

NodeMetrics::NodeMetrics()
    : started_(std::chrono::system_clock::now()),
      blocks_committed_(counter(registry_, "veritrain_blocks_committed_total",
                                "Blocks committed since the node started.")),
      txs_committed_(counter(registry_, "veritrain_txs_committed_total",
                             "Transactions committed since the node started.")),
      txs_rejected_(counter(registry_, "veritrain_txs_rejected_total",
                            "Transactions refused at submission (tx_submit or from peers).")),
      blocks_synced_(counter(registry_, "veritrain_blocks_synced_total",
                             "Blocks committed from a peer's block and commit certificate "
                             "(catching up) rather than through this node's consensus.")),
      missed_precommits_(counter(registry_, "veritrain_missed_precommits_total",
                                 "Validators absent from the commit certificates of the blocks "
                                 "this node committed through consensus.")),
      peer_messages_(counter(registry_, "veritrain_peer_messages_total",
                             "Consensus, transaction, block and evidence messages received from "
                             "peers and handled.")),
      evidence_(counter(registry_, "veritrain_evidence_total",
                        "Double signings this node kept as evidence for a block.")),
      commit_seconds_(histogram(registry_, "veritrain_block_commit_seconds",
                                "Time to execute and persist a committed block.", kCommitBuckets)),
      interval_seconds_(histogram(registry_, "veritrain_block_interval_seconds",
                                  "Block time of a committed block minus its parent's.",
                                  kIntervalBuckets)),
      disputes_opened_(counter(registry_, "veritrain_disputes_opened_total",
                               "Disputes opened in blocks committed since the node started.")),
      disputes_resolved_(counter(registry_, "veritrain_disputes_resolved_total",
                                 "Disputes resolved in blocks committed since the node started.")),
      height_(gauge(registry_, "veritrain_height", "Height of the last committed block.")),
      mempool_transactions_(
          gauge(registry_, "veritrain_mempool_size", "Transactions waiting in the mempool.")),
      mempool_bytes_(gauge(registry_, "veritrain_mempool_bytes", "Bytes waiting in the mempool.")),
      round_(gauge(registry_, "veritrain_consensus_round", "Round of the height being decided.")),
      last_signed_height_(gauge(registry_, "veritrain_last_signed_height",
                                "Height of the last proposal or vote this validator signed.")),
      peers_(gauge(registry_, "veritrain_peers", "Connected peers.")),
      validators_(
          gauge(registry_, "veritrain_validators", "Validators in the set of the next height.")),
      is_validator_(gauge(registry_, "veritrain_is_validator",
                          "1 when this node's key is in the set of the next height (it signs), "
                          "else 0.")),
      rpc_connections_(gauge(registry_, "veritrain_rpc_connections",
                             "Open RPC connections, HTTP and WebSocket.")),
      websocket_clients_(
          gauge(registry_, "veritrain_websocket_clients", "Open WebSocket connections.")),
      blob_store_bytes_(gauge(registry_, "veritrain_blob_store_bytes",
                              "Bytes of blobs stored, sealed or being uploaded.")),
      signatures_family_(BuildCounter()
                             .Name("veritrain_signatures_checked_total")
                             .Help("Transaction signatures (BIP-340) this node checked, alone "
                                   "or in batches.")
                             .Register(registry_)),
      signatures_alone_(signatures_family_.Add({{"how", "alone"}})),
      signatures_batched_(signatures_family_.Add({{"how", "batch"}})),
      rpc_seconds_family_(BuildHistogram()
                              .Name("veritrain_rpc_request_duration_seconds")
                              .Help("Time to answer one JSON-RPC call, by method.")
                              .Register(registry_)),
      rpc_errors_family_(BuildCounter()
                             .Name("veritrain_rpc_errors_total")
                             .Help("JSON-RPC calls answered with an error, by method.")
                             .Register(registry_)) {
  auto& slashes = BuildCounter()
                      .Name("veritrain_slashes_total")
                      .Help("Slashes in blocks committed since the node started, by role.")
                      .Register(registry_);
  for (const char* role : {"provider", "verifier", "validator"})
    slashes_[std::string(role) + "_slashed"] = &slashes.Add({{"role", role}});
  auto& payouts = BuildCounter()
                      .Name("veritrain_payouts_total")
                      .Help(
                          "Payments out of jobs in blocks committed since the node started: "
                          "provider settlements, verifier fees, client refunds.")
                      .Register(registry_);
  auto& paid = BuildCounter()
                   .Name("veritrain_paid_units_total")
                   .Help(
                       "Base units paid out of jobs in blocks committed since the node "
                       "started, by recipient.")
                   .Register(registry_);
  for (auto [event, to] :
       {std::pair{"job_settled", "provider"}, std::pair{"verifier_paid", "verifier"},
        std::pair{"job_refunded", "client"}}) {
    payouts_[event] = &payouts.Add({{"to", to}});
    paid_[event] = &paid.Add({{"to", to}});
  }
  auto& jobs = BuildGauge()
                   .Name("veritrain_jobs")
                   .Help("Jobs in the state at the head, by status.")
                   .Register(registry_);
  for (std::size_t i = 0; i < kJobStatusCount; ++i)
    jobs_[i] = &jobs.Add({{"status", ledger::job_status_name(static_cast<ledger::JobStatus>(i))}});
  BuildGauge()
      .Name("veritrain_build_info")
      .Help("Always 1; the labels say which build this is.")
      .Register(registry_)
      .Add({{"version", VT_VERSION}})
      .Set(1);
}

void NodeMetrics::block_committed(const ledger::Block& block, const ledger::BlockResult& result,
                                  double commit_seconds, std::optional<double> interval_seconds) {
  blocks_committed_.Increment();
  txs_committed_.Increment(static_cast<double>(block.txs.size()));
  commit_seconds_.Observe(commit_seconds);
  if (interval_seconds) interval_seconds_.Observe(*interval_seconds);
  auto count = [this](const ledger::Event& e) {
    if (e.type == "dispute_opened") disputes_opened_.Increment();
    if (e.type == "dispute_resolved") disputes_resolved_.Increment();
    if (auto s = slashes_.find(e.type); s != slashes_.end()) s->second->Increment();
    if (auto p = payouts_.find(e.type); p != payouts_.end()) {
      p->second->Increment();
      const char* amount = e.type == "job_settled"     ? "provider_paid"
                           : e.type == "verifier_paid" ? "fee"
                                                       : "refund";
      paid_.at(e.type)->Increment(attr_number(e, amount));
    }
  };
  for (const ledger::Event& e : result.begin_events) count(e);
  for (const ledger::Receipt& r : result.receipts)
    for (const ledger::Event& e : r.events) count(e);
}

void NodeMetrics::declare_rpc_methods(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (rpc_.count(name)) continue;
    rpc_[name] = RpcSeries{&rpc_seconds_family_.Add({{"method", name}}, kRpcBuckets),
                           &rpc_errors_family_.Add({{"method", name}})};
  }
}

void NodeMetrics::rpc_call(const std::string& method, bool ok, double seconds) {
  // Only declared methods: a label per unknown name would let callers grow memory.
  auto found = rpc_.find(method);
  if (found == rpc_.end()) return;
  found->second.seconds->Observe(seconds);
  if (!ok) found->second.errors->Increment();
}

std::string NodeMetrics::render(const NodeGauges& now) {
  auto set = [](prometheus::Gauge& g, uint64_t v) { g.Set(static_cast<double>(v)); };
  set(height_, now.height);
  set(mempool_transactions_, now.mempool_transactions);
  set(mempool_bytes_, now.mempool_bytes);
  set(round_, now.consensus_round);
  set(last_signed_height_, now.last_signed_height);
  set(peers_, now.peers);
  set(validators_, now.validators);
  set(is_validator_, now.is_validator ? 1 : 0);
  set(rpc_connections_, now.rpc_connections);
  set(websocket_clients_, now.websocket_clients);
  set(blob_store_bytes_, now.blob_store_bytes);
  for (std::size_t i = 0; i < kJobStatusCount; ++i) set(*jobs_[i], now.jobs_by_status[i]);
  // A counter only moves up: to the node's running count.
  auto advance = [](prometheus::Counter& c, uint64_t total) {
    if (const double v = static_cast<double>(total); v > c.Value()) c.Increment(v - c.Value());
  };
  advance(signatures_alone_, now.signatures_checked_alone);
  advance(signatures_batched_, now.signatures_checked_in_batches);
  std::vector<prometheus::MetricFamily> families = registry_.Collect();
  for (auto& f : process_families(started_)) families.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace vt::node
