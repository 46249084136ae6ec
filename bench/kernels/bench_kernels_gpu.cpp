// GPU benchmark (built when kernels/ has its CUDA side; needs a GPU to run):
// deterministic gemm_cuda vs cuBLAS SGEMM (pure fp32: CUBLAS_DEFAULT_MATH, no TF32)
// on large shapes, and the MLP 784-256-128-10 batch 128 training step on the CUDA
// backend. Usage: bench_kernels_gpu
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "bench/kernels/bench_mlp_spec.h"
#include "kernels/mlp.h"
#include "kernels/ops_cuda.h"
#include "kernels/rng.h"

using namespace vt::kernels;

namespace {

float time_ms(const std::function<void()>& fn, int reps) {
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  fn();
  cudaEventRecord(a);
  for (int i = 0; i < reps; ++i) fn();
  cudaEventRecord(b);
  cudaEventSynchronize(b);
  float ms = 0;
  cudaEventElapsedTime(&ms, a, b);
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return ms / static_cast<float>(reps);
}

void bench_gemm(cublasHandle_t h, int m, int n, int k) {
  std::vector<float> ha(static_cast<std::size_t>(m) * k), hb(static_cast<std::size_t>(k) * n);
  for (std::size_t i = 0; i < ha.size(); ++i) ha[i] = rng_uniform01(1, 0, 1, i) - 0.5f;
  for (std::size_t i = 0; i < hb.size(); ++i) hb[i] = rng_uniform01(1, 0, 2, i) - 0.5f;
  float *a, *b, *c;
  cudaMalloc(&a, ha.size() * 4);
  cudaMalloc(&b, hb.size() * 4);
  cudaMalloc(&c, static_cast<std::size_t>(m) * n * 4);
  cudaMemcpy(a, ha.data(), ha.size() * 4, cudaMemcpyHostToDevice);
  cudaMemcpy(b, hb.data(), hb.size() * 4, cudaMemcpyHostToDevice);
  const double flop = 2.0 * m * n * k;
  const float ours = time_ms([&] { gemm_cuda(c, n, a, k, b, n, m, n, k); }, 10);
  const float one = 1.0f, zero = 0.0f;
  // Row-major C = A B is column-major C^T = B^T A^T.
  const float theirs = time_ms(
      [&] { cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one, b, n, a, k, &zero, c, n); },
      10);
  std::printf("gemm %5dx%5dx%5d  veritrain %8.1f GFLOP/s  cuBLAS fp32 %8.1f GFLOP/s  ratio %.2fx\n",
              m, n, k, flop / ours / 1e6, flop / theirs / 1e6, static_cast<double>(theirs / ours));
  cudaFree(a);
  cudaFree(b);
  cudaFree(c);
}

}  // namespace

int main() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    std::printf("no CUDA device\n");
    return 77;
  }
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  std::printf("command: bench_kernels_gpu\nGPU: %s\n", prop.name);
  cublasHandle_t h;
  cublasCreate(&h);
  cublasSetMathMode(h, CUBLAS_DEFAULT_MATH);  // no TF32, no tensor-op down-conversion
  for (int s : {1024, 2048, 4096, 8192}) bench_gemm(h, s, s, s);
  bench_gemm(h, 128, 256, 784);
  cublasDestroy(h);

  auto spec = parse_job_spec(bench::kMlpSpec);
  const char* dir = std::getenv("VT_FASHION_MNIST_DIR");
  auto data = load_fashion_mnist(dir != nullptr ? dir : kDefaultFashionMnistDir);
  auto be = make_cuda_backend();
  if (!spec || !data || !be) {
    std::printf("setup failed\n");
    return 1;
  }
  Mlp model(spec.value, *be.value);
  BatchSampler sampler(spec.value, data.value.train_images, data.value.train_labels);
  std::vector<float> x(128 * 784);
  std::vector<std::int32_t> y(128);
  for (int i = 0; i < 20; ++i) {
    sampler.batch(model.step(), x.data(), y.data());
    model.train_step(x.data(), y.data());
  }
  const auto t0 = std::chrono::steady_clock::now();
  const int steps = 500;
  for (int i = 0; i < steps; ++i) {
    sampler.batch(model.step(), x.data(), y.data());
    model.train_step(x.data(), y.data());  // includes the loss read-back (a sync)
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("veritrain MLP 784-256-128-10 batch 128 SGD on %s: %.3f ms/step (%.1f steps/s)\n",
              be.value->name().c_str(), 1e3 * s / steps, steps / s);
  return 0;
}
