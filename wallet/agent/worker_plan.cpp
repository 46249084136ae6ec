#include "wallet/agent/worker_plan.h"

#include <stdexcept>

#include "core/decimal.h"
#include "kernels/job_spec.h"
#include "verifier/referee.h"

namespace vt::wallet::agent {
ledger::PolPhase phase_of(const nlohmann::json& pol) {
  const std::string name = pol.at("phase").get<std::string>();
  const auto p = ledger::pol_phase_from_name(name);
  if (!p) throw std::invalid_argument("the node sent an unknown phase '" + name + "'");
  return *p;
}

VerifierStep verifier_step(const nlohmann::json& pol, const std::string& me) {
  bool assigned = false, unattested = false, unrevealed = false;
  for (const auto& s : pol.at("segments")) {
    if (s.at("verifier") != me) continue;
    assigned = true;
    const bool attested = !s.at("attest_commitment").is_null();
    unattested |= !attested;
    unrevealed |= attested && !s.at("revealed").get<bool>();
  }
  if (!assigned) return VerifierStep::none;
  const ledger::PolPhase p = phase_of(pol);
  if (p == ledger::PolPhase::commit_window && unattested) return VerifierStep::attest;
  if (p == ledger::PolPhase::reveal_window && unrevealed) return VerifierStep::reveal;
  return VerifierStep::none;
}

std::optional<std::string> refuse_open_job(const nlohmann::json& job, const std::string& me,
                                           const AcceptRules& rules) {
  if (job.at("client") == me) return "it is our own job";
  const auto payment = parse_u64_decimal(job.at("payment").get<std::string>());
  if (!payment) return "its payment is not a number: " + payment.error();
  if (payment.value() < rules.min_payment)
    return "it pays " + std::to_string(payment.value()) + ", less than --min-payment " +
           std::to_string(rules.min_payment);
  if (rules.max_step_cost != 0) {
    if (job.at("spec").is_null()) return "its spec is not on chain";
    auto spec = kernels::parse_job_spec(job.at("spec").dump());
    if (!spec) return "its spec does not parse: " + spec.error;
    const uint64_t cost = verifier::referee_cost(spec.value);
    if (cost > rules.max_step_cost)
      return "a training step costs " + std::to_string(cost) + " multiply-adds, more than " +
             "--max-step-cost " + std::to_string(rules.max_step_cost);
  }
  return std::nullopt;
}

bool probes_due(const nlohmann::json& pol) {
  if (phase_of(pol) != ledger::PolPhase::probe_window) return false;
  for (const auto& s : pol.at("segments"))
    if (s.at("provider_probe").is_null()) return true;
  return false;
}

}  // namespace vt::wallet::agent
