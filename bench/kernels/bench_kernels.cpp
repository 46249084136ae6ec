// Kernels benchmark: deterministic matmul GFLOP/s and MLP training steps/s
// (784-256-128-10, batch 128, SGD momentum) against PyTorch CPU on the same
// model, batch and thread count, in the same run.
// Usage: bench_kernels [--threads N] [--steps S] [--no-torch] [--tiny]
//   --tiny: the size CTest runs (label bench): each matmul timed once, S = 3
//   training steps unless given, and the PyTorch anchor once, at 1 thread, with
//   2 warm-up steps (skipped with a message when /usr/bin/python3 has no torch).
// Exits non-zero when the work is wrong, not only slow: a matmul entry off the
// double-precision reference, a matmul or a training run whose bits differ
// between 1 and N threads (the kernels are bit-exact by design), a non-finite
// loss, or a PyTorch anchor that was found but did not report a figure.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/kernels/bench_mlp_spec.h"
#include "kernels/mlp.h"
#include "kernels/ops.h"
#include "kernels/rng.h"
#include "kernels/state.h"

using namespace vt::kernels;
using clk = std::chrono::steady_clock;

namespace {

double seconds_since(clk::time_point t0) {
  return std::chrono::duration<double>(clk::now() - t0).count();
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "bench_kernels: FAILED: %s\n", why.c_str());
  std::exit(1);
}

// Times C = A B; returns C so that the caller can compare thread counts bit for
// bit. Some entries are checked against a double-precision dot product.
std::vector<float> bench_gemm(int threads, int m, int n, int k, bool tiny) {
  std::vector<float> a(static_cast<std::size_t>(m) * k), b(static_cast<std::size_t>(k) * n),
      c(static_cast<std::size_t>(m) * n);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = rng_uniform01(1, 0, 1, i) - 0.5f;
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = rng_uniform01(1, 0, 2, i) - 0.5f;
  ThreadPool pool(threads);
  CpuExec ex;
  ex.pool = &pool;
  gemm_cpu(ex, c.data(), n, a.data(), k, b.data(), n, m, n, k);  // warm-up
  const double flop = 2.0 * m * n * k;
  int reps = tiny ? 1 : static_cast<int>(std::max(3.0, 2e10 / flop));
  const auto t0 = clk::now();
  for (int r = 0; r < reps; ++r) gemm_cpu(ex, c.data(), n, a.data(), k, b.data(), n, m, n, k);
  const double s = seconds_since(t0);
  std::printf("gemm %5dx%5dx%5d  threads %d  %7.1f GFLOP/s\n", m, n, k, threads,
              flop * reps / s / 1e9);
  for (int e = 0; e < 64; ++e) {
    const int i = (e * 7919) % m, j = (e * 104729 + e / 8) % n;
    double ref = 0, mag = 0;
    for (int p = 0; p < k; ++p) {
      const double x = static_cast<double>(a[static_cast<std::size_t>(i) * k + p]) *
                       b[static_cast<std::size_t>(p) * n + j];
      ref += x;
      mag += std::fabs(x);
    }
    const double got = c[static_cast<std::size_t>(i) * n + j];
    if (!(std::fabs(got - ref) <= 1e-5 * mag + 1e-6))
      die("gemm " + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) + " C[" +
          std::to_string(i) + "][" + std::to_string(j) + "] = " + std::to_string(got) +
          ", reference " + std::to_string(ref));
  }
  return c;
}

struct TrainResult {
  double steps_per_s = 0;
  Hash32 state{};
};

TrainResult bench_train(const JobSpec& spec, const Dataset& data, int threads, int steps,
                        int warmup) {
  auto be = make_cpu_backend(threads);
  Mlp model(spec, *be);
  BatchSampler sampler(spec, data.train_images, data.train_labels);
  std::vector<float> x(128 * 784);
  std::vector<std::int32_t> y(128);
  for (int s = 0; s < warmup; ++s) {
    sampler.batch(model.step(), x.data(), y.data());
    model.train_step(x.data(), y.data());
  }
  const auto t0 = clk::now();
  float loss = 0;
  for (int s = 0; s < steps; ++s) {
    sampler.batch(model.step(), x.data(), y.data());
    loss = model.train_step(x.data(), y.data());
  }
  const double sps = steps / seconds_since(t0);
  std::printf(
      "veritrain MLP 784-256-128-10 batch 128 SGD: %.1f steps/s (threads %d, %s, loss %.4f)\n", sps,
      threads, be->name().c_str(), static_cast<double>(loss));
  if (!std::isfinite(loss)) die("training loss is not finite");
  return {sps, state_hash(model.export_state())};
}

bool torch_available() {
  return std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0;
}

// Runs the PyTorch anchor with torch's intra-op threads and OpenBLAS's threads
// set as given; prints its command and output, returns its steps/s (0 if none).
double run_torch(int torch_threads, int blas_threads, int steps, int warmup,
                 const std::string& env) {
  const std::string cmd = env + "OMP_NUM_THREADS=" + std::to_string(torch_threads) +
                          " OPENBLAS_NUM_THREADS=" + std::to_string(blas_threads) +
                          " /usr/bin/python3 " VT_BENCH_DIR "/torch_mlp_bench.py --threads " +
                          std::to_string(torch_threads) + " --steps " + std::to_string(steps) +
                          (warmup == 20 ? "" : " --warmup " + std::to_string(warmup));
  std::printf("command: %s\n", cmd.c_str());
  std::fflush(stdout);
  FILE* p = popen(cmd.c_str(), "r");
  double sps = 0;
  char line[512];
  while (p && std::fgets(line, sizeof line, p)) {
    std::fputs(line, stdout);
    std::sscanf(line, "torch MLP 784-256-128-10 batch 128 SGD: %lf", &sps);
  }
  const int status = p ? pclose(p) : -1;
  return status == 0 ? sps : 0;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, steps = -1;
  bool torch = true, tiny = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
      steps = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--no-torch"))
      torch = false;
    else if (!std::strcmp(argv[i], "--tiny"))
      tiny = true;
    else {
      std::fprintf(stderr, "usage: %s [--threads N] [--steps S] [--no-torch] [--tiny]\n", argv[0]);
      return 2;
    }
  }
  if (steps < 0) steps = tiny ? 3 : 500;
  const int warmup = tiny ? 2 : 20;
  if (threads < 1 || steps < 1) {
    std::fprintf(stderr, "--threads and --steps must be positive\n");
    return 2;
  }
  std::printf("command: %s --threads %d --steps %d%s%s\n", argv[0], threads, steps,
              torch ? "" : " --no-torch", tiny ? " --tiny" : "");
  const int shapes[4][3] = {{128, 256, 784}, {784, 256, 128}, {512, 512, 512}, {1024, 1024, 1024}};
  for (const auto& sh : shapes) {
    const std::vector<float> one = bench_gemm(1, sh[0], sh[1], sh[2], tiny);
    if (threads != 1 && bench_gemm(threads, sh[0], sh[1], sh[2], tiny) != one)
      die("gemm " + std::to_string(sh[0]) + "x" + std::to_string(sh[1]) + "x" +
          std::to_string(sh[2]) + ": the result's bits differ between 1 and " +
          std::to_string(threads) + " threads");
  }

  auto spec = parse_job_spec(bench::kMlpSpec);
  if (!spec) die(spec.error);
  auto data = load_fashion_mnist(kDefaultFashionMnistDir);
  if (!data) die(data.error);
  if (torch && !torch_available()) {
    std::printf(
        "PyTorch anchor skipped: /usr/bin/python3 cannot import torch (Debian python3-torch; "
        "scripts/deps --torch installs it)\n");
    torch = false;
  }
  // The anchor uses the same number of cores. With more than one, PyTorch's
  // OpenMP threads each calling a multi-threaded OpenBLAS oversubscribe the
  // cores (measured: ~110 steps/s on 2 idle cores), so the anchor is the best of
  // the ways a user would set two threads, each printed. --tiny runs it once.
  Hash32 first_state{};
  bool torch_failed = false;
  std::vector<int> thread_counts = {1};
  if (threads != 1) thread_counts.push_back(threads);
  for (int t : thread_counts) {
    const TrainResult ours = bench_train(spec.value, data.value, t, steps, warmup);
    if (t == 1)
      first_state = ours.state;
    else if (ours.state != first_state)
      die("the trained state after " + std::to_string(warmup + steps) +
          " steps differs between 1 and " + std::to_string(t) + " threads");
    if (!torch || (tiny && t != 1)) continue;
    double theirs = run_torch(t, t, steps, warmup, "");
    if (t > 1 && !tiny) {
      theirs = std::max(theirs, run_torch(t, t, steps, warmup, "OMP_WAIT_POLICY=PASSIVE "));
      theirs = std::max(theirs, run_torch(1, t, steps, warmup, ""));
    }
    if (theirs > 0)
      std::printf("ratio veritrain / best torch at %d thread(s): %.2fx\n", t,
                  ours.steps_per_s / theirs);
    else
      torch_failed = true;
  }
  if (torch_failed) die("the PyTorch anchor found torch but reported no steps/s (output above)");
  return 0;
}
