// Counter-based random numbers: every value is a pure function of
// (seed, step, stream, counter), so any draw can be recomputed anywhere, in any
// order, on any device. Integer arithmetic only; thread safe.
#pragma once

#include <cstdint>
#include <vector>

namespace vt::kernels {

// Streams (the "tensor id" key). Parameter init uses kStreamInit + 2*layer (+1 for bias).
inline constexpr std::uint64_t kStreamDataOrder = 1;
inline constexpr std::uint64_t kStreamInit = 1000;

// SplitMix64 finaliser chained over the four keys.
std::uint64_t rng_u64(std::uint64_t seed, std::uint64_t step, std::uint64_t stream,
                      std::uint64_t counter);
// Uniform in [0, 1) with 24 random bits: exactly representable, no rounding.
float rng_uniform01(std::uint64_t seed, std::uint64_t step, std::uint64_t stream,
                    std::uint64_t counter);
// Uniform integer in [0, bound) by multiply-high of the top 32 bits (bound <= 2^32).
std::uint32_t rng_below(std::uint32_t bound, std::uint64_t seed, std::uint64_t step,
                        std::uint64_t stream, std::uint64_t counter);
// Permutation of [0, n) for an epoch: Fisher-Yates from the top, swap i with
// rng_below(i+1, seed, epoch, kStreamDataOrder, i).
std::vector<std::uint32_t> epoch_permutation(std::uint64_t seed, std::uint64_t epoch,
                                             std::uint32_t n);

}  // namespace vt::kernels
