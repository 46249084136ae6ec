// A stand-in for CUDA's <cuda_runtime.h> that runs kernels/ops_cuda.cu and
// kernels/backend_cuda.cu, unchanged, on the CPU, so that CI (which has nvcc but
// no GPU) tests the CUDA kernels' indexing, tiling, barriers and reduction order
// against the CPU twins with memcmp. "Device" memory is host memory; every block
// runs its threads as fibers on the calling thread, blocks one after another, so
// __shared__ (a function-local static here) is shared exactly by one block.
// What it cannot check: the GPU's own float instructions (tests/kernels/
// ptx_audit.py checks the PTX for those) and the driver. Not thread safe: one
// thread emulates at a time. Only for tests (VT_CUDA_EMULATION).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>

struct uint3 {
  unsigned x, y, z;
};
struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

// Set by the emulator before it resumes a fiber.
extern uint3 threadIdx, blockIdx;
extern dim3 blockDim, gridDim;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)

inline int min(int a, int b) {
  return a < b ? a : b;
}
inline int max(int a, int b) {
  return a > b ? a : b;
}

// CUDA's 16-byte vector type, as aligned as on the GPU.
struct alignas(16) float4 {
  float x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) {
  return float4{x, y, z, w};
}

enum cudaError_t { cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorInvalidConfiguration = 9 };
enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3
};
struct cudaDeviceProp {
  char name[256];
  int major, minor;
};

const char* cudaGetErrorString(cudaError_t e);
cudaError_t cudaGetLastError();
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaMalloc(void** p, std::size_t bytes);
template <class T>
cudaError_t cudaMalloc(T** p, std::size_t bytes) {
  return cudaMalloc(reinterpret_cast<void**>(p), bytes);
}
cudaError_t cudaFree(void* p);
cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemset(void* p, int value, std::size_t bytes);

void __syncthreads();

namespace vt::cuda_emulation {

// Runs body once for every thread of every block of the grid (blocks in x, y, z
// order; a block's threads as fibers, switching at __syncthreads). A launch
// configuration a GPU would refuse (more than 1024 threads, a grid.y above 65535,
// an empty dimension) runs nothing and is reported by cudaGetLastError.
void run_grid(dim3 grid, dim3 block, const std::function<void()>& body);

// kernel<<<grid, block>>>(args...) spelled Launch(grid, block, kernel)(args...):
// each emulated thread gets its own copy of the arguments, as on a GPU.
template <class Kernel>
class Launch {
 public:
  Launch(dim3 grid, dim3 block, Kernel* kernel) : grid_(grid), block_(block), kernel_(kernel) {}
  template <class... Args>
  void operator()(Args... args) const {
    run_grid(grid_, block_, [&] { kernel_(args...); });
  }

 private:
  dim3 grid_, block_;
  Kernel* kernel_;
};

}  // namespace vt::cuda_emulation
