// Test inputs for the exact op harnesses (ops_test.cpp: reference vs CPU;
// gpu_check.cpp: CPU vs CUDA): random values with a share of the values that
// break sloppy kernels. Deterministic (counter-based RNG); pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/rng.h"

namespace vt::kernels::testing {

// NaN, +-0, +-Inf, subnormals, huge, tiny, and where exp overflows / underflows.
inline const float kAdversarial[] = {std::numeric_limits<float>::quiet_NaN(),
                                     0.0f,
                                     -0.0f,
                                     std::numeric_limits<float>::infinity(),
                                     -std::numeric_limits<float>::infinity(),
                                     std::numeric_limits<float>::denorm_min(),
                                     -1.5e-39f,
                                     3.0e38f,
                                     -3.0e38f,
                                     1e-30f,
                                     88.8f,
                                     -104.0f};

// n values in [-2, 2), adversarial_per_mille of them replaced by kAdversarial ones.
inline std::vector<float> make_data(std::size_t n, std::uint64_t stream,
                                    int adversarial_per_mille) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = 4.0f * rng_uniform01(7, 0, stream, i) - 2.0f;
    if (static_cast<int>(rng_below(1000, 7, 1, stream, i)) < adversarial_per_mille)
      v[i] = kAdversarial[rng_below(sizeof kAdversarial / sizeof(float), 7, 2, stream, i)];
  }
  return v;
}

}  // namespace vt::kernels::testing
