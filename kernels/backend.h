// Device abstraction for the trainer: memory plus the ops of ops.h on either the
// CPU (the *_cpu twins over a thread pool) or CUDA (the *_cuda twins). Buffers
// are owned by the backend and live as long as it does. One thread drives a
// backend at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "kernels/ops.h"
#include "kernels/result.h"

namespace vt::kernels {

enum class Device { cpu, cuda };

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  virtual float* alloc_f32(std::size_t n) = 0;  // zero-filled
  virtual std::int32_t* alloc_i32(std::size_t n) = 0;
  virtual void upload(float* dst, const float* src, std::size_t n) = 0;
  virtual void upload_i32(std::int32_t* dst, const std::int32_t* src, std::size_t n) = 0;
  virtual void download(float* dst, const float* src, std::size_t n) = 0;

  virtual void linear_forward(float* out, const float* inp, const float* w, const float* bias,
                              int B, int C, int OC) = 0;
  virtual void linear_backward(float* dinp, float* dw, float* dbias, const float* dout,
                               const float* inp, const float* w, int B, int C, int OC) = 0;
  virtual void relu_forward(float* out, const float* inp, std::size_t n) = 0;
  virtual void relu_backward(float* dinp, const float* inp, const float* dout, std::size_t n) = 0;
  virtual void gelu_forward(float* out, const float* inp, std::size_t n) = 0;
  virtual void gelu_backward(float* dinp, const float* inp, const float* dout, std::size_t n) = 0;
  // mean_loss is a device pointer to one float.
  virtual void softmax_xent_forward(float* probs, float* losses, float* mean_loss,
                                    const float* logits, const std::int32_t* targets, int B,
                                    int V) = 0;
  virtual void softmax_xent_backward(float* dlogits, const float* probs,
                                     const std::int32_t* targets, int B, int V) = 0;
  virtual void sgd_step(float* param, float* buf, const float* grad, std::size_t n,
                        const SgdHyper& h) = 0;
  virtual void adamw_step(float* param, float* m, float* v, const float* grad, std::size_t n,
                          const AdamWHyper& h) = 0;
};

// CPU backend over `threads` threads (>= 1) with the given matmul path.
std::unique_ptr<Backend> make_cpu_backend(int threads, GemmPath path = GemmPath::automatic,
                                          int row_block = 48);
// CUDA backend on device 0; fails with a reason when CUDA was not built or no GPU is present.
Result<std::unique_ptr<Backend>> make_cuda_backend();
bool cuda_built();

}  // namespace vt::kernels
