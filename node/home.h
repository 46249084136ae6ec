// A node's home directory: config.toml, genesis.json, the validator key, the
// devnet faucet key and data/ (RocksDB). `veritraind init` writes it; `start`
// reads it. Functions do file I/O; errors name the file and the field.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

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
