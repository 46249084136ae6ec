// What the long-running workers (`provider run`, `verifier run`) decide each
// round, as pure functions of what the node answered (decoded into the typed
// values of chain_view.h), so that unit tests drive the decisions with recorded
// answers. The rounds that ask the node and act on these decisions are in
// workers.h. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "wallet/agent/chain_view.h"

namespace vt::wallet::agent {

// A verifier's part in one verifying job this round.
enum class VerifierStep {
  none,    // not assigned, or nothing due in this phase
  attest,  // commit window, and an assigned segment has no attestation yet
  reveal,  // reveal window, and an attested segment is not revealed yet
};
// me: the verifier's vt1... address.
VerifierStep verifier_step(const PolRecord& pol, const std::string& me);

// The rules a provider takes open jobs by (`provider run --accept-open`).
struct AcceptRules {
  uint64_t min_payment = 0;    // base units the job must pay at least
  uint64_t max_step_cost = 0;  // multiply-adds per training step at most; 0: any
};
// Why an open job is not for `me`, or nullopt to take it. The step cost rule
// reads the job's spec: a job without one (a state_listJobs entry) is refused
// under that rule, so ask with state_getJob's answer.
std::optional<std::string> refuse_open_job(const JobInfo& job, const std::string& me,
                                           const AcceptRules& rules);

// Whether a provider owes probes now: the job is in its probe window and a
// sampled segment has no provider probe yet.
bool probes_due(const PolRecord& pol);

}  // namespace vt::wallet::agent
