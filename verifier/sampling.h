// Which segments of a committed job are replayed and by whom: pure functions of
// a 32-byte seed (integer math over a counter-based SHA-256 stream; no floats).
// Same inputs give the same answer on every node.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bech32m.h"
#include "core/bytes.h"
#include "core/result.h"

namespace vt::verifier {

// The seed for one job: tagged_hash("veritrain/pol-seed", block_hash | u64 job_id | root),
// where block_hash is the hash of a block decided after the commit (the ledger
// picks which; see docs/proof-of-learning.md for what its proposer can bias).
Hash256 derive_seed(const Hash256& block_hash, uint64_t job_id, const Hash256& commitment_root);

// Counter-based stream: block c = tagged_hash("veritrain/pol-stream", seed | domain | u64 c),
// read as four big-endian u64 words. `domain` separates independent draws from one seed.
class RandomStream {
 public:
  RandomStream(const Hash256& seed, std::string_view domain);
  uint64_t next_u64();
  // Uniform in [0, n), n >= 1: rejection sampling, no modulo bias.
  uint64_t uniform(uint64_t n);

 private:
  void refill();
  Hash256 seed_;
  std::string domain_;
  uint64_t counter_ = 0;
  Hash256 block_{};
  unsigned used_ = 4;  // words of block_ consumed
};

// m distinct segment indexes out of [0, S), ascending. Partial Fisher-Yates:
// position i swaps with i + uniform(S - i), over a sparse (ordered) map so the
// cost is O(m log m) whatever S is. Fails if m > S or S == 0.
Result<std::vector<uint64_t>> sample_segments(const Hash256& seed, uint64_t segments, uint64_t m);

struct Candidate {
  Address address{};
  uint64_t stake = 0;  // the verifier's bonded stake (uvt)
};

// One verifier per sampled segment (result[i] verifies segments[i]).
// Candidates: strictly ascending by address (canonical; duplicates refused),
// any number; stakes summing to at most 2^64-1. O(n + count log n). Eligible: stake > 0
// and not in `excluded` (the ledger passes the provider, and may add the client).
// Rule: segment by segment, draw one eligible candidate with probability
// stake / (stake of the eligible candidates not yet drawn in this round);
// a round ends when every eligible candidate has been drawn once, then all are
// eligible again. So verifiers are distinct when there are at least m of them,
// and nobody gets more than ceil(m / eligible) segments. Fails if none is eligible.
Result<std::vector<Address>> assign_verifiers(const Hash256& seed, std::size_t count,
                                              std::span<const Candidate> candidates,
                                              std::span<const Address> excluded);

// r verifiers per sampled segment: result[i] is the committee of segments[i],
// min(size, eligible) distinct verifiers, in draw order. Candidates and
// eligibility as above; size >= 1. The same weighted draws in rounds over
// count * committee slots (so with size 1 it is assign_verifiers, committee by
// committee), except that when a round ends inside a committee, the members
// already drawn into it stay out of the new round until the committee is
// complete. Nobody sits twice on one committee, and nobody more than once per
// round, so seats spread over everyone eligible in proportion to rounds.
Result<std::vector<std::vector<Address>>> assign_committees(const Hash256& seed, std::size_t count,
                                                            std::size_t size,
                                                            std::span<const Candidate> candidates,
                                                            std::span<const Address> excluded);

}  // namespace vt::verifier
