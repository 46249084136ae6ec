// A node's home directory: config.toml, genesis.json, the validator key, the
// devnet faucet key and data/ (RocksDB). `veritraind init` writes it; `start`
// reads it. Functions do file I/O; errors name the file and the field.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/keys.h"
#include "core/result.h"
#include "ledger/genesis.h"
#include "node/node.h"

namespace vt::node {

struct InitOptions {
  std::filesystem::path home;
  std::optional<std::filesystem::path> genesis_template;  // default: the built-in devnet template
  std::string chain_id;                                   // empty: the template's
  uint16_t rpc_port = 26657;
  uint16_t p2p_port = 26656;  // 0: no peer listener
  uint64_t block_interval_ms = 1000;
  uint64_t faucet_balance = 1'000'000'000'000'000;  // 10^15 uvt
};

struct InitResult {
  Address faucet{};
  Ed25519Pubkey validator{};
};

// Refuses to overwrite an existing home.
Result<InitResult> init_home(const InitOptions& options);

// `veritraind localnet`: N validator homes (and M full-node homes) under
// `out`, one genesis with the N validators at power 1, each node listing the
// validators (but itself) as persistent peers. Node i gets RPC port
// base_port + 2i and P2P port base_port + 2i + 1, all on 127.0.0.1.
struct LocalnetOptions {
  std::filesystem::path out;
  uint32_t validators = 4;
  uint32_t full_nodes = 0;
  uint16_t base_port = 26600;
  InitOptions init;  // template, chain id, block interval, faucet balance (home and ports unused)
};
struct LocalnetNode {
  std::string name;  // validator0.., full0..
  std::filesystem::path home;
  bool validator = false;
  std::string node_id;
  uint16_t rpc_port = 0;
  uint16_t p2p_port = 0;
};
struct LocalnetResult {
  Address faucet{};
  std::vector<LocalnetNode> nodes;
};
Result<LocalnetResult> init_localnet(const LocalnetOptions& options);

struct Home {
  NodeConfig config;
  ledger::Genesis genesis;
  std::optional<Ed25519Key> validator_key;
  std::string log_level = "info";
};
Result<Home> load_home(const std::filesystem::path& home);

// The built-in devnet genesis template (same content as genesis/devnet.json).
const char* devnet_template();

}  // namespace vt::node
