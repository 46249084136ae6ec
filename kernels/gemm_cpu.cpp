// Fast CPU matmul with the canonical order of gemm_ref: each C(i,j) is one
// sequential fma chain over k ascending from +0, kept in a register for all of
// K. Vectorisation and threads go over independent outputs (i, j) only, so the
// micro-kernel width, the row blocking and the thread count never change a bit.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/element_math.h"
#include "kernels/ops.h"

namespace vt::kernels {

bool cpu_supports(GemmPath path) {
  switch (path) {
    case GemmPath::scalar:
      return true;
    case GemmPath::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GemmPath::avx512:
      return __builtin_cpu_supports("avx512f");
    case GemmPath::automatic:
      return true;
  }
  return false;
}

GemmPath resolve_gemm_path(GemmPath requested) {
  if (requested != GemmPath::automatic)
    return cpu_supports(requested) ? requested : GemmPath::scalar;
  if (cpu_supports(GemmPath::avx512)) return GemmPath::avx512;
  if (cpu_supports(GemmPath::avx2)) return GemmPath::avx2;
  return GemmPath::scalar;
}

namespace {

constexpr int kMR = 6;  // rows per micro-tile (all paths)

// bp[p][0..NR) = B[p][j0 .. j0+ncols), zero-padded to NR columns.
void pack_b(float* bp, int nr, const float* b, int ldb, int k, int j0, int ncols) {
  for (int p = 0; p < k; ++p) {
    const float* src = b + static_cast<long>(p) * ldb + j0;
    float* dst = bp + static_cast<long>(p) * nr;
    std::memcpy(dst, src, sizeof(float) * static_cast<std::size_t>(ncols));
    for (int j = ncols; j < nr; ++j) dst[j] = 0.0f;
  }
}

// ---- scalar: the portable path (std::fma per element) ----
template <int MR>
void micro_scalar(const float* a, int lda, const float* bp, int k, float* c, int ldc, int ncols) {
  constexpr int NR = 16;
  float acc[MR][NR] = {};
  for (int p = 0; p < k; ++p) {
    const float* brow = bp + static_cast<long>(p) * NR;
    for (int r = 0; r < MR; ++r) {
      const float av = a[static_cast<long>(r) * lda + p];
      for (int j = 0; j < NR; ++j) acc[r][j] = em::fma(av, brow[j], acc[r][j]);
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int j = 0; j < ncols; ++j) c[static_cast<long>(r) * ldc + j] = acc[r][j];
}

// ---- AVX2 + FMA: 6 x 16 tile, 12 ymm accumulators ----
template <int MR>
__attribute__((target("avx2,fma"))) void micro_avx2(const float* a, int lda, const float* bp, int k,
                                                    float* c, int ldc, int ncols) {
  __m256 acc0[MR], acc1[MR];
  for (int r = 0; r < MR; ++r) {
    acc0[r] = _mm256_setzero_ps();
    acc1[r] = _mm256_setzero_ps();
  }
  for (int p = 0; p < k; ++p) {
    const __m256 b0 = _mm256_loadu_ps(bp + static_cast<long>(p) * 16);
    const __m256 b1 = _mm256_loadu_ps(bp + static_cast<long>(p) * 16 + 8);
    for (int r = 0; r < MR; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + static_cast<long>(r) * lda + p);
      acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
      acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
    }
  }
  for (int r = 0; r < MR; ++r) {
    float* crow = c + static_cast<long>(r) * ldc;
    if (ncols == 16) {
      _mm256_storeu_ps(crow, acc0[r]);
      _mm256_storeu_ps(crow + 8, acc1[r]);
    } else {
      alignas(32) float tmp[16];
      _mm256_store_ps(tmp, acc0[r]);
      _mm256_store_ps(tmp + 8, acc1[r]);
      for (int j = 0; j < ncols; ++j) crow[j] = tmp[j];
    }
  }
}

// ---- AVX-512: 6 x 32 tile, 12 zmm accumulators, masked stores for the tail ----
template <int MR>
__attribute__((target("avx512f"))) void micro_avx512(const float* a, int lda, const float* bp,
                                                     int k, float* c, int ldc, int ncols) {
  __m512 acc0[MR], acc1[MR];
  for (int r = 0; r < MR; ++r) {
    acc0[r] = _mm512_setzero_ps();
    acc1[r] = _mm512_setzero_ps();
  }
  for (int p = 0; p < k; ++p) {
    const __m512 b0 = _mm512_loadu_ps(bp + static_cast<long>(p) * 32);
    const __m512 b1 = _mm512_loadu_ps(bp + static_cast<long>(p) * 32 + 16);
    for (int r = 0; r < MR; ++r) {
      const __m512 av = _mm512_set1_ps(a[static_cast<long>(r) * lda + p]);
      acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
      acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
    }
  }
  const __mmask16 m0 = ncols >= 16 ? __mmask16(0xffff) : __mmask16((1u << ncols) - 1u);
  const __mmask16 m1 = ncols >= 32
                           ? __mmask16(0xffff)
                           : (ncols <= 16 ? __mmask16(0) : __mmask16((1u << (ncols - 16)) - 1u));
  for (int r = 0; r < MR; ++r) {
    float* crow = c + static_cast<long>(r) * ldc;
    _mm512_mask_storeu_ps(crow, m0, acc0[r]);
    _mm512_mask_storeu_ps(crow + 16, m1, acc1[r]);
  }
}

using MicroFn = void (*)(const float*, int, const float*, int, float*, int, int);

MicroFn pick_micro(GemmPath path, int mr) {
  static const MicroFn scalar[kMR] = {micro_scalar<1>, micro_scalar<2>, micro_scalar<3>,
                                      micro_scalar<4>, micro_scalar<5>, micro_scalar<6>};
  static const MicroFn avx2[kMR] = {micro_avx2<1>, micro_avx2<2>, micro_avx2<3>,
                                    micro_avx2<4>, micro_avx2<5>, micro_avx2<6>};
  static const MicroFn avx512[kMR] = {micro_avx512<1>, micro_avx512<2>, micro_avx512<3>,
                                      micro_avx512<4>, micro_avx512<5>, micro_avx512<6>};
  switch (path) {
    case GemmPath::avx512:
      return avx512[mr - 1];
    case GemmPath::avx2:
      return avx2[mr - 1];
    default:
      return scalar[mr - 1];
  }
}

}  // namespace

void gemm_cpu(const CpuExec& ex, float* c, int ldc, const float* a, int lda, const float* b,
              int ldb, int m, int n, int k) {
  if (m <= 0 || n <= 0) return;
  const GemmPath path = resolve_gemm_path(ex.path);
  const int nr = path == GemmPath::avx512 ? 32 : 16;
  const int rb = std::max(kMR, (ex.row_block + kMR - 1) / kMR * kMR);
  const int panels = (n + nr - 1) / nr;
  const int row_blocks = (m + rb - 1) / rb;
  const std::size_t tasks = static_cast<std::size_t>(panels) * static_cast<std::size_t>(row_blocks);
  auto task = [&](std::size_t t) {
    const int jp = static_cast<int>(t / static_cast<std::size_t>(row_blocks));
    const int ib = static_cast<int>(t % static_cast<std::size_t>(row_blocks));
    const int j0 = jp * nr;
    const int ncols = std::min(nr, n - j0);
    thread_local std::vector<float> bp;
    bp.resize(static_cast<std::size_t>(std::max(k, 1)) * static_cast<std::size_t>(nr));
    pack_b(bp.data(), nr, b, ldb, k, j0, ncols);
    const int i_end = std::min(m, (ib + 1) * rb);
    for (int i = ib * rb; i < i_end; i += kMR) {
      const int mr = std::min(kMR, i_end - i);
      pick_micro(path, mr)(a + static_cast<long>(i) * lda, lda, bp.data(), k,
                           c + static_cast<long>(i) * ldc + j0, ldc, ncols);
    }
    // Canonical NaNs (see element_math.h): a cheap pass over this task's outputs.
    for (int i = ib * rb; i < i_end; ++i) {
      float* row = c + static_cast<long>(i) * ldc + j0;
      for (int j = 0; j < ncols; ++j) row[j] = em::canon(row[j]);
    }
  };
  if (ex.pool != nullptr)
    ex.pool->run(tasks, task);
  else
    for (std::size_t t = 0; t < tasks; ++t) task(t);
}

void transpose_cpu(const CpuExec& ex, float* out, const float* in, int rows, int cols) {
  // Blocks of 32 rows keep both sides cache friendly; a pure copy, so any split works.
  const int blocks = (rows + 31) / 32;
  auto task = [&](std::size_t t) {
    const int r0 = static_cast<int>(t) * 32, r1 = std::min(rows, r0 + 32);
    for (int c0 = 0; c0 < cols; c0 += 32) {
      const int c1 = std::min(cols, c0 + 32);
      for (int r = r0; r < r1; ++r)
        for (int cc = c0; cc < c1; ++cc)
          out[static_cast<long>(cc) * rows + r] = in[static_cast<long>(r) * cols + cc];
    }
  };
  if (ex.pool != nullptr)
    ex.pool->run(static_cast<std::size_t>(blocks), task);
  else
    for (int t = 0; t < blocks; ++t) task(static_cast<std::size_t>(t));
}

}  // namespace vt::kernels
