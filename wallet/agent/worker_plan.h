// What the long-running workers (`provider run`, `verifier run`) decide each
// round, as pure functions of what the node answered (state_getJob and
// state_listJobs JSON), so that unit tests drive the decisions with recorded
// answers. The loops that ask the node and act on these decisions are in
// wallet/pol_commands.cpp. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ledger/pol_queries.h"

namespace vt::wallet::agent {

// The phase of a job's proof-of-learning record (state_getJob's `pol`), typed.
// Throws std::invalid_argument when the node sent a phase this build does not know.
ledger::PolPhase phase_of(const nlohmann::json& pol);

// A verifier's part in one verifying job this round.
enum class VerifierStep {
  none,    // not assigned, or nothing due in this phase
  attest,  // commit window, and an assigned segment has no attestation yet
  reveal,  // reveal window, and an attested segment is not revealed yet
};
// pol: state_getJob's `pol`; me: the verifier's vt1... address.
VerifierStep verifier_step(const nlohmann::json& pol, const std::string& me);

// The rules a provider takes open jobs by (`provider run --accept-open`).
struct AcceptRules {
  uint64_t min_payment = 0;    // base units the job must pay at least
  uint64_t max_step_cost = 0;  // multiply-adds per training step at most; 0: any
};
// Why an open job (state_getJob's answer) is not for `me`, or nullopt to take it.
std::optional<std::string> refuse_open_job(const nlohmann::json& job, const std::string& me,
                                           const AcceptRules& rules);

// Whether a provider owes probes now: the job is in its probe window and a
// sampled segment has no provider probe yet.
bool probes_due(const nlohmann::json& pol);

}  // namespace vt::wallet::agent
