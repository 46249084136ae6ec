// Verifier attestations by commit-reveal, with a value only a full replay can
// produce: the Merkle root over one leaf per step of the segment (the "trace
// root"), opened after the commit at a probe step chosen by randomness drawn
// after the commits. A leaf binds the step's state hash, its loss and a second,
// unpublished digest of the state, so the public checkpoint hashes do not give
// it away. Pure functions; no I/O. See docs/proof-of-learning.md.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bech32m.h"
#include "core/bytes.h"
#include "core/result.h"
#include "verifier/commitment.h"

namespace vt::verifier {

// What running step j (from the state after j-1 steps) yields:
//   state_hash  h_j, the public kernels::state_hash of the state after it;
//   leaf        tagged_hash("veritrain/pol-step", h_j | u32 loss bits | shadow_j),
// with the step's mean loss as its IEEE-754 bits (kernels fix every bit) and
// shadow_j = kernels::state_shadow_hash of that state. Neither the loss nor the
// shadow digest is ever published before the probe, so a verifier that skipped
// step j can only guess its leaf (see docs/proof-of-learning.md).
struct StepRecord {
  Hash256 state_hash{};
  Hash256 leaf{};
  bool operator==(const StepRecord&) const = default;
};
Hash256 step_leaf(const Hash256& state_hash, float loss, const Hash256& shadow);

// What a verifier learned by replaying segment [start, end]: h_end and the root
// over the leaves of steps start+1 .. end in the kernels' Merkle scheme.
struct SegmentTrace {
  Hash256 end_hash{};
  Hash256 trace_root{};
  bool operator==(const SegmentTrace&) const = default;
};
// per_step[i] is step start+i+1, as referee's replay_trace returns them; non-empty.
SegmentTrace make_trace(const std::vector<StepRecord>& per_step);
std::vector<Hash256> leaves_of(const std::vector<StepRecord>& per_step);

// The commitment a verifier posts in the commit window:
// tagged_hash("veritrain/pol-attest", u64 job_id | u64 segment | end_hash |
//             trace_root | verifier address | salt). The address binds it to its
// poster: a copied commitment cannot be revealed by the copier.
Hash256 attestation_commitment(uint64_t job_id, uint64_t segment, const SegmentTrace& trace,
                               const Address& verifier, const Hash256& salt);

// The probe: the offset r of the step whose leaf a verifier opens, in a segment
// of `len` >= 1 steps. It is the last step, r = len. Its leaf needs the state
// before that step (so every earlier step of the segment) and the unpublished
// digest of the state after it (so the step itself): one opening checks every
// step, and a verifier that skipped any has only a 2^-256 guess. (A probe
// drawn at random would let a verifier that skipped only the last step pass
// with probability (len-1)/len.)
uint64_t probe_offset(uint64_t len);

// The reveal, posted in the reveal window by the verifier.
struct Reveal {
  SegmentTrace trace;
  Hash256 salt{};
  Hash256 probe_leaf{};        // the leaf of step start + r
  InclusionProof probe_proof;  // leaf r-1 of `len` under trace.trace_root
  bool operator==(const Reveal&) const = default;
};

// Checks the reveal against the verifier's own commitment (so the sender's
// address is bound), the probe position and its inclusion in the trace root.
Status check_reveal(const Hash256& commitment, uint64_t job_id, uint64_t segment, uint64_t len,
                    uint64_t probe_r, const Address& verifier, const Reveal& reveal);

// Before the reveals the provider posts its own leaf of step start+r (it can
// recompute it from its checkpoint at the start; it has never published it).
// Judging one checked reveal:
enum class JudgeKind : uint8_t {
  agree = 0,        // same end hash and same probe leaf: the verifier earns its fee
  dispute_end = 1,  // the end hashes differ: bisection over [start, end], state hashes at end
  // Same end, different leaf: bisection over [start, start+r], whose claims at
  // start+r are leaves (the referee computes the leaf of that step).
  dispute_probe = 2,
};
struct Judgement {
  JudgeKind kind = JudgeKind::agree;
  uint64_t lo = 0, hi = 0;  // the steps to open the dispute over (disputes only)
  Hash256 provider_hi{}, verifier_hi{};
};
// committed_end: h_end from the provider's commitment; provider_probe: its leaf of step start+r.
Judgement judge(const SegmentBounds& seg, uint64_t probe_r, const Hash256& committed_end,
                const Hash256& provider_probe, const Reveal& reveal);

// Reveal encoding: end_hash | trace_root | salt | probe_leaf | InclusionProof.
Bytes encode(const Reveal& r);
Result<Reveal> decode_reveal(ByteView in);

}  // namespace vt::verifier
