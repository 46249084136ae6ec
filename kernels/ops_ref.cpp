// Reference loops: the definition of every op's result, written for clarity.
#include <cmath>

#include "kernels/op_elements.h"
#include "kernels/ops.h"

namespace vt::kernels {

double powi(double base, std::uint64_t exp) {
  double result = 1.0;
  double b = base;
  while (exp != 0) {
    if (exp & 1u) result = result * b;
    exp >>= 1;
    if (exp != 0) b = b * b;
  }
  return result;
}

AdamWHyper adamw_hyper_for_step(double lr, double beta1, double beta2, double eps,
                                double weight_decay, std::uint64_t t) {
  AdamWHyper h;
  h.lr = static_cast<float>(lr);
  h.beta1 = static_cast<float>(beta1);
  h.beta2 = static_cast<float>(beta2);
  h.eps = static_cast<float>(eps);
  h.weight_decay = static_cast<float>(weight_decay);
  h.one_minus_beta1 = static_cast<float>(1.0 - beta1);
  h.one_minus_beta2 = static_cast<float>(1.0 - beta2);
  h.decay_factor = static_cast<float>(1.0 - lr * weight_decay);
  h.step_size = static_cast<float>(lr / (1.0 - powi(beta1, t)));
  h.bc2_sqrt = static_cast<float>(std::sqrt(1.0 - powi(beta2, t)));
  return h;
}

void gemm_ref(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int m, int n,
              int k) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (int p = 0; p < k; ++p)
        acc = em::fma(a[static_cast<long>(i) * lda + p], b[static_cast<long>(p) * ldb + j], acc);
      c[static_cast<long>(i) * ldc + j] = em::canon(acc);
    }
}

void transpose_ref(float* out, const float* in, int rows, int cols) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      out[static_cast<long>(c) * rows + r] = in[static_cast<long>(r) * cols + c];
}

void linear_forward_ref(float* out, const float* inp, const float* w, const float* bias, int B,
                        int C, int OC) {
  for (int b = 0; b < B; ++b)
    for (int o = 0; o < OC; ++o) {
      float acc = 0.0f;
      for (int c = 0; c < C; ++c)
        acc = em::fma(inp[static_cast<long>(b) * C + c], w[static_cast<long>(c) * OC + o], acc);
      out[static_cast<long>(b) * OC + o] = em::canon(em::canon(acc) + bias[o]);
    }
}

void linear_backward_ref(float* dinp, float* dw, float* dbias, const float* dout, const float* inp,
                         const float* w, int B, int C, int OC) {
  if (dinp != nullptr)
    for (int b = 0; b < B; ++b)
      for (int c = 0; c < C; ++c) {
        float acc = 0.0f;
        for (int o = 0; o < OC; ++o)
          acc = em::fma(dout[static_cast<long>(b) * OC + o], w[static_cast<long>(c) * OC + o], acc);
        dinp[static_cast<long>(b) * C + c] = em::canon(acc);
      }
  for (int c = 0; c < C; ++c)
    for (int o = 0; o < OC; ++o) {
      float acc = 0.0f;
      for (int b = 0; b < B; ++b)
        acc = em::fma(inp[static_cast<long>(b) * C + c], dout[static_cast<long>(b) * OC + o], acc);
      dw[static_cast<long>(c) * OC + o] = em::canon(acc);
    }
  for (int o = 0; o < OC; ++o) {
    float s = 0.0f;
    for (int b = 0; b < B; ++b) s = s + dout[static_cast<long>(b) * OC + o];
    dbias[o] = em::canon(s);
  }
}

void relu_forward_ref(float* out, const float* inp, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = el::relu_fwd(inp[i]);
}
void relu_backward_ref(float* dinp, const float* inp, const float* dout, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dinp[i] = el::relu_bwd(inp[i], dout[i]);
}
void gelu_forward_ref(float* out, const float* inp, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = el::gelu_fwd(inp[i]);
}
void gelu_backward_ref(float* dinp, const float* inp, const float* dout, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dinp[i] = el::gelu_bwd(inp[i], dout[i]);
}

void softmax_xent_forward_ref(float* probs, float* losses, float* mean_loss, const float* logits,
                              const std::int32_t* targets, int B, int V) {
  float s = 0.0f;
  for (int b = 0; b < B; ++b) {
    losses[b] = el::softmax_xent_row(probs + static_cast<long>(b) * V,
                                     logits + static_cast<long>(b) * V, targets[b], V);
    s = s + losses[b];
  }
  *mean_loss = el::mean_of(s, B);
}

void softmax_xent_backward_ref(float* dlogits, const float* probs, const std::int32_t* targets,
                               int B, int V) {
  for (int b = 0; b < B; ++b)
    el::softmax_xent_backward_row(dlogits + static_cast<long>(b) * V,
                                  probs + static_cast<long>(b) * V, targets[b], V,
                                  static_cast<float>(B));
}

void layernorm_forward_ref(float* out, float* mean, float* rstd, const float* inp,
                           const float* weight, const float* bias, int N, int C, float eps) {
  for (int n = 0; n < N; ++n)
    el::layernorm_row(out + static_cast<long>(n) * C, mean + n, rstd + n,
                      inp + static_cast<long>(n) * C, weight, bias, C, eps);
}

void layernorm_backward_ref(float* dinp, float* dweight, float* dbias, const float* dout,
                            const float* inp, const float* weight, const float* mean,
                            const float* rstd, int N, int C) {
  for (int n = 0; n < N; ++n)
    el::layernorm_backward_row(dinp + static_cast<long>(n) * C, dout + static_cast<long>(n) * C,
                               inp + static_cast<long>(n) * C, weight, mean[n], rstd[n], C);
  for (int c = 0; c < C; ++c)
    el::layernorm_param_grad_col(dweight, dbias, dout, inp, mean, rstd, N, C, c);
}

void sgd_step_ref(float* param, float* momentum_buf, const float* grad, std::size_t n,
                  const SgdHyper& h) {
  for (std::size_t i = 0; i < n; ++i) el::sgd(param + i, momentum_buf + i, grad[i], h);
}

void adamw_step_ref(float* param, float* m, float* v, const float* grad, std::size_t n,
                    const AdamWHyper& h) {
  for (std::size_t i = 0; i < n; ++i) el::adamw(param + i, m + i, v + i, grad[i], h);
}

}  // namespace vt::kernels
