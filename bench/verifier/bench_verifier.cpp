// Proof-of-learning costs for the demo job (kernels/specs/demo.json):
//  1. verification compute as a share of training compute at m sampled segments,
//     and the detection probability it buys against a provider faking 10%;
//  2. the referee step's CPU time (one training step re-executed from a checkpoint,
//     as every validator does inside block execution) against the block interval;
//  3. bisection rounds of the dispute game against ceil(log2 k).
//  4. a verifier's off-chain segment replay on 1 and 2 threads.
// Usage: bench_verifier [SPEC] [BLOCK_INTERVAL_MS] [--referee-reps R] [--replay-steps S]
//   defaults: kernels/specs/demo.json 1000, R = 15, S = 100 (the figures in
//   docs/performance.md); CTest runs a tiny size (label bench):
//   bench_verifier kernels/specs/demo.json 1000 --referee-reps 2 --replay-steps 4
// Exits non-zero when a part's own work fails: a replay error, the referee's
// wrong verdict, a bisection that does not end at the faked step or takes more
// than ceil(log2 k) rounds, replays on 1 and 2 threads that disagree.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/backend.h"
#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "kernels/mlp.h"
#include "kernels/safetensors.h"
#include "kernels/state.h"
#include "kernels/trainer.h"
#include "verifier/dispute.h"
#include "verifier/economics.h"
#include "verifier/referee.h"

using namespace vt;
using Clock = std::chrono::steady_clock;

namespace {

double pct(uint64_t ppm) {
  return ppm / 10000.0;
}

void compute_share(const kernels::JobSpec& spec) {
  const uint64_t n = spec.steps, k = spec.checkpoint_interval;
  const uint64_t segments = (n + k - 1) / k;
  const uint64_t m_99 = verifier::samples_for_detection(100000, 990000);  // f = 10%, 99%
  std::printf("\n1. verification share (demo job: N = %llu steps, k = %llu, %llu segments)\n",
              (unsigned long long)n, (unsigned long long)k, (unsigned long long)segments);
  std::printf("   m for >= 99%% detection of f = 10%% (with replacement): %llu\n",
              (unsigned long long)m_99);
  std::printf("   %-22s %8s %12s %14s\n", "job shape", "m", "compute", "P(detect f=10%)");
  auto row = [&](const char* name, uint64_t steps, uint64_t interval) {
    uint64_t s = (steps + interval - 1) / interval;
    uint64_t m = std::min(m_99, s);
    uint64_t faked = std::max<uint64_t>(1, s / 10);
    std::printf("   %-22s %8llu %11.2f%% %13.2f%%\n", name, (unsigned long long)m,
                pct(verifier::verification_share_ppm(m, interval, steps)),
                pct(verifier::detection_ppm_distinct(s, faked, m)));
  };
  row("demo (as specified)", n, k);
  row("demo, k = N/880", n, std::max<uint64_t>(1, n / 880));
  row("N = 1e6, k = 1000", 1000000, 1000);
  row("N = 1e6, k = 100", 1000000, 100);
}

bool referee_time(const kernels::JobSpec& spec, const kernels::Dataset& data, double interval_ms,
                  int reps) {
  auto backend = kernels::make_cpu_backend(1);
  kernels::Mlp model(spec, *backend);
  kernels::BatchSampler sampler(spec, data.train_images, data.train_labels);
  std::vector<float> x(static_cast<size_t>(spec.batch_size) * 784);
  std::vector<int32_t> y(spec.batch_size);
  // The state after 3 steps, its hash, and the true next hash.
  for (uint64_t s = 0; s < 3; ++s) {
    sampler.batch(s, x.data(), y.data());
    model.train_step(x.data(), y.data());
  }
  kernels::TensorMap state = model.export_state();
  Bytes ckpt = kernels::encode_safetensors(kernels::make_checkpoint(spec, state));
  verifier::RefereeCase c;
  c.step = 3;
  c.agreed = kernels::state_hash(state);
  auto truth = verifier::replay_hashes(spec, data, state, 1);
  if (!truth) {
    std::printf("replay failed: %s\n", truth.error().c_str());
    return false;
  }
  c.provider_claim = truth.value()[0];
  c.challenger_claim = Hash256{1};
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    auto t0 = Clock::now();
    auto r = verifier::referee_step(spec, data, ckpt, c);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!r || r->verdict != verifier::Verdict::provider) {
      std::printf("referee %s\n", r ? "gave the wrong verdict" : ("failed: " + r.error()).c_str());
      return false;
    }
  }
  std::sort(ms.begin(), ms.end());
  std::printf(
      "\n2. referee step on CPU (1 thread, decode checkpoint of %zu bytes + 1 step + hash)\n",
      ckpt.size());
  std::printf(
      "   median %.2f ms, max %.2f ms = %.2f%% of a %.0f ms block interval; cost bound %llu\n",
      ms[ms.size() / 2], ms.back(), 100.0 * ms[ms.size() / 2] / interval_ms, interval_ms,
      (unsigned long long)verifier::referee_cost(spec));
  return true;
}

bool bisection_rounds() {
  std::printf(
      "\n3. bisection rounds (provider faked the step in the middle third; challenger honest)\n");
  std::printf("   %10s %10s %14s\n", "k", "rounds", "ceil(log2 k)");
  Address prov{}, chal{};
  prov.fill(1);
  chal.fill(2);
  for (uint64_t k : {2ull, 5ull, 100ull, 1000ull, 4096ull, 100000ull, 1000000000ull}) {
    // Honest hashes: H(step); the provider's are equal up to `fake`, different after.
    const uint64_t fake = k / 3 + 1;
    auto honest = [](uint64_t s) {
      Hash256 h{};
      for (int i = 0; i < 8; ++i) h[i] = static_cast<uint8_t>(s >> (8 * i));
      h[31] = 0xAA;
      return h;
    };
    auto provider = [&](uint64_t s) {
      Hash256 h = honest(s);
      if (s >= fake) h[30] = 0x55;
      return h;
    };
    auto d = verifier::open_dispute(prov, chal, 0, k, honest(0), provider(k), honest(k), 1, 10);
    if (!d) {
      std::printf("   open failed: %s\n", d.error().c_str());
      return false;
    }
    verifier::Dispute g = d.value();
    uint64_t height = 1;
    while (!g.finished()) {
      ++height;
      auto posted =
          verifier::apply(g, {prov, verifier::MoveKind::post_mid, provider(g.mid())}, height);
      if (!posted) {
        std::printf("   k = %llu: post_mid refused: %s\n", (unsigned long long)k,
                    posted.error().c_str());
        return false;
      }
      g = posted.value();
      ++height;
      uint64_t mid = g.mid();
      verifier::Move answer = provider(mid) == honest(mid)
                                  ? verifier::Move{chal, verifier::MoveKind::agree, Hash256{}}
                                  : verifier::Move{chal, verifier::MoveKind::disagree, honest(mid)};
      auto answered = verifier::apply(g, answer, height);
      if (!answered) {
        std::printf("   k = %llu: answer refused: %s\n", (unsigned long long)k,
                    answered.error().c_str());
        return false;
      }
      g = answered.value();
    }
    std::printf("   %10llu %10u %14u   ends at step %llu (faked step %llu)\n",
                (unsigned long long)k, g.round, verifier::max_rounds(k), (unsigned long long)g.lo,
                (unsigned long long)(fake - 1));
    if (g.lo != fake - 1 || g.round > verifier::max_rounds(k)) {
      std::printf(
          "   k = %llu: the game did not end at the faked step within ceil(log2 k) rounds\n",
          (unsigned long long)k);
      return false;
    }
  }
  return true;
}

// A verifier's off-chain work: replaying a segment with per-step hashes, on 1
// and 2 CPU threads (ReplayOptions; the hashes must be equal).
bool replay_rate(const kernels::JobSpec& spec, const kernels::Dataset& data,
                 uint64_t replay_steps) {
  const uint64_t steps = std::min<uint64_t>(replay_steps, spec.steps);
  auto backend = kernels::make_cpu_backend(1);
  kernels::Mlp model(spec, *backend);
  const kernels::TensorMap start = model.export_state();
  std::printf(
      "\n4. segment replay off chain (%llu steps from step 0, a state hash and trace leaf per "
      "step)\n",
      static_cast<unsigned long long>(steps));
  std::vector<verifier::StepRecord> first;
  for (int threads : {1, 2}) {
    verifier::ReplayOptions how;
    how.threads = threads;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = verifier::replay_trace(spec, data, start, steps, how);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!r) {
      std::printf("   replay failed: %s\n", r.error().c_str());
      return false;
    }
    if (r->size() != steps) {
      std::printf("   replay gave %zu records for %llu steps\n", r->size(),
                  static_cast<unsigned long long>(steps));
      return false;
    }
    if (first.empty()) first = *r;
    std::printf("   threads %d: %.1f steps/s%s\n", threads, static_cast<double>(steps) / s,
                *r == first ? "" : "  TRACES DIFFER");
    if (*r != first) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos;
  int referee_reps = 15;
  uint64_t replay_steps = 100;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--referee-reps") && i + 1 < argc)
      referee_reps = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--replay-steps") && i + 1 < argc)
      replay_steps = std::strtoull(argv[++i], nullptr, 10);
    else
      pos.push_back(argv[i]);
  }
  std::string spec_path = pos.size() > 0 ? pos[0] : "kernels/specs/demo.json";
  double interval_ms = pos.size() > 1 ? std::atof(pos[1].c_str()) : 1000.0;
  if (referee_reps < 1 || replay_steps < 1 || !(interval_ms > 0)) {
    std::printf("usage: %s [SPEC] [BLOCK_INTERVAL_MS] [--referee-reps R] [--replay-steps S]\n",
                argv[0]);
    return 2;
  }
  auto spec = kernels::load_job_spec_file(spec_path);
  if (!spec) {
    std::printf("%s\n", spec.error.c_str());
    return 1;
  }
  auto data = kernels::load_fashion_mnist(kernels::kDefaultFashionMnistDir);
  if (!data) {
    std::printf("%s\n", data.error.c_str());
    return 1;
  }
  std::printf("command: %s %s %.0f --referee-reps %d --replay-steps %llu\n", argv[0],
              spec_path.c_str(), interval_ms, referee_reps,
              static_cast<unsigned long long>(replay_steps));
  compute_share(spec.value);
  bool ok = referee_time(spec.value, data.value, interval_ms, referee_reps);
  ok = bisection_rounds() && ok;
  ok = replay_rate(spec.value, data.value, replay_steps) && ok;
  if (!ok) std::printf("\nFAILED: a part above did not do its work (see its message)\n");
  return ok ? 0 : 1;
}
