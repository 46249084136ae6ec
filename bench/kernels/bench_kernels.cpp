// Kernels benchmark: deterministic matmul GFLOP/s and MLP training steps/s
// (784-256-128-10, batch 128, SGD momentum) against PyTorch CPU on the same
// model, batch and thread count, in the same run.
// Usage: bench_kernels [--threads N] [--steps S] [--no-torch]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/kernels/bench_mlp_spec.h"
#include "kernels/mlp.h"
#include "kernels/ops.h"
#include "kernels/rng.h"

using namespace vt::kernels;
using clk = std::chrono::steady_clock;

namespace {

double seconds_since(clk::time_point t0) {
  return std::chrono::duration<double>(clk::now() - t0).count();
}

void bench_gemm(int threads, int m, int n, int k) {
  std::vector<float> a(static_cast<std::size_t>(m) * k), b(static_cast<std::size_t>(k) * n),
      c(static_cast<std::size_t>(m) * n);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = rng_uniform01(1, 0, 1, i) - 0.5f;
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = rng_uniform01(1, 0, 2, i) - 0.5f;
  ThreadPool pool(threads);
  CpuExec ex;
  ex.pool = &pool;
  gemm_cpu(ex, c.data(), n, a.data(), k, b.data(), n, m, n, k);  // warm-up
  const double flop = 2.0 * m * n * k;
  int reps = static_cast<int>(std::max(3.0, 2e10 / flop));
  const auto t0 = clk::now();
  for (int r = 0; r < reps; ++r) gemm_cpu(ex, c.data(), n, a.data(), k, b.data(), n, m, n, k);
  const double s = seconds_since(t0);
  std::printf("gemm %5dx%5dx%5d  threads %d  %7.1f GFLOP/s\n", m, n, k, threads,
              flop * reps / s / 1e9);
}

double bench_train(int threads, int steps) {
  auto spec = parse_job_spec(bench::kMlpSpec);
  if (!spec) {
    std::fprintf(stderr, "%s\n", spec.error.c_str());
    std::exit(1);
  }
  auto data = load_fashion_mnist(kDefaultFashionMnistDir);
  if (!data) {
    std::fprintf(stderr, "%s\n", data.error.c_str());
    std::exit(1);
  }
  auto be = make_cpu_backend(threads);
  Mlp model(spec.value, *be);
  BatchSampler sampler(spec.value, data.value.train_images, data.value.train_labels);
  std::vector<float> x(128 * 784);
  std::vector<std::int32_t> y(128);
  for (int s = 0; s < 20; ++s) {  // warm-up
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
  return sps;
}

// Runs the PyTorch anchor with torch's intra-op threads and OpenBLAS's threads
// set as given; prints its command and output, returns its steps/s (0 if none).
double run_torch(int torch_threads, int blas_threads, int steps, const std::string& env) {
  const std::string cmd = env + "OMP_NUM_THREADS=" + std::to_string(torch_threads) +
                          " OPENBLAS_NUM_THREADS=" + std::to_string(blas_threads) +
                          " /usr/bin/python3 " VT_BENCH_DIR "/torch_mlp_bench.py --threads " +
                          std::to_string(torch_threads) + " --steps " + std::to_string(steps);
  std::printf("command: %s\n", cmd.c_str());
  std::fflush(stdout);
  FILE* p = popen(cmd.c_str(), "r");
  double sps = 0;
  char line[512];
  while (p && std::fgets(line, sizeof line, p)) {
    std::fputs(line, stdout);
    std::sscanf(line, "torch MLP 784-256-128-10 batch 128 SGD: %lf", &sps);
  }
  if (p) pclose(p);
  return sps;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, steps = 500;
  bool torch = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
      steps = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--no-torch"))
      torch = false;
  }
  std::printf("command: %s --threads %d --steps %d%s\n", argv[0], threads, steps,
              torch ? "" : " --no-torch");
  for (int t : {1, threads}) {
    bench_gemm(t, 128, 256, 784);
    bench_gemm(t, 784, 256, 128);
    bench_gemm(t, 512, 512, 512);
    bench_gemm(t, 1024, 1024, 1024);
  }
  // The anchor uses the same number of cores. With more than one, PyTorch's
  // OpenMP threads each calling a multi-threaded OpenBLAS oversubscribe the
  // cores (measured: ~110 steps/s on 2 idle cores), so the anchor is the best of
  // the ways a user would set two threads, each printed.
  for (int t : {1, threads}) {
    const double ours = bench_train(t, steps);
    if (!torch) continue;
    double theirs = run_torch(t, t, steps, "");
    if (t > 1) {
      theirs = std::max(theirs, run_torch(t, t, steps, "OMP_WAIT_POLICY=PASSIVE "));
      theirs = std::max(theirs, run_torch(1, t, steps, ""));
    }
    if (theirs > 0)
      std::printf("ratio veritrain / best torch at %d thread(s): %.2fx\n", t, ours / theirs);
  }
  return 0;
}
