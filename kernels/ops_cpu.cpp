// Fast CPU ops: the same per-element / per-row bodies as ops_ref.cpp, split over
// threads by independent outputs; matmuls go to gemm_cpu.
#include <algorithm>

#include "kernels/op_elements.h"
#include "kernels/ops.h"

namespace vt::kernels {

namespace {

// Runs fn(begin, end) over [0, n) in chunks of `block`.
template <class Fn>
void for_chunks(const CpuExec& ex, std::size_t n, std::size_t block, Fn&& fn) {
  if (n == 0) return;
  block = std::max<std::size_t>(block, 1);
  const std::size_t tasks = (n + block - 1) / block;
  auto task = [&](std::size_t t) { fn(t * block, std::min(n, (t + 1) * block)); };
  if (ex.pool != nullptr && tasks > 1)
    ex.pool->run(tasks, task);
  else
    for (std::size_t t = 0; t < tasks; ++t) task(t);
}

std::size_t rows_per_task(const CpuExec& ex, int cols) {
  return std::max<std::size_t>(
      1, static_cast<std::size_t>(ex.elem_block) / static_cast<std::size_t>(std::max(cols, 1)));
}

}  // namespace

void linear_forward_cpu(const CpuExec& ex, float* out, const float* inp, const float* w,
                        const float* bias, int B, int C, int OC) {
  gemm_cpu(ex, out, OC, inp, C, w, OC, B, OC, C);
  for_chunks(ex, static_cast<std::size_t>(std::max(B, 0)), rows_per_task(ex, OC),
             [&](std::size_t b0, std::size_t b1) {
               for (std::size_t b = b0; b < b1; ++b) {
                 float* row = out + b * static_cast<std::size_t>(OC);
                 for (int o = 0; o < OC; ++o) row[o] = em::canon(row[o] + bias[o]);
               }
             });
}

std::size_t linear_backward_scratch(int B, int C, int OC) {
  return std::max(static_cast<std::size_t>(C) * static_cast<std::size_t>(B),
                  static_cast<std::size_t>(OC) * static_cast<std::size_t>(C));
}

void linear_backward_cpu(const CpuExec& ex, float* dinp, float* dw, float* dbias, const float* dout,
                         const float* inp, const float* w, int B, int C, int OC, float* scratch) {
  if (dinp != nullptr) {
    transpose_cpu(ex, scratch, w, C, OC);                   // wT[OC,C]
    gemm_cpu(ex, dinp, C, dout, OC, scratch, C, B, C, OC);  // dinp[B,C] = dout[B,OC] @ wT
  }
  transpose_cpu(ex, scratch, inp, B, C);                 // inpT[C,B]
  gemm_cpu(ex, dw, OC, scratch, B, dout, OC, C, OC, B);  // dw[C,OC] = inpT @ dout[B,OC]
  // dbias: per column a sequential sum over b; walking rows keeps it vectorisable
  // across columns without changing any column's order.
  for_chunks(
      ex, static_cast<std::size_t>(std::max(OC, 0)), 256, [&](std::size_t o0, std::size_t o1) {
        for (std::size_t o = o0; o < o1; ++o) dbias[o] = 0.0f;
        for (int b = 0; b < B; ++b) {
          const float* row = dout + static_cast<std::size_t>(b) * static_cast<std::size_t>(OC);
          for (std::size_t o = o0; o < o1; ++o) dbias[o] = dbias[o] + row[o];
        }
        for (std::size_t o = o0; o < o1; ++o) dbias[o] = em::canon(dbias[o]);
      });
}

void relu_forward_cpu(const CpuExec& ex, float* out, const float* inp, std::size_t n) {
  for_chunks(ex, n, static_cast<std::size_t>(ex.elem_block), [&](std::size_t i0, std::size_t i1) {
    for (std::size_t i = i0; i < i1; ++i) out[i] = el::relu_fwd(inp[i]);
  });
}
void relu_backward_cpu(const CpuExec& ex, float* dinp, const float* inp, const float* dout,
                       std::size_t n) {
  for_chunks(ex, n, static_cast<std::size_t>(ex.elem_block), [&](std::size_t i0, std::size_t i1) {
    for (std::size_t i = i0; i < i1; ++i) dinp[i] = el::relu_bwd(inp[i], dout[i]);
  });
}
void gelu_forward_cpu(const CpuExec& ex, float* out, const float* inp, std::size_t n) {
  for_chunks(ex, n, static_cast<std::size_t>(ex.elem_block), [&](std::size_t i0, std::size_t i1) {
    for (std::size_t i = i0; i < i1; ++i) out[i] = el::gelu_fwd(inp[i]);
  });
}
void gelu_backward_cpu(const CpuExec& ex, float* dinp, const float* inp, const float* dout,
                       std::size_t n) {
  for_chunks(ex, n, static_cast<std::size_t>(ex.elem_block), [&](std::size_t i0, std::size_t i1) {
    for (std::size_t i = i0; i < i1; ++i) dinp[i] = el::gelu_bwd(inp[i], dout[i]);
  });
}

void softmax_xent_forward_cpu(const CpuExec& ex, float* probs, float* losses, float* mean_loss,
                              const float* logits, const std::int32_t* targets, int B, int V) {
  for_chunks(ex, static_cast<std::size_t>(std::max(B, 0)), rows_per_task(ex, V),
             [&](std::size_t b0, std::size_t b1) {
               for (std::size_t b = b0; b < b1; ++b)
                 losses[b] =
                     el::softmax_xent_row(probs + b * static_cast<std::size_t>(V),
                                          logits + b * static_cast<std::size_t>(V), targets[b], V);
             });
  float s = 0.0f;  // the batch mean: one sequential chain, like the reference
  for (int b = 0; b < B; ++b) s = s + losses[b];
  *mean_loss = el::mean_of(s, B);
}

void softmax_xent_backward_cpu(const CpuExec& ex, float* dlogits, const float* probs,
                               const std::int32_t* targets, int B, int V) {
  for_chunks(ex, static_cast<std::size_t>(std::max(B, 0)), rows_per_task(ex, V),
             [&](std::size_t b0, std::size_t b1) {
               for (std::size_t b = b0; b < b1; ++b)
                 el::softmax_xent_backward_row(dlogits + b * static_cast<std::size_t>(V),
                                               probs + b * static_cast<std::size_t>(V), targets[b],
                                               V, static_cast<float>(B));
             });
}

void layernorm_forward_cpu(const CpuExec& ex, float* out, float* mean, float* rstd,
                           const float* inp, const float* weight, const float* bias, int N, int C,
                           float eps) {
  for_chunks(ex, static_cast<std::size_t>(std::max(N, 0)), rows_per_task(ex, C),
             [&](std::size_t n0, std::size_t n1) {
               for (std::size_t n = n0; n < n1; ++n)
                 el::layernorm_row(out + n * static_cast<std::size_t>(C), mean + n, rstd + n,
                                   inp + n * static_cast<std::size_t>(C), weight, bias, C, eps);
             });
}

void layernorm_backward_cpu(const CpuExec& ex, float* dinp, float* dweight, float* dbias,
                            const float* dout, const float* inp, const float* weight,
                            const float* mean, const float* rstd, int N, int C) {
  for_chunks(ex, static_cast<std::size_t>(std::max(N, 0)), rows_per_task(ex, C),
             [&](std::size_t n0, std::size_t n1) {
               for (std::size_t n = n0; n < n1; ++n)
                 el::layernorm_backward_row(
                     dinp + n * static_cast<std::size_t>(C), dout + n * static_cast<std::size_t>(C),
                     inp + n * static_cast<std::size_t>(C), weight, mean[n], rstd[n], C);
             });
  for_chunks(ex, static_cast<std::size_t>(std::max(C, 0)), 64, [&](std::size_t c0, std::size_t c1) {
    for (std::size_t c = c0; c < c1; ++c)
      el::layernorm_param_grad_col(dweight, dbias, dout, inp, mean, rstd, N, C,
                                   static_cast<int>(c));
  });
}

void sgd_step_cpu(const CpuExec& ex, float* param, float* momentum_buf, const float* grad,
                  std::size_t n, const SgdHyper& h) {
  for_chunks(ex, n, static_cast<std::size_t>(ex.elem_block), [&](std::size_t i0, std::size_t i1) {
    for (std::size_t i = i0; i < i1; ++i) el::sgd(param + i, momentum_buf + i, grad[i], h);
  });
}

void adamw_step_cpu(const CpuExec& ex, float* param, float* m, float* v, const float* grad,
                    std::size_t n, const AdamWHyper& h) {
  for_chunks(ex, n, static_cast<std::size_t>(ex.elem_block), [&](std::size_t i0, std::size_t i1) {
    for (std::size_t i = i0; i < i1; ++i) el::adamw(param + i, m + i, v + i, grad[i], h);
  });
}

}  // namespace vt::kernels
