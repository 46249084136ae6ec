#include "wallet/train_cmd.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "kernels/trainer.h"
#include "wallet/progress_bar.h"

namespace vt {

// The kernels library lives in vt::kernels (apart from core's vt:: names).
using namespace vt::kernels;

namespace {

struct TrainArgs {
  std::string spec, out, device = "cpu", data = kDefaultFashionMnistDir;
  int threads = 1;
  bool quiet = false;
};

struct ReplayArgs {
  std::string spec, from, commitment, device = "cpu", data = kDefaultFashionMnistDir;
  std::uint64_t steps = 0;
  int threads = 1;
};

// genesis/devnet.json's max_spec_bytes: spec-hash's default bound.
constexpr uint64_t kDevnetMaxSpecBytes = 16384;

[[noreturn]] void die(const std::string& why, int code = 1) {
  std::fprintf(stderr, "error: %s\n", why.c_str());
  throw CLI::RuntimeError(code);
}

JobSpec load_spec(const std::string& path) {
  auto s = load_job_spec_file(path);
  if (!s) die(s.error);
  return s.value;
}

Dataset load_data(const std::string& dir) {
  auto d = load_fashion_mnist(dir);
  if (!d) die(d.error);
  return std::move(d.value);
}

TrainOptions options(const std::string& device, int threads) {
  TrainOptions o;
  if (device == "cuda")
    o.device = Device::cuda;
  else if (device != "cpu")
    die("--device must be cpu or cuda");
  o.threads = threads;
  return o;
}

std::string hex(const Hash32& h) {
  return to_hex(h);
}

void run_train(const TrainArgs& a, bool json_output) {
  const JobSpec spec = load_spec(a.spec);
  const Dataset data = load_data(a.data);
  TrainOptions opt = options(a.device, a.threads);
  opt.out_dir = a.out;
  wallet::ProgressBar bar(!a.quiet && !json_output);
  opt.on_step = [&](const TrainProgress& p) {
    char detail[96];
    std::snprintf(detail, sizeof detail, "loss %.4f  %.1f steps/s  ETA %.0fs",
                  static_cast<double>(p.loss), p.steps_per_s, p.eta_s);
    bar.update(p.step, p.steps, "steps", detail);
  };
  auto r = train(spec, data, opt);
  if (!r) die(r.error);
  bar.finish();
  const Commitment& c = r.value.commitment;
  const double accuracy =
      c.test_total ? static_cast<double>(c.test_correct) / static_cast<double>(c.test_total) : 0.0;
  // What commitment.json does not hold, for `veritrain job commit`: the claimed loss.
  const std::string report = a.out + "/train_report.json";
  if (FILE* f = std::fopen(report.c_str(), "w")) {
    std::fprintf(f, "{\"final_loss\": %.9g, \"backend\": \"%s\"}\n",
                 static_cast<double>(r.value.final_loss), r.value.backend.c_str());
    std::fclose(f);
  }
  if (json_output) {
    nlohmann::json checkpoints = nlohmann::json::array();
    for (const auto& e : c.checkpoints)
      checkpoints.push_back({{"step", e.step},
                             {"state_hash", hex(e.state_hash)},
                             {"file", e.file},
                             {"loss", e.loss ? nlohmann::json(*e.loss) : nlohmann::json(nullptr)}});
    std::printf("%s\n", nlohmann::json{{"spec_hash", hex(spec_hash(spec))},
                                       {"backend", r.value.backend},
                                       {"checkpoints", checkpoints},
                                       {"merkle_root", hex(c.merkle_root)},
                                       {"final_loss", r.value.final_loss},
                                       {"test_correct", c.test_correct},
                                       {"test_total", c.test_total},
                                       {"test_accuracy", accuracy},
                                       {"commitment", a.out + "/commitment.json"}}
                            .dump(2)
                            .c_str());
    return;
  }
  std::printf("spec %s\n", hex(spec_hash(spec)).c_str());
  std::printf("backend %s\n", r.value.backend.c_str());
  for (const auto& e : c.checkpoints)
    std::printf("checkpoint step %llu state %s %s\n", static_cast<unsigned long long>(e.step),
                hex(e.state_hash).c_str(), e.file.c_str());
  std::printf("merkle_root %s\n", hex(c.merkle_root).c_str());
  std::printf("final_loss %.6f\n", static_cast<double>(r.value.final_loss));
  std::printf("test_accuracy %.4f (%llu/%llu)\n", accuracy,
              static_cast<unsigned long long>(c.test_correct),
              static_cast<unsigned long long>(c.test_total));
  std::printf("commitment %s/commitment.json\n", a.out.c_str());
}

// Exit status: 0 match (or nothing to compare with), 2 mismatch, 3 no such
// step in the commitment.
void run_replay(const ReplayArgs& a, bool json_output) {
  const JobSpec spec = load_spec(a.spec);
  const Dataset data = load_data(a.data);
  std::string commitment = a.commitment;
  if (commitment.empty()) {
    const auto guess = std::filesystem::path(a.from).parent_path() / "commitment.json";
    if (std::filesystem::exists(guess)) commitment = guess.string();
  }
  auto r = replay(spec, data, a.from, a.steps, commitment, options(a.device, a.threads));
  if (!r) die(r.error);
  const ReplayReport& rep = r.value;
  const int status = commitment.empty() ? 0 : !rep.expected ? 3 : rep.matches ? 0 : 2;
  if (json_output) {
    std::printf("%s\n",
                nlohmann::json{
                    {"from_step", rep.from_step},
                    {"to_step", rep.to_step},
                    {"state_hash", hex(rep.state_hash)},
                    {"commitment",
                     commitment.empty() ? nlohmann::json(nullptr) : nlohmann::json(commitment)},
                    {"expected",
                     rep.expected ? nlohmann::json(hex(*rep.expected)) : nlohmann::json(nullptr)},
                    {"matches", commitment.empty() || !rep.expected ? nlohmann::json(nullptr)
                                                                    : nlohmann::json(rep.matches)}}
                    .dump(2)
                    .c_str());
  } else {
    std::printf("replayed steps %llu -> %llu\n", static_cast<unsigned long long>(rep.from_step),
                static_cast<unsigned long long>(rep.to_step));
    std::printf("state %s\n", hex(rep.state_hash).c_str());
    if (commitment.empty())
      std::printf("no commitment file to compare with\n");
    else if (!rep.expected)
      std::printf("commitment %s has no checkpoint at step %llu\n", commitment.c_str(),
                  static_cast<unsigned long long>(rep.to_step));
    else if (rep.matches)
      std::printf("MATCH: equals the committed state hash at step %llu\n",
                  static_cast<unsigned long long>(rep.to_step));
    else
      std::printf("MISMATCH: commitment has %s\n", hex(*rep.expected).c_str());
  }
  if (status != 0) throw CLI::RuntimeError(status);
}

}  // namespace

void add_train_commands(CLI::App& app, const bool& json_output) {
  auto ta = std::make_shared<TrainArgs>();
  CLI::App* t = app.add_subcommand(
      "train", "Train a job spec deterministically; write checkpoints and a commitment");
  t->add_option("--spec", ta->spec, "job spec JSON")->required();
  t->add_option("--out", ta->out, "output directory")->required();
  t->add_option("--device", ta->device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  t->add_option("--threads", ta->threads, "CPU threads (results do not depend on it)")
      ->check(CLI::Range(1, 256));
  t->add_option("--data", ta->data, "Fashion-MNIST directory");
  t->add_flag("--quiet", ta->quiet, "no progress bar");
  t->callback([ta, &json_output] { run_train(*ta, json_output); });

  auto ra = std::make_shared<ReplayArgs>();
  CLI::App* r = app.add_subcommand(
      "replay", "Re-run k steps from a checkpoint and compare with the commitment");
  r->add_option("--spec", ra->spec, "job spec JSON")->required();
  r->add_option("--from", ra->from, "checkpoint (.safetensors)")->required();
  r->add_option("--steps", ra->steps, "steps to replay")->required();
  r->add_option("--commitment", ra->commitment,
                "commitment.json (default: next to the checkpoint)");
  r->add_option("--device", ra->device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  r->add_option("--threads", ra->threads, "CPU threads")->check(CLI::Range(1, 256));
  r->add_option("--data", ra->data, "Fashion-MNIST directory");
  r->callback([ra, &json_output] { run_replay(*ra, json_output); });

  auto spec_path = std::make_shared<std::string>();
  auto max_spec_bytes = std::make_shared<uint64_t>(kDevnetMaxSpecBytes);
  CLI::App* s =
      app.add_subcommand("spec-hash", "Validate a job spec; print its canonical JSON and SHA-256");
  s->add_option("--spec", *spec_path, "job spec JSON")->required();
  s->add_option("--max-spec-bytes", *max_spec_bytes,
                "Refuse a spec file larger than this, as job_submit does (the chain's "
                "max_spec_bytes, state_getParams; default the devnet's)")
      ->capture_default_str();
  s->callback([spec_path, max_spec_bytes] {
    // The same size rule as job_submit (ledger::canonical_job_spec), before parsing.
    std::error_code ec;
    const auto size = std::filesystem::file_size(*spec_path, ec);
    if (ec) die("cannot read " + *spec_path + ": " + ec.message());
    if (size > *max_spec_bytes)
      die("spec is " + std::to_string(size) + " bytes, the limit is " +
          std::to_string(*max_spec_bytes) + " (max_spec_bytes); job_submit would refuse it");
    const JobSpec spec = load_spec(*spec_path);
    std::printf("%s\n%s\n", canonical_json(spec).c_str(), to_hex(spec_hash(spec)).c_str());
  });
}

}  // namespace vt
