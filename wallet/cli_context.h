// What every `veritrain` command needs: the global options, keys, printing,
// sending a transaction and reading a job's proof-of-learning record over RPC.
// Single-threaded CLI code; errors the user can act on are thrown as CliError.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/keys.h"
#include "core/result.h"
#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "kernels/state.h"
#include "ledger/transaction.h"
#include "verifier/referee.h"
#include "wallet/keystore.h"

namespace vt::wallet {

using nlohmann::json;
namespace fs = std::filesystem;

struct Globals {
  std::string node = "http://127.0.0.1:26657";
  std::string home;
  std::string password_file;
  bool json_output = false;
  bool no_wait = false;
  bool dry_run = false;  // simulate at the head instead of submitting
  std::optional<uint64_t> fee;
  // Where this process replays training steps (verifier and dispute work).
  verifier::ReplayOptions replay;
  // Keys unlocked so far (long-running workers sign many transactions).
  mutable std::map<std::string, SchnorrKey> unlocked;
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

std::string env_or(const char* name, std::string fallback);
Keystore keystore(const Globals& g);
// The keystore password: --password-file, else a terminal prompt. With
// confirm (a new key) it must have at least kMinPasswordLength characters.
inline constexpr size_t kMinPasswordLength = 8;
std::string password(const Globals& g, bool confirm);
SchnorrKey unlock(const Globals& g, const std::string& name);
// A vt1... address, or the name of a key in the keystore.
Address resolve_address(const Globals& g, const std::string& who);
uint64_t amount(const std::string& s, const char* what);
void print(const Globals& g, const json& j, const std::string& human);
std::string receipt_line(const json& rec);
// Signs and submits; waits for the block unless --no-wait; prints the receipt.
// Throws when the transaction failed. Returns the receipt record. With
// --dry-run it only simulates and prints what the transaction would do.
json send(const Globals& g, const std::string& from, ledger::Message msg);
// Submits several at once (consecutive pending nonces, so they can share a
// block), then waits for each unless --no-wait. Throws at the first failed one.
void send_all(const Globals& g, const std::string& from, std::vector<ledger::Message> msgs);
std::string read_text_file(const std::string& path);
void write_text_file(const fs::path& path, const std::string& text);
std::string job_line(const json& j);

// ---- proof of learning ----
std::string as_string(const Bytes& b);
json get_job(const Globals& g, uint64_t id);
kernels::JobSpec job_spec(const json& job);
kernels::Dataset load_data(const std::string& dir);
const json& pol_of(const json& job);
// "wait N blocks" advice for a window that opens at `opens` (the next block is height + 1).
std::string wait_hint(const json& pol, uint64_t opens);
std::vector<Hash256> hashes_from_json(const json& a);
// Loads checkpoint `path` for `spec` and checks its tensors hash to `expected`
// (a state hash committed on chain).
kernels::TensorMap load_checked(const kernels::JobSpec& spec, const std::string& path,
                                const std::string& expected);
// Replays on the device and threads of g.replay: each step's state hash and trace leaf.
std::vector<verifier::StepRecord> replay_segment(const Globals& g, const kernels::JobSpec& spec,
                                                 const kernels::Dataset& data,
                                                 const kernels::TensorMap& state, uint64_t steps);
// A trace as kept on disk: {"per_step": [state hash hex...], "leaves": [leaf hex...]}.
json trace_to_json(const std::vector<verifier::StepRecord>& per_step);
std::vector<verifier::StepRecord> trace_from_json(const json& j);
// Where a verifier keeps its salts, per-step records and fetched checkpoints:
// --home/attestations/VERIFIER/job-ID (one folder per verifier address, so
// verifiers that share a home and a committee keep their own salts).
fs::path attest_dir(const Globals& g, const std::string& verifier, uint64_t job);

}  // namespace vt::wallet
