// Backend on CUDA device 0 (see backend.h): cudaMalloc'ed buffers freed with the
// backend, ops from ops_cuda.h on the default stream, synchronous copies.
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "kernels/backend.h"
#include "kernels/ops_cuda.h"

namespace vt::kernels {

namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "CUDA error in %s: %s\n", what, cudaGetErrorString(e));
    std::abort();
  }
}

class CudaBackend final : public Backend {
 public:
  ~CudaBackend() override {
    for (void* p : allocs_) cudaFree(p);
  }
  std::string name() const override {
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, 0);
    return std::string("cuda (") + prop.name + ")";
  }
  float* alloc_f32(std::size_t n) override { return static_cast<float*>(alloc_bytes(n * 4)); }
  std::int32_t* alloc_i32(std::size_t n) override {
    return static_cast<std::int32_t*>(alloc_bytes(n * 4));
  }
  void upload(float* dst, const float* src, std::size_t n) override {
    if (n) check(cudaMemcpy(dst, src, n * 4, cudaMemcpyHostToDevice), "upload");
  }
  void upload_i32(std::int32_t* dst, const std::int32_t* src, std::size_t n) override {
    if (n) check(cudaMemcpy(dst, src, n * 4, cudaMemcpyHostToDevice), "upload");
  }
  void download(float* dst, const float* src, std::size_t n) override {
    if (n) check(cudaMemcpy(dst, src, n * 4, cudaMemcpyDeviceToHost), "download");
  }
  void linear_forward(float* out, const float* inp, const float* w, const float* bias, int B, int C,
                      int OC) override {
    linear_forward_cuda(out, inp, w, bias, B, C, OC);
  }
  void linear_backward(float* dinp, float* dw, float* dbias, const float* dout, const float* inp,
                       const float* w, int B, int C, int OC) override {
    const std::size_t need = linear_backward_scratch(B, C, OC);
    if (need > scratch_n_) {
      scratch_ = alloc_f32(need);
      scratch_n_ = need;
    }
    linear_backward_cuda(dinp, dw, dbias, dout, inp, w, B, C, OC, scratch_);
  }
  void relu_forward(float* out, const float* inp, std::size_t n) override {
    relu_forward_cuda(out, inp, n);
  }
  void relu_backward(float* dinp, const float* inp, const float* dout, std::size_t n) override {
    relu_backward_cuda(dinp, inp, dout, n);
  }
  void gelu_forward(float* out, const float* inp, std::size_t n) override {
    gelu_forward_cuda(out, inp, n);
  }
  void gelu_backward(float* dinp, const float* inp, const float* dout, std::size_t n) override {
    gelu_backward_cuda(dinp, inp, dout, n);
  }
  void softmax_xent_forward(float* probs, float* losses, float* mean_loss, const float* logits,
                            const std::int32_t* targets, int B, int V) override {
    softmax_xent_forward_cuda(probs, losses, mean_loss, logits, targets, B, V);
  }
  void softmax_xent_backward(float* dlogits, const float* probs, const std::int32_t* targets, int B,
                             int V) override {
    softmax_xent_backward_cuda(dlogits, probs, targets, B, V);
  }
  void sgd_step(float* param, float* buf, const float* grad, std::size_t n,
                const SgdHyper& h) override {
    sgd_step_cuda(param, buf, grad, n, h);
  }
  void adamw_step(float* param, float* m, float* v, const float* grad, std::size_t n,
                  const AdamWHyper& h) override {
    adamw_step_cuda(param, m, v, grad, n, h);
  }

 private:
  void* alloc_bytes(std::size_t bytes) {
    void* p = nullptr;
    check(cudaMalloc(&p, bytes ? bytes : 4), "cudaMalloc");
    check(cudaMemset(p, 0, bytes ? bytes : 4), "cudaMemset");
    allocs_.push_back(p);
    return p;
  }
  std::vector<void*> allocs_;
  float* scratch_ = nullptr;
  std::size_t scratch_n_ = 0;
};

}  // namespace

bool cuda_built() {
  return true;
}

Result<std::unique_ptr<Backend>> make_cuda_backend() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0)
    return Result<std::unique_ptr<Backend>>::failure(
        std::string("no CUDA device available: ") +
        (e != cudaSuccess ? cudaGetErrorString(e) : "0 devices"));
  check(cudaSetDevice(0), "cudaSetDevice");
  return Result<std::unique_ptr<Backend>>::success(std::make_unique<CudaBackend>());
}

}  // namespace vt::kernels
