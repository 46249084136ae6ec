// The validators of one height: keys, voting power, quorum thresholds and the
// stake-weighted proposer for each (height, round). Immutable value; thread-safe to share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "consensus/messages.h"

namespace vt::consensus {

struct Validator {
  ValidatorKey key{};
  uint64_t power = 0;
  bool operator==(const Validator&) const = default;
};

class ValidatorSet {
 public:
  // Bounds keep every power sum and 3 * power product inside uint64_t.
  static constexpr uint64_t kMaxTotalPower = uint64_t{1} << 60;
  static constexpr size_t kMaxValidators = 100'000;

  // Validators keep the order given (index i = validators[i]; votes name that index).
  // Refused, with a reason in *why: empty set, a zero power, a duplicate key, too
  // many validators, or a total power above kMaxTotalPower.
  static std::optional<ValidatorSet> create(std::vector<Validator> validators,
                                            std::string* why = nullptr);

  uint32_t size() const { return static_cast<uint32_t>(validators_.size()); }
  const std::vector<Validator>& validators() const { return validators_; }
  const Validator& at(uint32_t index) const { return validators_.at(index); }
  uint64_t power(uint32_t index) const { return validators_.at(index).power; }
  std::optional<uint32_t> index_of(const ValidatorKey& key) const;

  uint64_t total_power() const { return total_; }
  // Smallest power that is more than 2/3 of the total (a quorum, "2f+1").
  uint64_t quorum_power() const { return total_ * 2 / 3 + 1; }
  // Smallest power that is more than 1/3 of the total ("f+1": at least one honest).
  uint64_t one_third_plus_power() const { return total_ / 3 + 1; }

  // The proposer of (height, round). Stateless weighted rotation: slot s = height +
  // round (mod 2^64) is mapped to the point floor(frac(s * phi^-1) * total) of the
  // line where validator i owns the interval [sum of powers before i, ... + power_i).
  // s * phi^-1 mod 1 is a Weyl (golden-ratio) sequence: equidistributed with low
  // discrepancy, so over any window of consecutive slots each validator proposes in
  // proportion to its power, and turns are spread out rather than bunched.
  uint32_t proposer(uint64_t height, uint32_t round) const;

 private:
  ValidatorSet() = default;
  std::vector<Validator> validators_;
  std::vector<uint64_t> cumulative_;  // cumulative_[i] = power of validators 0..i
  std::vector<std::pair<ValidatorKey, uint32_t>> by_key_;  // sorted, for index_of
  uint64_t total_ = 0;
};

}  // namespace vt::consensus
