// Shared fixtures for the verifier tests: the tiny spec, the data set (loaded
// once) and every per-step training state of a short run, produced by the
// kernels themselves.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kernels/backend.h"
#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "kernels/mlp.h"
#include "kernels/state.h"
#include "tests/kernels/test_paths.h"

namespace vt::verifier::testing {

inline kernels::JobSpec tiny_spec(uint64_t steps = 20, uint64_t interval = 5) {
  auto spec = kernels::load_job_spec_file(kernels::testing::spec_path("tiny.json"));
  REQUIRE_MESSAGE(spec.ok(), spec.error);
  spec.value.steps = steps;
  spec.value.checkpoint_interval = interval;
  return spec.value;
}

inline const kernels::Dataset& dataset() {
  static const kernels::Dataset data = [] {
    auto d = kernels::load_fashion_mnist(kernels::kDefaultFashionMnistDir);
    REQUIRE_MESSAGE(d.ok(), d.error);
    return std::move(d.value);
  }();
  return data;
}

// states[i] = the training state after i steps, i in [0, spec.steps].
inline std::vector<kernels::TensorMap> all_states(const kernels::JobSpec& spec) {
  auto be = kernels::make_cpu_backend(1);
  kernels::Mlp model(spec, *be);
  kernels::BatchSampler sampler(spec, dataset().train_images, dataset().train_labels);
  std::vector<float> x(static_cast<std::size_t>(spec.batch_size) * 784);
  std::vector<std::int32_t> y(spec.batch_size);
  std::vector<kernels::TensorMap> states{model.export_state()};
  for (uint64_t s = 0; s < spec.steps; ++s) {
    sampler.batch(s, x.data(), y.data());
    model.train_step(x.data(), y.data());
    states.push_back(model.export_state());
  }
  return states;
}

inline Hash256 h(uint8_t tag) {
  Hash256 x{};
  x.fill(tag);
  return x;
}

}  // namespace vt::verifier::testing
