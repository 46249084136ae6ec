#include "wallet/agent/workers.h"

namespace vt::wallet::agent {
namespace {

std::string job_line(uint64_t id, const std::string& what) {
  return "job " + std::to_string(id) + ": " + what;
}

}  // namespace

void verifier_round(ChainReader& chain, VerifierActions& act, const std::string& me,
                    const Say& say) {
  for (const JobInfo& listed : chain.jobs(ledger::JobStatus::Verifying, "")) {
    const uint64_t id = listed.id;
    const JobInfo job = chain.job(id);
    if (!job.pol) continue;  // the node sent no record: nothing to do for it
    switch (verifier_step(*job.pol, me)) {
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
  for (const DisputeInfo& d : chain.open_disputes(me)) say(act.respond(d));
}

void provider_round(ChainReader& chain, ProviderActions& act, const std::string& me,
                    const ProviderRules& rules, const Say& say) {
  if (rules.accept_open) {
    for (const JobInfo& listed : chain.jobs(ledger::JobStatus::Open, "")) {
      const uint64_t id = listed.id;
      // A listed job lacks its spec, which only the step cost rule reads.
      const JobInfo j = rules.rules.max_step_cost != 0 ? chain.job(id) : listed;
      if (refuse_open_job(j, me, rules.rules)) continue;
      say(job_line(id, "accepting"));
      say(job_line(id, act.accept(id)));
    }
  }
  for (const JobInfo& listed : chain.jobs(ledger::JobStatus::Accepted, me))
    say(job_line(listed.id, act.train_and_commit(listed.id)));
  for (const JobInfo& listed : chain.jobs(ledger::JobStatus::Verifying, me)) {
    const JobInfo job = chain.job(listed.id);
    if (job.pol && probes_due(*job.pol)) say(job_line(listed.id, act.post_probes(listed.id)));
  }
  for (const DisputeInfo& d : chain.open_disputes(me)) say(act.respond(d));
}

}  // namespace vt::wallet::agent
