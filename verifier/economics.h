// Integer economics of sampled verification: detection probability, the
// provider bond rule and the verification compute share. No floating point;
// fixed-point results are rounded in the direction that keeps the chain safe.
// The derivations are in docs/proof-of-learning.md.
#pragma once

#include <cstdint>

namespace vt::verifier {

inline constexpr uint64_t kPpm = 1000000;

// P(detect) in parts per million, rounded DOWN, for a cheater who fakes
// `faked` of `segments` segments when m distinct segments are sampled
// (hypergeometric, what sample_segments does): 1 - C(S-F, m) / C(S, m)
// = 1 - prod_{i<m} (S-F-i)/(S-i). Requires faked <= segments, m <= segments.
uint64_t detection_ppm_distinct(uint64_t segments, uint64_t faked, uint64_t m);
// Same with replacement: 1 - (1 - f)^m with f = f_ppm / 1e6 (rounded down).
uint64_t detection_ppm_with_replacement(uint64_t f_ppm, uint64_t m);

// Collusion: a fraction s of verifier stake (s_ppm) sides with the provider,
// and each sampled segment is checked by r verifiers drawn by stake; a faked
// segment escapes only when all r are colluders (probability s^r). Model: P =
// 1 - (1 - f (1 - s^r))^m, rounded DOWN, with f = f_ppm / 1e6 and sampling with
// replacement (sample_segments' distinct draws and assign_verifiers' rounds
// without replacement only raise the true value; tests/verifier checks it on
// the real sampler). r >= 1.
uint64_t detection_ppm_collusion(uint64_t f_ppm, uint64_t s_ppm, uint32_t r, uint64_t m);

// Smallest m with detection_ppm_with_replacement(f_ppm, m) >= target_ppm
// (0 if f_ppm == 0 or target unreachable within 1'000'000 samples).
uint64_t samples_for_detection(uint64_t f_ppm, uint64_t target_ppm);

// The bond rule (see docs): ceil(payment / m). With the payment forfeited on
// detection it makes cheating unprofitable for every fraction f; it is exactly
// the "P(detect) * bond >= f * payment" bound for a one-segment cheat. m >= 1.
uint64_t min_bond(uint64_t payment, uint64_t m);
// The bond that deters even when the payment is NOT forfeited (P·bond >= f·payment
// for all f, the worst case being f = 1): the payment itself.
uint64_t min_bond_without_forfeit(uint64_t payment);

// Verification compute as a share of training, parts per million, rounded UP:
// m * k / N (capped at 1e6 when m * k >= N).
uint64_t verification_share_ppm(uint64_t m, uint64_t interval, uint64_t steps);

}  // namespace vt::verifier
