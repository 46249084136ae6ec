#include "verifier/economics.h"

#include <cassert>

namespace vt::verifier {

namespace {
using u128 = unsigned __int128;
constexpr u128 kOne = u128{1} << 64;  // fixed-point 1.0 with 64 fractional bits
}  // namespace

uint64_t detection_ppm_distinct(uint64_t segments, uint64_t faked, uint64_t m) {
  assert(faked <= segments && m <= segments);
  if (faked == 0 || m == 0) return 0;
  if (faked + m > segments) return kPpm;  // every sample of m must hit a faked segment
  // miss = prod (S-F-i)/(S-i), kept in 64.64 fixed point rounded UP so the
  // detection probability is rounded down (never overstated).
  u128 miss = kOne;
  for (uint64_t i = 0; i < m; ++i) {
    const u128 num = miss * (segments - faked - i);
    const uint64_t den = segments - i;
    miss = num / den + (num % den != 0 ? 1 : 0);
    if (miss == 0) break;
  }
  const u128 miss_ppm_up = (miss * kPpm + kOne - 1) >> 64;
  return miss_ppm_up >= kPpm ? 0 : kPpm - static_cast<uint64_t>(miss_ppm_up);
}

uint64_t detection_ppm_with_replacement(uint64_t f_ppm, uint64_t m) {
  assert(f_ppm <= kPpm);
  if (f_ppm == 0 || m == 0) return 0;
  u128 miss = kOne;
  const uint64_t keep = kPpm - f_ppm;
  for (uint64_t i = 0; i < m && miss != 0; ++i) {
    const u128 num = miss * keep;
    miss = num / kPpm + (num % kPpm != 0 ? 1 : 0);
  }
  const u128 miss_ppm_up = (miss * kPpm + kOne - 1) >> 64;
  return miss_ppm_up >= kPpm ? 0 : kPpm - static_cast<uint64_t>(miss_ppm_up);
}

uint64_t detection_ppm_collusion(uint64_t f_ppm, uint64_t s_ppm, uint32_t r, uint64_t m) {
  assert(f_ppm <= kPpm && s_ppm <= kPpm && r >= 1);
  // all_collude = s^r in ppm, rounded UP (overstates escape: detection is never overstated).
  u128 all_collude = kPpm;
  for (uint32_t i = 0; i < r; ++i) {
    const u128 num = all_collude * s_ppm;
    all_collude = num / kPpm + (num % kPpm != 0 ? 1 : 0);
  }
  // A sample catches with probability f (1 - s^r), rounded DOWN.
  const uint64_t catch_ppm =
      static_cast<uint64_t>(static_cast<u128>(f_ppm) * (kPpm - all_collude) / kPpm);
  return detection_ppm_with_replacement(catch_ppm, m);
}

uint64_t samples_for_detection(uint64_t f_ppm, uint64_t target_ppm) {
  if (f_ppm == 0 || f_ppm > kPpm) return 0;
  u128 miss = kOne;
  const uint64_t keep = kPpm - f_ppm;
  for (uint64_t m = 1; m <= 1000000; ++m) {
    const u128 num = miss * keep;
    miss = num / kPpm + (num % kPpm != 0 ? 1 : 0);
    const u128 miss_ppm_up = (miss * kPpm + kOne - 1) >> 64;
    const uint64_t det = miss_ppm_up >= kPpm ? 0 : kPpm - static_cast<uint64_t>(miss_ppm_up);
    if (det >= target_ppm) return m;
  }
  return 0;
}

uint64_t min_bond(uint64_t payment, uint64_t m) {
  assert(m >= 1);
  return payment / m + (payment % m != 0 ? 1 : 0);
}

uint64_t min_bond_without_forfeit(uint64_t payment) {
  return payment;
}

uint64_t verification_share_ppm(uint64_t m, uint64_t interval, uint64_t steps) {
  assert(steps >= 1);
  const u128 work = static_cast<u128>(m) * interval;
  if (work >= steps) return kPpm;
  const u128 num = work * kPpm;
  return static_cast<uint64_t>(num / steps + (num % steps != 0 ? 1 : 0));
}

}  // namespace vt::verifier
