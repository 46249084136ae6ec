// CUDA kernels for ops_cuda.h. Rules (docs/kernels.md): one thread owns each
// output and runs its reduction as the same sequential chain the CPU runs; no
// atomics, no tensor cores, no cuBLAS; built with --fmad=false, explicit
// __fmaf_rn (em::fma), IEEE division and sqrt, no flush-to-zero.
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>

#include "kernels/op_elements.h"
#include "kernels/ops_cuda.h"

// Every launch is spelled VT_LAUNCH(kernel, grid, block)(args...) so that the
// same kernels also run on the CPU in tests (tests/kernels/cuda_emulation).
#if defined(VT_CUDA_EMULATION)
#define VT_LAUNCH(kernel, grid, block) ::vt::cuda_emulation::Launch(grid, block, kernel)
#else
#define VT_LAUNCH(kernel, grid, block) kernel<<<grid, block>>>
#endif

namespace vt::kernels {

void cuda_check_last(const char* what) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) {
    std::fprintf(stderr, "CUDA error in %s: %s\n", what, cudaGetErrorString(e));
    std::abort();
  }
}

namespace {

constexpr int kTile = 64;   // C tile per block: 64 x 64
constexpr int kTileK = 16;  // K slice staged in shared memory
constexpr int kThreads = 256;

// Each thread computes a 4x4 patch of C; for every output the k loop runs in
// ascending order across the K slices, so each output is the canonical chain.
__global__ void gemm_kernel(float* c, int ldc, const float* a, int lda, const float* b, int ldb,
                            int m, int n, int k) {
  __shared__ float as[kTileK][kTile + 1];  // as[kk][row]
  __shared__ float bs[kTileK][kTile];      // bs[kk][col]
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const int row0 = blockIdx.y * kTile, col0 = blockIdx.x * kTile;
  float acc[4][4];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) acc[i][j] = 0.0f;
  for (int k0 = 0; k0 < k; k0 += kTileK) {
    const int kn = min(kTileK, k - k0);
    for (int idx = threadIdx.x; idx < kTile * kTileK; idx += kThreads) {
      const int r = idx / kTileK, kk = idx % kTileK;  // A: consecutive threads walk k
      const int gr = row0 + r, gk = k0 + kk;
      as[kk][r] = (gr < m && kk < kn) ? a[static_cast<long>(gr) * lda + gk] : 0.0f;
      const int kb = idx / kTile, cc = idx % kTile;  // B: consecutive threads walk columns
      const int gc = col0 + cc, gkb = k0 + kb;
      bs[kb][cc] = (gc < n && kb < kn) ? b[static_cast<long>(gkb) * ldb + gc] : 0.0f;
    }
    __syncthreads();
    for (int kk = 0; kk < kn; ++kk) {
      float av[4], bv[4];
      for (int i = 0; i < 4; ++i) av[i] = as[kk][ty * 4 + i];
      for (int j = 0; j < 4; ++j) bv[j] = bs[kk][tx * 4 + j];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) acc[i][j] = em::fma(av[i], bv[j], acc[i][j]);
    }
    __syncthreads();
  }
  for (int i = 0; i < 4; ++i) {
    const int r = row0 + ty * 4 + i;
    if (r >= m) continue;
    for (int j = 0; j < 4; ++j) {
      const int cc = col0 + tx * 4 + j;
      if (cc < n) c[static_cast<long>(r) * ldc + cc] = em::canon(acc[i][j]);
    }
  }
}

__global__ void transpose_kernel(float* out, const float* in, int rows, int cols) {
  __shared__ float tile[32][33];
  const int c = blockIdx.x * 32 + threadIdx.x;
  for (int dy = threadIdx.y; dy < 32; dy += 8) {
    const int r = blockIdx.y * 32 + dy;
    if (r < rows && c < cols) tile[dy][threadIdx.x] = in[static_cast<long>(r) * cols + c];
  }
  __syncthreads();
  const int r_out = blockIdx.y * 32 + threadIdx.x;
  for (int dy = threadIdx.y; dy < 32; dy += 8) {
    const int c_out = blockIdx.x * 32 + dy;
    if (c_out < cols && r_out < rows)
      out[static_cast<long>(c_out) * rows + r_out] = tile[threadIdx.x][dy];
  }
}

__global__ void add_bias_kernel(float* out, const float* bias, int B, int OC) {
  const long i = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < static_cast<long>(B) * OC) out[i] = em::canon(out[i] + bias[i % OC]);
}

__global__ void column_sum_kernel(float* out, const float* x, int rows, int cols) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c < cols) out[c] = el::column_sum(x, rows, cols, c);
}

__global__ void relu_fwd_kernel(float* out, const float* x, std::size_t n) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) out[i] = el::relu_fwd(x[i]);
}
__global__ void relu_bwd_kernel(float* dx, const float* x, const float* d, std::size_t n) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) dx[i] = el::relu_bwd(x[i], d[i]);
}
__global__ void gelu_fwd_kernel(float* out, const float* x, std::size_t n) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) out[i] = el::gelu_fwd(x[i]);
}
__global__ void gelu_bwd_kernel(float* dx, const float* x, const float* d, std::size_t n) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) dx[i] = el::gelu_bwd(x[i], d[i]);
}

__global__ void softmax_xent_fwd_kernel(float* probs, float* losses, const float* logits,
                                        const std::int32_t* t, int B, int V) {
  const int b = blockIdx.x * blockDim.x + threadIdx.x;
  if (b < B)
    losses[b] = el::softmax_xent_row(probs + static_cast<long>(b) * V,
                                     logits + static_cast<long>(b) * V, t[b], V);
}
// The batch mean is one sequential chain, as on the CPU: a single thread.
__global__ void mean_kernel(float* out, const float* x, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i) s = s + x[i];
  *out = el::mean_of(s, n);
}
__global__ void softmax_xent_bwd_kernel(float* dlogits, const float* probs, const std::int32_t* t,
                                        int B, int V) {
  const int b = blockIdx.x * blockDim.x + threadIdx.x;
  if (b < B)
    el::softmax_xent_backward_row(dlogits + static_cast<long>(b) * V,
                                  probs + static_cast<long>(b) * V, t[b], V, static_cast<float>(B));
}

__global__ void layernorm_fwd_kernel(float* out, float* mean, float* rstd, const float* x,
                                     const float* w, const float* b, int N, int C, float eps) {
  const int n = blockIdx.x * blockDim.x + threadIdx.x;
  if (n < N)
    el::layernorm_row(out + static_cast<long>(n) * C, mean + n, rstd + n,
                      x + static_cast<long>(n) * C, w, b, C, eps);
}
__global__ void layernorm_bwd_rows_kernel(float* dx, const float* dout, const float* x,
                                          const float* w, const float* mean, const float* rstd,
                                          int N, int C) {
  const int n = blockIdx.x * blockDim.x + threadIdx.x;
  if (n < N)
    el::layernorm_backward_row(dx + static_cast<long>(n) * C, dout + static_cast<long>(n) * C,
                               x + static_cast<long>(n) * C, w, mean[n], rstd[n], C);
}
__global__ void layernorm_bwd_cols_kernel(float* dw, float* db, const float* dout, const float* x,
                                          const float* mean, const float* rstd, int N, int C) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c < C) el::layernorm_param_grad_col(dw, db, dout, x, mean, rstd, N, C, c);
}

__global__ void sgd_kernel(float* p, float* buf, const float* g, std::size_t n, SgdHyper h) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) el::sgd(p + i, buf + i, g[i], h);
}
__global__ void adamw_kernel(float* p, float* m, float* v, const float* g, std::size_t n,
                             AdamWHyper h) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) el::adamw(p + i, m + i, v + i, g[i], h);
}

unsigned blocks_for(std::size_t n, unsigned threads) {
  return static_cast<unsigned>((n + threads - 1) / threads);
}

}  // namespace

void gemm_cuda(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int m, int n,
               int k) {
  if (m <= 0 || n <= 0) return;
  const dim3 grid(static_cast<unsigned>((n + kTile - 1) / kTile),
                  static_cast<unsigned>((m + kTile - 1) / kTile));
  VT_LAUNCH(gemm_kernel, grid, kThreads)(c, ldc, a, lda, b, ldb, m, n, k);
  cuda_check_last("gemm");
}

void transpose_cuda(float* out, const float* in, int rows, int cols) {
  if (rows <= 0 || cols <= 0) return;
  const dim3 grid(static_cast<unsigned>((cols + 31) / 32), static_cast<unsigned>((rows + 31) / 32));
  VT_LAUNCH(transpose_kernel, grid, dim3(32, 8))(out, in, rows, cols);
  cuda_check_last("transpose");
}

void linear_forward_cuda(float* out, const float* inp, const float* w, const float* bias, int B,
                         int C, int OC) {
  gemm_cuda(out, OC, inp, C, w, OC, B, OC, C);
  const std::size_t n =
      static_cast<std::size_t>(B > 0 ? B : 0) * static_cast<std::size_t>(OC > 0 ? OC : 0);
  if (n == 0) return;
  VT_LAUNCH(add_bias_kernel, blocks_for(n, 256), 256)(out, bias, B, OC);
  cuda_check_last("add_bias");
}

void linear_backward_cuda(float* dinp, float* dw, float* dbias, const float* dout, const float* inp,
                          const float* w, int B, int C, int OC, float* scratch) {
  if (dinp != nullptr) {
    transpose_cuda(scratch, w, C, OC);
    gemm_cuda(dinp, C, dout, OC, scratch, C, B, C, OC);
  }
  transpose_cuda(scratch, inp, B, C);
  gemm_cuda(dw, OC, scratch, B, dout, OC, C, OC, B);
  if (OC > 0) {
    VT_LAUNCH(column_sum_kernel, blocks_for(static_cast<std::size_t>(OC), 128), 128)
    (dbias, dout, B, OC);
    cuda_check_last("column_sum");
  }
}

#define VT_ELEMENTWISE(kernel, n, ...)                         \
  do {                                                         \
    if ((n) == 0) return;                                      \
    VT_LAUNCH(kernel, blocks_for((n), 256), 256)(__VA_ARGS__); \
    cuda_check_last(#kernel);                                  \
  } while (0)

void relu_forward_cuda(float* out, const float* inp, std::size_t n) {
  VT_ELEMENTWISE(relu_fwd_kernel, n, out, inp, n);
}
void relu_backward_cuda(float* dinp, const float* inp, const float* dout, std::size_t n) {
  VT_ELEMENTWISE(relu_bwd_kernel, n, dinp, inp, dout, n);
}
void gelu_forward_cuda(float* out, const float* inp, std::size_t n) {
  VT_ELEMENTWISE(gelu_fwd_kernel, n, out, inp, n);
}
void gelu_backward_cuda(float* dinp, const float* inp, const float* dout, std::size_t n) {
  VT_ELEMENTWISE(gelu_bwd_kernel, n, dinp, inp, dout, n);
}
void sgd_step_cuda(float* param, float* momentum_buf, const float* grad, std::size_t n,
                   const SgdHyper& h) {
  VT_ELEMENTWISE(sgd_kernel, n, param, momentum_buf, grad, n, h);
}
void adamw_step_cuda(float* param, float* m, float* v, const float* grad, std::size_t n,
                     const AdamWHyper& h) {
  VT_ELEMENTWISE(adamw_kernel, n, param, m, v, grad, n, h);
}

void softmax_xent_forward_cuda(float* probs, float* losses, float* mean_loss, const float* logits,
                               const std::int32_t* targets, int B, int V) {
  if (B > 0) {
    VT_LAUNCH(softmax_xent_fwd_kernel, blocks_for(static_cast<std::size_t>(B), 128), 128)
    (probs, losses, logits, targets, B, V);
    cuda_check_last("softmax_xent_fwd");
  }
  VT_LAUNCH(mean_kernel, 1, 1)(mean_loss, losses, B);
  cuda_check_last("mean");
}

void softmax_xent_backward_cuda(float* dlogits, const float* probs, const std::int32_t* targets,
                                int B, int V) {
  if (B <= 0) return;
  VT_LAUNCH(softmax_xent_bwd_kernel, blocks_for(static_cast<std::size_t>(B), 128), 128)
  (dlogits, probs, targets, B, V);
  cuda_check_last("softmax_xent_bwd");
}

void layernorm_forward_cuda(float* out, float* mean, float* rstd, const float* inp,
                            const float* weight, const float* bias, int N, int C, float eps) {
  if (N <= 0) return;
  VT_LAUNCH(layernorm_fwd_kernel, blocks_for(static_cast<std::size_t>(N), 128), 128)
  (out, mean, rstd, inp, weight, bias, N, C, eps);
  cuda_check_last("layernorm_fwd");
}

void layernorm_backward_cuda(float* dinp, float* dweight, float* dbias, const float* dout,
                             const float* inp, const float* weight, const float* mean,
                             const float* rstd, int N, int C) {
  if (N > 0) {
    VT_LAUNCH(layernorm_bwd_rows_kernel, blocks_for(static_cast<std::size_t>(N), 128), 128)
    (dinp, dout, inp, weight, mean, rstd, N, C);
    cuda_check_last("layernorm_bwd_rows");
  }
  if (C > 0) {
    VT_LAUNCH(layernorm_bwd_cols_kernel, blocks_for(static_cast<std::size_t>(C), 128), 128)
    (dweight, dbias, dout, inp, mean, rstd, N, C);
    cuda_check_last("layernorm_bwd_cols");
  }
}

}  // namespace vt::kernels
