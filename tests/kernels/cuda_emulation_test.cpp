// The emulated CUDA runtime itself (tests/kernels/cuda_emulation): what
// kernels_cuda_emulation relies on to mean anything. Barriers order the threads
// of a block, __shared__ is one copy per block, every block and thread runs once,
// and launch shapes a GPU refuses are refused.
#include <cuda_runtime.h>
#include <doctest/doctest.h>

#include <vector>

namespace {

// Reverses each block's slice through shared memory: right only if every
// thread's write lands before any thread's read.
__global__ void reverse_in_blocks(float* out, const float* in) {
  __shared__ float tile[256];
  const unsigned base = blockIdx.x * blockDim.x;
  tile[threadIdx.x] = in[base + threadIdx.x];
  __syncthreads();
  out[base + threadIdx.x] = tile[blockDim.x - 1 - threadIdx.x];
}

// A running sum per block in shared memory, one barrier per step: thread t
// reads its neighbour's value of the previous round.
__global__ void prefix_sum_in_block(int* out, const int* in) {
  __shared__ int a[64];
  __shared__ int b[64];
  const unsigned t = threadIdx.x;
  a[t] = in[blockIdx.x * 64 + t];
  __syncthreads();
  int* src = a;
  int* dst = b;
  for (unsigned d = 1; d < 64; d *= 2) {
    dst[t] = t >= d ? src[t] + src[t - d] : src[t];
    __syncthreads();
    int* swap = src;
    src = dst;
    dst = swap;
  }
  out[blockIdx.x * 64 + t] = src[t];
}

__global__ void record_indices(unsigned* seen, int width) {
  const unsigned block = blockIdx.y * gridDim.x + blockIdx.x;
  const unsigned thread = threadIdx.y * blockDim.x + threadIdx.x;
  seen[block * static_cast<unsigned>(width) + thread] += 1;
}

}  // namespace

using vt::cuda_emulation::Launch;

TEST_CASE("a barrier orders the writes and reads of a block's shared memory") {
  std::vector<float> in(3 * 256), out(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i);
  Launch(3, 256, reverse_in_blocks)(out.data(), in.data());
  CHECK(cudaGetLastError() == cudaSuccess);
  for (std::size_t b = 0; b < 3; ++b)
    for (std::size_t t = 0; t < 256; ++t) CHECK(out[b * 256 + t] == in[b * 256 + 255 - t]);
}

TEST_CASE("several barriers in a loop: a block-wide prefix sum") {
  std::vector<int> in(2 * 64), out(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int>(i % 7) + 1;
  Launch(2, 64, prefix_sum_in_block)(out.data(), in.data());
  for (std::size_t b = 0; b < 2; ++b) {
    int sum = 0;
    for (std::size_t t = 0; t < 64; ++t) {
      sum += in[b * 64 + t];
      CHECK(out[b * 64 + t] == sum);
    }
  }
}

TEST_CASE("every thread of every block runs exactly once, with its 2-D indices") {
  const dim3 grid(3, 2), block(8, 4);
  std::vector<unsigned> seen(6 * 32, 0);
  Launch(grid, block, record_indices)(seen.data(), 32);
  CHECK(cudaGetLastError() == cudaSuccess);
  for (unsigned v : seen) CHECK(v == 1);
}

TEST_CASE("launch shapes a GPU refuses run nothing and are reported") {
  std::vector<unsigned> seen(4, 0);
  Launch(1, 1025, record_indices)(seen.data(), 1);  // over 1024 threads
  CHECK(cudaGetLastError() == cudaErrorInvalidConfiguration);
  CHECK(cudaGetLastError() == cudaSuccess);                   // reading the error clears it
  Launch(dim3(1, 65536), 1, record_indices)(seen.data(), 1);  // grid.y over 65535
  CHECK(cudaGetLastError() == cudaErrorInvalidConfiguration);
  Launch(0, 32, record_indices)(seen.data(), 1);  // an empty grid
  CHECK(cudaGetLastError() == cudaErrorInvalidConfiguration);
  for (unsigned v : seen) CHECK(v == 0);
}

TEST_CASE("fresh device memory reads as NaN, as nobody wrote it") {
  float* p = nullptr;
  REQUIRE(cudaMalloc(&p, 8 * sizeof(float)) == cudaSuccess);
  for (int i = 0; i < 8; ++i) CHECK(p[i] != p[i]);
  CHECK(cudaFree(p) == cudaSuccess);
}
