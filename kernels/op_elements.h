// Per-element and per-row bodies of the ops, one source for the reference loops,
// the fast CPU ops and the CUDA kernels, so the arithmetic (and its order) is
// written exactly once. Pure functions over caller-owned memory.
#pragma once

#include <cstdint>

#include "kernels/element_math.h"
#include "kernels/ops.h"

namespace vt::kernels::el {

VT_HD void sgd(float* p, float* buf, float g, const SgdHyper& h) {
  const float gd = g + h.weight_decay * *p;
  const float b = h.momentum * *buf + gd;
  *buf = em::canon(b);
  *p = em::canon(*p - h.lr * b);
}

VT_HD void adamw(float* p, float* m, float* v, float g, const AdamWHyper& h) {
  const float pd = *p * h.decay_factor;
  const float mn = h.beta1 * *m + h.one_minus_beta1 * g;
  const float vn = h.beta2 * *v + h.one_minus_beta2 * (g * g);
  *m = em::canon(mn);
  *v = em::canon(vn);
  const float denom = em::div(em::sqrt(vn), h.bc2_sqrt) + h.eps;
  *p = em::canon(pd - h.step_size * em::div(mn, denom));
}

// One row of softmax + cross-entropy; returns the row's loss. The max ignores
// NaNs (a NaN then propagates through exp and the sum). A target outside [0,V)
// yields a NaN loss rather than an out-of-bounds read.
VT_HD float softmax_xent_row(float* probs, const float* logits, std::int32_t target, int V) {
  float mx = -em::kInf;
  for (int i = 0; i < V; ++i)
    if (logits[i] > mx) mx = logits[i];
  float sum = 0.0f;
  for (int i = 0; i < V; ++i) {
    const float e = em::exp(logits[i] - mx);
    probs[i] = e;
    sum = sum + e;
  }
  for (int i = 0; i < V; ++i) probs[i] = em::canon(em::div(probs[i], sum));
  if (target < 0 || target >= V) return em::from_bits(em::kCanonicalNaN);
  return em::canon(em::log(sum) - (logits[target] - mx));
}

// Element-wise bodies (NaN outputs canonical).
VT_HD float relu_fwd(float x) {
  return em::canon(em::relu(x));
}
VT_HD float relu_bwd(float x, float d) {
  return em::canon(em::relu_grad(x, d));
}
VT_HD float gelu_fwd(float x) {
  return em::canon(em::gelu(x));
}
VT_HD float gelu_bwd(float x, float d) {
  return em::canon(em::gelu_grad(x) * d);
}
VT_HD float mean_of(float sum, int n) {
  return em::canon(em::div(sum, static_cast<float>(n)));
}

VT_HD void softmax_xent_backward_row(float* dlogits, const float* probs, std::int32_t target, int V,
                                     float batch) {
  for (int i = 0; i < V; ++i) {
    const float ind = (i == target) ? 1.0f : 0.0f;
    dlogits[i] = em::canon(em::div(probs[i] - ind, batch));
  }
}

VT_HD void layernorm_row(float* out, float* mean_out, float* rstd_out, const float* x,
                         const float* w, const float* b, int C, float eps) {
  float s = 0.0f;
  for (int i = 0; i < C; ++i) s = s + x[i];
  const float cf = static_cast<float>(C);
  const float mean = em::div(s, cf);
  float v = 0.0f;
  for (int i = 0; i < C; ++i) {
    const float d = x[i] - mean;
    v = v + d * d;
  }
  const float var = em::div(v, cf);
  const float rstd = em::div(1.0f, em::sqrt(var + eps));
  for (int i = 0; i < C; ++i) out[i] = em::canon(((x[i] - mean) * rstd) * w[i] + b[i]);
  *mean_out = em::canon(mean);
  *rstd_out = em::canon(rstd);
}

VT_HD void layernorm_backward_row(float* dinp, const float* dout, const float* x, const float* w,
                                  float mean, float rstd, int C) {
  float a = 0.0f, bsum = 0.0f;
  for (int i = 0; i < C; ++i) {
    const float norm = (x[i] - mean) * rstd;
    const float dn = w[i] * dout[i];
    a = a + dn;
    bsum = bsum + dn * norm;
  }
  const float cf = static_cast<float>(C);
  const float dnorm_mean = em::div(a, cf);
  const float dnorm_norm_mean = em::div(bsum, cf);
  for (int i = 0; i < C; ++i) {
    const float norm = (x[i] - mean) * rstd;
    const float dn = w[i] * dout[i];
    dinp[i] = em::canon(((dn - dnorm_mean) - norm * dnorm_norm_mean) * rstd);
  }
}

// Column c of the layer-norm parameter gradients: sums over rows n ascending.
VT_HD void layernorm_param_grad_col(float* dw, float* db, const float* dout, const float* x,
                                    const float* mean, const float* rstd, int N, int C, int c) {
  float sw = 0.0f, sb = 0.0f;
  for (int n = 0; n < N; ++n) {
    const float d = dout[static_cast<long>(n) * C + c];
    const float norm = (x[static_cast<long>(n) * C + c] - mean[n]) * rstd[n];
    sw = sw + norm * d;
    sb = sb + d;
  }
  dw[c] = em::canon(sw);
  db[c] = em::canon(sb);
}

// Column o of the bias gradient: sum over the B rows ascending.
VT_HD float column_sum(const float* x, int rows, int cols, int col) {
  float s = 0.0f;
  for (int r = 0; r < rows; ++r) s = s + x[static_cast<long>(r) * cols + col];
  return em::canon(s);
}

// One output of a matmul: the canonical fma chain over k ascending from +0.
VT_HD float dot_chain(const float* a, long a_step, const float* b, long b_step, int k) {
  float acc = 0.0f;
  for (int i = 0; i < k; ++i) acc = em::fma(a[i * a_step], b[i * b_step], acc);
  return em::canon(acc);
}

}  // namespace vt::kernels::el
