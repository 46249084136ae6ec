#include "wallet/cli_context.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "core/bech32m.h"
#include "core/decimal.h"
#include "kernels/trainer.h"
#include "verifier/referee.h"
#include "wallet/wallet_client.h"

namespace vt::wallet {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

Keystore keystore(const Globals& g) {
  return Keystore(fs::path(g.home) / "keys");
}

std::string password(const Globals& g, bool confirm) {
  std::string pw = !g.password_file.empty()
                       ? need(read_password_file(g.password_file), "--password-file")
                       : need(prompt_password("Keystore password: ", confirm),
                              "no terminal for a password prompt; use --password-file");
  // A new key's password: the policy (existing keys open with whatever they have).
  if (confirm && pw.size() < kMinPasswordLength)
    throw CliError("a keystore password needs at least " + std::to_string(kMinPasswordLength) +
                   " characters");
  return pw;
}

SchnorrKey unlock(const Globals& g, const std::string& name) {
  auto it = g.unlocked.find(name);
  if (it != g.unlocked.end()) return it->second;
  SchnorrKey key = need(keystore(g).unlock(name, password(g, false)), "key '" + name + "'");
  g.unlocked.emplace(name, key);
  return key;
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
  if (rec.value("dry_run", false))
    o << "dry run: would " << (r["success"].get<bool>() ? "succeed" : "FAIL") << "  tx "
      << rec["hash"].get<std::string>() << "  size " << rec["size"] << " bytes  fee "
      << r["fee"].get<std::string>() << " (least " << rec["min_fee"].get<std::string>()
      << "); not submitted\n";
  else
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

json send(const Globals& g, const std::string& from, ledger::Message msg) {
  SchnorrKey key = unlock(g, from);
  wallet::WalletClient client(g.node);
  wallet::WalletClient::SendOptions o;
  o.fee = g.fee;
  o.wait = !g.no_wait;
  o.dry_run = g.dry_run;
  json rec = need(client.send(key, std::move(msg), o));
  print(g, rec, receipt_line(rec));
  if (rec.contains("receipt") && !rec["receipt"]["success"].get<bool>())
    throw CliError("the transaction failed: " + rec["receipt"]["reason"].get<std::string>());
  return rec;
}

void send_all(const Globals& g, const std::string& from, std::vector<ledger::Message> msgs) {
  if (msgs.empty()) return;
  if (g.dry_run && msgs.size() > 1)  // each would be simulated without the ones before it
    throw CliError("--dry-run simulates one transaction; this command sends " +
                   std::to_string(msgs.size()));
  if (g.dry_run) {
    send(g, from, std::move(msgs.front()));
    return;
  }
  SchnorrKey key = unlock(g, from);
  wallet::WalletClient client(g.node);
  wallet::WalletClient::SendOptions o;
  o.fee = g.fee;
  o.wait = false;
  std::vector<std::string> hashes;
  for (auto& m : msgs)
    hashes.push_back(need(client.send(key, std::move(m), o))["hash"].get<std::string>());
  for (const std::string& h : hashes) {
    if (g.no_wait) {
      print(g, {{"hash", h}, {"pending", true}}, "submitted " + h + " (pending)\n");
      continue;
    }
    json rec = need(client.wait_for(h));
    print(g, rec, receipt_line(rec));
    if (!rec["receipt"]["success"].get<bool>())
      throw CliError("the transaction failed: " + rec["receipt"]["reason"].get<std::string>());
  }
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
  // The proof of learning, once the provider committed its run.
  if (j.contains("pol") && j["pol"].is_object()) {
    const json& p = j["pol"];
    const json& c = p["commitment"];
    const uint64_t bps = c["accuracy_bps"].get<uint64_t>();
    o << "  proof of learning: phase " << p["phase"].get<std::string>() << "  test accuracy "
      << bps / 100 << "." << (bps % 100 < 10 ? "0" : "") << bps % 100 << " %  final loss "
      << c["final_loss_micro"].get<uint64_t>() / 1e6 << "\n";
    size_t agreed = 0, disagreed = 0, pending = 0;
    for (const auto& s : p["segments"]) {
      const std::string r = s.value("result", "");
      if (r == "agreed")
        ++agreed;
      else if (r == "pending" || r.empty())
        ++pending;
      else
        ++disagreed;
    }
    o << "  verification: " << p["segments"].size() << " sampled segment checks of "
      << p["segment_count"] << " segments: " << agreed << " agreed, " << disagreed << " other, "
      << pending << " pending; " << p["disputes"].size() << " disputes, " << p["slashes"].size()
      << " slashes\n";
  }
  return o.str();
}

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

std::vector<verifier::StepRecord> replay_segment(const Globals& g, const kernels::JobSpec& spec,
                                                 const kernels::Dataset& data,
                                                 const kernels::TensorMap& state, uint64_t steps) {
  return need(verifier::replay_trace(spec, data, state, steps, g.replay), "replay");
}

json trace_to_json(const std::vector<verifier::StepRecord>& per_step) {
  json j = {{"per_step", json::array()}, {"leaves", json::array()}};
  for (const auto& s : per_step) {
    j["per_step"].push_back(to_hex(s.state_hash));
    j["leaves"].push_back(to_hex(s.leaf));
  }
  return j;
}

std::vector<verifier::StepRecord> trace_from_json(const json& j) {
  if (!j.is_object() || !j.contains("per_step") || !j.contains("leaves"))
    throw CliError("a trace is {\"per_step\": [state hashes], \"leaves\": [step leaves]}");
  const auto hashes = hashes_from_json(j["per_step"]);
  const auto leaves = hashes_from_json(j["leaves"]);
  if (hashes.size() != leaves.size())
    throw CliError("the trace has " + std::to_string(hashes.size()) + " state hashes but " +
                   std::to_string(leaves.size()) + " leaves");
  std::vector<verifier::StepRecord> out;
  for (size_t i = 0; i < hashes.size(); ++i) out.push_back({hashes[i], leaves[i]});
  return out;
}

fs::path attest_dir(const Globals& g, const std::string& verifier, uint64_t job) {
  return fs::path(g.home) / "attestations" / verifier / ("job-" + std::to_string(job));
}

void write_text_file(const fs::path& path, const std::string& text) {
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw CliError("cannot write " + path.string());
}

}  // namespace vt::wallet
