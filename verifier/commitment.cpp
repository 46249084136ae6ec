#include "verifier/commitment.h"

#include <cassert>
#include <cmath>
#include <string>

#include "core/encoding.h"
#include "kernels/merkle.h"

namespace vt::verifier {

namespace {
constexpr uint8_t kCommitmentVersion = 1;

// The sides of a proof's siblings, bottom-up, for leaf `index` of `count`:
// true = sibling on the left. Mirrors kernels::merkle_proof (odd last node is
// carried up and contributes no step).
std::vector<bool> proof_shape(uint64_t index, uint64_t count) {
  std::vector<bool> sides;
  uint64_t pos = index, n = count;
  while (n > 1) {
    if (pos % 2 == 1)
      sides.push_back(true);
    else if (pos + 1 < n)
      sides.push_back(false);
    pos /= 2;
    n = n / 2 + n % 2;
  }
  return sides;
}
}  // namespace

uint64_t segment_count(uint64_t steps, uint64_t interval) {
  assert(interval > 0);
  return steps / interval + (steps % interval != 0 ? 1 : 0);
}

uint64_t checkpoint_count(uint64_t steps, uint64_t interval) {
  return segment_count(steps, interval) + 1;
}

uint64_t checkpoint_step(uint64_t index, uint64_t steps, uint64_t interval) {
  assert(interval > 0);
  // index * k may overflow for huge indexes; anything past N/k is N.
  if (index > steps / interval) return steps;
  return index * interval;
}

SegmentBounds segment_bounds(uint64_t segment, uint64_t steps, uint64_t interval) {
  assert(segment < segment_count(steps, interval));
  return {checkpoint_step(segment, steps, interval), checkpoint_step(segment + 1, steps, interval)};
}

Status validate(const Commitment& c) {
  if (c.interval == 0) return make_error("commitment.interval: must be at least 1");
  if (c.steps == 0) return make_error("commitment.steps: must be at least 1");
  const uint64_t want = checkpoint_count(c.steps, c.interval);
  if (want > kMaxCheckpoints)
    return make_error("commitment: " + std::to_string(want) + " checkpoints exceed the limit of " +
                      std::to_string(kMaxCheckpoints));
  if (c.checkpoints.size() != want)
    return make_error("commitment.checkpoints: " + std::to_string(c.checkpoints.size()) +
                      " given, N=" + std::to_string(c.steps) + " k=" + std::to_string(c.interval) +
                      " needs " + std::to_string(want));
  if (c.final_model_hash != c.checkpoints.back())
    return make_error(
        "commitment.final_model_hash: must equal the state hash of the last checkpoint");
  if (c.accuracy_bps > 10000) return make_error("commitment.accuracy_bps: above 10000");
  return Status::success();
}

Status validate_for_spec(const Commitment& c, const kernels::JobSpec& spec) {
  if (auto s = validate(c); !s) return s;
  if (c.spec_hash != kernels::spec_hash(spec))
    return make_error("commitment.spec_hash: not this job's spec");
  if (c.steps != spec.steps) return make_error("commitment.steps: differs from the spec's steps");
  if (c.interval != spec.checkpoint_interval)
    return make_error("commitment.interval: differs from the spec's checkpoint_interval");
  return Status::success();
}

Hash256 commitment_root(const Commitment& c) {
  return kernels::merkle_root(c.checkpoints);
}

uint64_t loss_to_micro(float loss) {
  const double x = static_cast<double>(loss) * 1e6;
  if (!(x > 0.0)) return 0;  // NaN, zero, negative
  if (x >= 18446744073709549568.0) return UINT64_MAX;
  return static_cast<uint64_t>(x + 0.5);  // round half up; off chain only
}

uint32_t accuracy_to_bps(uint64_t correct, uint64_t total) {
  if (total == 0 || correct > total) return 0;
  // correct * 10000 cannot overflow for the data set sizes we allow, but keep it safe.
  const unsigned __int128 bps = static_cast<unsigned __int128>(correct) * 10000 / total;
  return static_cast<uint32_t>(bps);
}

Result<Commitment> from_trainer(const kernels::Commitment& tc, const kernels::JobSpec& spec,
                                float final_loss) {
  Commitment c;
  c.spec_hash = tc.spec_hash;
  c.interval = spec.checkpoint_interval;
  c.steps = spec.steps;
  for (uint64_t i = 0; i < tc.checkpoints.size(); ++i) {
    const auto& e = tc.checkpoints[i];
    if (e.step != checkpoint_step(i, c.steps, c.interval))
      return make_error("trainer commitment: checkpoint " + std::to_string(i) + " is at step " +
                        std::to_string(e.step) + ", the schedule says " +
                        std::to_string(checkpoint_step(i, c.steps, c.interval)));
    c.checkpoints.push_back(e.state_hash);
  }
  if (!c.checkpoints.empty()) c.final_model_hash = c.checkpoints.back();
  c.final_loss_micro = loss_to_micro(final_loss);
  c.accuracy_bps = accuracy_to_bps(tc.test_correct, tc.test_total);
  if (auto s = validate_for_spec(c, spec); !s) return s.take_error();
  if (commitment_root(c) != tc.merkle_root)
    return make_error("trainer commitment: merkle_root does not match");
  return c;
}

Bytes encode(const Commitment& c) {
  Writer w;
  w.u8(kCommitmentVersion).fixed(c.spec_hash).u64(c.interval).u64(c.steps);
  assert(c.checkpoints.size() <= UINT32_MAX);
  w.u32(static_cast<uint32_t>(c.checkpoints.size()));
  for (const auto& h : c.checkpoints) w.fixed(h);
  w.fixed(c.final_model_hash).u64(c.final_loss_micro).u32(c.accuracy_bps);
  return w.take();
}

Result<Commitment> decode_commitment(ByteView in, uint64_t max_checkpoints) {
  Reader r(in);
  Commitment c;
  const uint8_t version = r.u8("commitment.version");
  if (r.ok() && version != kCommitmentVersion)
    r.fail("commitment.version: unknown version " + std::to_string(version));
  c.spec_hash = r.fixed<32>("commitment.spec_hash");
  c.interval = r.u64("commitment.interval");
  c.steps = r.u64("commitment.steps");
  const uint32_t n = r.u32("commitment.checkpoints");
  const uint64_t limit = max_checkpoints < kMaxCheckpoints ? max_checkpoints : kMaxCheckpoints;
  if (r.ok() && n > limit)
    r.fail("commitment.checkpoints: " + std::to_string(n) + " exceed the limit of " +
           std::to_string(limit));
  // Check the count against the input before reserving, so a forged count cannot allocate.
  if (r.ok() && static_cast<uint64_t>(n) * 32 > r.remaining())
    r.fail("commitment.checkpoints: input ends early");
  if (r.ok()) {
    c.checkpoints.reserve(n);
    for (uint32_t i = 0; i < n && r.ok(); ++i)
      c.checkpoints.push_back(r.fixed<32>("commitment.checkpoints"));
  }
  c.final_model_hash = r.fixed<32>("commitment.final_model_hash");
  c.final_loss_micro = r.u64("commitment.final_loss_micro");
  c.accuracy_bps = r.u32("commitment.accuracy_bps");
  if (auto s = r.finish(); !s) return s.take_error();
  if (auto s = validate(c); !s) return s.take_error();
  return c;
}

Result<InclusionProof> make_proof(const std::vector<Hash256>& leaves, uint64_t index) {
  if (index >= leaves.size()) return make_error("proof: leaf index out of range");
  InclusionProof p;
  p.index = index;
  p.leaf_count = leaves.size();
  for (const auto& step : kernels::merkle_proof(leaves, static_cast<std::size_t>(index)))
    p.siblings.push_back(step.sibling);
  return p;
}

Status verify_proof(const Hash256& root, uint64_t leaf_count, const Hash256& leaf,
                    const InclusionProof& proof) {
  if (proof.leaf_count != leaf_count)
    return make_error("proof.leaf_count: " + std::to_string(proof.leaf_count) + ", the tree has " +
                      std::to_string(leaf_count));
  if (proof.leaf_count == 0 || proof.leaf_count > kMaxCheckpoints)
    return make_error("proof.leaf_count: must be in [1, " + std::to_string(kMaxCheckpoints) + "]");
  if (proof.index >= proof.leaf_count) return make_error("proof.index: not below leaf_count");
  if (proof.siblings.size() > kMaxProofSteps) return make_error("proof.siblings: too many");
  const std::vector<bool> sides = proof_shape(proof.index, proof.leaf_count);
  if (sides.size() != proof.siblings.size())
    return make_error("proof.siblings: " + std::to_string(proof.siblings.size()) +
                      " given, position needs " + std::to_string(sides.size()));
  std::vector<kernels::MerkleStep> steps;
  steps.reserve(sides.size());
  for (std::size_t i = 0; i < sides.size(); ++i) steps.push_back({proof.siblings[i], sides[i]});
  if (!kernels::merkle_verify(leaf, steps, root))
    return make_error("proof: does not lead to the committed root");
  return Status::success();
}

Bytes encode(const InclusionProof& p) {
  Writer w;
  w.u64(p.index).u64(p.leaf_count);
  assert(p.siblings.size() <= kMaxProofSteps);
  w.u32(static_cast<uint32_t>(p.siblings.size()));
  for (const auto& h : p.siblings) w.fixed(h);
  return w.take();
}

Result<InclusionProof> decode_inclusion_proof(ByteView in) {
  Reader r(in);
  InclusionProof p;
  p.index = r.u64("proof.index");
  p.leaf_count = r.u64("proof.leaf_count");
  const uint32_t n = r.u32("proof.siblings");
  if (r.ok() && n > kMaxProofSteps)
    r.fail("proof.siblings: more than " + std::to_string(kMaxProofSteps));
  for (uint32_t i = 0; i < n && r.ok(); ++i) p.siblings.push_back(r.fixed<32>("proof.siblings"));
  if (auto s = r.finish(); !s) return s.take_error();
  return p;
}

}  // namespace vt::verifier
