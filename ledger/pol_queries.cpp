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

}  // namespace vt::ledger
