#include "wallet/proof_commands.h"

#include <memory>

#include "ledger/objects.h"
#include "ledger/state_access.h"
#include "wallet/wallet_client.h"

namespace vt::wallet {

namespace {

Hash256 hash_field(const json& j, const char* name) {
  if (!j.contains(name) || !j[name].is_string())
    throw CliError(std::string("proof.") + name + ": missing");
  return need(hash_from_hex(j[name].get<std::string>()), std::string("proof.") + name);
}

Bytes bytes_field(const json& j, const char* name) {
  if (!j.contains(name) || !j[name].is_string())
    throw CliError(std::string("proof.") + name + ": missing");
  return need(from_hex(j[name].get<std::string>()), std::string("proof.") + name);
}

// What the proven bytes say, checked against the node's JSON for the same object.
std::string describe_account(const ParsedProof& p, const json& shown) {
  if (!p.value) {
    if (shown["balance"] != "0" || shown["nonce"] != 0)
      throw CliError("the node shows a balance for an account its proof says is absent");
    return "holds nothing (no account record: balance 0, nonce 0)";
  }
  const ledger::Account a = need(ledger::decode_account(*p.value), "proven account");
  if (shown["balance"] != std::to_string(a.balance) || shown["nonce"] != a.nonce)
    throw CliError("the node's balance or nonce differs from the proven account record");
  return "holds " + std::to_string(a.balance) + " uvt, nonce " + std::to_string(a.nonce);
}

std::string describe_job(const ParsedProof& p, const json& shown) {
  if (!p.value) throw CliError("the proof says this job does not exist");
  const ledger::Job j = need(ledger::decode_job(*p.value), "proven job");
  if (shown["status"] != ledger::job_status_name(j.status) ||
      shown["payment"] != std::to_string(j.payment))
    throw CliError("the node's job status or payment differs from the proven job record");
  return std::string("is ") + ledger::job_status_name(j.status) + ", payment " +
         std::to_string(j.payment) + " uvt";
}

}  // namespace

ParsedProof parse_proof(const json& j) {
  if (!j.is_object()) throw CliError("proof: not an object (ask with prove: true)");
  ParsedProof p;
  if (!j.contains("height") || !j["height"].is_number_unsigned())
    throw CliError("proof.height: missing");
  p.height = j["height"].get<uint64_t>();
  p.state_root = hash_field(j, "state_root");
  p.key = bytes_field(j, "key");
  if (!j.contains("value")) throw CliError("proof.value: missing");
  if (!j["value"].is_null()) p.value = bytes_field(j, "value");
  if (!j.contains("siblings") || !j["siblings"].is_array() || j["siblings"].size() > 256)
    throw CliError("proof.siblings: not an array of at most 256 hashes");
  for (const json& s : j["siblings"]) {
    if (!s.is_string()) throw CliError("proof.siblings: not an array of hashes");
    p.proof.siblings.push_back(need(hash_from_hex(s.get<std::string>()), "proof.siblings"));
  }
  if (!j.contains("leaf")) throw CliError("proof.leaf: missing");
  if (!j["leaf"].is_null())
    p.proof.leaf = ledger::StateProof::Leaf{hash_field(j["leaf"], "path"),
                                            hash_field(j["leaf"], "value_hash")};
  return p;
}

void add_proof_commands(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "verify-proof",
      "Check the node's Merkle proof of an account or a job against the state root in the "
      "block header at that height (or --root), and that the proven record matches what the "
      "node shows");
  struct Args {
    std::string account, root_hex;
    uint64_t job_id = 0, height = 0;
  };
  auto a = std::make_shared<Args>();
  auto* account_opt = cmd->add_option("--account", a->account, "Key name or vt1... address");
  auto* job_opt = cmd->add_option("--job", a->job_id, "Job id");
  account_opt->excludes(job_opt);
  auto* height_opt = cmd->add_option("--height", a->height, "Block height (default: the head)");
  cmd->add_option("--root", a->root_hex,
                  "Trusted state root (hex) to check against instead of the node's block header");
  cmd->callback([&g, a, account_opt, job_opt, height_opt] {
    const std::string& account = a->account;
    const std::string& root_hex = a->root_hex;
    const uint64_t job_id = a->job_id, height = a->height;
    if (account_opt->count() == 0 && job_opt->count() == 0)
      throw CliError("give --account or --job");
    WalletClient c(g.node);
    json params = {{"prove", true}};
    if (height_opt->count() > 0) params["height"] = height;
    const bool is_account = account_opt->count() > 0;
    Bytes expected_key;
    if (is_account) {
      const Address a = resolve_address(g, account);
      params["address"] = address_to_string(a);
      expected_key = ledger::keys::account(a);
    } else {
      params["id"] = job_id;
      expected_key = ledger::keys::job(job_id);
    }
    const json shown = need(c.call(is_account ? "state_getAccount" : "state_getJob", params));
    const ParsedProof p = parse_proof(shown.value("proof", json()));
    if (p.key != expected_key) throw CliError("the proof is for another key than the one asked");
    // The root to trust: given, or the header of that height's block.
    Hash256 root;
    std::string source;
    if (!root_hex.empty()) {
      root = need(hash_from_hex(root_hex), "--root");
      source = "the given root";
    } else {
      if (p.height == 0) throw CliError("height 0 has no block header: pass --root");
      const json block = need(c.call("chain_getBlock", {{"height", p.height}}));
      root = need(hash_from_hex(block["header"]["state_root"].get<std::string>()), "header");
      source = "block " + std::to_string(p.height) + " " + block["hash"].get<std::string>();
    }
    if (p.state_root != root)
      throw CliError("the proof is against state root " + to_hex(p.state_root) + ", not " +
                     to_hex(root) + " (" + source + ")");
    if (auto s = ledger::verify_state_proof(root, p.key, p.value, p.proof); !s)
      throw CliError("proof REJECTED: " + s.error());
    const std::string what = is_account ? describe_account(p, shown) : describe_job(p, shown);
    print(g,
          {{"verified", true},
           {"height", p.height},
           {"state_root", to_hex(root)},
           {"checked_against", source},
           {"key", to_hex(p.key)},
           {"value", p.value ? json(to_hex(*p.value)) : json(nullptr)}},
          "proof OK at height " + std::to_string(p.height) + " (state root " + to_hex(root) + ", " +
              source +
              "): " + (is_account ? "account " + account : "job " + std::to_string(job_id)) + " " +
              what + "\n");
  });
}

}  // namespace vt::wallet
