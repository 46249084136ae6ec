#include "ledger/pol_queries.h"

#include <cassert>

#include "core/encoding.h"
#include "ledger/state_access.h"

namespace vt::ledger {

const char* pol_phase_name(PolPhase p) {
  switch (p) {
    case PolPhase::waiting_for_sampling:
      return "waiting_for_sampling";
    case PolPhase::commit_window:
      return "commit_window";
    case PolPhase::drawing_probe:
      return "drawing_probe";
    case PolPhase::probe_window:
      return "probe_window";
    case PolPhase::reveal_window:
      return "reveal_window";
    case PolPhase::disputes:
      return "disputes";
    case PolPhase::closed:
      return "closed";
  }
  return "closed";  // unreachable: every enumerator is above
}

std::optional<PolPhase> pol_phase_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kPolPhaseCount; ++i)
    if (name == pol_phase_name(static_cast<PolPhase>(i))) return static_cast<PolPhase>(i);
  return std::nullopt;
}

PolPhase pol_phase(const Job& j, const JobPol& pol, uint64_t height) {
  const uint64_t next = height + 1;
  if (j.status == JobStatus::Committed) return PolPhase::waiting_for_sampling;
  if (j.status != JobStatus::Verifying) return PolPhase::closed;
  if (next <= pol.commit_deadline) return PolPhase::commit_window;
  if (!pol.probe_seed) return PolPhase::drawing_probe;
  if (next <= pol.probe_deadline) return PolPhase::probe_window;
  if (next <= pol.reveal_deadline) return PolPhase::reveal_window;
  return PolPhase::disputes;
}

std::optional<verifier::Judgement> judge_assignment(const Assignment& a,
                                                    const verifier::Commitment& committed,
                                                    bool probe_drawn) {
  if (!probe_drawn || !a.revealed || !a.provider_probe) return std::nullopt;
  const auto seg = verifier::segment_bounds(a.segment, committed.steps, committed.interval);
  const uint64_t r = verifier::probe_offset(seg.end - seg.start);
  verifier::Reveal rv;
  rv.trace.end_hash = a.revealed_end;
  rv.probe_leaf = a.revealed_probe;
  return verifier::judge(seg, r, committed.checkpoints.at(a.segment + 1), *a.provider_probe, rv);
}

std::vector<SlashRecord> slashes_of_job(const StateReader& state, uint64_t job_id) {
  std::vector<SlashRecord> out;
  const Bytes prefix = keys::job_slash_prefix(job_id);
  state.scan(prefix, [&](const Bytes& key, const Bytes&) {
    Reader r(ByteView(key).subspan(prefix.size()));
    const uint64_t id = r.u64("slash id");
    [[maybe_unused]] const bool whole = r.finish().ok();
    assert(whole && "the job-slash index holds job id || slash id keys only");
    auto record = read_slash(state, id);
    assert(record && "every job-slash index entry names a slash record");
    if (record) out.push_back(*record);
    return true;
  });
  return out;
}

std::optional<PolView> pol_view(const StateReader& state, uint64_t height, const Job& job,
                                const StateReader& slash_index) {
  auto pol = read_job_pol(state, job.id);
  auto raw = state.get(keys::commitment(job.id));
  if (!pol || !raw) return std::nullopt;
  auto commitment = verifier::decode_commitment(*raw);
  // Execution stored this commitment after decoding it: a failure is a corrupt state.
  assert(commitment.ok() && "a stored commitment decodes");
  if (!commitment.ok()) return std::nullopt;
  PolView v;
  v.height = height;
  v.pol = std::move(*pol);
  v.commitment = std::move(commitment.value());
  const verifier::Commitment& cm = v.commitment;
  v.phase = pol_phase(job, v.pol, height);
  v.segment_count = verifier::segment_count(cm.steps, cm.interval);
  if (v.pol.commit_deadline != 0) v.settle_height = v.pol.reveal_deadline + 1;
  const bool probe_drawn = v.pol.probe_seed.has_value();
  for (const Assignment& a : v.pol.assignments) {
    SegmentView s;
    s.assignment = a;
    s.bounds = verifier::segment_bounds(a.segment, cm.steps, cm.interval);
    s.start_hash = cm.checkpoints.at(a.segment);
    s.end_hash = cm.checkpoints.at(a.segment + 1);
    if (probe_drawn) s.probe_offset = verifier::probe_offset(s.bounds.end - s.bounds.start);
    s.judgement = judge_assignment(a, cm, probe_drawn);
    v.segments.push_back(std::move(s));
  }
  for (uint64_t id : v.pol.disputes)
    if (auto d = read_dispute(state, id)) v.disputes.push_back(std::move(*d));
  for (SlashRecord& s : slashes_of_job(slash_index, job.id))
    if (s.height <= height) v.slashes.push_back(std::move(s));
  return v;
}

}  // namespace vt::ledger
