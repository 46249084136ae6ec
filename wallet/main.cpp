// veritrain: the wallet and client CLI. Keys live in an encrypted keystore;
// everything else goes through a node's JSON-RPC (--node, default
// http://127.0.0.1:26657). --json prints machine-readable output for scripts.
#include <unistd.h>

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
#include "ledger/executor.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"
#include "verifier/economics.h"
#include "verifier/referee.h"
#include "wallet/cli_context.h"
#include "wallet/hd_keys.h"
#include "wallet/job_watch.h"
#include "wallet/keystore.h"
#include "wallet/pol_commands.h"
#include "wallet/progress_bar.h"
#include "wallet/proof_commands.h"
#include "wallet/train_cmd.h"
#include "wallet/validator_commands.h"
#include "wallet/wallet_client.h"

using namespace vt;
using namespace vt::wallet;

namespace {

// job submit: the bond defaults to the least the chain accepts for this
// payment and sample count, and what the job costs is shown before it is sent.
void submit_job(const Globals& g, const std::string& from, const std::string& spec_path,
                const std::string& pay_str, const std::string& bond_str, uint64_t deadline,
                uint32_t samples) {
  const std::string text = read_text_file(spec_path);
  auto spec = kernels::parse_job_spec(text);
  if (!spec) throw CliError("job spec " + spec_path + ": " + spec.error);
  wallet::WalletClient client(g.node);
  const json p = need(client.call("state_getParams"), "state_getParams");
  auto param = [&](const char* name) {
    return need(
        parse_u64_decimal(p.at(name).is_string() ? p.at(name).get<std::string>()
                                                 : std::to_string(p.at(name).get<uint64_t>())),
        name);
  };
  ledger::Params rules;
  rules.pol_samples = static_cast<uint32_t>(param("pol_samples"));
  const uint64_t pay = amount(pay_str, "--pay");
  const uint64_t m = ledger::job_samples(rules, spec.value, samples);
  const uint64_t min_bond = verifier::min_bond(pay, m);
  const uint64_t bond = bond_str.empty() ? min_bond : amount(bond_str, "--bond");
  const uint64_t seats = m * param("pol_redundancy");
  const uint64_t verifier_fees = seats * param("verifier_fee");
  // On stderr, so that --json output stays one JSON document.
  std::fprintf(stderr,
               "job cost: %llu uvt held in escrow from %s (of it %llu to verifiers: %llu samples x "
               "%llu verifiers x %llu), plus the transaction fee; the provider locks a bond of "
               "%llu uvt (least %llu: payment / %llu samples, rounded up)\n",
               static_cast<unsigned long long>(pay), from.c_str(),
               static_cast<unsigned long long>(verifier_fees), static_cast<unsigned long long>(m),
               static_cast<unsigned long long>(param("pol_redundancy")),
               static_cast<unsigned long long>(param("verifier_fee")),
               static_cast<unsigned long long>(bond), static_cast<unsigned long long>(min_bond),
               static_cast<unsigned long long>(m));
  send(g, from, ledger::JobSubmit{text, pay, bond, deadline, samples});
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
  // Global options work anywhere on the line (`veritrain keys list --json`):
  // subcommands pass the options they do not know to their parents.
  app.fallthrough();
  app.add_option("--node", g.node, "Node JSON-RPC URL (env VERITRAIN_NODE)")->capture_default_str();
  app.add_option("--home", g.home, "Wallet directory (env VERITRAIN_HOME)")->capture_default_str();
  app.add_option("--password-file", g.password_file,
                 "Read the keystore password from this file's first line (env "
                 "VERITRAIN_PASSWORD_FILE). A new key's password must have at least 8 "
                 "characters; without this option the password is asked on the terminal");
  app.add_flag("--json", g.json_output, "Machine-readable JSON output");
  app.add_flag("--no-wait", g.no_wait, "Return after submission instead of waiting for the block");
  app.add_flag("--dry-run", g.dry_run,
               "Sign and simulate at the head (tx_simulate) instead of submitting: prints the "
               "receipt, size and fee the transaction would have; nothing is sent");
  app.add_option("--fee", g.fee, "Fee in uvt (default: the chain's minimum fee)");

  std::vector<std::string> help_path;
  auto* help_cmd = app.add_subcommand("help", "Help on a command: veritrain help job submit");
  help_cmd->add_option("command", help_path, "The command (and subcommand)");
  help_cmd->callback([&] {
    const CLI::App* at = &app;
    for (const std::string& name : help_path) {
      const CLI::App* next = nullptr;
      for (const CLI::App* sub : at->get_subcommands([](const CLI::App*) { return true; }))
        if (sub->get_name() == name) next = sub;
      if (!next) throw CliError("no command '" + name + "'; see veritrain --help");
      at = next;
    }
    std::cout << at->help();
  });
  app.add_subcommand("version", "Print this program's version")->callback([&] {
    print(g, {{"name", "veritrain"}, {"version", VT_VERSION}},
          std::string("veritrain ") + VT_VERSION + "\n");
  });

  // ---- keys ----
  auto* keys =
      app.add_subcommand("keys", "Create, import and list account keys")->require_subcommand(1);
  std::string key_name, secret_hex, secret_file;
  auto* keys_new = keys->add_subcommand(
      "new", "Create a key from a new 24-word recovery phrase (BIP-39), shown once");
  keys_new->add_option("name", key_name, "Key name ([A-Za-z0-9_-], up to 64)")->required();
  keys_new->callback([&] {
    const std::string words = new_mnemonic();
    auto secret = need(account_secret_from_mnemonic(words));
    Address a = need(keystore(g).import(key_name, secret, password(g, true)));
    std::string text = key_name + "  " + address_to_string(a) +
                       "\n\nRecovery phrase (BIP-39, 24 words), shown only now:\n\n";
    const std::vector<std::string> list = mnemonic_words(words);
    for (size_t n = 0; n < list.size(); ++n)
      text += (n % 6 == 0 ? "  " : " ") + std::to_string(n + 1) + "." + list[n] +
              (n % 6 == 5 ? "\n" : "");
    text +=
        "\nWrite the words down on paper, in order, and keep them offline. Anyone who has "
        "them\ncontrols this account; with them you can restore it anywhere:\n  veritrain keys "
        "recover " +
        key_name + "\n";
    print(g, {{"name", key_name}, {"address", address_to_string(a)}, {"mnemonic", words}}, text);
  });
  std::string mnemonic_file;
  auto* keys_recover = keys->add_subcommand(
      "recover",
      "Restore a key from its recovery phrase (BIP-39 words, read from stdin or a file)");
  keys_recover->add_option("name", key_name, "Key name for the restored key")->required();
  keys_recover->add_option("--mnemonic-file", mnemonic_file,
                           "File holding the words (default: read them from stdin)");
  keys_recover->callback([&] {
    std::string words;
    if (!mnemonic_file.empty()) {
      words = read_text_file(mnemonic_file);
    } else {
      if (isatty(STDIN_FILENO)) std::fprintf(stderr, "Recovery phrase: ");
      std::getline(std::cin, words);
    }
    auto secret = need(account_secret_from_mnemonic(words), "recovery phrase");
    Address a = need(keystore(g).import(key_name, secret, password(g, true)));
    print(g, {{"name", key_name}, {"address", address_to_string(a)}},
          key_name + "  " + address_to_string(a) + "  (restored)\n");
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
  bool confirmed = false;
  auto* keys_delete = keys->add_subcommand(
      "delete",
      "Delete a key's file (gone for good unless you hold its recovery phrase or an export)");
  keys_delete->add_option("name", key_name, "Key name")->required();
  keys_delete->add_flag("--yes", confirmed, "Do not ask; delete");
  keys_delete->callback([&] {
    const auto info = need(keystore(g).show(key_name));
    if (!confirmed) {
      if (!isatty(STDIN_FILENO))
        throw CliError("deleting key '" + key_name + "' needs --yes when there is no terminal");
      std::fprintf(stderr, "Delete key '%s' (%s)? Type its name to confirm: ", key_name.c_str(),
                   info.address_string().c_str());
      std::string typed;
      std::getline(std::cin, typed);
      if (typed != key_name) throw CliError("not confirmed; key '" + key_name + "' kept");
    }
    if (auto s = keystore(g).remove(key_name); !s) throw CliError(s.error());
    print(g, {{"name", key_name}, {"address", info.address_string()}, {"deleted", true}},
          "deleted " + key_name + "  " + info.address_string() + "\n");
  });
  std::string export_out;
  auto* keys_export = keys->add_subcommand(
      "export",
      "Write a key's file, still encrypted under its password (for a backup or another "
      "wallet's keys/ directory, as NAME.json)");
  keys_export->add_option("name", key_name, "Key name")->required();
  keys_export->add_option("--out", export_out, "File to write (default: stdout)");
  keys_export->callback([&] {
    const std::string text = need(keystore(g).exported(key_name));
    if (export_out.empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      return;
    }
    if (fs::exists(export_out)) throw CliError(export_out + " exists; not overwritten");
    write_text_file(export_out, text);
    fs::permissions(export_out, fs::perms::owner_read | fs::perms::owner_write);
    print(g, {{"name", key_name}, {"file", export_out}},
          "exported " + key_name + " (encrypted) to " + export_out + "\n");
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
    // Every receipt, page by page, so failed transactions can be marked.
    json results = json::array();
    for (json next = 0; !next.is_null();) {
      const json page = need(
          c.call("chain_getBlockResults", {{"height", b["header"]["height"]}, {"offset", next}}),
          "chain_getBlockResults");
      for (const auto& r : page["results"]) results.push_back(r);
      next = page["next_offset"];
    }
    b["results"] = results;
    std::ostringstream o;
    size_t failed = 0;
    for (const auto& r : results) failed += r["success"].get<bool>() ? 0 : 1;
    o << "block " << b["header"]["height"] << "  " << b["hash"].get<std::string>() << "\n  time_ms "
      << b["header"]["time_ms"] << "  state_root " << b["header"]["state_root"].get<std::string>()
      << "\n  " << b["txs"].size() << " transactions, " << failed << " failed\n";
    for (const auto& r : results) {
      o << "    " << (r["success"].get<bool>() ? "ok     " : "FAILED ")
        << r["hash"].get<std::string>() << "  " << r["type"].get<std::string>() << " from "
        << r["sender"].get<std::string>();
      if (!r["success"].get<bool>())
        o << "  (" << r["code_name"].get<std::string>() << ": " << r["reason"].get<std::string>()
          << ")";
      o << "\n";
    }
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
  std::string spec_path, pay_str, bond_str;
  uint64_t deadline = 1000, job_id = 0;
  uint32_t samples = 0;
  auto* job_submit = job->add_subcommand("submit", "Submit a job spec with its payment in escrow");
  job_submit->add_option("spec", spec_path, "Job spec JSON file")
      ->required()
      ->check(CLI::ExistingFile);
  job_submit->add_option("--from", from, "Client key name")->required();
  job_submit->add_option("--pay", pay_str, "Payment in uvt, held in escrow")->required();
  job_submit->add_option("--bond", bond_str,
                         "Bond required of the provider, in uvt (default: the least the chain "
                         "accepts, the payment / the job's sample count, rounded up)");
  job_submit->add_option("--deadline", deadline, "Blocks until the job must be delivered")
      ->capture_default_str();
  job_submit
      ->add_option("--samples", samples,
                   "Segments to replay, more than the chain's pol_samples if you want "
                   "more assurance (each costs a verifier_fee; 0: pol_samples)")
      ->capture_default_str();
  job_submit->callback(
      [&] { submit_job(g, from, spec_path, pay_str, bond_str, deadline, samples); });
  std::string template_out, template_dataset;
  bool template_force = false;
  auto* job_template = job->add_subcommand(
      "template", "Write a job spec to start from, with the chain's data set filled in");
  job_template->add_option("--out", template_out, "File to write")->required();
  job_template->add_option("--dataset", template_dataset,
                           "Data set name (default: the chain's first, state_listDatasets)");
  job_template->add_flag("--force", template_force, "Overwrite --out if it exists");
  job_template->callback([&] {
    if (!template_force && fs::exists(template_out))
      throw CliError(template_out + " exists; give --force to overwrite it");
    wallet::WalletClient c(g.node);
    const json sets = need(c.call("state_listDatasets"), "state_listDatasets")["datasets"];
    json chosen;
    for (const auto& d : sets)
      if (template_dataset.empty() ? chosen.is_null() : d["name"] == template_dataset) chosen = d;
    if (chosen.is_null()) {
      std::string names;
      for (const auto& d : sets)
        names += (names.empty() ? "" : ", ") + d["name"].get<std::string>();
      throw CliError(template_dataset.empty() ? "the chain registers no data set"
                                              : "no data set '" + template_dataset +
                                                    "' on this chain; it has: " + names);
    }
    chosen.erase("id");
    // A small MLP that trains in seconds on a CPU; edit steps, layers and the
    // optimizer to taste (kernels/specs/ holds more examples).
    const json spec = {
        {"model", {{"type", "mlp"}, {"layers", {784, 128, 10}}, {"activation", "relu"}}},
        {"dataset", chosen},
        {"optimizer",
         {{"type", "adamw"},
          {"lr", "0.002"},
          {"betas", {"0.9", "0.999"}},
          {"eps", "1e-8"},
          {"weight_decay", "0.0001"}}},
        {"batch_size", 128},
        {"steps", 400},
        {"seed", 42},
        {"checkpoint_interval", 50}};
    const std::string text = spec.dump(2) + "\n";
    if (auto parsed = kernels::parse_job_spec(text); !parsed)  // the trainer's own rules
      throw CliError("the template does not check: " + parsed.error);
    write_text_file(template_out, text);
    print(g, {{"out", template_out}, {"dataset", chosen["name"]}},
          "wrote " + template_out + " (data set " + chosen["name"].get<std::string>() +
              "); check it with `veritrain spec-hash --spec " + template_out + "`\n");
  });
  auto* job_show = job->add_subcommand("show", "A job's status, escrow and spec");
  job_show->add_option("id", job_id, "Job id")->required();
  job_show->callback([&] {
    wallet::WalletClient c(g.node);
    json j = need(c.call("state_getJob", {{"id", job_id}}));
    print(g, j, job_line(j));
  });
  wallet::add_job_watch(*job, g);
  std::string status_filter, client_filter, provider_filter;
  uint64_t limit = 100;
  auto* job_list = job->add_subcommand("list", "Jobs, filtered");
  job_list
      ->add_option("--status", status_filter,
                   "open, accepted, ..., settled, slashed, expired, cancelled, unverified")
      ->check(CLI::IsMember({"open", "accepted", "committed", "verifying", "settled", "slashed",
                             "expired", "unverified", "cancelled"}));
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

  // ---- proof of learning (wallet/pol_commands.cpp has the rest) ----
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
  auto* ver_unstake = verifier_cmd->add_subcommand(
      "unstake",
      "Withdraw verifier stake (after unbonding_blocks; only with no assignment or dispute in "
      "progress)");
  ver_unstake->add_option("--from", from, "Verifier key name")->required();
  ver_unstake->add_option("--amount", amount_str, "Amount in uvt")->required();
  ver_unstake->callback(
      [&] { send(g, from, ledger::VerifierUnstake{amount(amount_str, "--amount")}); });
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

  add_pol_commands(app, *job, *verifier_cmd, *provider, g);
  add_validator_commands(app, g);
  add_proof_commands(app, g);

  // ---- blobs ----
  auto* blob = app.add_subcommand("blob", "Content-addressed blobs: checkpoints and models")
                   ->require_subcommand(1);
  std::string blob_file, blob_hash, out_file;
  auto progress = std::make_shared<std::unique_ptr<wallet::ProgressBar>>();
  auto bar = [&g, progress](uint64_t done, uint64_t total) {
    if (!*progress) *progress = std::make_unique<wallet::ProgressBar>(!g.json_output);
    (*progress)->update(done, total, "bytes");
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

  add_train_commands(app, g.json_output);

  // Every number this CLI takes (ids, amounts, heights, counts) is 0 or more.
  // Refused here, by name, rather than wrapped around by an unsigned parse.
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a.size() >= 2 && a[0] == '-' && a.find_first_not_of("0123456789", 1) == std::string::npos) {
      std::cerr << "error: " << a
                << " is negative: ids, amounts, heights and counts are 0 or more\n";
      return 1;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const CliError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    // E.g. a malformed JSON file given on the command line: a clear error, not
    // an abort.
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
