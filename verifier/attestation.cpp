#include "verifier/attestation.h"

#include <bit>
#include <cassert>
#include <string>

#include "core/encoding.h"
#include "core/sha256.h"
#include "kernels/merkle.h"
#include "verifier/sampling.h"

namespace vt::verifier {

Hash256 step_leaf(const Hash256& state_hash, float loss, const Hash256& shadow) {
  Writer w;
  w.fixed(state_hash).u32(std::bit_cast<uint32_t>(loss)).fixed(shadow);
  return tagged_hash("veritrain/pol-step", w.data());
}

std::vector<Hash256> leaves_of(const std::vector<StepRecord>& per_step) {
  std::vector<Hash256> leaves;
  leaves.reserve(per_step.size());
  for (const StepRecord& s : per_step) leaves.push_back(s.leaf);
  return leaves;
}

SegmentTrace make_trace(const std::vector<StepRecord>& per_step) {
  assert(!per_step.empty());
  return {per_step.back().state_hash, kernels::merkle_root(leaves_of(per_step))};
}

Hash256 attestation_commitment(uint64_t job_id, uint64_t segment, const SegmentTrace& trace,
                               const Address& verifier, const Hash256& salt) {
  Writer w;
  w.u64(job_id)
      .u64(segment)
      .fixed(trace.end_hash)
      .fixed(trace.trace_root)
      .fixed(verifier)
      .fixed(salt);
  return tagged_hash("veritrain/pol-attest", w.data());
}

uint64_t probe_offset(uint64_t len) {
  assert(len >= 1);
  return len;
}

Status check_reveal(const Hash256& commitment, uint64_t job_id, uint64_t segment, uint64_t len,
                    uint64_t probe_r, const Address& verifier, const Reveal& reveal) {
  if (attestation_commitment(job_id, segment, reveal.trace, verifier, reveal.salt) != commitment)
    return make_error("reveal: does not open this verifier's commitment");
  if (probe_r < 1 || probe_r > len) return make_error("reveal: probe offset outside the segment");
  if (reveal.probe_proof.leaf_count != len || reveal.probe_proof.index != probe_r - 1)
    return make_error("reveal: the proof is not for the probe step");
  if (auto s = verify_proof(reveal.trace.trace_root, len, reveal.probe_leaf, reveal.probe_proof);
      !s)
    return make_error("reveal: probe leaf " + s.error());
  return Status::success();
}

Judgement judge(const SegmentBounds& seg, uint64_t probe_r, const Hash256& committed_end,
                const Hash256& provider_probe, const Reveal& reveal) {
  Judgement j;
  if (reveal.trace.end_hash != committed_end) {
    j.kind = JudgeKind::dispute_end;
    j.lo = seg.start;
    j.hi = seg.end;
    j.provider_hi = committed_end;
    j.verifier_hi = reveal.trace.end_hash;
    return j;
  }
  if (reveal.probe_leaf != provider_probe) {
    j.kind = JudgeKind::dispute_probe;
    j.lo = seg.start;
    j.hi = seg.start + probe_r;
    j.provider_hi = provider_probe;
    j.verifier_hi = reveal.probe_leaf;
    return j;
  }
  j.kind = JudgeKind::agree;
  return j;
}

Bytes encode(const Reveal& r) {
  Writer w;
  w.fixed(r.trace.end_hash).fixed(r.trace.trace_root).fixed(r.salt).fixed(r.probe_leaf);
  w.fixed(encode(r.probe_proof));
  return w.take();
}

Result<Reveal> decode_reveal(ByteView in) {
  Reader r(in);
  Reveal v;
  v.trace.end_hash = r.fixed<32>("reveal.end_hash");
  v.trace.trace_root = r.fixed<32>("reveal.trace_root");
  v.salt = r.fixed<32>("reveal.salt");
  v.probe_leaf = r.fixed<32>("reveal.probe_leaf");
  if (!r.ok()) return make_error(r.error());  // ok implies at least 128 bytes were read
  auto proof = decode_inclusion_proof(in.subspan(128));
  if (!proof) return make_error("reveal." + proof.error());
  v.probe_proof = std::move(proof.value());
  return v;
}

}  // namespace vt::verifier
