#include "kernels/rng.h"

#include <numeric>

namespace vt::kernels {

namespace {
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
}  // namespace

std::uint64_t rng_u64(std::uint64_t seed, std::uint64_t step, std::uint64_t stream,
                      std::uint64_t counter) {
  std::uint64_t h = mix(seed);
  h = mix(h ^ step);
  h = mix(h ^ stream);
  return mix(h ^ counter);
}

float rng_uniform01(std::uint64_t seed, std::uint64_t step, std::uint64_t stream,
                    std::uint64_t counter) {
  const std::uint64_t r = rng_u64(seed, step, stream, counter) >> 40;  // 24 bits
  return static_cast<float>(r) * 5.9604644775390625e-08f;              // 2^-24, exact
}

std::uint32_t rng_below(std::uint32_t bound, std::uint64_t seed, std::uint64_t step,
                        std::uint64_t stream, std::uint64_t counter) {
  const std::uint64_t r = rng_u64(seed, step, stream, counter) >> 32;
  return static_cast<std::uint32_t>((r * bound) >> 32);
}

std::vector<std::uint32_t> epoch_permutation(std::uint64_t seed, std::uint64_t epoch,
                                             std::uint32_t n) {
  std::vector<std::uint32_t> p(n);
  std::iota(p.begin(), p.end(), 0u);
  for (std::uint32_t i = n; i-- > 1;) {
    const std::uint32_t j = rng_below(i + 1, seed, epoch, kStreamDataOrder, i);
    std::swap(p[i], p[j]);
  }
  return p;
}

}  // namespace vt::kernels
