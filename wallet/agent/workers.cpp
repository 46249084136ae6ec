#include "wallet/agent/workers.h"

namespace vt::wallet::agent {
namespace {

std::string job_line(uint64_t id, const std::string& what) {
  return "job " + std::to_string(id) + ": " + what;
}

}  // namespace

void verifier_round(ChainReader& chain, VerifierActions& act, const std::string& me,
                    const Say& say) {
  for (const auto& listed : chain.jobs(ledger::JobStatus::Verifying, "")) {
    const uint64_t id = listed.at("id").get<uint64_t>();
    switch (verifier_step(chain.job(id).at("pol"), me)) {
      case VerifierStep::attest:
        say(job_line(id, "replaying my segments"));
        say(job_line(id, act.attest(id)));
        break;
      case VerifierStep::reveal:
        say(job_line(id, act.reveal(id)));
        break;
      case VerifierStep::none:
        break;
    }
  }
  for (const auto& d : chain.open_disputes(me)) say(act.respond(d));
}

void provider_round(ChainReader& chain, ProviderActions& act, const std::string& me,
                    const ProviderRules& rules, const Say& say) {
  if (rules.accept_open) {
    for (const auto& listed : chain.jobs(ledger::JobStatus::Open, "")) {
      const uint64_t id = listed.at("id").get<uint64_t>();
      // A listed job lacks its spec, which only the step cost rule reads.
      const nlohmann::json j = rules.rules.max_step_cost != 0 ? chain.job(id) : listed;
      if (refuse_open_job(j, me, rules.rules)) continue;
      say(job_line(id, "accepting"));
      say(job_line(id, act.accept(id)));
    }
  }
  for (const auto& listed : chain.jobs(ledger::JobStatus::Accepted, me)) {
    const uint64_t id = listed.at("id").get<uint64_t>();
    say(job_line(id, act.train_and_commit(id)));
  }
  for (const auto& listed : chain.jobs(ledger::JobStatus::Verifying, me)) {
    const uint64_t id = listed.at("id").get<uint64_t>();
    if (probes_due(chain.job(id).at("pol"))) say(job_line(id, act.post_probes(id)));
  }
  for (const auto& d : chain.open_disputes(me)) say(act.respond(d));
}

}  // namespace vt::wallet::agent
