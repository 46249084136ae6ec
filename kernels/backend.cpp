#include "kernels/backend.h"

#include <cstring>
#include <vector>

namespace vt::kernels {

namespace {

class CpuBackend final : public Backend {
 public:
  CpuBackend(int threads, GemmPath path, int row_block) : pool_(threads) {
    ex_.pool = &pool_;
    ex_.path = path;
    ex_.row_block = row_block;
  }
  std::string name() const override {
    const char* p = "scalar";
    switch (resolve_gemm_path(ex_.path)) {
      case GemmPath::avx512:
        p = "avx512";
        break;
      case GemmPath::avx2:
        p = "avx2";
        break;
      default:
        break;
    }
    return "cpu (" + std::to_string(pool_.size()) + " threads, " + p + ")";
  }
  float* alloc_f32(std::size_t n) override {
    f32_.emplace_back(n, 0.0f);
    return f32_.back().data();
  }
  std::int32_t* alloc_i32(std::size_t n) override {
    i32_.emplace_back(n, 0);
    return i32_.back().data();
  }
  void upload(float* dst, const float* src, std::size_t n) override { copy(dst, src, n * 4); }
  void upload_i32(std::int32_t* dst, const std::int32_t* src, std::size_t n) override {
    copy(dst, src, n * 4);
  }
  void download(float* dst, const float* src, std::size_t n) override { copy(dst, src, n * 4); }

  void linear_forward(float* out, const float* inp, const float* w, const float* bias, int B, int C,
                      int OC) override {
    linear_forward_cpu(ex_, out, inp, w, bias, B, C, OC);
  }
  void linear_backward(float* dinp, float* dw, float* dbias, const float* dout, const float* inp,
                       const float* w, int B, int C, int OC) override {
    scratch_.resize(std::max(scratch_.size(), linear_backward_scratch(B, C, OC)));
    linear_backward_cpu(ex_, dinp, dw, dbias, dout, inp, w, B, C, OC, scratch_.data());
  }
  void relu_forward(float* out, const float* inp, std::size_t n) override {
    relu_forward_cpu(ex_, out, inp, n);
  }
  void relu_backward(float* dinp, const float* inp, const float* dout, std::size_t n) override {
    relu_backward_cpu(ex_, dinp, inp, dout, n);
  }
  void gelu_forward(float* out, const float* inp, std::size_t n) override {
    gelu_forward_cpu(ex_, out, inp, n);
  }
  void gelu_backward(float* dinp, const float* inp, const float* dout, std::size_t n) override {
    gelu_backward_cpu(ex_, dinp, inp, dout, n);
  }
  void softmax_xent_forward(float* probs, float* losses, float* mean_loss, const float* logits,
                            const std::int32_t* targets, int B, int V) override {
    softmax_xent_forward_cpu(ex_, probs, losses, mean_loss, logits, targets, B, V);
  }
  void softmax_xent_backward(float* dlogits, const float* probs, const std::int32_t* targets, int B,
                             int V) override {
    softmax_xent_backward_cpu(ex_, dlogits, probs, targets, B, V);
  }
  void sgd_step(float* param, float* buf, const float* grad, std::size_t n,
                const SgdHyper& h) override {
    sgd_step_cpu(ex_, param, buf, grad, n, h);
  }
  void adamw_step(float* param, float* m, float* v, const float* grad, std::size_t n,
                  const AdamWHyper& h) override {
    adamw_step_cpu(ex_, param, m, v, grad, n, h);
  }

 private:
  static void copy(void* dst, const void* src, std::size_t bytes) {
    if (bytes != 0 && dst != src) std::memcpy(dst, src, bytes);
  }
  ThreadPool pool_;
  CpuExec ex_;
  std::vector<std::vector<float>> f32_;
  std::vector<std::vector<std::int32_t>> i32_;
  std::vector<float> scratch_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(int threads, GemmPath path, int row_block) {
  return std::make_unique<CpuBackend>(threads, path, row_block);
}

#if !defined(VT_HAVE_CUDA)
Result<std::unique_ptr<Backend>> make_cuda_backend() {
  return Result<std::unique_ptr<Backend>>::failure(
      "this build has no CUDA support (configure with -DVT_CUDA=ON)");
}
bool cuda_built() {
  return false;
}
#endif

}  // namespace vt::kernels
