// CUDA twins of the ops in ops.h: same arguments (minus the CpuExec), pointers are
// device memory, work is queued on the default stream and the call returns after
// launch. The arithmetic is the same source (op_elements.h) in the same order, so
// results equal the CPU's bit for bit. Only available when VT_HAVE_CUDA is defined.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/ops.h"

namespace vt::kernels {

void gemm_cuda(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int m, int n,
               int k);
void transpose_cuda(float* out, const float* in, int rows, int cols);
void linear_forward_cuda(float* out, const float* inp, const float* w, const float* bias, int B,
                         int C, int OC);
// scratch: device buffer of linear_backward_scratch(B, C, OC) floats.
void linear_backward_cuda(float* dinp, float* dw, float* dbias, const float* dout, const float* inp,
                          const float* w, int B, int C, int OC, float* scratch);
void relu_forward_cuda(float* out, const float* inp, std::size_t n);
void relu_backward_cuda(float* dinp, const float* inp, const float* dout, std::size_t n);
void gelu_forward_cuda(float* out, const float* inp, std::size_t n);
void gelu_backward_cuda(float* dinp, const float* inp, const float* dout, std::size_t n);
void softmax_xent_forward_cuda(float* probs, float* losses, float* mean_loss, const float* logits,
                               const std::int32_t* targets, int B, int V);
void softmax_xent_backward_cuda(float* dlogits, const float* probs, const std::int32_t* targets,
                                int B, int V);
void layernorm_forward_cuda(float* out, float* mean, float* rstd, const float* inp,
                            const float* weight, const float* bias, int N, int C, float eps);
void layernorm_backward_cuda(float* dinp, float* dweight, float* dbias, const float* dout,
                             const float* inp, const float* weight, const float* mean,
                             const float* rstd, int N, int C);
void sgd_step_cuda(float* param, float* momentum_buf, const float* grad, std::size_t n,
                   const SgdHyper& h);
void adamw_step_cuda(float* param, float* m, float* v, const float* grad, std::size_t n,
                     const AdamWHyper& h);

// Aborts with the CUDA error text if the last launch or call failed (internal bug
// or device failure; not a user error).
void cuda_check_last(const char* what);

}  // namespace vt::kernels
