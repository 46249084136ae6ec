// veritraind: the validator node. `init` writes a home directory, `start` runs
// it, `verify-chain` audits its database.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>

#include "core/bech32m.h"
#include "node/chain_audit.h"
#include "node/datasets.h"
#include "node/home.h"
#include "node/node.h"

using namespace vt;

namespace {

// veritraind verify-chain: audit_chain over the home's database, read-only in
// effect (nothing is written; RocksDB takes its lock, so the node must be stopped).
int verify_chain(const std::string& home_dir) {
  auto home = node::load_home(home_dir);
  if (!home) {
    std::cerr << "error: " << home.error() << "\n";
    return 1;
  }
  auto kv = node::open_rocksdb(home->config.data_dir);
  if (!kv) {
    std::cerr << "error: " << kv.error() << "\n";
    return 1;
  }
  node::ChainStore chain(*kv.value());
  auto set = node::consensus_validators(home->genesis.validators);
  if (!set) {
    std::cerr << "error: " << set.error() << "\n";
    return 1;
  }
  node::DatasetDirectory datasets(home->config.fashion_mnist_dir);
  auto report = node::audit_chain(chain, home->genesis, set.value(), &datasets);
  if (!report) {
    std::cerr << "error: " << report.error() << "\n";
    return 1;
  }
  std::cout << "verified " << report->blocks << " blocks from the genesis: every header, "
            << "proposer, VRF proof, execution and commit checks out; state root "
            << to_hex(report->state_root) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "veritraind: the veritrain validator node (proof-of-stake chain that verifies ML training)"};
  app.require_subcommand(1);

  node::InitOptions init;
  std::string init_home, template_path;
  auto* init_cmd =
      app.add_subcommand("init", "Create a node home: keys, config.toml and a devnet genesis");
  init_cmd->add_option("--home", init_home, "Home directory to create")->required();
  init_cmd->add_option("--template", template_path,
                       "Genesis template (params); default: built-in devnet");
  init_cmd->add_option("--chain-id", init.chain_id, "Chain id (default: the template's)");
  init_cmd->add_option("--rpc-port", init.rpc_port, "JSON-RPC port on 127.0.0.1")
      ->capture_default_str();
  init_cmd->add_option("--block-interval-ms", init.block_interval_ms, "Block interval")
      ->capture_default_str();

  std::string start_home;
  auto* start_cmd =
      app.add_subcommand("start", "Run the node in the foreground until SIGINT/SIGTERM");
  start_cmd->add_option("--home", start_home, "Home directory written by init")->required();

  std::string verify_home;
  auto* verify_cmd = app.add_subcommand(
      "verify-chain",
      "Replay every stored block from the genesis as a syncing node would (header, proposer, "
      "VRF, execution, state and receipts roots, commit signatures); the node must be stopped");
  verify_cmd->add_option("--home", verify_home, "Home directory written by init")->required();

  CLI11_PARSE(app, argc, argv);

  if (*verify_cmd) return verify_chain(verify_home);

  if (*init_cmd) {
    init.home = init_home;
    if (!template_path.empty()) init.genesis_template = template_path;
    auto r = node::init_home(init);
    if (!r) {
      std::cerr << "error: " << r.error() << "\n";
      return 1;
    }
    std::cout << "initialised " << init_home << "\n"
              << "  validator key   " << to_hex(r->validator) << "\n"
              << "  faucet account  " << address_to_string(r->faucet) << " (secret in " << init_home
              << "/faucet.secret)\n"
              << "start it with: veritraind start --home " << init_home << "\n";
    return 0;
  }

  auto home = node::load_home(start_home);
  if (!home) {
    std::cerr << "error: " << home.error() << "\n";
    return 1;
  }
  spdlog::set_level(spdlog::level::from_str(home->log_level));
  if (!home->validator_key) {
    std::cerr << "error: " << start_home
              << "/validator_key.json is missing (non-validator nodes come with the BFT "
              << "issue)\n";
    return 1;
  }
  boost::asio::io_context io;
  auto node = node::Node::open(io, home->config, home->genesis, *home->validator_key);
  if (!node) {
    spdlog::critical("{}", node.error());
    return 1;
  }
  if (auto s = node.value()->start(); !s) {
    spdlog::critical("{}", s.error());
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {} received, shutting down", sig);
    node.value()->stop();
  });
  io.run();
  return 0;
}
