// The workers' rounds (wallet/agent/workers.h) driven with a fake chain and
// recording actions: who does what in which phase, that nothing else is done,
// and that open disputes are answered every round.
#include "wallet/agent/workers.h"

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/wallet/pol_answers.h"

namespace vt::wallet::agent {
namespace {

using ledger::JobStatus;
using ledger::PolPhase;
using test::kMe;
using test::kOther;
using test::pol;
using test::seat;

class FakeChain final : public ChainReader {
 public:
  std::map<uint64_t, JobInfo> by_id;  // state_getJob answers
  std::vector<DisputeInfo> disputes;
  std::vector<JobInfo> jobs(ledger::JobStatus status, const std::string& provider) override {
    std::vector<JobInfo> out;
    for (const auto& [id, j] : by_id) {
      if (j.status != status) continue;
      if (!provider.empty() && j.provider != provider) continue;
      JobInfo listed = j;
      listed.spec.reset();  // as state_listJobs answers
      listed.pol.reset();
      out.push_back(listed);
    }
    return out;
  }
  JobInfo job(uint64_t id) override { return by_id.at(id); }
  std::vector<DisputeInfo> open_disputes(const std::string& party) override {
    std::vector<DisputeInfo> out;
    for (const auto& d : disputes)
      if (d.provider == party || d.challenger == party) out.push_back(d);
    return out;
  }
  void add(uint64_t id, ledger::JobStatus status, const std::string& provider,
           std::optional<PolRecord> record, const std::string& client = "vt1client",
           uint64_t payment = 100) {
    by_id[id] = JobInfo{.id = id,
                        .status = status,
                        .client = client,
                        .provider = provider,
                        .payment = payment,
                        .spec = std::nullopt,
                        .pol = std::move(record)};
  }
};

struct Calls {
  std::vector<std::string> done;
  std::string record(const std::string& what, uint64_t id) {
    done.push_back(what + " " + std::to_string(id));
    return "ok";
  }
};

class RecordingVerifier final : public VerifierActions {
 public:
  Calls calls;
  std::string attest(uint64_t id) override { return calls.record("attest", id); }
  std::string reveal(uint64_t id) override { return calls.record("reveal", id); }
  std::string respond(const DisputeInfo& d) override { return calls.record("respond", d.id); }
};

class RecordingProvider final : public ProviderActions {
 public:
  Calls calls;
  std::string accept(uint64_t id) override { return calls.record("accept", id); }
  std::string train_and_commit(uint64_t id) override { return calls.record("commit", id); }
  std::string post_probes(uint64_t id) override { return calls.record("probes", id); }
  std::string respond(const DisputeInfo& d) override { return calls.record("respond", d.id); }
};

TEST_CASE("a verifier's round: attest, reveal, leave alone, answer disputes") {
  FakeChain chain;
  chain.add(1, JobStatus::Verifying, kOther,
            pol(PolPhase::commit_window, {seat(kMe, false, false, false)}));
  chain.add(2, JobStatus::Verifying, kOther,
            pol(PolPhase::reveal_window, {seat(kMe, true, false, true)}));
  chain.add(3, JobStatus::Verifying, kOther,
            pol(PolPhase::commit_window, {seat(kOther, false, false, false)}));
  chain.add(4, JobStatus::Verifying, kOther,
            pol(PolPhase::probe_window, {seat(kMe, true, false, false)}));
  chain.add(5, JobStatus::Settled, kOther, pol(PolPhase::closed, {seat(kMe, false, false, false)}));
  chain.disputes = {{9, 1, kOther, kMe}, {10, 1, kOther, "vt1third"}};
  RecordingVerifier act;
  std::vector<std::string> log;
  verifier_round(chain, act, kMe, [&](const std::string& line) { log.push_back(line); });
  CHECK(act.calls.done == std::vector<std::string>{"attest 1", "reveal 2", "respond 9"});
  CHECK(log.front() == "job 1: replaying my segments");
}

TEST_CASE("a provider's round: accept by the rules, commit, probe, answer disputes") {
  FakeChain chain;
  chain.add(1, JobStatus::Open, "", std::nullopt, "vt1client", 500);
  chain.add(2, JobStatus::Open, "", std::nullopt, "vt1client", 50);  // pays too little
  chain.add(3, JobStatus::Open, "", std::nullopt, kMe, 500);         // our own job
  chain.add(4, JobStatus::Accepted, kMe, std::nullopt);
  chain.add(5, JobStatus::Accepted, kOther, std::nullopt);
  chain.add(6, JobStatus::Verifying, kMe,
            pol(PolPhase::probe_window, {seat(kOther, true, false, false)}));
  chain.add(7, JobStatus::Verifying, kMe,
            pol(PolPhase::probe_window, {seat(kOther, true, false, true)}));
  chain.add(8, JobStatus::Verifying, kMe,
            pol(PolPhase::commit_window, {seat(kOther, false, false, false)}));
  chain.disputes = {{3, 6, kMe, kOther}};
  RecordingProvider act;
  const auto quiet = [](const std::string&) {};
  provider_round(chain, act, kMe, ProviderRules{true, AcceptRules{100, 0}}, quiet);
  CHECK(act.calls.done ==
        std::vector<std::string>{"accept 1", "commit 4", "probes 6", "respond 3"});
  // Without --accept-open, open jobs are left alone.
  RecordingProvider idle;
  provider_round(chain, idle, kMe, ProviderRules{false, AcceptRules{}}, quiet);
  CHECK(idle.calls.done == std::vector<std::string>{"commit 4", "probes 6", "respond 3"});
}

TEST_CASE("an action that fails ends the round with its error") {
  class Failing final : public VerifierActions {
   public:
    std::string attest(uint64_t) override { throw std::runtime_error("node unreachable"); }
    std::string reveal(uint64_t) override { return "ok"; }
    std::string respond(const DisputeInfo&) override { return "ok"; }
  } act;
  FakeChain chain;
  chain.add(1, JobStatus::Verifying, kOther,
            pol(PolPhase::commit_window, {seat(kMe, false, false, false)}));
  CHECK_THROWS_WITH(verifier_round(chain, act, kMe, [](const std::string&) {}), "node unreachable");
}

}  // namespace
}  // namespace vt::wallet::agent
