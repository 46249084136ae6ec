// Typed read-only queries over the ledger's proof-of-learning records, so that
// execution, the RPC views and the wallet's agents share one reading of the
// rules instead of re-deriving them from strings. Pure functions over a state
// reader; thread-safe as the reader is.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "ledger/objects.h"
#include "ledger/state.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"

namespace vt::ledger {

// Where a committed job's proof of learning stands for a transaction sent after
// block `height` (it lands in height + 1). The windows follow JobPol's deadlines.
enum class PolPhase : uint8_t {
  waiting_for_sampling = 0,  // committed; begin_block of sample_height draws the segments
  commit_window = 1,         // verifiers send AttestCommit (until commit_deadline)
  drawing_probe = 2,         // the probe seed is set at the start of commit_deadline + 1
  probe_window = 3,          // the provider posts its probes (until probe_deadline)
  reveal_window = 4,         // the verifiers reveal (until reveal_deadline)
  disputes = 5,              // judged; waiting for its disputes to be resolved
  closed = 6,                // settled, slashed or otherwise over
};
inline constexpr std::size_t kPolPhaseCount = 7;
const char* pol_phase_name(PolPhase p);
std::optional<PolPhase> pol_phase_from_name(std::string_view name);
PolPhase pol_phase(const Job& j, const JobPol& pol, uint64_t height);

// What judging makes of one assignment: the verifier's revealed end and probe
// against the provider's committed end and probe. Nullopt until the probe seed
// is drawn, the verifier revealed and the provider posted its probe. Execution
// judges with this at reveal_deadline + 1; the RPC shows it as soon as it is known.
std::optional<verifier::Judgement> judge_assignment(const Assignment& a,
                                                    const verifier::Commitment& committed,
                                                    bool probe_drawn);

// The slash records of one job, in slash id order (through the job's slash index).
std::vector<SlashRecord> slashes_of_job(const StateReader& state, uint64_t job_id);

// One sampled segment's seat in a job's proof of learning, with what the rules
// derive from it.
struct SegmentView {
  Assignment assignment;
  verifier::SegmentBounds bounds;        // steps [start, end)
  Hash256 start_hash{}, end_hash{};      // the committed checkpoints at start and end
  std::optional<uint64_t> probe_offset;  // once the probe seed is drawn; probe step start + it
  std::optional<verifier::Judgement> judgement;  // judge_assignment, once it is known
};

// A committed job's whole proof-of-learning record as of one height: what the
// RPC's state_getJob `pol` serializes and the explorer shows.
struct PolView {
  uint64_t height = 0;  // the state is the one after this block
  JobPol pol;
  verifier::Commitment commitment;
  PolPhase phase = PolPhase::closed;
  uint64_t segment_count = 0;             // of the commitment
  std::optional<uint64_t> settle_height;  // reveal_deadline + 1, once sampled
  std::vector<SegmentView> segments;      // one per assignment, in JobPol order
  std::vector<DisputeRecord> disputes;    // in opening order
  std::vector<SlashRecord> slashes;       // of this job, slashed at or before `height`
};

// The record of `job` in `state` (the state after block `height`), or nullopt
// for a job not committed. Slashes come from `slash_index`, which must be the
// head's state or `state` itself: the job-slash index is a prefix scan, which a
// state history cannot serve, and slash records are never rewritten, so the
// head's list filtered to `height` is the list as it stood then.
std::optional<PolView> pol_view(const StateReader& state, uint64_t height, const Job& job,
                                const StateReader& slash_index);

}  // namespace vt::ledger
