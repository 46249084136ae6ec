// A provider's claim for a job (checkpoint state hashes every k steps, final
// model, claimed metrics as integers), its Merkle root and inclusion proofs.
// Pure value types and functions; canonical, bounded encodings. No I/O.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "kernels/trainer.h"

namespace vt::verifier {

// Upper bound on checkpoints per commitment (N/k + 2), so encodings and proofs
// stay bounded whatever a genesis allows; 2^20 leaves = 32 MiB of hashes.
inline constexpr uint64_t kMaxCheckpoints = uint64_t{1} << 20;
// A proof for kMaxCheckpoints leaves has at most 20 siblings; 64 covers any u64 count.
inline constexpr uint32_t kMaxProofSteps = 64;

// The checkpoint schedule of kernels::train: steps 0, k, 2k, ..., and N when N
// is not a multiple of k. Segment i runs from checkpoint i to checkpoint i+1;
// the last one is shorter when k does not divide N.
uint64_t checkpoint_count(uint64_t steps, uint64_t interval);                 // ceil(N/k) + 1
uint64_t segment_count(uint64_t steps, uint64_t interval);                    // ceil(N/k)
uint64_t checkpoint_step(uint64_t index, uint64_t steps, uint64_t interval);  // min(index*k, N)
struct SegmentBounds {
  uint64_t start = 0, end = 0;  // steps; end - start in [1, k]
};
SegmentBounds segment_bounds(uint64_t segment, uint64_t steps, uint64_t interval);

struct Commitment {
  Hash256 spec_hash{};
  uint64_t interval = 0;             // k (the spec's checkpoint_interval)
  uint64_t steps = 0;                // N (the spec's steps)
  std::vector<Hash256> checkpoints;  // state hashes h_0, h_k, ..., h_N (checkpoint_count of them)
  Hash256 final_model_hash{};     // the state hash of the final checkpoint (== checkpoints.back())
  uint64_t final_loss_micro = 0;  // claimed mean loss of the last step, x 1e6, rounded to nearest
  uint32_t accuracy_bps = 0;      // claimed test accuracy in 1/10000 (floor(correct*10000/total))
  bool operator==(const Commitment&) const = default;
};

// Shape checks: k, N >= 1, the right number of checkpoints, final hash = last
// checkpoint, accuracy <= 10000. With a spec: also spec hash, N and k agree.
Status validate(const Commitment& c);
Status validate_for_spec(const Commitment& c, const kernels::JobSpec& spec);

// The kernels' Merkle root over the checkpoint hashes (kernels/merkle.h), so the
// root equals commitment.json's merkle_root for the same run.
Hash256 commitment_root(const Commitment& c);

// Builds the on-chain claim from `veritrain train` output (TrainReport /
// commitment.json) and its spec. Metrics become integers here, off chain.
Result<Commitment> from_trainer(const kernels::Commitment& tc, const kernels::JobSpec& spec,
                                float final_loss);
uint64_t loss_to_micro(float loss);  // NaN/negative -> 0, saturates at UINT64_MAX
uint32_t accuracy_to_bps(uint64_t correct, uint64_t total);

// Canonical encoding: u8 version (1) | spec_hash | u64 k | u64 N | u32 count |
// count x 32 bytes | final_model_hash | u64 loss_micro | u32 accuracy_bps.
// Decoding validates too; count is bounded by max_checkpoints (<= kMaxCheckpoints).
Bytes encode(const Commitment& c);
Result<Commitment> decode_commitment(ByteView in, uint64_t max_checkpoints = kMaxCheckpoints);

// Inclusion proof of leaf `index` among `leaf_count` leaves. Only sibling hashes
// are carried: their sides follow from (index, leaf_count), so a proof cannot
// pose as the proof of another position.
struct InclusionProof {
  uint64_t index = 0;
  uint64_t leaf_count = 0;
  std::vector<Hash256> siblings;  // bottom-up
  bool operator==(const InclusionProof&) const = default;
};
Result<InclusionProof> make_proof(const std::vector<Hash256>& leaves, uint64_t index);
// Checks that `leaf` (a state hash) sits at proof.index under `root`, a tree of
// `leaf_count` leaves (the caller's number, e.g. checkpoint_count(N, k): a proof's
// own count is not trusted, since some positions have the same path in n and n+1).
Status verify_proof(const Hash256& root, uint64_t leaf_count, const Hash256& leaf,
                    const InclusionProof& proof);

// u64 index | u64 leaf_count | u32 n | n x 32 bytes (n <= kMaxProofSteps).
Bytes encode(const InclusionProof& p);
Result<InclusionProof> decode_inclusion_proof(ByteView in);

}  // namespace vt::verifier
