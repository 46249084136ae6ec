// One round of each long-running worker (`verifier run`, `provider run`): what
// to read from the node, what to decide (worker_plan.h) and what to do, over
// interfaces: ChainReader for the reads, VerifierActions and ProviderActions for
// the work. The CLI implements them over JSON-RPC and its proof-of-learning
// commands (wallet/pol_commands.cpp); unit tests drive rounds with fakes. A
// round lets an action's exception through (the CLI's loop logs it and retries
// next round). Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ledger/objects.h"
#include "wallet/agent/worker_plan.h"

namespace vt::wallet::agent {

// The node's answers a worker reads, typed (chain_view.h). An implementation
// throws when the node cannot be asked or answers what does not decode.
class ChainReader {
 public:
  virtual ~ChainReader() = default;
  // Jobs in `status` (of this provider when `provider` is not empty), in id
  // order, without spec and pol (state_listJobs).
  virtual std::vector<JobInfo> jobs(ledger::JobStatus status, const std::string& provider) = 0;
  // One job with its spec and proof-of-learning record (state_getJob).
  virtual JobInfo job(uint64_t id) = 0;
  // Open disputes in which `party` is the provider or the challenger.
  virtual std::vector<DisputeInfo> open_disputes(const std::string& party) = 0;
};

// What a verifier's worker does; each returns a line for the log.
class VerifierActions {
 public:
  virtual ~VerifierActions() = default;
  virtual std::string attest(uint64_t job_id) = 0;  // replay my segments, post commitments
  virtual std::string reveal(uint64_t job_id) = 0;
  virtual std::string respond(const DisputeInfo& dispute) = 0;  // my next move
};

// What a provider's worker does; each returns a line for the log.
class ProviderActions {
 public:
  virtual ~ProviderActions() = default;
  virtual std::string accept(uint64_t job_id) = 0;
  virtual std::string train_and_commit(uint64_t job_id) = 0;  // trains first if not yet done
  virtual std::string post_probes(uint64_t job_id) = 0;
  virtual std::string respond(const DisputeInfo& dispute) = 0;
};

using Say = std::function<void(const std::string&)>;

// Every verifying job where `me` has an attestation or a reveal due, then every
// open dispute of `me`.
void verifier_round(ChainReader& chain, VerifierActions& act, const std::string& me,
                    const Say& say);

struct ProviderRules {
  bool accept_open = false;  // take open jobs that pass `rules`
  AcceptRules rules;
};
// Open jobs to accept (when asked to), accepted jobs to train and commit,
// verifying jobs whose probes are due, then every open dispute of `me`.
void provider_round(ChainReader& chain, ProviderActions& act, const std::string& me,
                    const ProviderRules& rules, const Say& say);

}  // namespace vt::wallet::agent
