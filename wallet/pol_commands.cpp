#include "wallet/pol_commands.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "core/bech32m.h"
#include "core/decimal.h"
#include "core/keys.h"
#include "core/sha256.h"
#include "kernels/safetensors.h"
#include "kernels/trainer.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"
#include "verifier/dispute.h"
#include "verifier/referee.h"
#include "wallet/agent/worker_plan.h"
#include "wallet/agent/workers.h"
#include "wallet/progress_bar.h"
#include "wallet/wallet_client.h"

namespace vt::wallet {

namespace {

Bytes file_bytes(const std::string& path) {
  const std::string text = read_text_file(path);
  return Bytes(text.begin(), text.end());
}

// The data set, read once per process (workers replay on every round).
const kernels::Dataset& cached_data(const std::string& dir) {
  static std::map<std::string, kernels::Dataset> loaded;
  auto it = loaded.find(dir);
  if (it == loaded.end()) it = loaded.emplace(dir, load_data(dir)).first;
  return it->second;
}

json call(const Globals& g, const std::string& method, const json& params) {
  WalletClient c(g.node);
  return need(c.call(method, params), method);
}

// The typed phase of state_getJob's `pol` (a phase this build does not know is an error).
ledger::PolPhase phase_of(const json& pol) {
  return need(agent::decode_pol(pol)).phase;
}

// The checkpoint file of `run_dir` at `step` (from its commitment.json).
std::string run_checkpoint(const std::string& run_dir, uint64_t step) {
  auto tc = kernels::read_commitment((fs::path(run_dir) / "commitment.json").string());
  if (!tc) throw CliError(run_dir + ": " + tc.error);
  for (const auto& e : tc.value.checkpoints)
    if (e.step == step) return (fs::path(run_dir) / e.file).string();
  throw CliError(run_dir + " has no checkpoint at step " + std::to_string(step));
}

// A seat of `segment` (state_getJob lists one per committee member): `verifier`'s
// when one is named, else the first.
const json& segment_of(const json& pol, uint64_t segment, const std::string& verifier = "") {
  bool sampled = false;
  for (const auto& s : pol["segments"])
    if (s["segment"].get<uint64_t>() == segment) {
      sampled = true;
      if (verifier.empty() || s["verifier"] == verifier) return s;
    }
  if (sampled)
    throw CliError("segment " + std::to_string(segment) + " is not assigned to " + verifier);
  throw CliError("segment " + std::to_string(segment) + " was not sampled");
}

// One party's view of a disputed segment: its state hash at any step of the
// segment and the file of its state at the segment's start.
struct PartyChain {
  uint64_t start = 0;
  Hash256 start_hash{};
  std::vector<Hash256> per_step;  // per_step[i] = h_(start + i + 1)
  std::vector<Hash256> leaves;    // leaves[i]: the trace leaf of step start + i + 1 (if known)
  std::string start_file;
  Hash256 at(uint64_t step) const {
    if (step == start) return start_hash;
    if (step < start || step - start > per_step.size())
      throw CliError("step " + std::to_string(step) + " is outside the disputed segment");
    return per_step[step - start - 1];
  }
  Hash256 leaf_at(uint64_t step) const {
    if (step <= start || step - start > leaves.size())
      throw CliError("no trace leaf for step " + std::to_string(step));
    return leaves[step - start - 1];
  }
  void set(const std::vector<verifier::StepRecord>& records) {
    per_step.clear();
    for (const auto& r : records) per_step.push_back(r.state_hash);
    leaves = verifier::leaves_of(records);
  }
};

// The provider's chain: DIR/step_hashes.json ({"hashes": [h_0 .. h_N],
// "leaves": [leaf of step 1 .. N]}) when it kept its per-step records, else a
// replay from its checkpoint at the start.
PartyChain provider_chain(const Globals& g, const kernels::JobSpec& spec, const json& seg,
                          const std::string& run_dir, const std::string& data_dir) {
  if (run_dir.empty()) throw CliError("the provider's side needs --run DIR");
  PartyChain c;
  c.start = seg["start_step"].get<uint64_t>();
  const uint64_t end = seg["end_step"].get<uint64_t>();
  c.start_hash = need(hash_from_hex(seg["start_hash"].get<std::string>()));
  c.start_file = run_checkpoint(run_dir, c.start);
  const fs::path kept = fs::path(run_dir) / "step_hashes.json";
  if (fs::exists(kept)) {
    const json kept_json = json::parse(read_text_file(kept.string()));
    const auto all = hashes_from_json(kept_json["hashes"]);
    const auto leaves = hashes_from_json(kept_json["leaves"]);
    if (all.size() <= end || leaves.size() < end) throw CliError(kept.string() + " is too short");
    c.per_step.assign(all.begin() + static_cast<long>(c.start) + 1,
                      all.begin() + static_cast<long>(end) + 1);
    c.leaves.assign(leaves.begin() + static_cast<long>(c.start),
                    leaves.begin() + static_cast<long>(end));
    return c;
  }
  const auto state = load_checked(spec, c.start_file, seg["start_hash"].get<std::string>());
  c.set(replay_segment(g, spec, cached_data(data_dir), state, end - c.start));
  return c;
}

// The challenger's chain: what `verifier attest` saved when it replayed.
PartyChain challenger_chain(const Globals& g, const std::string& me, uint64_t job_id,
                            const json& seg) {
  PartyChain c;
  const uint64_t segment = seg["segment"].get<uint64_t>();
  c.start = seg["start_step"].get<uint64_t>();
  c.start_hash = need(hash_from_hex(seg["start_hash"].get<std::string>()));
  const fs::path saved =
      attest_dir(g, me, job_id) / ("segment-" + std::to_string(segment) + ".json");
  if (!fs::exists(saved))
    throw CliError("no saved attestation " + saved.string() + " (attested from another --home?)");
  c.set(trace_from_json(json::parse(read_text_file(saved.string()))));
  c.start_file =
      (attest_dir(g, me, job_id) / ("start-" + std::to_string(segment) + ".safetensors")).string();
  return c;
}

// Checks a downloaded checkpoint's state hash against the job's commitment root
// with the node's inclusion proof. The root is the chain's; the tree size comes
// from the spec, never from the proof.
void check_against_root(const Globals& g, uint64_t job_id, const json& pol,
                        const kernels::JobSpec& spec, uint64_t index, const Hash256& state_hash) {
  const json p = call(g, "state_getCheckpointProof", {{"job_id", job_id}, {"index", index}});
  const auto proof =
      need(verifier::decode_inclusion_proof(need(from_hex(p["proof"].get<std::string>()), "proof")),
           "proof");
  if (proof.index != index) throw CliError("the node sent the proof of another checkpoint");
  const Hash256 root = need(hash_from_hex(pol["commitment_root"].get<std::string>()));
  if (auto s = verifier::verify_proof(
          root, verifier::checkpoint_count(spec.steps, spec.checkpoint_interval), state_hash,
          proof);
      !s)
    throw CliError("checkpoint " + std::to_string(index) +
                   " is not under the committed root: " + s.error());
}

Bytes move_bytes(verifier::MoveKind kind, const Hash256& h) {
  verifier::Move m;
  m.kind = kind;
  m.hash = h;
  return verifier::encode(m);
}

// The last lines said, so a worker that repeats the same action every few
// hundred milliseconds says it once; the oldest is forgotten past the
// capacity, so the memory stays the same however long a worker runs.
class RecentLines {
 public:
  explicit RecentLines(size_t capacity) : capacity_(capacity) {}
  // True the first time `line` is seen among the last `capacity` lines.
  bool first_time(const std::string& line) {
    if (!seen_.insert(line).second) return false;
    order_.push_back(line);
    if (order_.size() > capacity_) {
      seen_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }

 private:
  size_t capacity_;
  std::set<std::string> seen_;
  std::deque<std::string> order_;
};

// Progress notes: spdlog on stderr with a timestamp and a level ("warning: "
// lines at warn), each distinct line once among the last 1024.
void log_line(const Globals& g, const std::string& line) {
  static RecentLines recent(1024);
  static const std::shared_ptr<spdlog::logger> log = [] {
    auto l = spdlog::stderr_logger_mt("veritrain");
    l->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
    return l;
  }();
  if (g.json_output || !recent.first_time(line)) return;
  if (line.rfind("warning: ", 0) == 0)
    log->warn("{}", line.substr(9));
  else
    log->info("{}", line);
}

}  // namespace

void commit_run(const Globals& g, uint64_t job_id, const std::string& from,
                const std::string& run_dir) {
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
  WalletClient client(g.node);
  json entries = json::array();
  for (const auto& e : tc.value.checkpoints) {
    const std::string bytes = read_text_file((fs::path(run_dir) / e.file).string());
    const std::string h = need(client.upload_blob(as_view(bytes), nullptr), e.file);
    json entry = {{"step", e.step}, {"state_hash", to_hex(e.state_hash)}, {"blob", h}};
    if (e.loss) entry["loss"] = *e.loss;  // the provider's claim, for loss curves
    entries.push_back(entry);
  }
  const json manifest = {{"job_id", job_id},
                         {"commitment_root", to_hex(verifier::commitment_root(c))},
                         {"checkpoints", entries}};
  const std::string mtext = manifest.dump();
  const std::string mhash = need(client.upload_blob(as_view(mtext), nullptr), "manifest");
  write_text_file(fs::path(run_dir) / "manifest.json", mtext + "\n");
  if (!g.json_output)
    std::cout << "uploaded " << entries.size() << " checkpoints; manifest blob " << mhash << "\n";
  send(g, from, ledger::JobCommit{job_id, verifier::encode(c), need(hash_from_hex(mhash))});
  if (!g.json_output)
    std::cout << "commitment root " << manifest["commitment_root"].get<std::string>()
              << "\nmanifest " << mhash << " (on chain: verifiers find the checkpoints from it)\n";
}

int post_probes(const Globals& g, uint64_t job_id, const std::string& from,
                const std::string& run_dir, const std::string& data_dir) {
  const json j = get_job(g, job_id);
  const json& pol = pol_of(j);
  if (pol["probe_seed"].is_null())
    throw CliError("the probes are drawn at height " +
                   std::to_string(pol["commit_deadline"].get<uint64_t>() + 1) +
                   wait_hint(pol, pol["commit_deadline"].get<uint64_t>() + 2));
  if (phase_of(pol) != ledger::PolPhase::probe_window)
    throw CliError("job " + std::to_string(job_id) + " is not in its probe window (phase " +
                   pol["phase"].get<std::string>() + ", probe deadline " +
                   std::to_string(pol["probe_deadline"].get<uint64_t>()) + ")");
  const kernels::JobSpec spec = job_spec(j);
  std::vector<ledger::Message> probes;
  std::set<uint64_t> probed;  // one probe per segment serves its whole committee
  for (const auto& s : pol["segments"]) {
    if (!s["provider_probe"].is_null() || !probed.insert(s["segment"].get<uint64_t>()).second)
      continue;
    const uint64_t r = s["probe_offset"].get<uint64_t>();
    const PartyChain mine = provider_chain(g, spec, s, run_dir, data_dir);
    probes.push_back(
        ledger::ProviderProbe{job_id, s["segment"].get<uint64_t>(), mine.leaf_at(mine.start + r)});
  }
  // All in one go: the probe window is a few blocks.
  const int posted = static_cast<int>(probes.size());
  send_all(g, from, std::move(probes));
  return posted;
}

int attest_job(const Globals& g, uint64_t job_id, const std::string& from,
               std::string manifest_hash, const std::string& data_dir, bool request_missing) {
  const json j = get_job(g, job_id);
  const json& pol = pol_of(j);
  const Address my_addr = resolve_address(g, from);
  const std::string me = address_to_string(my_addr);
  const ledger::PolPhase phase = phase_of(pol);
  if (phase == ledger::PolPhase::waiting_for_sampling)
    throw CliError("segments are sampled at height " +
                   std::to_string(pol["sample_height"].get<uint64_t>()) +
                   wait_hint(pol, pol["sample_height"].get<uint64_t>() + 1));
  if (phase != ledger::PolPhase::commit_window)
    throw CliError("the commit window closed at height " +
                   std::to_string(pol["commit_deadline"].get<uint64_t>()));
  std::vector<json> mine;
  for (const auto& s : pol["segments"])
    if (s["verifier"] == me && s["attest_commitment"].is_null()) mine.push_back(s);
  if (mine.empty()) return 0;
  const kernels::JobSpec spec = job_spec(j);
  const kernels::Dataset& data = cached_data(data_dir);
  WalletClient client(g.node);
  if (manifest_hash.empty()) manifest_hash = pol["manifest"].get<std::string>();
  json manifest = json::object();
  if (auto m = client.download_blob(manifest_hash, nullptr)) {
    manifest = json::parse(as_string(*m), nullptr, false);
    if (!manifest.is_object() || !manifest.contains("checkpoints")) manifest = json::object();
  }
  int committed = 0;
  std::vector<ledger::Message> msgs;  // sent together at the end: the window is short
  for (const json& s : mine) {
    const uint64_t seg = s["segment"].get<uint64_t>();
    const std::string start_hash = s["start_hash"].get<std::string>();
    // The manifest is only a locator: the blob's bytes must match its hash
    // (download_blob) and its tensors the committed state hash (load_checked).
    std::string why;
    std::optional<kernels::TensorMap> state;
    const fs::path file =
        attest_dir(g, me, job_id) / ("start-" + std::to_string(seg) + ".safetensors");
    // Where the bytes may be: the provider's manifest, else a checkpoint it
    // published on chain after a request (availability dispute).
    std::vector<std::string> blobs;
    if (manifest.contains("checkpoints"))
      for (const auto& e : manifest["checkpoints"])
        if (e.value("state_hash", "") == start_hash) blobs.push_back(e.value("blob", ""));
    const json* request = nullptr;
    for (const auto& d : pol["disputes"])
      if (d["kind"] == "availability" && d["segment"].get<uint64_t>() == seg) request = &d;
    if (request && !(*request)["checkpoint_blob"].is_null())
      blobs.push_back((*request)["checkpoint_blob"].get<std::string>());
    if (blobs.empty()) why = "the manifest has no checkpoint with state hash " + start_hash;
    for (const std::string& blob : blobs) {
      if (state) break;
      if (auto bytes = client.download_blob(blob, nullptr); !bytes) {
        why = "checkpoint " + blob + ": " + bytes.error();
        continue;
      } else {
        write_text_file(file, as_string(*bytes));
      }
      try {
        state = load_checked(spec, file.string(), start_hash);
        check_against_root(g, job_id, pol, spec, seg, kernels::state_hash(*state));
      } catch (const CliError& e) {
        state.reset();
        why = e.what();
      }
    }
    if (!state) {
      if (!request_missing) throw CliError("segment " + std::to_string(seg) + ": " + why);
      if (request) {
        log_line(g, "segment " + std::to_string(seg) + ": " + why +
                        "; waiting for the provider to publish it (dispute " +
                        (*request)["id"].dump() + ")");
        continue;
      }
      log_line(g, "segment " + std::to_string(seg) + ": " + why +
                      "; requesting the checkpoint on chain");
      msgs.push_back(ledger::CheckpointRequest{job_id, seg});
      continue;
    }
    const auto per_step = replay_segment(
        g, spec, data, *state, s["end_step"].get<uint64_t>() - s["start_step"].get<uint64_t>());
    msgs.push_back(attestation_for(g, job_id, from, s, per_step));
    ++committed;
  }
  send_all(g, from, std::move(msgs));
  return committed;
}

ledger::Message attestation_for(const Globals& g, uint64_t job_id, const std::string& from,
                                const json& seg_json,
                                const std::vector<verifier::StepRecord>& per_step) {
  const uint64_t seg = seg_json["segment"].get<uint64_t>();
  const uint64_t len =
      seg_json["end_step"].get<uint64_t>() - seg_json["start_step"].get<uint64_t>();
  if (per_step.size() != len)
    throw CliError("segment " + std::to_string(seg) + " has " + std::to_string(len) +
                   " steps; the trace has " + std::to_string(per_step.size()) + " records");
  const auto trace = verifier::make_trace(per_step);
  if (!g.json_output)
    std::cout << "segment " << seg << ": steps " << seg_json["start_step"] << ".."
              << seg_json["end_step"] << ", end hash "
              << (to_hex(trace.end_hash) == seg_json["end_hash"] ? "matches" : "DIFFERS from")
              << " the commitment\n";
  Hash256 salt{};
  random_bytes(salt);
  // Kept for the reveal (salt, probe leaf) and for disputes (every per-step hash).
  json saved = trace_to_json(per_step);
  saved["job_id"] = job_id;
  saved["segment"] = seg;
  saved["salt"] = to_hex(salt);
  saved["end_hash"] = to_hex(trace.end_hash);
  saved["trace_root"] = to_hex(trace.trace_root);
  const Address me = resolve_address(g, from);
  write_text_file(
      attest_dir(g, address_to_string(me), job_id) / ("segment-" + std::to_string(seg) + ".json"),
      saved.dump());
  return ledger::AttestCommit{job_id, seg,
                              verifier::attestation_commitment(job_id, seg, trace, me, salt)};
}

int reveal_job(const Globals& g, uint64_t job_id, const std::string& from) {
  const json j = get_job(g, job_id);
  const json& pol = pol_of(j);
  const std::string me = address_to_string(resolve_address(g, from));
  const ledger::PolPhase phase = phase_of(pol);
  if (phase == ledger::PolPhase::commit_window || phase == ledger::PolPhase::drawing_probe ||
      phase == ledger::PolPhase::probe_window)
    throw CliError("the reveal window opens at height " +
                   std::to_string(pol["probe_deadline"].get<uint64_t>() + 1) +
                   wait_hint(pol, pol["probe_deadline"].get<uint64_t>() + 1));
  if (phase != ledger::PolPhase::reveal_window)
    throw CliError("the reveal window closed at height " +
                   std::to_string(pol["reveal_deadline"].get<uint64_t>()));
  std::vector<ledger::Message> reveals;
  for (const auto& s : pol["segments"]) {
    if (s["verifier"] != me || s["attest_commitment"].is_null() || s["revealed"].get<bool>())
      continue;
    const uint64_t seg = s["segment"].get<uint64_t>();
    const fs::path file = attest_dir(g, me, job_id) / ("segment-" + std::to_string(seg) + ".json");
    if (!fs::exists(file))
      throw CliError("no saved attestation for segment " + std::to_string(seg) + " (" +
                     file.string() + "); it was committed from another --home");
    const json saved = json::parse(read_text_file(file.string()));
    const auto per_step = trace_from_json(saved);
    const auto leaves = verifier::leaves_of(per_step);
    const uint64_t r = s["probe_offset"].get<uint64_t>();
    if (r == 0 || r > per_step.size()) throw CliError("probe offset out of range");
    verifier::Reveal rv;
    rv.trace = verifier::make_trace(per_step);
    rv.salt = need(hash_from_hex(saved["salt"].get<std::string>()), "salt");
    rv.probe_leaf = leaves[r - 1];
    rv.probe_proof = need(verifier::make_proof(leaves, r - 1), "probe proof");
    reveals.push_back(ledger::AttestReveal{job_id, seg, verifier::encode(rv)});
  }
  const int revealed = static_cast<int>(reveals.size());
  send_all(g, from, std::move(reveals));
  return revealed;
}

std::string respond_dispute(const Globals& g, uint64_t dispute_id, const std::string& from,
                            const std::string& run_dir, const std::string& data_dir) {
  const json d = call(g, "state_getDispute", {{"id", dispute_id}});
  const std::string tag = "dispute " + std::to_string(dispute_id) + ": ";
  if (d["status"] != "open")
    return tag + "resolved: " + d["outcome"].get<std::string>() + " (loser " +
           d["loser"].get<std::string>() + ")";
  const std::string me = address_to_string(resolve_address(g, from));
  const bool is_provider = d["provider"] == me;
  if (!is_provider && d["challenger"] != me)
    throw CliError(tag + from + " is neither its provider nor its challenger");
  const uint64_t job_id = d["job_id"].get<uint64_t>();
  const json j = get_job(g, job_id);
  const kernels::JobSpec spec = job_spec(j);
  // The challenger's own seat (its saved attestation); the provider's side
  // needs only the segment's bounds and hashes, the same on every seat.
  const json& seg = segment_of(pol_of(j), d["segment"].get<uint64_t>(), is_provider ? "" : me);
  const std::string deadline = std::to_string(d["deadline"].get<uint64_t>());

  if (d["kind"] == "availability") {
    if (!is_provider)
      return tag + "waiting for the provider to publish it (deadline " + deadline + ")";
    const uint64_t step = d["step"].get<uint64_t>();
    const std::string file = run_checkpoint(run_dir, step);
    load_checked(spec, file, d["state_hash"].get<std::string>());
    send(g, from, ledger::CheckpointPost{dispute_id, file_bytes(file)});
    return tag + "published the checkpoint at step " + std::to_string(step);
  }

  const std::string turn = d["turn"].get<std::string>();
  const bool my_move = turn == "referee" || (turn == "provider") == is_provider;
  if (!my_move) return tag + "waiting for the " + turn + " (deadline " + deadline + ")";
  // Only now the (possibly replayed) chain: workers call this every poll.
  const PartyChain mine = is_provider ? provider_chain(g, spec, seg, run_dir, data_dir)
                                      : challenger_chain(g, me, job_id, seg);
  const uint64_t lo = d["lo"].get<uint64_t>(), mid = d["mid"].get<uint64_t>();
  if (turn == "referee") {
    // Either party may show the state at lo; every validator re-executes one step from it.
    const auto start = load_checked(spec, mine.start_file, to_hex(mine.start_hash));
    const auto state =
        need(verifier::advance_state(spec, cached_data(data_dir), start, lo - mine.start, g.replay),
             "replay to step " + std::to_string(lo));
    if (to_hex(kernels::state_hash(state)) != d["lo_hash"])
      throw CliError(tag + "my state at step " + std::to_string(lo) + " is not the agreed hash");
    send(g, from,
         ledger::CheckpointPost{
             dispute_id, kernels::encode_safetensors(kernels::make_checkpoint(spec, state))});
    return tag + "posted the checkpoint at step " + std::to_string(lo) + " for the referee (step " +
           std::to_string(lo + 1) + ")";
  }
  if (turn == "provider" && is_provider) {
    send(g, from,
         ledger::DisputeMove{dispute_id, move_bytes(verifier::MoveKind::post_mid, mine.at(mid))});
    return tag + "posted my hash at step " + std::to_string(mid);
  }
  if (turn == "challenger" && !is_provider) {
    const Hash256 h = mine.at(mid);
    const bool same = to_hex(h) == d["provider_mid"];
    send(g, from,
         ledger::DisputeMove{dispute_id, same ? move_bytes(verifier::MoveKind::agree, Hash256{})
                                              : move_bytes(verifier::MoveKind::disagree, h)});
    return tag + (same ? "agreed" : "disagreed") + " at step " + std::to_string(mid);
  }
  return tag + "waiting for the " + turn + " (deadline " + deadline + ")";
}

namespace {

std::string dispute_line(const json& d) {
  std::ostringstream o;
  o << "dispute " << d["id"] << "  job " << d["job_id"] << " segment " << d["segment"] << "  "
    << d["kind"].get<std::string>() << "  " << d["status"].get<std::string>();
  if (d["status"] == "open") {
    if (d["kind"] == "availability")
      o << "  step " << d["step"];
    else
      o << "  lo " << d["lo"] << " hi " << d["hi"] << "  turn " << d["turn"].get<std::string>();
    o << "  deadline " << d["deadline"];
  } else {
    o << "  " << d["outcome"].get<std::string>() << " (loser " << d["loser"].get<std::string>()
      << ")";
  }
  return o.str() + "\n";
}

// A worker's log: once per distinct text among its last 1024 (it polls often).
struct OnceLog {
  RecentLines recent{1024};
  void operator()(const Globals& g, const std::string& line) {
    if (recent.first_time(line)) log_line(g, line);
  }
};

// Runs `body` every interval until interrupted (or once); errors are logged
// (once per distinct text) and retried on the next round, never fatal: the chain moves on without
// us.
void run_loop(const Globals& g, uint64_t interval_ms, bool once, OnceLog& say,
              const std::function<void()>& body) {
  for (;;) {
    try {
      body();
    } catch (const CliError& e) {
      say(g, std::string("warning: ") + e.what());
    } catch (const std::exception& e) {
      say(g, std::string("warning: ") + e.what());
    }
    if (once) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
}

json open_disputes_of(const Globals& g, const std::string& me) {
  return call(g, "state_listDisputes",
              {{"party", me}, {"status", "open"}, {"limit", 1000}})["disputes"];
}

// --device: "auto" is the GPU where one answers, else the CPU (the bits are
// the same either way, only the speed differs).
kernels::Device device_named(const std::string& name) {
  if (name == "cuda") return kernels::Device::cuda;
  if (name == "auto" && kernels::cuda_built() && kernels::make_cuda_backend().ok())
    return kernels::Device::cuda;
  return kernels::Device::cpu;
}

// Trains a job into run_dir with a progress bar and writes train_report.json.
void train_job(const Globals& g, const kernels::JobSpec& spec, const std::string& run_dir,
               const std::string& data_dir) {
  kernels::TrainOptions opt;
  opt.out_dir = run_dir;
  opt.threads = g.replay.threads;
  opt.device = g.replay.device;
  ProgressBar bar(!g.json_output);
  opt.on_step = [&](const kernels::TrainProgress& p) {
    char detail[96];
    std::snprintf(detail, sizeof detail, "loss %.4f  %.1f steps/s  ETA %.0fs",
                  static_cast<double>(p.loss), p.steps_per_s, p.eta_s);
    bar.update(p.step, p.steps, "steps", detail);
  };
  fs::create_directories(run_dir);
  auto r = kernels::train(spec, cached_data(data_dir), opt);
  if (!r) throw CliError("training: " + r.error);
  char report[160];
  std::snprintf(report, sizeof report, "{\"final_loss\": %.9g, \"backend\": \"%s\"}\n",
                static_cast<double>(r.value.final_loss), r.value.backend.c_str());
  write_text_file(fs::path(run_dir) / "train_report.json", report);
}

// The workers' reads over JSON-RPC (the first 1000 of each list, as before),
// each answer decoded into chain_view.h's types; one that does not decode ends
// the round with the reason.
class RpcChainReader final : public agent::ChainReader {
 public:
  explicit RpcChainReader(const Globals& g) : g_(g) {}
  std::vector<agent::JobInfo> jobs(ledger::JobStatus status, const std::string& provider) override {
    json params = {{"status", ledger::job_status_name(status)}, {"limit", 1000}};
    if (!provider.empty()) params["provider"] = provider;
    const json page = call(g_, "state_listJobs", params);  // outlives the loop below
    std::vector<agent::JobInfo> out;
    for (const json& j : page.at("jobs")) out.push_back(need(agent::decode_job(j)));
    return out;
  }
  agent::JobInfo job(uint64_t id) override { return need(agent::decode_job(get_job(g_, id))); }
  std::vector<agent::DisputeInfo> open_disputes(const std::string& party) override {
    std::vector<agent::DisputeInfo> out;
    for (const json& d : open_disputes_of(g_, party)) out.push_back(need(agent::decode_dispute(d)));
    return out;
  }

 private:
  const Globals& g_;
};

// `verifier run`'s work: the same commands a person would run.
class CliVerifier final : public agent::VerifierActions {
 public:
  CliVerifier(const Globals& g, std::string from, std::string data_dir)
      : g_(g), from_(std::move(from)), data_dir_(std::move(data_dir)) {}
  std::string attest(uint64_t job_id) override {
    return "committed " + std::to_string(attest_job(g_, job_id, from_, "", data_dir_, true)) +
           " attestations";
  }
  std::string reveal(uint64_t job_id) override {
    return "revealed " + std::to_string(reveal_job(g_, job_id, from_));
  }
  std::string respond(const agent::DisputeInfo& dispute) override {
    return respond_dispute(g_, dispute.id, from_, "", data_dir_);
  }

 private:
  const Globals& g_;
  const std::string from_, data_dir_;
};

// `provider run`'s work: runs go to RUNS/job-ID.
class CliProvider final : public agent::ProviderActions {
 public:
  CliProvider(const Globals& g, std::string from, std::string runs_root, std::string data_dir,
              agent::Say say)
      : g_(g),
        from_(std::move(from)),
        runs_root_(std::move(runs_root)),
        data_dir_(std::move(data_dir)),
        say_(std::move(say)) {}
  std::string accept(uint64_t job_id) override {
    send(g_, from_, ledger::JobAccept{job_id});
    return "accepted";
  }
  std::string train_and_commit(uint64_t job_id) override {
    const std::string dir = run_dir(job_id);
    if (!fs::exists(fs::path(dir) / "commitment.json")) {
      say_("job " + std::to_string(job_id) + ": training into " + dir);
      train_job(g_, job_spec(get_job(g_, job_id)), dir, data_dir_);
    }
    commit_run(g_, job_id, from_, dir);
    return "committed";
  }
  std::string post_probes(uint64_t job_id) override {
    return "posted " +
           std::to_string(vt::wallet::post_probes(g_, job_id, from_, run_dir(job_id), data_dir_)) +
           " probes";
  }
  std::string respond(const agent::DisputeInfo& dispute) override {
    return respond_dispute(g_, dispute.id, from_, run_dir(dispute.job_id), data_dir_);
  }

 private:
  std::string run_dir(uint64_t job_id) const {
    return (fs::path(runs_root_) / ("job-" + std::to_string(job_id))).string();
  }
  const Globals& g_;
  const std::string from_, runs_root_, data_dir_;
  agent::Say say_;
};

}  // namespace

// A worker checks at start that it can sign and pay: the key unlocks with
// the password, the node answers, and the account holds at least min_fee.
// Otherwise it exits non-zero at once rather than failing hours later.
void check_can_sign(const Globals& g, const std::string& from) {
  const SchnorrKey key = unlock(g, from);
  const std::string me = address_to_string(key.pubkey());
  const json params = call(g, "state_getParams", json::object());
  const uint64_t min_fee = need(parse_u64_decimal(params["min_fee"].get<std::string>()), "min_fee");
  const json acc = call(g, "state_getAccount", {{"address", me}});
  const uint64_t balance = need(parse_u64_decimal(acc["balance"].get<std::string>()), "balance");
  if (balance < min_fee)
    throw CliError("key '" + from + "' (" + me + ") holds " + std::to_string(balance) +
                   " uvt, less than the chain's min_fee " + std::to_string(min_fee) +
                   ": it could not pay for a single transaction; fund it first");
}

void add_pol_commands(CLI::App& app, CLI::App& job, CLI::App& verifier_cmd, CLI::App& provider,
                      Globals& g) {
  // Option storage lives as long as the App (static: one App per process).
  static std::string from, run_dir, data_dir = kernels::kDefaultFashionMnistDir, manifest_hash,
                                    out_file, move_hash, checkpoint_file, runs_root,
                                    device = "auto", party;
  static uint64_t job_id = 0, dispute_id = 0, segment = 0, interval_ms = 1000, min_payment = 0,
                  max_cost = 0;
  static bool once = false, agree = false, accept_open = false;
  // All of the machine's cores unless told otherwise: any count gives the same bits.
  static int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  static std::string status_filter, trace_file;
  // Every command that trains or replays steps takes --threads and --device:
  // any choice gives the same bits, only the speed differs.
  const auto replay_options = [](CLI::App* cmd) {
    cmd->add_option("--threads", threads, "CPU threads for training and replay")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--device", device,
                    "auto (the GPU where one answers, else the CPU), cpu or cuda")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  };
  const auto use_replay_options = [](Globals& gl) {
    gl.replay.device = device_named(device);
    gl.replay.threads = threads;
  };

  auto* commit = job.add_subcommand(
      "commit",
      "Post a trained run's commitment (DIR/commitment.json from `veritrain train`); uploads "
      "every checkpoint in DIR as a blob and a manifest blob");
  commit->add_option("id", job_id, "Job id")->required();
  commit->add_option("--from", from, "Provider key name")->required();
  commit->add_option("--run", run_dir, "Output directory of `veritrain train`")
      ->required()
      ->check(CLI::ExistingDirectory);
  commit->callback([&g] { commit_run(g, job_id, from, run_dir); });

  auto* probe = job.add_subcommand(
      "probe",
      "Post the provider's probe hashes in the probe window, before the verifiers reveal "
      "(DIR/step_hashes.json, else replayed from DIR)");
  probe->add_option("id", job_id, "Job id")->required();
  probe->add_option("--from", from, "Provider key name")->required();
  probe->add_option("--run", run_dir, "Output directory of `veritrain train`")
      ->required()
      ->check(CLI::ExistingDirectory);
  probe->add_option("--data", data_dir, "Fashion-MNIST directory")->capture_default_str();
  replay_options(probe);
  probe->callback([&g, use_replay_options] {
    use_replay_options(g);
    const int n = post_probes(g, job_id, from, run_dir, data_dir);
    if (!g.json_output) std::cout << "posted " << n << " probes\n";
  });

  auto* result = job.add_subcommand(
      "result", "Download a job's final model (the last committed checkpoint) and check it");
  result->add_option("id", job_id, "Job id")->required();
  result->add_option("--out", out_file, "Where to write model.safetensors")->required();
  static bool force = false;
  result->add_flag("--force", force, "Overwrite --out if it exists");
  result->callback([&g] {
    if (!force && fs::exists(out_file))
      throw CliError(out_file + " exists; give --force to overwrite it");
    const json j = get_job(g, job_id);
    const json& pol = pol_of(j);
    const std::string model = pol["commitment"]["final_model_hash"].get<std::string>();
    WalletClient client(g.node);
    const json manifest = json::parse(
        as_string(
            need(client.download_blob(pol["manifest"].get<std::string>(), nullptr), "manifest")),
        nullptr, false);
    std::string blob;
    if (manifest.is_object() && manifest.contains("checkpoints"))
      for (const auto& e : manifest["checkpoints"])
        if (e.value("state_hash", "") == model) blob = e.value("blob", "");
    if (blob.empty()) throw CliError("the provider's manifest does not list the final model");
    const Bytes bytes = need(client.download_blob(blob, nullptr), "model " + blob);
    write_text_file(out_file, as_string(bytes));
    // Its tensors are the committed model, which sits last under the committed root.
    const kernels::JobSpec spec = job_spec(j);
    const auto state = load_checked(spec, out_file, model);
    check_against_root(g, job_id, pol, spec,
                       verifier::checkpoint_count(spec.steps, spec.checkpoint_interval) - 1,
                       kernels::state_hash(state));
    print(g,
          {{"job_id", job_id},
           {"status", j["status"]},
           {"model_state_hash", model},
           {"accuracy_bps", pol["commitment"]["accuracy_bps"]},
           {"out", out_file},
           {"bytes", bytes.size()}},
          "wrote " + out_file + " (" + std::to_string(bytes.size()) +
              " bytes); its state hash is the committed final model " + model + "\njob " +
              std::to_string(job_id) + " is " + j["status"].get<std::string>() +
              "; claimed test accuracy " +
              std::to_string(pol["commitment"]["accuracy_bps"].get<uint64_t>() / 100.0) + "%\n");
  });

  auto* attest = verifier_cmd.add_subcommand(
      "attest",
      "Replay every segment of a job assigned to you and post the attestation commitments "
      "(the salt and trace are kept under --home/attestations for the reveal)");
  attest->add_option("id", job_id, "Job id")->required();
  attest->add_option("--from", from, "Verifier key name")->required();
  attest->add_option("--manifest", manifest_hash,
                     "Blob hash of the provider's checkpoint manifest (default: the one in its "
                     "job_commit on chain)");
  attest->add_option("--data", data_dir, "Fashion-MNIST directory")->capture_default_str();
  replay_options(attest);
  auto* trace_opt = attest->add_option(
      "--trace", trace_file,
      "Commit to a trace computed elsewhere (JSON {\"per_step\": [hex, ...], \"leaves\": "
      "[hex, ...]}: the state hashes h_(start+1)..h_end and each step's leaf, e.g. replayed on "
      "another machine) instead of replaying here");
  trace_opt->check(CLI::ExistingFile);
  auto* seg_opt = attest->add_option("--segment", segment, "With --trace: the segment");
  trace_opt->needs(seg_opt);
  attest->callback([&g, trace_opt, use_replay_options] {
    use_replay_options(g);
    if (trace_opt->count()) {
      const json j = get_job(g, job_id);
      const json& seg = segment_of(pol_of(j), segment, address_to_string(resolve_address(g, from)));
      send(g, from,
           attestation_for(g, job_id, from, seg,
                           trace_from_json(json::parse(read_text_file(trace_file)))));
      return;
    }
    const int n = attest_job(g, job_id, from, manifest_hash, data_dir, false);
    if (!g.json_output) std::cout << "committed " << n << " attestations\n";
  });

  auto* reveal = verifier_cmd.add_subcommand(
      "reveal", "Reveal your attestations of a job after its commit window closed");
  reveal->add_option("id", job_id, "Job id")->required();
  reveal->add_option("--from", from, "Verifier key name")->required();
  reveal->callback([&g] {
    const int n = reveal_job(g, job_id, from);
    if (!g.json_output) std::cout << "revealed " << n << " attestations\n";
  });

  auto* vrun = verifier_cmd.add_subcommand(
      "run",
      "Long-running verifier: attests every segment assigned to you in its commit window, "
      "reveals, requests checkpoints it cannot fetch and plays your disputes");
  vrun->add_option("--from", from, "Verifier key name")->required();
  vrun->add_option("--data", data_dir, "Fashion-MNIST directory")->capture_default_str();
  replay_options(vrun);
  vrun->add_option("--interval-ms", interval_ms, "Poll interval")->capture_default_str();
  vrun->add_flag("--once", once, "One round, then exit");
  vrun->callback([&g, use_replay_options] {
    use_replay_options(g);
    check_can_sign(g, from);
    const std::string me = address_to_string(resolve_address(g, from));
    OnceLog say;
    say(g, "verifier " + me + " watching " + g.node);
    RpcChainReader chain(g);
    CliVerifier work(g, from, data_dir);
    run_loop(g, interval_ms, once, say, [&] {
      agent::verifier_round(chain, work, me, [&](const std::string& line) { say(g, line); });
    });
  });

  auto* prun = provider.add_subcommand(
      "run",
      "Long-running provider: trains the jobs your key accepted (and, with --accept-open, "
      "accepts open jobs that match), commits, posts probes, publishes requested checkpoints "
      "and plays your disputes");
  prun->add_option("--from", from, "Provider key name")->required();
  prun->add_option("--runs", runs_root, "Directory for run outputs (one job-ID/ per job)")
      ->required();
  prun->add_option("--data", data_dir, "Fashion-MNIST directory")->capture_default_str();
  replay_options(prun);
  prun->add_option("--interval-ms", interval_ms, "Poll interval")->capture_default_str();
  prun->add_flag("--accept-open", accept_open, "Accept open jobs that match the settings below");
  prun->add_option("--min-payment", min_payment, "Accept only jobs paying at least this")
      ->capture_default_str();
  prun->add_option("--max-step-cost", max_cost,
                   "Accept only jobs whose training step costs at most this many multiply-adds "
                   "(0: any the chain allows)")
      ->capture_default_str();
  prun->add_flag("--once", once, "One round, then exit");
  prun->callback([&g, use_replay_options] {
    use_replay_options(g);
    check_can_sign(g, from);
    const std::string me = address_to_string(resolve_address(g, from));
    OnceLog say;
    say(g, "provider " + me + " watching " + g.node);
    RpcChainReader chain(g);
    const agent::Say log = [&](const std::string& line) { say(g, line); };
    CliProvider work(g, from, runs_root, data_dir, log);
    const agent::ProviderRules rules{accept_open, agent::AcceptRules{min_payment, max_cost}};
    run_loop(g, interval_ms, once, say,
             [&] { agent::provider_round(chain, work, me, rules, log); });
  });

  // ---- disputes ----
  auto* dispute =
      app.add_subcommand("dispute", "Proof-of-learning disputes")->require_subcommand(1);
  auto* dshow = dispute->add_subcommand("show", "A dispute's state or outcome");
  dshow->add_option("id", dispute_id, "Dispute id")->required();
  dshow->callback([&g] {
    const json d = call(g, "state_getDispute", {{"id", dispute_id}});
    print(g, d, dispute_line(d));
  });
  auto* dlist = dispute->add_subcommand("list", "Disputes, filtered");
  dlist->add_option("--job", job_id, "Only this job's");
  dlist->add_option("--status", status_filter, "open or resolved")
      ->check(CLI::IsMember({"open", "resolved"}));
  dlist->add_option("--party", party, "Key name or address of a provider or challenger");
  dlist->callback([&g, dlist] {
    json params = {{"limit", 1000}};
    if (dlist->count("--job")) params["job_id"] = job_id;
    if (!status_filter.empty()) params["status"] = status_filter;
    if (!party.empty()) params["party"] = address_to_string(resolve_address(g, party));
    const json page = call(g, "state_listDisputes", params);
    std::string text;
    for (const auto& d : page["disputes"]) text += dispute_line(d);
    print(g, page, text.empty() ? "no disputes\n" : text);
  });
  auto* drequest = dispute->add_subcommand(
      "request",
      "As the assigned verifier, ask the provider to publish a sampled segment's start "
      "checkpoint on chain (commit window); it loses its bond if it does not");
  drequest->add_option("job", job_id, "Job id")->required();
  drequest->add_option("segment", segment, "Sampled segment")->required();
  drequest->add_option("--from", from, "Verifier key name")->required();
  drequest->callback([&g] { send(g, from, ledger::CheckpointRequest{job_id, segment}); });
  auto* dmove = dispute->add_subcommand(
      "move",
      "A raw bisection move: --mid HASH (provider), --agree or --disagree HASH (challenger)");
  dmove->add_option("id", dispute_id, "Dispute id")->required();
  dmove->add_option("--from", from, "Key name of the provider or challenger")->required();
  auto* mid_opt = dmove->add_option("--mid", move_hash, "Provider: its state hash at mid");
  auto* dis_opt = dmove->add_option("--disagree", move_hash, "Challenger: its own hash at mid");
  auto* agree_opt = dmove->add_flag("--agree", agree, "Challenger: agrees with the provider's mid");
  mid_opt->excludes(dis_opt)->excludes(agree_opt);
  dis_opt->excludes(agree_opt);
  dmove->callback([&g, mid_opt, dis_opt] {
    verifier::MoveKind kind;
    Hash256 h{};
    if (mid_opt->count()) {
      kind = verifier::MoveKind::post_mid;
      h = need(hash_from_hex(move_hash), "--mid");
    } else if (dis_opt->count()) {
      kind = verifier::MoveKind::disagree;
      h = need(hash_from_hex(move_hash), "--disagree");
    } else if (agree) {
      kind = verifier::MoveKind::agree;
    } else {
      throw CliError("give one of --mid, --agree or --disagree");
    }
    send(g, from, ledger::DisputeMove{dispute_id, move_bytes(kind, h)});
  });
  auto* dpost = dispute->add_subcommand(
      "post", "Post a checkpoint file for a dispute (the referee's input or a requested one)");
  dpost->add_option("id", dispute_id, "Dispute id")->required();
  dpost->add_option("--from", from, "Key name (anyone may post)")->required();
  dpost->add_option("--checkpoint", checkpoint_file, "safetensors file")
      ->required()
      ->check(CLI::ExistingFile);
  dpost->callback([&g] {
    send(g, from, ledger::CheckpointPost{dispute_id, file_bytes(checkpoint_file)});
  });
  auto* drespond = dispute->add_subcommand(
      "respond", "Make your honest next move in a dispute (from your run or saved attestation)");
  drespond->add_option("id", dispute_id, "Dispute id")->required();
  drespond->add_option("--from", from, "Your key name")->required();
  drespond->add_option("--run", run_dir, "Provider: the job's run directory");
  drespond->add_option("--data", data_dir, "Fashion-MNIST directory")->capture_default_str();
  replay_options(drespond);
  drespond->callback([&g, use_replay_options] {
    use_replay_options(g);
    const std::string line = respond_dispute(g, dispute_id, from, run_dir, data_dir);
    if (!g.json_output) std::cout << line << "\n";
  });
}

}  // namespace vt::wallet
