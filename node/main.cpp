// veritraind: the validator node. `init` writes a home directory (`localnet`
// writes N of them), `start` runs it, `verify-chain` audits its database,
// `sync` fetches blocks from one peer.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>

#include "core/bech32m.h"
#include "core/decimal.h"
#include "node/chain_audit.h"
#include "node/datasets.h"
#include "node/home.h"
#include "node/node.h"
#include "node/p2p/block_exchange.h"

using namespace vt;

namespace {

int error_exit(const std::string& why) {
  std::cerr << "error: " << why << "\n";
  return 1;
}

// veritraind verify-chain: audit_chain over the home's database, read-only in
// effect (nothing is written; RocksDB takes its lock, so the node must be stopped).
int verify_chain(const std::string& home_dir) {
  auto home = node::load_home(home_dir);
  if (!home) return error_exit(home.error());
  auto kv = node::open_rocksdb(home->config.data_dir);
  if (!kv) return error_exit(kv.error());
  node::ChainStore chain(*kv.value());
  node::DatasetDirectory datasets(home->config.fashion_mnist_dir);
  auto report = node::audit_chain(chain, home->genesis, &datasets);
  if (!report) return error_exit(report.error());
  std::cout << "verified " << report->blocks << " blocks from the genesis: every header, "
            << "proposer, VRF proof, execution and commit checks out; state root "
            << to_hex(report->state_root) << "\n";
  return 0;
}

// veritraind sync: fetch and check blocks from one peer until caught up.
int sync_from_peer(const std::string& home_dir, const std::string& peer_spec) {
  auto home = node::load_home(home_dir);
  if (!home) return error_exit(home.error());
  const auto at = peer_spec.find('@');
  const auto colon = peer_spec.rfind(':');
  if (at == std::string::npos || colon == std::string::npos || colon < at)
    return error_exit("--peer must be NODE_ID@HOST:PORT");
  const std::string peer_id = peer_spec.substr(0, at);
  const std::string host = peer_spec.substr(at + 1, colon - at - 1);
  auto port = parse_u64_decimal(peer_spec.substr(colon + 1));
  if (!port.ok() || *port == 0 || *port > 65535) return error_exit("--peer has an invalid port");
  auto kv = node::open_rocksdb(home->config.data_dir);
  if (!kv) return error_exit(kv.error());
  node::ChainStore chain(*kv.value());
  // A fresh home starts from its genesis.
  if (auto st = chain.init_genesis_if_empty(home->genesis); !st) return error_exit(st.error());
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address(host, ec), static_cast<uint16_t>(*port)}, ec);
  if (ec)
    return error_exit("cannot connect to " + host + ":" + std::to_string(*port) + ": " +
                      ec.message());
  const Ed25519Key identity = home->validator_key ? *home->validator_key : Ed25519Key::generate();
  auto stream = node::p2p::SecretStream::establish(std::move(socket), identity, peer_id,
                                                   std::chrono::milliseconds(5000));
  if (!stream) return error_exit(stream.error());
  const ledger::Params& p = home->genesis.params;
  const node::p2p::MessageLimits limits{p.max_block_bytes, p.max_tx_bytes, p.max_validators};
  node::DatasetDirectory datasets(home->config.fashion_mnist_dir);
  auto report = node::p2p::sync_blocks(stream.value(), chain, home->genesis, &datasets, limits);
  if (!report) return error_exit(report.error());
  std::cout << "synced heights " << report->from_height + 1 << ".." << report->height
            << " from node " << peer_id << ", each block and commit checked; height "
            << report->height << " state root " << to_hex(report->state_root) << "\n";
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
  init_cmd
      ->add_option("--p2p-port", init.p2p_port,
                   "Port on 127.0.0.1 where peers fetch blocks (0: none)")
      ->capture_default_str();
  init_cmd->add_option("--rpc-port", init.rpc_port, "JSON-RPC port on 127.0.0.1")
      ->capture_default_str();
  init_cmd->add_option("--block-interval-ms", init.block_interval_ms, "Block interval")
      ->capture_default_str();

  std::string start_home;
  auto* start_cmd =
      app.add_subcommand("start", "Run the node in the foreground until SIGINT/SIGTERM");
  start_cmd->add_option("--home", start_home, "Home directory written by init")->required();

  node::LocalnetOptions localnet;
  std::string localnet_out, localnet_template;
  auto* localnet_cmd = app.add_subcommand(
      "localnet",
      "Write the homes of a local network: N validators (and optional full nodes) sharing one "
      "genesis, each listing the validators as persistent peers; run them with "
      "scripts/localnet start");
  localnet_cmd->add_option("--out", localnet_out, "Directory to create the homes in")->required();
  localnet_cmd->add_option("--validators", localnet.validators, "Number of validators (1..64)")
      ->capture_default_str();
  localnet_cmd->add_option("--full-nodes", localnet.full_nodes, "Number of full nodes (0..16)")
      ->capture_default_str();
  localnet_cmd
      ->add_option("--base-port", localnet.base_port,
                   "Node i listens for RPC on base+2i and for peers on base+2i+1 (127.0.0.1)")
      ->capture_default_str();
  localnet_cmd->add_option("--template", localnet_template, "Genesis template (params)");
  localnet_cmd->add_option("--chain-id", localnet.init.chain_id,
                           "Chain id (default: the template's)");
  localnet_cmd->add_option("--block-interval-ms", localnet.init.block_interval_ms, "Block interval")
      ->capture_default_str();

  std::string verify_home;
  auto* verify_cmd = app.add_subcommand(
      "verify-chain",
      "Replay every stored block from the genesis as a syncing node would (header, proposer, "
      "VRF, execution, state and receipts roots, commit signatures); the node must be stopped");
  verify_cmd->add_option("--home", verify_home, "Home directory written by init")->required();

  std::string sync_home, sync_peer;
  auto* sync_cmd = app.add_subcommand(
      "sync",
      "Fetch blocks from a peer over the encrypted channel until caught up, checking each "
      "block and its commit before storing it (a new full node's first step)");
  sync_cmd->add_option("--home", sync_home, "Home directory written by init (same genesis)")
      ->required();
  sync_cmd->add_option("--peer", sync_peer, "NODE_ID@HOST:PORT of a node's [p2p] listener")
      ->required();

  CLI11_PARSE(app, argc, argv);

  if (*verify_cmd) return verify_chain(verify_home);
  if (*localnet_cmd) {
    localnet.out = localnet_out;
    if (!localnet_template.empty()) localnet.init.genesis_template = localnet_template;
    auto r = node::init_localnet(localnet);
    if (!r) return error_exit(r.error());
    std::cout << "localnet in " << localnet_out << " (faucet " << address_to_string(r->faucet)
              << ", secret in each home's faucet.secret)\n";
    for (const auto& n : r->nodes)
      std::cout << "  " << n.name << "  node " << n.node_id
                << "  rpc http://127.0.0.1:" << n.rpc_port << "  p2p 127.0.0.1:" << n.p2p_port
                << "  home " << n.home.string() << "\n";
    std::cout << "run them with: scripts/localnet start " << localnet_out << "\n";
    return 0;
  }
  if (*sync_cmd) return sync_from_peer(sync_home, sync_peer);

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
              << "  node id         " << node::p2p::node_id(r->validator) << "\n"
              << "  faucet account  " << address_to_string(r->faucet) << " (secret in " << init_home
              << "/faucet.secret)\n"
              << "start it with: veritraind start --home " << init_home << "\n";
    return 0;
  }

  auto home = node::load_home(start_home);
  if (!home) return error_exit(home.error());
  spdlog::set_level(spdlog::level::from_str(home->log_level));
  if (!home->validator_key) {
    std::cerr << "error: " << start_home
              << "/validator_key.json is missing: every node needs a key (its peer identity; "
              << "it signs blocks only if the genesis lists it as a validator)\n";
    return 1;
  }
#ifdef VT_TEST_EQUIVOCATOR
  // The test build (veritraind-equivocator): a validator that double-signs.
  home->config.test_equivocate = true;
#endif
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
