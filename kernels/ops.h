// fp32 training ops, forward and backward, in three twins with one contract:
// *_ref (plain loops, the definition), *_cpu (tiled, vectorised, threaded) and
// *_cuda (device pointers, default stream; ops_cuda.h). For the same inputs all
// three write the same bits (compared with memcmp), NaN/Inf/subnormals included.
// Callers own all buffers; ops never allocate persistent state. Thread safe as
// long as different calls write different buffers.
//
// Reduction order, the one rule behind equality: every sum is a sequential chain
// over its reduction index in ascending order starting from +0.0f; matrix
// products use fma(a, b, acc) for each term, other sums use plain adds. Work is
// split only over independent outputs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/parallel.h"

namespace vt::kernels {

// Which matmul micro-kernel the CPU path uses; every choice gives the same bits.
enum class GemmPath { automatic, scalar, avx2, avx512 };

// CPU execution context: a pool and the tiling knobs (exposed so tests can prove
// that no choice changes a bit).
struct CpuExec {
  ThreadPool* pool = nullptr;  // nullptr = run on the calling thread
  GemmPath path = GemmPath::automatic;
  int row_block = 48;      // rows of C per task (rounded to the micro-tile)
  int elem_block = 16384;  // elements per task for element-wise ops
};

GemmPath resolve_gemm_path(GemmPath requested);  // automatic -> best the CPU supports
bool cpu_supports(GemmPath path);

// Optimiser hyper-parameters, all derived on the host once per step so that the
// device never recomputes a scalar differently.
struct SgdHyper {
  float lr = 0.0f;
  float momentum = 0.0f;
  float weight_decay = 0.0f;  // L2 added to the gradient (torch.optim.SGD semantics)
};
struct AdamWHyper {
  float lr = 0.0f;
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, weight_decay = 0.0f;
  float one_minus_beta1 = 0.1f, one_minus_beta2 = 0.001f;  // rounded from double, as torch
  // Per step t (1-based), from adamw_hyper_for_step():
  float decay_factor = 1.0f;  // 1 - lr*weight_decay
  float step_size = 0.0f;     // lr / (1 - beta1^t)
  float bc2_sqrt = 1.0f;      // sqrt(1 - beta2^t)
};
// beta^t by exponentiation by squaring (a fixed sequence of IEEE multiplies).
double powi(double base, std::uint64_t exp);
// The per-step scalars, derived on the host in IEEE double (like torch.optim's
// Python arithmetic) from the spec's decimals, then rounded once to float.
AdamWHyper adamw_hyper_for_step(double lr, double beta1, double beta2, double eps,
                                double weight_decay, std::uint64_t t);

// ---- matmul: C[M,N] = A[M,K] @ B[K,N], row-major with leading dimensions. ----
void gemm_ref(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int m, int n,
              int k);
void gemm_cpu(const CpuExec& ex, float* c, int ldc, const float* a, int lda, const float* b,
              int ldb, int m, int n, int k);
// out[cols,rows] = in[rows,cols]^T (a copy, no arithmetic)
void transpose_ref(float* out, const float* in, int rows, int cols);
void transpose_cpu(const CpuExec& ex, float* out, const float* in, int rows, int cols);

// ---- linear: out[B,OC] = inp[B,C] @ w[C,OC] + bias[OC] (bias added after the chain) ----
void linear_forward_ref(float* out, const float* inp, const float* w, const float* bias, int B,
                        int C, int OC);
void linear_forward_cpu(const CpuExec& ex, float* out, const float* inp, const float* w,
                        const float* bias, int B, int C, int OC);
// dinp[B,C] = dout @ w^T (skipped when dinp is null), dw[C,OC] = inp^T @ dout,
// dbias[OC] = sum over B of dout. Gradients are overwritten, not accumulated.
// scratch (cpu only) holds max(C*B, OC*C) floats for the transposes.
void linear_backward_ref(float* dinp, float* dw, float* dbias, const float* dout, const float* inp,
                         const float* w, int B, int C, int OC);
void linear_backward_cpu(const CpuExec& ex, float* dinp, float* dw, float* dbias, const float* dout,
                         const float* inp, const float* w, int B, int C, int OC, float* scratch);
std::size_t linear_backward_scratch(int B, int C, int OC);

// ---- activations, element-wise over n values ----
void relu_forward_ref(float* out, const float* inp, std::size_t n);
void relu_forward_cpu(const CpuExec& ex, float* out, const float* inp, std::size_t n);
void relu_backward_ref(float* dinp, const float* inp, const float* dout, std::size_t n);
void relu_backward_cpu(const CpuExec& ex, float* dinp, const float* inp, const float* dout,
                       std::size_t n);
void gelu_forward_ref(float* out, const float* inp, std::size_t n);
void gelu_forward_cpu(const CpuExec& ex, float* out, const float* inp, std::size_t n);
void gelu_backward_ref(float* dinp, const float* inp, const float* dout, std::size_t n);
void gelu_backward_cpu(const CpuExec& ex, float* dinp, const float* inp, const float* dout,
                       std::size_t n);

// ---- softmax + cross-entropy over logits[B,V], targets[B] in [0,V) ----
// probs[B,V] = softmax(logits); losses[B] = -log probs[b,target[b]] computed as
// log(sum) - (logit - max); *mean_loss = (sum over b of losses) / B.
void softmax_xent_forward_ref(float* probs, float* losses, float* mean_loss, const float* logits,
                              const std::int32_t* targets, int B, int V);
void softmax_xent_forward_cpu(const CpuExec& ex, float* probs, float* losses, float* mean_loss,
                              const float* logits, const std::int32_t* targets, int B, int V);
// dlogits[B,V] = (probs - onehot(target)) / B   (gradient of the mean loss)
void softmax_xent_backward_ref(float* dlogits, const float* probs, const std::int32_t* targets,
                               int B, int V);
void softmax_xent_backward_cpu(const CpuExec& ex, float* dlogits, const float* probs,
                               const std::int32_t* targets, int B, int V);

// ---- layer norm over rows: inp[N,C], weight[C], bias[C], mean[N], rstd[N] ----
// mean = sum/C, var = sum((x-mean)^2)/C, rstd = 1/sqrt(var+eps), out = (x-mean)*rstd*w + b
void layernorm_forward_ref(float* out, float* mean, float* rstd, const float* inp,
                           const float* weight, const float* bias, int N, int C, float eps);
void layernorm_forward_cpu(const CpuExec& ex, float* out, float* mean, float* rstd,
                           const float* inp, const float* weight, const float* bias, int N, int C,
                           float eps);
// dinp[N,C] overwritten; dweight[C], dbias[C] = sums over the N rows (ascending).
void layernorm_backward_ref(float* dinp, float* dweight, float* dbias, const float* dout,
                            const float* inp, const float* weight, const float* mean,
                            const float* rstd, int N, int C);
void layernorm_backward_cpu(const CpuExec& ex, float* dinp, float* dweight, float* dbias,
                            const float* dout, const float* inp, const float* weight,
                            const float* mean, const float* rstd, int N, int C);

// ---- optimisers, element-wise over n parameters (torch.optim semantics) ----
// SGD: g' = g + wd*p; buf = momentum*buf + g'; p = p - lr*buf   (buf starts at 0)
void sgd_step_ref(float* param, float* momentum_buf, const float* grad, std::size_t n,
                  const SgdHyper& h);
void sgd_step_cpu(const CpuExec& ex, float* param, float* momentum_buf, const float* grad,
                  std::size_t n, const SgdHyper& h);
// AdamW: p = p*decay_factor; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g;
//        p = p - step_size * (m / (sqrt(v)/bc2_sqrt + eps))   (1-b as one_minus_beta*)
void adamw_step_ref(float* param, float* m, float* v, const float* grad, std::size_t n,
                    const AdamWHyper& h);
void adamw_step_cpu(const CpuExec& ex, float* param, float* m, float* v, const float* grad,
                    std::size_t n, const AdamWHyper& h);

}  // namespace vt::kernels
