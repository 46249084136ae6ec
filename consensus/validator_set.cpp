#include "consensus/validator_set.h"

#include <algorithm>

namespace vt::consensus {

std::optional<ValidatorSet> ValidatorSet::create(std::vector<Validator> validators,
                                                 std::string* why) {
  auto refuse = [&](std::string reason) -> std::optional<ValidatorSet> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  if (validators.empty()) return refuse("validator set is empty");
  if (validators.size() > kMaxValidators) return refuse("too many validators");
  ValidatorSet set;
  uint64_t total = 0;
  for (size_t i = 0; i < validators.size(); ++i) {
    const uint64_t p = validators[i].power;
    if (p == 0) return refuse("validator " + std::to_string(i) + " has zero power");
    if (p > kMaxTotalPower || total > kMaxTotalPower - p) return refuse("total power exceeds 2^60");
    total += p;
    set.cumulative_.push_back(total);
    set.by_key_.emplace_back(validators[i].key, static_cast<uint32_t>(i));
  }
  std::sort(set.by_key_.begin(), set.by_key_.end());
  for (size_t i = 1; i < set.by_key_.size(); ++i) {
    if (set.by_key_[i].first == set.by_key_[i - 1].first) {
      return refuse("validators " + std::to_string(set.by_key_[i - 1].second) + " and " +
                    std::to_string(set.by_key_[i].second) + " share a key");
    }
  }
  set.validators_ = std::move(validators);
  set.total_ = total;
  return set;
}

std::optional<uint32_t> ValidatorSet::index_of(const ValidatorKey& key) const {
  auto it = std::lower_bound(by_key_.begin(), by_key_.end(), std::make_pair(key, uint32_t{0}));
  if (it == by_key_.end() || it->first != key) return std::nullopt;
  return it->second;
}

uint32_t ValidatorSet::proposer(uint64_t height, uint32_t round) const {
  constexpr uint64_t kGoldenStep = 0x9E3779B97F4A7C15ull;  // 2^64 / phi, odd
  const uint64_t slot = height + round;                    // wraps mod 2^64 by design
  const uint64_t fraction = slot * kGoldenStep;            // frac(slot / phi) as a 0.64 fixed point
  // point = floor(fraction / 2^64 * total), exact in 128-bit integers.
  const uint64_t point =
      static_cast<uint64_t>((static_cast<unsigned __int128>(fraction) * total_) >> 64);
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), point);
  return static_cast<uint32_t>(it - cumulative_.begin());
}

}  // namespace vt::consensus
