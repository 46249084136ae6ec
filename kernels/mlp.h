// MLP classifier trained by a job spec on one Backend: parameters, optimiser
// state and step live in backend memory; export_state()/import_state() move
// the canonical TensorMap (names below) in and out. Single-threaded driver.
//
// Tensor names (TensorMap / checkpoint):
//   layers.{l}.weight [in, out]   (note: the transpose of torch.nn.Linear.weight)
//   layers.{l}.bias   [out]
//   optim.layers.{l}.{weight,bias}.momentum_buffer       (sgd)
//   optim.layers.{l}.{weight,bias}.exp_avg / .exp_avg_sq (adamw)
//   step        I64 []  steps completed
//   data_cursor I64 []  training samples consumed = step * batch_size
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/backend.h"
#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "kernels/state.h"

namespace vt::kernels {

// The batch for `step`: sample g = step*B + i of the run is image
// perm(epoch = g / n)[g % n] with epoch_permutation(seed, epoch, n).
// Pixels are pixel / 255.0f; x[B,784] and y[B] are filled.
class BatchSampler {
 public:
  BatchSampler(const JobSpec& spec, const IdxImages& images, const IdxLabels& labels);
  void batch(std::uint64_t step, float* x, std::int32_t* y);

 private:
  const IdxImages& images_;
  const IdxLabels& labels_;
  std::uint64_t seed_;
  std::uint32_t batch_;
  std::uint64_t cached_epoch_ = UINT64_MAX;
  std::vector<std::uint32_t> perm_;
  float scale_[256];
};

class Mlp {
 public:
  Mlp(const JobSpec& spec, Backend& backend);  // parameters initialised from spec.seed

  // One optimiser step on a batch x[B,784] (host), y[B]; returns the mean loss.
  float train_step(const float* x, const std::int32_t* y);
  std::uint64_t step() const { return step_; }

  TensorMap export_state();
  Status import_state(const TensorMap& state);  // checks names, shapes, dtypes, cursor

  // Number of images whose argmax logit (first maximum) equals the label.
  std::uint64_t count_correct(const IdxImages& images, const IdxLabels& labels);

 private:
  struct Layer {
    int in = 0, out = 0;
    float *w = nullptr, *b = nullptr, *dw = nullptr, *db = nullptr;
    float *s1w = nullptr, *s1b = nullptr, *s2w = nullptr,
          *s2b = nullptr;  // momentum | exp_avg, exp_avg_sq
    float *z = nullptr, *a = nullptr, *dz = nullptr, *da = nullptr;  // [B, out]
  };
  void forward(int B);
  void init_parameters();

  JobSpec spec_;
  Backend& be_;
  std::vector<Layer> layers_;
  int batch_ = 0;
  float* x_ = nullptr;  // [B, 784]
  std::int32_t* y_ = nullptr;
  float *probs_ = nullptr, *losses_ = nullptr, *loss_ = nullptr;
  std::uint64_t step_ = 0;
};

}  // namespace vt::kernels
