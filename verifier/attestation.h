// Verifier attestations by commit-reveal, with a value only a full replay can
// produce: the Merkle root over every per-step state hash of the segment (the
// "trace root"), opened after the commit at a probe step chosen by randomness
// drawn after the commits. Pure functions; no I/O. See docs/proof-of-learning.md.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bech32m.h"
#include "core/bytes.h"
#include "core/result.h"
#include "verifier/commitment.h"

namespace vt::verifier {

// What a verifier learned by replaying segment [start, end]: h_end and the root
// over (h_(start+1), ..., h_end) in the kernels' Merkle scheme.
struct SegmentTrace {
  Hash256 end_hash{};
  Hash256 trace_root{};
  bool operator==(const SegmentTrace&) const = default;
};
// per_step[i] = h_(start+i+1), as referee's replay_hashes returns them; non-empty.
SegmentTrace make_trace(const std::vector<Hash256>& per_step);

// The commitment a verifier posts in the commit window:
// tagged_hash("veritrain/pol-attest", u64 job_id | u64 segment | end_hash |
//             trace_root | verifier address | salt). The address binds it to its
// poster: a copied commitment cannot be revealed by the copier.
Hash256 attestation_commitment(uint64_t job_id, uint64_t segment, const SegmentTrace& trace,
                               const Address& verifier, const Hash256& salt);

// The probe: offset r in [1, len] of a segment of `len` steps, from a seed the
// ledger derives from a block decided after the commit window closed:
// uniform over [1, len-1] when len >= 2 (never the public end), 1 when len == 1.
uint64_t probe_offset(const Hash256& probe_seed, uint64_t job_id, uint64_t segment, uint64_t len);

// The reveal, posted in the reveal window by the verifier.
struct Reveal {
  SegmentTrace trace;
  Hash256 salt{};
  Hash256 probe_hash{};        // h_(start + r)
  InclusionProof probe_proof;  // leaf r-1 of `len` under trace.trace_root
  bool operator==(const Reveal&) const = default;
};

// Checks the reveal against the verifier's own commitment (so the sender's
// address is bound), the probe position and its inclusion in the trace root.
Status check_reveal(const Hash256& commitment, uint64_t job_id, uint64_t segment, uint64_t len,
                    uint64_t probe_r, const Address& verifier, const Reveal& reveal);

// After the reveals the provider reveals its own h_(start+r) (it keeps its
// per-step hashes; it has never published them). Judging one checked reveal:
enum class JudgeKind : uint8_t {
  agree = 0,          // same end hash and same probe: the verifier earns its fee
  dispute_end = 1,    // the end hashes differ: bisection over [start, end]
  dispute_probe = 2,  // same end, different probe: bisection over [start, start+r]
};
struct Judgement {
  JudgeKind kind = JudgeKind::agree;
  uint64_t lo = 0, hi = 0;  // the steps to open the dispute over (disputes only)
  Hash256 provider_hi{}, verifier_hi{};
};
// committed_end: h_end from the provider's commitment; provider_probe: its revealed h_(start+r).
Judgement judge(const SegmentBounds& seg, uint64_t probe_r, const Hash256& committed_end,
                const Hash256& provider_probe, const Reveal& reveal);

// Reveal encoding: end_hash | trace_root | salt | probe_hash | InclusionProof.
Bytes encode(const Reveal& r);
Result<Reveal> decode_reveal(ByteView in);

}  // namespace vt::verifier
