#include "wallet/agent/worker_plan.h"

#include "kernels/job_spec.h"
#include "verifier/referee.h"

namespace vt::wallet::agent {

VerifierStep verifier_step(const PolRecord& pol, const std::string& me) {
  bool assigned = false, unattested = false, unrevealed = false;
  for (const Seat& s : pol.seats) {
    if (s.verifier != me) continue;
    assigned = true;
    unattested |= !s.attested;
    unrevealed |= s.attested && !s.revealed;
  }
  if (!assigned) return VerifierStep::none;
  if (pol.phase == ledger::PolPhase::commit_window && unattested) return VerifierStep::attest;
  if (pol.phase == ledger::PolPhase::reveal_window && unrevealed) return VerifierStep::reveal;
  return VerifierStep::none;
}

std::optional<std::string> refuse_open_job(const JobInfo& job, const std::string& me,
                                           const AcceptRules& rules) {
  if (job.client == me) return "it is our own job";
  if (job.payment < rules.min_payment)
    return "it pays " + std::to_string(job.payment) + ", less than --min-payment " +
           std::to_string(rules.min_payment);
  if (rules.max_step_cost != 0) {
    if (!job.spec) return "its spec is not on chain";
    auto spec = kernels::parse_job_spec(job.spec->dump());
    if (!spec) return "its spec does not parse: " + spec.error;
    const uint64_t cost = verifier::referee_cost(spec.value);
    if (cost > rules.max_step_cost)
      return "a training step costs " + std::to_string(cost) + " multiply-adds, more than " +
             "--max-step-cost " + std::to_string(rules.max_step_cost);
  }
  return std::nullopt;
}

bool probes_due(const PolRecord& pol) {
  if (pol.phase != ledger::PolPhase::probe_window) return false;
  for (const Seat& s : pol.seats)
    if (!s.provider_probed) return true;
  return false;
}

}  // namespace vt::wallet::agent
