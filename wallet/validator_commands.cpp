#include "wallet/validator_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "core/encoding.h"
#include "core/vrf.h"
#include "ledger/transaction.h"
#include "wallet/wallet_client.h"

namespace vt::wallet {

namespace {

// A node's validator_key.json ({"public_key", "seed", "type": "ed25519"}), as
// `veritraind init` writes it.
Ed25519Key read_validator_key(const std::string& path) {
  const json doc = json::parse(read_text_file(path), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("seed") || !doc["seed"].is_string())
    throw CliError(path + ": not a validator key file (expected a JSON object with \"seed\")");
  auto seed = from_hex(doc["seed"].get<std::string>());
  if (!seed || seed->size() != 32) throw CliError(path + ": seed must be 64 hex digits");
  std::array<uint8_t, 32> s{};
  std::copy(seed->begin(), seed->end(), s.begin());
  return Ed25519Key::from_seed(s);
}

// --key (64 hex) or --key-file (a validator_key.json): the consensus key.
Ed25519Pubkey consensus_key(const std::string& hex, const std::string& file) {
  if (hex.empty() == file.empty()) throw CliError("give exactly one of --key or --key-file");
  if (!file.empty()) return read_validator_key(file).pubkey();
  auto k = hash_from_hex(hex);
  if (!k) throw CliError("--key: " + k.error());
  return k.value();
}

}  // namespace

void add_validator_commands(CLI::App& app, Globals& g) {
  struct Args {
    std::string from, key, key_file, amount;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("validator", "Validator commands (the sender is the operator)")
                  ->require_subcommand(1);

  auto* reg = cmd->add_subcommand(
      "register",
      "Register a node's consensus key as a validator with a stake; it joins the set from the "
      "height after the block that includes this");
  reg->add_option("--from", a->from, "Operator key name (pays the stake, receives fees)")
      ->required();
  reg->add_option("--key-file", a->key_file, "The node's validator_key.json")->required();
  reg->add_option("--stake", a->amount, "Stake in uvt (see min_validator_stake)")->required();
  reg->callback([a, &g] {
    const Ed25519Key node_key = read_validator_key(a->key_file);
    SchnorrKey op = unlock(g, a->from);
    WalletClient client(g.node);
    const json params = need(client.call("state_getParams"), "state_getParams");
    ledger::ValidatorRegister m;
    m.consensus_key = node_key.pubkey();
    m.vrf_key = need(vrf_public_key(vrf_secret_from_seed(node_key.seed())), "vrf key");
    m.stake = amount(a->amount, "--stake");
    m.proof = node_key.sign(ledger::validator_register_proof_bytes(
        params["chain_id"].get<std::string>(), op.pubkey(), m.vrf_key));
    send(g, a->from, m);
  });

  auto key_options = [a](CLI::App* c) {
    c->add_option("--from", a->from, "Operator key name")->required();
    c->add_option("--key", a->key, "The validator's consensus key (64 hex)");
    c->add_option("--key-file", a->key_file, "or the node's validator_key.json");
  };
  auto* stake = cmd->add_subcommand("stake", "Add to a validator's stake");
  key_options(stake);
  stake->add_option("--amount", a->amount, "Amount in uvt")->required();
  stake->callback([a, &g] {
    send(g, a->from,
         ledger::ValidatorStake{consensus_key(a->key, a->key_file), amount(a->amount, "--amount")});
  });
  auto* unstake = cmd->add_subcommand(
      "unstake",
      "Withdraw validator stake to the operator after unbonding_blocks; all of it leaves the set");
  key_options(unstake);
  unstake->add_option("--amount", a->amount, "Amount in uvt")->required();
  unstake->callback([a, &g] {
    send(g, a->from,
         ledger::ValidatorUnstake{consensus_key(a->key, a->key_file),
                                  amount(a->amount, "--amount")});
  });
  auto* unjail = cmd->add_subcommand(
      "unjail", "Return a jailed validator to the set (never one jailed for double signing)");
  key_options(unjail);
  unjail->callback(
      [a, &g] { send(g, a->from, ledger::ValidatorUnjail{consensus_key(a->key, a->key_file)}); });

  auto* list = cmd->add_subcommand("list", "The validators at the next height");
  list->callback([&g] {
    WalletClient client(g.node);
    const json v = need(client.call("chain_getValidators"), "chain_getValidators");
    std::string text = "validators at height " + std::to_string(v["height"].get<uint64_t>()) +
                       ", total power " + std::to_string(v["total_power"].get<uint64_t>()) + "\n";
    for (const auto& x : v["validators"])
      text += "  " + x["consensus_key"].get<std::string>() + "  stake " +
              x["power"].get<std::string>() +
              (x["tombstoned"].get<bool>() ? "  TOMBSTONED"
               : x["jailed"].get<bool>()   ? "  jailed"
                                           : "") +
              (x["index"].is_null() ? "  (out of the set)" : "") + "\n";
    print(g, v, text);
  });
}

}  // namespace vt::wallet
