#include "verifier/sampling.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <string>

#include "core/encoding.h"
#include "core/sha256.h"

namespace vt::verifier {

Hash256 derive_seed(const Hash256& block_hash, uint64_t job_id, const Hash256& commitment_root) {
  Writer w;
  w.fixed(block_hash).u64(job_id).fixed(commitment_root);
  return tagged_hash("veritrain/pol-seed", w.data());
}

RandomStream::RandomStream(const Hash256& seed, std::string_view domain)
    : seed_(seed), domain_(domain) {}

void RandomStream::refill() {
  Writer w;
  w.fixed(seed_).str(domain_).u64(counter_++);
  block_ = tagged_hash("veritrain/pol-stream", w.data());
  used_ = 0;
}

uint64_t RandomStream::next_u64() {
  if (used_ == 4) refill();
  uint64_t v = 0;
  for (unsigned i = 0; i < 8; ++i) v = (v << 8) | block_[used_ * 8 + i];
  ++used_;
  return v;
}

uint64_t RandomStream::uniform(uint64_t n) {
  assert(n >= 1);
  // 2^64 mod n values at the bottom are rejected so the rest is a multiple of n.
  const uint64_t reject_below = (0 - n) % n;
  for (;;) {
    const uint64_t x = next_u64();
    if (x >= reject_below) return x % n;
  }
}

Result<std::vector<uint64_t>> sample_segments(const Hash256& seed, uint64_t segments, uint64_t m) {
  if (segments == 0) return make_error("sampling: the job has no segments");
  if (m > segments)
    return make_error("sampling: m=" + std::to_string(m) + " exceeds the " +
                      std::to_string(segments) + " segments");
  RandomStream rng(seed, "segments");
  std::map<uint64_t, uint64_t> moved;  // virtual array a[i] = i except where swapped
  auto at = [&](uint64_t i) {
    auto it = moved.find(i);
    return it == moved.end() ? i : it->second;
  };
  std::vector<uint64_t> out;
  out.reserve(m);
  for (uint64_t i = 0; i < m; ++i) {
    const uint64_t j = i + rng.uniform(segments - i);
    const uint64_t ai = at(i), aj = at(j);
    moved[j] = ai;
    moved[i] = aj;
    out.push_back(aj);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// Prefix sums over the eligible candidates' stakes (a Fenwick tree): a draw
// finds the first candidate whose running stake passes x in O(log n), and a
// drawn candidate leaves the round by setting its weight to zero.
class StakeTree {
 public:
  explicit StakeTree(const std::vector<uint64_t>& weights) : tree_(weights.size() + 1, 0) {
    for (std::size_t i = 0; i < weights.size(); ++i) add(i, weights[i]);
  }
  void add(std::size_t i, uint64_t delta) {  // wraps for negative deltas, as intended
    for (std::size_t k = i + 1; k < tree_.size(); k += k & (0 - k)) tree_[k] += delta;
  }
  // The smallest index whose prefix sum (inclusive) exceeds x; x < total.
  std::size_t find(uint64_t x) const {
    std::size_t pos = 0;
    std::size_t step = 1;
    while (step * 2 < tree_.size()) step *= 2;
    for (; step > 0; step /= 2)
      if (pos + step < tree_.size() && tree_[pos + step] <= x) {
        pos += step;
        x -= tree_[pos];
      }
    return pos;  // 0-based index of the element after the skipped prefix
  }

 private:
  std::vector<uint64_t> tree_;
};

}  // namespace

Result<std::vector<std::vector<Address>>> assign_committees(const Hash256& seed, std::size_t count,
                                                            std::size_t size,
                                                            std::span<const Candidate> candidates,
                                                            std::span<const Address> excluded) {
  if (size == 0) return make_error("assignment: a committee needs at least one verifier");
  for (std::size_t i = 1; i < candidates.size(); ++i)
    if (!(candidates[i - 1].address < candidates[i].address))
      return make_error("assignment: candidates must be sorted by address without duplicates");
  std::vector<Address> eligible;
  std::vector<uint64_t> stake;
  uint64_t total = 0;
  for (const auto& c : candidates) {
    if (c.stake == 0 || std::find(excluded.begin(), excluded.end(), c.address) != excluded.end())
      continue;
    if (c.stake > UINT64_MAX - total) return make_error("assignment: total stake overflows");
    total += c.stake;
    eligible.push_back(c.address);
    stake.push_back(c.stake);
  }
  if (eligible.empty()) return make_error("assignment: no eligible verifier");
  const std::size_t seats = std::min(size, eligible.size());
  RandomStream rng(seed, "verifiers");
  StakeTree tree(stake);
  std::size_t drawn_count = 0;
  uint64_t remaining = total;  // stake of the not yet drawn in this round
  auto take = [&](std::size_t i) {
    tree.add(i, 0 - stake[i]);
    ++drawn_count;
    remaining -= stake[i];
  };
  std::vector<std::vector<Address>> out(count);
  for (std::size_t s = 0; s < count; ++s) {
    std::vector<std::size_t> committee;  // indexes into eligible
    committee.reserve(seats);
    while (committee.size() < seats) {
      if (drawn_count == eligible.size()) {  // new round: everyone is back but this committee
        tree = StakeTree(stake);
        drawn_count = 0;
        remaining = total;
        for (std::size_t i : committee) take(i);
      }
      const std::size_t pick = tree.find(rng.uniform(remaining));
      assert(pick < eligible.size());
      take(pick);
      committee.push_back(pick);
    }
    for (std::size_t i : committee) out[s].push_back(eligible[i]);
  }
  return out;
}

Result<std::vector<Address>> assign_verifiers(const Hash256& seed, std::size_t count,
                                              std::span<const Candidate> candidates,
                                              std::span<const Address> excluded) {
  auto committees = assign_committees(seed, count, 1, candidates, excluded);
  if (!committees) return committees.take_error();
  std::vector<Address> out;
  out.reserve(count);
  for (const auto& c : *committees) out.push_back(c.front());
  return out;
}

}  // namespace vt::verifier
