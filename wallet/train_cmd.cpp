#include "wallet/train_cmd.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "kernels/trainer.h"

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

// One line, redrawn in place: [#####-----] step 120/938 loss 0.5123 812.3 steps/s ETA 1s
void draw_progress(const TrainProgress& p) {
  const int width = 30;
  const int filled =
      p.steps ? static_cast<int>(static_cast<double>(p.step) * width / static_cast<double>(p.steps))
              : width;
  char bar[width + 1];
  for (int i = 0; i < width; ++i) bar[i] = i < filled ? '#' : '-';
  bar[width] = 0;
  std::fprintf(stderr, "\r[%s] step %llu/%llu loss %.4f %.1f steps/s ETA %.0fs ", bar,
               static_cast<unsigned long long>(p.step), static_cast<unsigned long long>(p.steps),
               static_cast<double>(p.loss), p.steps_per_s, p.eta_s);
  if (p.step == p.steps) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

void run_train(const TrainArgs& a) {
  const JobSpec spec = load_spec(a.spec);
  const Dataset data = load_data(a.data);
  TrainOptions opt = options(a.device, a.threads);
  opt.out_dir = a.out;
  auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  if (!a.quiet)
    opt.on_step = [&](const TrainProgress& p) {
      const auto now = std::chrono::steady_clock::now();
      if (p.step == p.steps || now - last > std::chrono::milliseconds(100)) {
        last = now;
        draw_progress(p);
      }
    };
  std::printf("spec %s\n", to_hex(spec_hash(spec)).c_str());
  auto r = train(spec, data, opt);
  if (!r) die(r.error);
  const Commitment& c = r.value.commitment;
  std::printf("backend %s\n", r.value.backend.c_str());
  for (const auto& e : c.checkpoints)
    std::printf("checkpoint step %llu state %s %s\n", static_cast<unsigned long long>(e.step),
                to_hex(e.state_hash).c_str(), e.file.c_str());
  std::printf("merkle_root %s\n", to_hex(c.merkle_root).c_str());
  std::printf("final_loss %.6f\n", static_cast<double>(r.value.final_loss));
  std::printf(
      "test_accuracy %.4f (%llu/%llu)\n",
      c.test_total ? static_cast<double>(c.test_correct) / static_cast<double>(c.test_total) : 0.0,
      static_cast<unsigned long long>(c.test_correct),
      static_cast<unsigned long long>(c.test_total));
  std::printf("commitment %s/commitment.json\n", a.out.c_str());
  // What commitment.json does not hold, for `veritrain job commit`: the claimed loss.
  const std::string report = a.out + "/train_report.json";
  if (FILE* f = std::fopen(report.c_str(), "w")) {
    std::fprintf(f, "{\"final_loss\": %.9g, \"backend\": \"%s\"}\n",
                 static_cast<double>(r.value.final_loss), r.value.backend.c_str());
    std::fclose(f);
  }
}

void run_replay(const ReplayArgs& a) {
  const JobSpec spec = load_spec(a.spec);
  const Dataset data = load_data(a.data);
  std::string commitment = a.commitment;
  if (commitment.empty()) {
    const auto guess = std::filesystem::path(a.from).parent_path() / "commitment.json";
    if (std::filesystem::exists(guess)) commitment = guess.string();
  }
  auto r = replay(spec, data, a.from, a.steps, commitment, options(a.device, a.threads));
  if (!r) die(r.error);
  std::printf("replayed steps %llu -> %llu\n", static_cast<unsigned long long>(r.value.from_step),
              static_cast<unsigned long long>(r.value.to_step));
  std::printf("state %s\n", to_hex(r.value.state_hash).c_str());
  if (commitment.empty()) {
    std::printf("no commitment file to compare with\n");
  } else if (!r.value.expected) {
    std::printf("commitment %s has no checkpoint at step %llu\n", commitment.c_str(),
                static_cast<unsigned long long>(r.value.to_step));
    throw CLI::RuntimeError(3);
  } else if (r.value.matches) {
    std::printf("MATCH: equals the committed state hash at step %llu\n",
                static_cast<unsigned long long>(r.value.to_step));
  } else {
    std::printf("MISMATCH: commitment has %s\n", to_hex(*r.value.expected).c_str());
    throw CLI::RuntimeError(2);
  }
}

}  // namespace

void add_train_commands(CLI::App& app) {
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
  t->callback([ta] { run_train(*ta); });

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
  r->callback([ra] { run_replay(*ra); });

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
