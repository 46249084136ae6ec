// veritrain: the wallet and client CLI. Keys live in an encrypted keystore;
// everything else goes through a node's JSON-RPC (--node, default
// http://127.0.0.1:26657). --json prints machine-readable output for scripts.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/bech32m.h"
#include "core/decimal.h"
#include "core/sha256.h"
#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "kernels/state.h"
#include "kernels/trainer.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"
#include "verifier/referee.h"
#include "wallet/keystore.h"
#include "wallet/train_cmd.h"
#include "wallet/wallet_client.h"

using namespace vt;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Globals {
  std::string node = "http://127.0.0.1:26657";
  std::string home;
  std::string password_file;
  bool json_output = false;
  bool no_wait = false;
  std::optional<uint64_t> fee;
};

// A failure the user can act on: printed as "error: ..." with exit code 1.
struct CliError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class T>
T need(Result<T> r, const std::string& context = "") {
  if (!r) throw CliError(context.empty() ? r.error() : context + ": " + r.error());
  return std::move(r).value();
}

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

Keystore keystore(const Globals& g) {
  return Keystore(fs::path(g.home) / "keys");
}

std::string password(const Globals& g, bool confirm) {
  if (!g.password_file.empty()) return need(read_password_file(g.password_file), "--password-file");
  return need(prompt_password("Keystore password: ", confirm),
              "no terminal for a password prompt; use --password-file");
}

SchnorrKey unlock(const Globals& g, const std::string& name) {
  return need(keystore(g).unlock(name, password(g, false)), "key '" + name + "'");
}

// A vt1... address, or the name of a key in the keystore.
Address resolve_address(const Globals& g, const std::string& who) {
  if (who.rfind("vt1", 0) == 0) return need(address_from_string(who));
  auto info = keystore(g).show(who);
  if (!info)
    throw CliError("'" + who + "' is neither a vt1... address nor a key in " +
                   keystore(g).dir().string());
  return info->address;
}

uint64_t amount(const std::string& s, const char* what) {
  return need(parse_u64_decimal(s), what);
}

void print(const Globals& g, const json& j, const std::string& human) {
  if (g.json_output)
    std::cout << j.dump(2) << "\n";
  else
    std::cout << human;
}

std::string receipt_line(const json& rec) {
  if (rec.value("pending", false))
    return "submitted " + rec["hash"].get<std::string>() + " (pending)\n";
  const json& r = rec["receipt"];
  std::ostringstream o;
  o << (r["success"].get<bool>() ? "ok" : "FAILED") << "  tx " << rec["hash"].get<std::string>()
    << " in block " << rec["height"] << "  fee " << r["fee"].get<std::string>() << "\n";
  if (!r["success"].get<bool>()) o << "  reason: " << r["reason"].get<std::string>() << "\n";
  for (const auto& e : r["events"]) {
    o << "  event " << e["type"].get<std::string>();
    for (const auto& [k, v] : e["attributes"].items()) o << " " << k << "=" << v.get<std::string>();
    o << "\n";
  }
  return o.str();
}

void send(const Globals& g, const std::string& from, ledger::Message msg) {
  SchnorrKey key = unlock(g, from);
  wallet::WalletClient client(g.node);
  wallet::WalletClient::SendOptions o;
  o.fee = g.fee;
  o.wait = !g.no_wait;
  json rec = need(client.send(key, std::move(msg), o));
  print(g, rec, receipt_line(rec));
  if (rec.contains("receipt") && !rec["receipt"]["success"].get<bool>())
    throw CliError("the transaction failed");
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CliError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string job_line(const json& j) {
  std::ostringstream o;
  o << "job " << j["id"] << "  " << j["status"].get<std::string>() << "  client "
    << j["client"].get<std::string>() << "\n  payment " << j["payment"].get<std::string>()
    << "  bond " << j["bond_required"].get<std::string>() << "  deadline height "
    << j["deadline_height"] << "\n  provider "
    << (j["provider"].is_null() ? std::string("-") : j["provider"].get<std::string>())
    << "\n  spec " << j["spec_hash"].get<std::string>() << "\n";
  return o.str();
}

// ---- proof of learning (docs/proof-of-learning.md, "CLI") ----

std::string as_string(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

json get_job(const Globals& g, uint64_t id) {
  wallet::WalletClient c(g.node);
  return need(c.call("state_getJob", {{"id", id}}));
}

kernels::JobSpec job_spec(const json& job) {
  if (!job["spec"].is_object()) throw CliError("the node returned no spec for this job");
  auto s = kernels::parse_job_spec(job["spec"].dump());
  if (!s) throw CliError("job spec: " + s.error);
  return s.value;
}

kernels::Dataset load_data(const std::string& dir) {
  auto d = kernels::load_fashion_mnist(dir);
  if (!d) throw CliError("data set: " + d.error + " (set --data)");
  return std::move(d.value);
}

const json& pol_of(const json& job) {
  if (job["pol"].is_null())
    throw CliError("job " + std::to_string(job["id"].get<uint64_t>()) + " is " +
                   job["status"].get<std::string>() + " and has no commitment yet");
  return job["pol"];
}

// "wait N blocks" advice for a window that opens at `opens` (the next block is height + 1).
std::string wait_hint(const json& pol, uint64_t opens) {
  const uint64_t next = pol["height"].get<uint64_t>() + 1;
  return opens > next ? "; wait " + std::to_string(opens - next) + " block(s)" : "";
}

std::vector<Hash256> hashes_from_json(const json& a) {
  std::vector<Hash256> out;
  for (const auto& h : a) out.push_back(need(hash_from_hex(h.get<std::string>()), "saved hash"));
  return out;
}

// Loads checkpoint `path` for `spec` and checks its tensors hash to `expected`
// (a state hash committed on chain).
kernels::TensorMap load_checked(const kernels::JobSpec& spec, const std::string& path,
                                const std::string& expected) {
  auto st = kernels::load_checkpoint_for(spec, path);
  if (!st) throw CliError(path + ": " + st.error);
  if (to_hex(kernels::state_hash(st.value)) != expected)
    throw CliError(path + ": its state hash is not the committed " + expected);
  return std::move(st.value);
}

std::vector<Hash256> replay_segment(const kernels::JobSpec& spec, const kernels::Dataset& data,
                                    const kernels::TensorMap& state, uint64_t steps) {
  return need(verifier::replay_hashes(spec, data, state, steps), "replay");
}

fs::path attest_dir(const Globals& g, uint64_t job) {
  return fs::path(g.home) / "attestations" / ("job-" + std::to_string(job));
}

void write_text_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw CliError("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  Globals g;
  g.node = env_or("VERITRAIN_NODE", g.node);
  g.home = env_or("VERITRAIN_HOME", env_or("HOME", ".") + "/.veritrain");
  g.password_file = env_or("VERITRAIN_PASSWORD_FILE", "");

  CLI::App app{
      "veritrain: wallet and client for the veritrain chain.\n"
      "Keys are kept encrypted (Argon2id + XChaCha20-Poly1305) in --home/keys; every other command "
      "talks to a\n"
      "node's JSON-RPC at --node. Amounts are integers of the smallest unit (uvt).\n"
      "Examples:\n"
      "  veritrain keys new alice\n"
      "  veritrain send --from alice --to vt1... --amount 1000000\n"
      "  veritrain job submit job.json --from alice --pay 5000000 --bond 1000000\n"};
  app.require_subcommand(1);
  app.add_option("--node", g.node, "Node JSON-RPC URL (env VERITRAIN_NODE)")->capture_default_str();
  app.add_option("--home", g.home, "Wallet directory (env VERITRAIN_HOME)")->capture_default_str();
  app.add_option("--password-file", g.password_file,
                 "Read the keystore password from this file's first line");
  app.add_flag("--json", g.json_output, "Machine-readable JSON output");
  app.add_flag("--no-wait", g.no_wait, "Return after submission instead of waiting for the block");
  app.add_option("--fee", g.fee, "Fee in uvt (default: the chain's minimum fee)");

  // ---- keys ----
  auto* keys =
      app.add_subcommand("keys", "Create, import and list account keys")->require_subcommand(1);
  std::string key_name, secret_hex, secret_file;
  auto* keys_new = keys->add_subcommand("new", "Create a new random key");
  keys_new->add_option("name", key_name, "Key name ([A-Za-z0-9_-], up to 64)")->required();
  keys_new->callback([&] {
    Address a = need(keystore(g).create(key_name, password(g, true)));
    print(g, {{"name", key_name}, {"address", address_to_string(a)}},
          key_name + "  " + address_to_string(a) + "\n");
  });
  auto* keys_import = keys->add_subcommand("import", "Import a 32-byte BIP-340 secret key (hex)");
  keys_import->add_option("name", key_name, "Key name")->required();
  auto* secret_opt =
      keys_import->add_option("--secret-file", secret_file, "File holding the secret as hex");
  keys_import
      ->add_option("--secret", secret_hex, "The secret as hex (visible in the process list!)")
      ->excludes(secret_opt);
  keys_import->callback([&] {
    std::string hex = secret_hex;
    if (!secret_file.empty()) {
      hex = read_text_file(secret_file);
      while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' '))
        hex.pop_back();
    }
    if (hex.empty()) throw CliError("give --secret-file FILE or --secret HEX");
    Hash256 secret = need(hash_from_hex(hex), "secret");
    Address a = need(keystore(g).import(key_name, secret, password(g, true)));
    print(g, {{"name", key_name}, {"address", address_to_string(a)}},
          key_name + "  " + address_to_string(a) + "\n");
  });
  keys->add_subcommand("list", "List keys")->callback([&] {
    auto list = need(keystore(g).list());
    json out = json::array();
    std::string text;
    for (const auto& k : list) {
      out.push_back({{"name", k.name}, {"address", k.address_string()}});
      text += k.name + "  " + k.address_string() + "\n";
    }
    print(g, out, list.empty() ? "no keys in " + keystore(g).dir().string() + "\n" : text);
  });
  auto* keys_show = keys->add_subcommand("show", "Show a key's address");
  keys_show->add_option("name", key_name, "Key name")->required();
  keys_show->callback([&] {
    auto k = need(keystore(g).show(key_name));
    print(g, {{"name", k.name}, {"address", k.address_string()}}, k.address_string() + "\n");
  });

  // ---- reads ----
  std::string who;
  auto* balance = app.add_subcommand("balance", "An account's balance and nonce");
  balance->add_option("account", who, "Key name or vt1... address")->required();
  balance->callback([&] {
    wallet::WalletClient c(g.node);
    json acc =
        need(c.call("state_getAccount", {{"address", address_to_string(resolve_address(g, who))}}));
    print(g, acc,
          acc["balance"].get<std::string>() + " uvt  (nonce " +
              std::to_string(acc["nonce"].get<uint64_t>()) + ")  " +
              acc["address"].get<std::string>() + "\n");
  });

  app.add_subcommand("status", "The node's chain head")->callback([&] {
    wallet::WalletClient c(g.node);
    json s = need(c.call("chain_status"));
    print(g, s,
          s["chain_id"].get<std::string>() + " at height " +
              std::to_string(s["height"].get<uint64_t>()) + "  block " +
              s["block_hash"].get<std::string>() + "\n");
  });

  std::string hash_arg;
  auto* tx = app.add_subcommand("tx", "Transactions")->require_subcommand(1);
  auto* tx_show = tx->add_subcommand("show", "A transaction and its receipt");
  tx_show->add_option("hash", hash_arg, "Transaction hash")->required();
  tx_show->callback([&] {
    wallet::WalletClient c(g.node);
    json rec = need(c.call("chain_getTransaction", {{"hash", hash_arg}}));
    std::string text = receipt_line(rec);
    if (rec.contains("tx")) {
      json msg = rec["tx"]["msg"];
      if (msg.contains("spec"))
        msg["spec"] = std::to_string(msg["spec"].get<std::string>().size()) + " bytes of job spec";
      text += "  " + rec["tx"]["type"].get<std::string>() + " from " +
              rec["tx"]["sender"].get<std::string>() + "  " + msg.dump() + "\n";
    }
    print(g, rec, text);
  });

  std::string block_arg = "latest";
  auto* block = app.add_subcommand("block", "Blocks")->require_subcommand(1);
  auto* block_show = block->add_subcommand("show", "A block by height, hash or 'latest'");
  block_show->add_option("block", block_arg, "Height, hash or latest")->capture_default_str();
  block_show->callback([&] {
    wallet::WalletClient c(g.node);
    json params;
    if (block_arg == "latest")
      params = {{"height", need(c.call("chain_status"))["height"]}};
    else if (block_arg.size() == 64)
      params = {{"hash", block_arg}};
    else
      params = {{"height", amount(block_arg, "block height")}};
    json b = need(c.call("chain_getBlock", params));
    std::ostringstream o;
    o << "block " << b["header"]["height"] << "  " << b["hash"].get<std::string>() << "\n  time_ms "
      << b["header"]["time_ms"] << "  state_root " << b["header"]["state_root"].get<std::string>()
      << "\n  " << b["txs"].size() << " transactions\n";
    for (const auto& t : b["txs"])
      o << "    " << t["hash"].get<std::string>() << "  " << t["type"].get<std::string>()
        << " from " << t["sender"].get<std::string>() << "\n";
    print(g, b, o.str());
  });

  // ---- transactions ----
  std::string from, to, amount_str, endpoint;
  auto* send_cmd = app.add_subcommand("send", "Transfer uvt to an address or key name");
  send_cmd->add_option("--from", from, "Sending key name")->required();
  send_cmd->add_option("--to", to, "Recipient: vt1... address or key name")->required();
  send_cmd->add_option("--amount", amount_str, "Amount in uvt")->required();
  send_cmd->callback([&] {
    send(g, from, ledger::Transfer{resolve_address(g, to), amount(amount_str, "--amount")});
  });

  auto* provider =
      app.add_subcommand("provider", "Compute provider commands")->require_subcommand(1);
  auto* prov_reg =
      provider->add_subcommand("register", "Register as a provider, staking at least the minimum");
  prov_reg->add_option("--from", from, "Provider key name")->required();
  prov_reg
      ->add_option("--stake", amount_str, "Stake in uvt (see `state_getParams` min_provider_stake)")
      ->required();
  prov_reg
      ->add_option("--endpoint", endpoint,
                   "Where clients and verifiers reach you, e.g. http://host:port")
      ->required();
  prov_reg->callback([&] {
    send(g, from, ledger::ProviderRegister{amount(amount_str, "--stake"), endpoint});
  });
  auto* prov_show = provider->add_subcommand("show", "A provider's stake and record");
  prov_show->add_option("provider", who, "Key name or vt1... address")->required();
  prov_show->callback([&] {
    wallet::WalletClient c(g.node);
    json p = need(
        c.call("state_getProvider", {{"address", address_to_string(resolve_address(g, who))}}));
    print(g, p,
          "provider " + p["address"].get<std::string>() + "\n  stake " +
              p["stake"].get<std::string>() + "  locked " + p["locked"].get<std::string>() +
              "  endpoint " + p["endpoint"].get<std::string>() + "\n");
  });

  for (bool is_stake : {true, false}) {
    auto* cmd = app.add_subcommand(
        is_stake ? "stake" : "unstake",
        is_stake ? "Add to your provider stake"
                 : "Withdraw unlocked provider stake (released after the unbonding period)");
    cmd->add_option("--from", from, "Provider key name")->required();
    cmd->add_option("--amount", amount_str, "Amount in uvt")->required();
    cmd->callback([&, is_stake] {
      uint64_t a = amount(amount_str, "--amount");
      if (is_stake)
        send(g, from, ledger::Stake{a});
      else
        send(g, from, ledger::Unstake{a});
    });
  }

  // ---- jobs ----
  auto* job = app.add_subcommand("job", "Training jobs")->require_subcommand(1);
  std::string spec_path, pay_str, bond_str = "0";
  uint64_t deadline = 1000, job_id = 0;
  auto* job_submit = job->add_subcommand("submit", "Submit a job spec with its payment in escrow");
  job_submit->add_option("spec", spec_path, "Job spec JSON file")
      ->required()
      ->check(CLI::ExistingFile);
  job_submit->add_option("--from", from, "Client key name")->required();
  job_submit->add_option("--pay", pay_str, "Payment in uvt, held in escrow")->required();
  job_submit->add_option("--bond", bond_str, "Bond required of the provider, in uvt")
      ->capture_default_str();
  job_submit->add_option("--deadline", deadline, "Blocks until the job must be delivered")
      ->capture_default_str();
  job_submit->callback([&] {
    send(g, from,
         ledger::JobSubmit{read_text_file(spec_path), amount(pay_str, "--pay"),
                           amount(bond_str, "--bond"), deadline});
  });
  auto* job_show = job->add_subcommand("show", "A job's status, escrow and spec");
  job_show->add_option("id", job_id, "Job id")->required();
  job_show->callback([&] {
    wallet::WalletClient c(g.node);
    json j = need(c.call("state_getJob", {{"id", job_id}}));
    print(g, j, job_line(j));
  });
  std::string status_filter, client_filter, provider_filter;
  uint64_t limit = 100;
  auto* job_list = job->add_subcommand("list", "Jobs, filtered");
  job_list->add_option("--status", status_filter,
                       "open, accepted, ..., settled, expired, cancelled");
  job_list->add_option("--client", client_filter, "Client key name or address");
  job_list->add_option("--provider", provider_filter, "Provider key name or address");
  job_list->add_option("--limit", limit, "At most this many")->capture_default_str();
  job_list->callback([&] {
    wallet::WalletClient c(g.node);
    json params = {{"limit", limit}};
    if (!status_filter.empty()) params["status"] = status_filter;
    if (!client_filter.empty())
      params["client"] = address_to_string(resolve_address(g, client_filter));
    if (!provider_filter.empty())
      params["provider"] = address_to_string(resolve_address(g, provider_filter));
    json page = need(c.call("state_listJobs", params));
    std::string text;
    for (const auto& j : page["jobs"]) text += job_line(j);
    print(g, page, page["jobs"].empty() ? "no jobs\n" : text);
  });
  for (bool is_accept : {true, false}) {
    auto* cmd = job->add_subcommand(
        is_accept ? "accept" : "cancel",
        is_accept ? "Accept an open job as a provider (locks the bond from your stake)"
                  : "Cancel your open job (refunds the escrow)");
    cmd->add_option("id", job_id, "Job id")->required();
    cmd->add_option("--from", from, is_accept ? "Provider key name" : "Client key name")
        ->required();
    cmd->callback([&, is_accept] {
      if (is_accept)
        send(g, from, ledger::JobAccept{job_id});
      else
        send(g, from, ledger::JobCancel{job_id});
    });
  }

  // ---- proof of learning ----
  std::string run_dir, data_dir = kernels::kDefaultFashionMnistDir, manifest_hash;
  job->add_subcommand("commit",
                      "Post a trained run's commitment (DIR/commitment.json from `veritrain "
                      "train`); uploads every checkpoint in DIR as a blob and a manifest blob")
      ->callback([&] {
        const json j = get_job(g, job_id);
        const kernels::JobSpec spec = job_spec(j);
        const std::string cpath = (fs::path(run_dir) / "commitment.json").string();
        auto tc = kernels::read_commitment(cpath);
        if (!tc) throw CliError(cpath + ": " + tc.error);
        float loss = 0.0f;
        const fs::path report = fs::path(run_dir) / "train_report.json";
        if (fs::exists(report))
          loss = json::parse(read_text_file(report.string()))["final_loss"].get<float>();
        verifier::Commitment c = need(verifier::from_trainer(tc.value, spec, loss), cpath);
        // Checkpoints are blobs addressed by the SHA-256 of their files; the manifest
        // (itself a blob) maps each committed state hash to its file's blob hash.
        wallet::WalletClient client(g.node);
        json entries = json::array();
        for (const auto& e : tc.value.checkpoints) {
          const std::string bytes = read_text_file((fs::path(run_dir) / e.file).string());
          const std::string h = need(client.upload_blob(as_view(bytes), nullptr), e.file);
          entries.push_back({{"step", e.step}, {"state_hash", to_hex(e.state_hash)}, {"blob", h}});
        }
        const json manifest = {{"job_id", job_id},
                               {"commitment_root", to_hex(verifier::commitment_root(c))},
                               {"checkpoints", entries}};
        const std::string mtext = manifest.dump();
        const std::string mhash = need(client.upload_blob(as_view(mtext), nullptr), "manifest");
        write_text_file(fs::path(run_dir) / "manifest.json", mtext + "\n");
        if (!g.json_output)
          std::cout << "uploaded " << entries.size() << " checkpoints; manifest blob " << mhash
                    << "\n";
        send(g, from, ledger::JobCommit{job_id, verifier::encode(c), need(hash_from_hex(mhash))});
        if (!g.json_output)
          std::cout << "commitment root " << manifest["commitment_root"].get<std::string>()
                    << "\nmanifest " << mhash
                    << " (on chain: verifiers find the checkpoints from it)\n";
      });
  auto* job_commit = job->get_subcommand("commit");
  job_commit->add_option("id", job_id, "Job id")->required();
  job_commit->add_option("--from", from, "Provider key name")->required();
  job_commit->add_option("--run", run_dir, "Output directory of `veritrain train`")
      ->required()
      ->check(CLI::ExistingDirectory);

  auto* job_probe = job->add_subcommand(
      "probe", "Post the provider's probe hashes (replayed from its own checkpoints in DIR)");
  job_probe->add_option("id", job_id, "Job id")->required();
  job_probe->add_option("--from", from, "Provider key name")->required();
  job_probe->add_option("--run", run_dir, "Output directory of `veritrain train`")
      ->required()
      ->check(CLI::ExistingDirectory);
  job_probe->add_option("--data", data_dir, "Fashion-MNIST directory")->capture_default_str();
  job_probe->callback([&] {
    const json j = get_job(g, job_id);
    const json& pol = pol_of(j);
    if (pol["probe_seed"].is_null())
      throw CliError("the probes are drawn at height " +
                     std::to_string(pol["commit_deadline"].get<uint64_t>() + 1) +
                     wait_hint(pol, pol["commit_deadline"].get<uint64_t>() + 2));
    if (pol["phase"] != "reveal_window")
      throw CliError("job " + std::to_string(job_id) + " is not in its reveal window (phase " +
                     pol["phase"].get<std::string>() + ", reveal deadline " +
                     std::to_string(pol["reveal_deadline"].get<uint64_t>()) + ")");
    const kernels::JobSpec spec = job_spec(j);
    auto tc = kernels::read_commitment((fs::path(run_dir) / "commitment.json").string());
    if (!tc) throw CliError(tc.error);
    std::optional<kernels::Dataset> data;
    int posted = 0;
    for (const auto& s : pol["segments"]) {
      if (!s["provider_probe"].is_null()) continue;
      const uint64_t start = s["start_step"].get<uint64_t>(), r = s["probe_offset"].get<uint64_t>();
      std::string file;
      for (const auto& e : tc.value.checkpoints)
        if (e.step == start) file = (fs::path(run_dir) / e.file).string();
      if (file.empty()) throw CliError("no checkpoint at step " + std::to_string(start));
      if (!data) data = load_data(data_dir);
      const auto state = load_checked(spec, file, s["start_hash"].get<std::string>());
      const auto per_step = replay_segment(spec, *data, state, r);
      send(g, from, ledger::ProviderProbe{job_id, s["segment"].get<uint64_t>(), per_step.back()});
      ++posted;
    }
    if (!g.json_output) std::cout << "posted " << posted << " probes\n";
  });

  auto* verifier_cmd =
      app.add_subcommand("verifier", "Proof-of-learning verifier commands")->require_subcommand(1);
  auto* ver_reg = verifier_cmd->add_subcommand("register", "Register as a verifier with a stake");
  ver_reg->add_option("--from", from, "Verifier key name")->required();
  ver_reg->add_option("--stake", amount_str, "Stake in uvt (see min_verifier_stake)")->required();
  ver_reg->callback(
      [&] { send(g, from, ledger::VerifierRegister{amount(amount_str, "--stake")}); });
  auto* ver_stake = verifier_cmd->add_subcommand("stake", "Add to your verifier stake");
  ver_stake->add_option("--from", from, "Verifier key name")->required();
  ver_stake->add_option("--amount", amount_str, "Amount in uvt")->required();
  ver_stake->callback(
      [&] { send(g, from, ledger::VerifierStake{amount(amount_str, "--amount")}); });
  auto* ver_show = verifier_cmd->add_subcommand("show", "A verifier's stake and record");
  ver_show->add_option("verifier", who, "Key name or vt1... address")->required();
  ver_show->callback([&] {
    wallet::WalletClient c(g.node);
    json v = need(
        c.call("state_getVerifier", {{"address", address_to_string(resolve_address(g, who))}}));
    print(g, v,
          "verifier " + v["address"].get<std::string>() + "\n  stake " +
              v["stake"].get<std::string>() + "  segments assigned " +
              std::to_string(v["segments_assigned"].get<uint64_t>()) + "  agreed " +
              std::to_string(v["segments_agreed"].get<uint64_t>()) + "\n");
  });

  auto* ver_attest = verifier_cmd->add_subcommand(
      "attest",
      "Replay every segment of a job assigned to you and post the attestation commitments "
      "(the salt and trace are kept under --home/attestations for the reveal)");
  ver_attest->add_option("id", job_id, "Job id")->required();
  ver_attest->add_option("--from", from, "Verifier key name")->required();
  ver_attest->add_option("--manifest", manifest_hash,
                         "Blob hash of the provider's checkpoint manifest (default: the one in its "
                         "job_commit on chain)");
  ver_attest->add_option("--data", data_dir, "Fashion-MNIST directory")->capture_default_str();
  ver_attest->callback([&] {
    const json j = get_job(g, job_id);
    const json& pol = pol_of(j);
    const std::string me = address_to_string(resolve_address(g, from));
    if (pol["phase"] == "waiting_for_sampling")
      throw CliError("segments are sampled at height " +
                     std::to_string(pol["sample_height"].get<uint64_t>()) +
                     wait_hint(pol, pol["sample_height"].get<uint64_t>() + 1));
    if (pol["phase"] != "commit_window")
      throw CliError("the commit window closed at height " +
                     std::to_string(pol["commit_deadline"].get<uint64_t>()));
    std::vector<json> mine;
    for (const auto& s : pol["segments"])
      if (s["verifier"] == me && s["attest_commitment"].is_null()) mine.push_back(s);
    if (mine.empty()) {
      print(g, json::array(),
            "no unattested segment of job " + std::to_string(job_id) + " is assigned to " + me +
                "\n");
      return;
    }
    const kernels::JobSpec spec = job_spec(j);
    const kernels::Dataset data = load_data(data_dir);
    wallet::WalletClient client(g.node);
    if (manifest_hash.empty()) manifest_hash = pol["manifest"].get<std::string>();
    const json manifest = json::parse(
        as_string(need(client.download_blob(manifest_hash, nullptr), "manifest")), nullptr, false);
    if (!manifest.is_object() || !manifest.contains("checkpoints"))
      throw CliError("blob " + manifest_hash + " is not a checkpoint manifest");
    const Address my_addr = resolve_address(g, from);
    for (const json& s : mine) {
      const uint64_t seg = s["segment"].get<uint64_t>();
      const std::string start_hash = s["start_hash"].get<std::string>();
      std::string blob;
      for (const auto& e : manifest["checkpoints"])
        if (e["state_hash"] == start_hash) blob = e["blob"].get<std::string>();
      if (blob.empty())
        throw CliError("the manifest has no checkpoint with state hash " + start_hash);
      // The blob's bytes match its hash (download_blob); its tensors must hash to
      // the committed state hash (load_checked): the manifest itself is not trusted.
      const Bytes bytes = need(client.download_blob(blob, nullptr), "checkpoint " + blob);
      const fs::path file =
          attest_dir(g, job_id) / ("start-" + std::to_string(seg) + ".safetensors");
      write_text_file(file, as_string(bytes));
      const auto state = load_checked(spec, file.string(), start_hash);
      const auto per_step = replay_segment(
          spec, data, state, s["end_step"].get<uint64_t>() - s["start_step"].get<uint64_t>());
      const auto trace = verifier::make_trace(per_step);
      if (!g.json_output)
        std::cout << "segment " << seg << ": replayed steps " << s["start_step"] << ".."
                  << s["end_step"] << ", end hash "
                  << (to_hex(trace.end_hash) == s["end_hash"] ? "matches" : "DIFFERS from")
                  << " the commitment\n";
      Hash256 salt{};
      random_bytes(salt);
      json saved = {{"job_id", job_id},
                    {"segment", seg},
                    {"salt", to_hex(salt)},
                    {"end_hash", to_hex(trace.end_hash)},
                    {"trace_root", to_hex(trace.trace_root)},
                    {"per_step", json::array()}};
      for (const auto& h : per_step) saved["per_step"].push_back(to_hex(h));
      write_text_file(attest_dir(g, job_id) / ("segment-" + std::to_string(seg) + ".json"),
                      saved.dump());
      send(g, from,
           ledger::AttestCommit{
               job_id, seg, verifier::attestation_commitment(job_id, seg, trace, my_addr, salt)});
    }
  });

  auto* ver_reveal = verifier_cmd->add_subcommand(
      "reveal", "Reveal your attestations of a job after its commit window closed");
  ver_reveal->add_option("id", job_id, "Job id")->required();
  ver_reveal->add_option("--from", from, "Verifier key name")->required();
  ver_reveal->callback([&] {
    const json j = get_job(g, job_id);
    const json& pol = pol_of(j);
    const std::string me = address_to_string(resolve_address(g, from));
    if (pol["phase"] == "commit_window" || pol["phase"] == "drawing_probe")
      throw CliError("the reveal window opens at height " +
                     std::to_string(pol["commit_deadline"].get<uint64_t>() + 1) +
                     wait_hint(pol, pol["commit_deadline"].get<uint64_t>() + 2));
    if (pol["phase"] != "reveal_window")
      throw CliError("the reveal window closed at height " +
                     std::to_string(pol["reveal_deadline"].get<uint64_t>()));
    int revealed = 0;
    for (const auto& s : pol["segments"]) {
      if (s["verifier"] != me || s["attest_commitment"].is_null() || s["revealed"].get<bool>())
        continue;
      const uint64_t seg = s["segment"].get<uint64_t>();
      const fs::path file = attest_dir(g, job_id) / ("segment-" + std::to_string(seg) + ".json");
      if (!fs::exists(file))
        throw CliError("no saved attestation for segment " + std::to_string(seg) + " (" +
                       file.string() + "); it was committed from another --home");
      const json saved = json::parse(read_text_file(file.string()));
      const auto per_step = hashes_from_json(saved["per_step"]);
      const uint64_t r = s["probe_offset"].get<uint64_t>();
      if (r == 0 || r > per_step.size()) throw CliError("probe offset out of range");
      verifier::Reveal rv;
      rv.trace = verifier::make_trace(per_step);
      rv.salt = need(hash_from_hex(saved["salt"].get<std::string>()), "salt");
      rv.probe_hash = per_step[r - 1];
      rv.probe_proof = need(verifier::make_proof(per_step, r - 1), "probe proof");
      send(g, from, ledger::AttestReveal{job_id, seg, verifier::encode(rv)});
      ++revealed;
    }
    if (!g.json_output) std::cout << "revealed " << revealed << " attestations\n";
  });

  // ---- blobs ----
  auto* blob = app.add_subcommand("blob", "Content-addressed blobs: checkpoints and models")
                   ->require_subcommand(1);
  std::string blob_file, blob_hash, out_file;
  auto bar = [&g](uint64_t done, uint64_t total) {
    if (g.json_output) return;
    int filled = total ? static_cast<int>(30 * done / total) : 30;
    std::cerr << "\r[" << std::string(filled, '#') << std::string(30 - filled, '-') << "] " << done
              << "/" << total << " bytes" << (done == total ? "\n" : "") << std::flush;
  };
  auto* blob_put =
      blob->add_subcommand("put", "Upload a file to the node as a blob; prints its SHA-256");
  blob_put->add_option("file", blob_file, "File to upload")->required()->check(CLI::ExistingFile);
  blob_put->callback([&] {
    std::string content = read_text_file(blob_file);
    wallet::WalletClient c(g.node);
    std::string hash = need(c.upload_blob(as_view(content), bar));
    print(g, {{"hash", hash}, {"size", content.size()}}, hash + "\n");
  });
  auto* blob_get =
      blob->add_subcommand("get", "Download a blob, check it against its hash, write it to a file");
  blob_get->add_option("hash", blob_hash, "The blob's SHA-256")->required();
  blob_get->add_option("--out", out_file, "Output file")->required();
  blob_get->callback([&] {
    wallet::WalletClient c(g.node);
    Bytes data = need(c.download_blob(blob_hash, bar));
    std::ofstream out(out_file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
    if (!out.flush()) throw CliError("cannot write " + out_file);
    print(g, {{"hash", blob_hash}, {"size", data.size()}, {"out", out_file}},
          "wrote " + std::to_string(data.size()) + " bytes to " + out_file + "\n");
  });

  add_train_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const CliError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
