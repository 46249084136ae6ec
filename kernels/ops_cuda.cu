// CUDA kernels for ops_cuda.h. Rules (docs/kernels.md): one thread owns each
// output and runs its reduction as the same sequential chain the CPU runs; no
// atomics, no tensor cores, no cuBLAS; built with --fmad=false, explicit
// __fmaf_rn (em::fma), IEEE division and sqrt, no flush-to-zero.
#include <cuda_runtime.h>

#include <cstdint>
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

// Full unrolling for nvcc (the emulation's C++ compiler would warn on the pragma).
#if defined(__CUDACC__)
#define VT_UNROLL _Pragma("unroll")
#else
#define VT_UNROLL
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

constexpr int kThreads = 256;

// dst[0..3] = the 16-byte word M[row][col..col + 3] of a row-major matrix, or
// zeros where it lies outside the matrix.
__device__ __forceinline__ void load_word(float* dst, const float* M, int ld, int row, int col,
                                          bool inside) {
  const float4 v = inside ? *reinterpret_cast<const float4*>(M + static_cast<long>(row) * ld + col)
                          : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
  dst[0] = v.x, dst[1] = v.y, dst[2] = v.z, dst[3] = v.w;
}

// gemm: C[m x n] = A[m x k] B[k x n], row-major with leading dimensions. A block
// of 256 threads computes a BM x BN tile of C, each thread a TM x TN patch of 4 x 4
// chunks spaced BM / (TM / 4) rows and BN / (TN / 4) columns apart, so that a
// warp's shared-memory reads are whole 16-byte words without bank conflicts. K is
// staged BK deep in two shared buffers: the next slice's global loads are in
// flight while the current slice's FMAs run, with one barrier per slice. VEC reads
// global memory in 16-byte words (gemm_cuda checks alignment, and that k and n are
// multiples of 4, so a word lies wholly inside or wholly outside the matrix).
// Every output is fma in ascending k from +0, the CPU's chain, whatever the
// tiling: which instance runs is only a question of speed.
template <int BM, int BN, int BK, int TM, int TN, bool VEC>
struct GemmSlice {  // one thread's share of a K slice, on its way to shared memory
  static_assert((BM / TM) * (BN / TN) == kThreads && TM % 4 == 0 && TN % 4 == 0);
  static constexpr int kPad = 4;  // as rows stay 16-byte aligned; A's stores spread over the banks
  static constexpr int kA = BM * BK / kThreads, kB = BK * BN / kThreads;
  static_assert(!VEC || (kA % 4 == 0 && kB % 4 == 0 && BK % 4 == 0));
  float a[kA], b[kB];

  // A[row0.., k0..k0 + BK) and B[k0..k0 + BK, col0..): consecutive threads walk k
  // in A and columns in B, so both loads coalesce; zeros outside the matrices.
  __device__ __forceinline__ void load(const float* A, int lda, const float* B, int ldb, int m,
                                       int n, int k, int row0, int col0, int k0) {
    const int t = threadIdx.x;
    if constexpr (VEC) {
      for (int i = 0; i < kA / 4; ++i) {
        const int idx = t + kThreads * i, gr = row0 + idx / (BK / 4), gk = k0 + idx % (BK / 4) * 4;
        load_word(a + 4 * i, A, lda, gr, gk, gr < m && gk < k);
      }
      for (int i = 0; i < kB / 4; ++i) {
        const int idx = t + kThreads * i, gk = k0 + idx / (BN / 4), gc = col0 + idx % (BN / 4) * 4;
        load_word(b + 4 * i, B, ldb, gk, gc, gk < k && gc < n);
      }
    } else {
      for (int i = 0; i < kA; ++i) {
        const int idx = t + kThreads * i, gr = row0 + idx / BK, gk = k0 + idx % BK;
        a[i] = (gr < m && gk < k) ? A[static_cast<long>(gr) * lda + gk] : 0.0f;
      }
      for (int i = 0; i < kB; ++i) {
        const int idx = t + kThreads * i, gk = k0 + idx / BN, gc = col0 + idx % BN;
        b[i] = (gk < k && gc < n) ? B[static_cast<long>(gk) * ldb + gc] : 0.0f;
      }
    }
  }

  // as[kk][row] (A transposed, so a step reads a column of the tile as words) and bs[kk][col].
  __device__ __forceinline__ void store(float (&as)[BK][BM + kPad], float (&bs)[BK][BN]) const {
    const int t = threadIdx.x;
    constexpr int w = VEC ? 4 : 1;  // consecutive values per staged word
    for (int i = 0; i < kA / w; ++i) {
      const int idx = t + kThreads * i, r = idx / (BK / w), kk = idx % (BK / w) * w;
      for (int q = 0; q < w; ++q) as[kk + q][r] = a[w * i + q];
    }
    for (int i = 0; i < kB / w; ++i) {
      const int idx = t + kThreads * i, kb = idx / (BN / w), cc = idx % (BN / w) * w;
      for (int q = 0; q < w; ++q) bs[kb][cc + q] = b[w * i + q];
    }
  }
};

// One k of the thread's patch: acc[i][j] = fma(A[row i][k], B[k][col j], acc[i][j]).
template <int BM, int BN, int TM, int TN>
__device__ __forceinline__ void gemm_step(float (&acc)[TM][TN], const float* as_k,
                                          const float* bs_k, int rb, int cb) {
  float av[TM], bv[TN];
  for (int i = 0; i < TM; ++i) av[i] = as_k[i / 4 * (BM / (TM / 4)) + rb + i % 4];
  for (int j = 0; j < TN; ++j) bv[j] = bs_k[j / 4 * (BN / (TN / 4)) + cb + j % 4];
  for (int i = 0; i < TM; ++i)
    for (int j = 0; j < TN; ++j) acc[i][j] = em::fma(av[i], bv[j], acc[i][j]);
}

template <int BM, int BN, int BK, int TM, int TN, bool VEC>
__global__ void __launch_bounds__(kThreads, 2)
    gemm_kernel(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int m, int n,
                int k) {
  using Slice = GemmSlice<BM, BN, BK, TM, TN, VEC>;
  __shared__ __align__(16) float as[2][BK][BM + Slice::kPad];  // as[buf][kk][row]
  __shared__ __align__(16) float bs[2][BK][BN];                // bs[buf][kk][col]
  const int rb = threadIdx.x / (BN / TN) * 4, cb = threadIdx.x % (BN / TN) * 4;
  const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
  float acc[TM][TN];
  for (int i = 0; i < TM; ++i)
    for (int j = 0; j < TN; ++j) acc[i][j] = 0.0f;
  Slice next;
  const int slices = (k + BK - 1) / BK;
  if (slices > 0) {
    next.load(a, lda, b, ldb, m, n, k, row0, col0, 0);
    next.store(as[0], bs[0]);
  }
  __syncthreads();
  for (int s = 0; s < slices; ++s) {
    const int cur = s & 1, k0 = s * BK, kn = min(BK, k - k0);
    if (s + 1 < slices) next.load(a, lda, b, ldb, m, n, k, row0, col0, k0 + BK);
    // Only the kn real k of the last slice: fma(0, 0, -0) is +0, so padded
    // zeros would turn an output whose products all underflowed to -0 into +0.
    // A full slice has a constant trip count, so the compiler unrolls it.
    if (kn == BK) {
      VT_UNROLL for (int kk = 0; kk < BK; ++kk)
          gemm_step<BM, BN>(acc, as[cur][kk], bs[cur][kk], rb, cb);
    } else {
      for (int kk = 0; kk < kn; ++kk) gemm_step<BM, BN>(acc, as[cur][kk], bs[cur][kk], rb, cb);
    }
    if (s + 1 < slices) next.store(as[cur ^ 1], bs[cur ^ 1]);
    __syncthreads();
  }
  for (int i = 0; i < TM; ++i) {
    const int r = row0 + i / 4 * (BM / (TM / 4)) + rb + i % 4;
    if (r >= m) continue;
    for (int j = 0; j < TN; ++j) {
      const int cc = col0 + j / 4 * (BN / (TN / 4)) + cb + j % 4;
      if (cc < n) c[static_cast<long>(r) * ldc + cc] = em::canon(acc[i][j]);
    }
  }
}

template <int BM, int BN, int BK, int TM, int TN>
void launch_gemm(bool vec, float* c, int ldc, const float* a, int lda, const float* b, int ldb,
                 int m, int n, int k) {
  const dim3 grid(static_cast<unsigned>((n + BN - 1) / BN),
                  static_cast<unsigned>((m + BM - 1) / BM));
  auto* kernel =
      vec ? &gemm_kernel<BM, BN, BK, TM, TN, true> : &gemm_kernel<BM, BN, BK, TM, TN, false>;
  VT_LAUNCH(kernel, grid, kThreads)(c, ldc, a, lda, b, ldb, m, n, k);
}

// 128 x 128 tiles (8 x 8 per thread) once there are enough of them to fill the
// GPU (about one per multiprocessor); 64 x 64 tiles (4 x 4 per thread, 16 deep)
// below that, where more blocks beat more work per block. Measured on an H200:
// docs/performance.md.
constexpr long kBigTileMinCount = 128;

bool aligned16(const float* p) {
  return reinterpret_cast<std::uintptr_t>(p) % 16 == 0;
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
  const bool vec =
      aligned16(a) && aligned16(b) && lda % 4 == 0 && ldb % 4 == 0 && k % 4 == 0 && n % 4 == 0;
  const long big_tiles = static_cast<long>((n + 127) / 128) * ((m + 127) / 128);
  if (big_tiles >= kBigTileMinCount) {
    launch_gemm<128, 128, 8, 8, 8>(vec, c, ldc, a, lda, b, ldb, m, n, k);
  } else {
    launch_gemm<64, 64, 16, 4, 4>(vec, c, ldc, a, lda, b, ldb, m, n, k);
  }
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
