// The workers' rounds (wallet/agent/workers.h) driven with a fake chain and
// recording actions: who does what in which phase, that nothing else is done,
// and that open disputes are answered every round.
#include "wallet/agent/workers.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/wallet/pol_answers.h"

namespace vt::wallet::agent {
namespace {

using nlohmann::json;
using test::kMe;
using test::kOther;
using test::pol;
using test::seat;

class FakeChain final : public ChainReader {
 public:
  std::map<uint64_t, json> by_id;  // state_getJob answers
  std::vector<json> disputes;
  std::vector<json> jobs(ledger::JobStatus status, const std::string& provider) override {
    std::vector<json> out;
    for (const auto& [id, j] : by_id) {
      if (j.at("status") != ledger::job_status_name(status)) continue;
      if (!provider.empty() && j.value("provider", "") != provider) continue;
      json listed = j;
      listed.erase("spec");  // as state_listJobs answers
      listed.erase("pol");
      out.push_back(listed);
    }
    return out;
  }
  json job(uint64_t id) override { return by_id.at(id); }
  std::vector<json> open_disputes(const std::string& party) override {
    std::vector<json> out;
    for (const auto& d : disputes)
      if (d.at("provider") == party || d.at("challenger") == party) out.push_back(d);
    return out;
  }
  void add(uint64_t id, const std::string& status, const std::string& provider, json record,
           const std::string& client = "vt1client", const std::string& payment = "100") {
    by_id[id] = {
        {"id", id},           {"status", status}, {"provider", provider},    {"client", client},
        {"payment", payment}, {"spec", nullptr},  {"pol", std::move(record)}};
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
  std::string respond(const json& d) override {
    return calls.record("respond", d.at("id").get<uint64_t>());
  }
};

class RecordingProvider final : public ProviderActions {
 public:
  Calls calls;
  std::string accept(uint64_t id) override { return calls.record("accept", id); }
  std::string train_and_commit(uint64_t id) override { return calls.record("commit", id); }
  std::string post_probes(uint64_t id) override { return calls.record("probes", id); }
  std::string respond(const json& d) override {
    return calls.record("respond", d.at("id").get<uint64_t>());
  }
};

TEST_CASE("a verifier's round: attest, reveal, leave alone, answer disputes") {
  FakeChain chain;
  chain.add(1, "verifying", kOther, pol("commit_window", {seat(kMe, false, false, false)}));
  chain.add(2, "verifying", kOther, pol("reveal_window", {seat(kMe, true, false, true)}));
  chain.add(3, "verifying", kOther, pol("commit_window", {seat(kOther, false, false, false)}));
  chain.add(4, "verifying", kOther, pol("probe_window", {seat(kMe, true, false, false)}));
  chain.add(5, "settled", kOther, pol("closed", {seat(kMe, false, false, false)}));
  chain.disputes = {{{"id", 9}, {"provider", kOther}, {"challenger", kMe}},
                    {{"id", 10}, {"provider", kOther}, {"challenger", "vt1third"}}};
  RecordingVerifier act;
  std::vector<std::string> log;
  verifier_round(chain, act, kMe, [&](const std::string& line) { log.push_back(line); });
  CHECK(act.calls.done == std::vector<std::string>{"attest 1", "reveal 2", "respond 9"});
  CHECK(log.front() == "job 1: replaying my segments");
}

TEST_CASE("a provider's round: accept by the rules, commit, probe, answer disputes") {
  FakeChain chain;
  chain.add(1, "open", "", nullptr, "vt1client", "500");
  chain.add(2, "open", "", nullptr, "vt1client", "50");  // pays too little
  chain.add(3, "open", "", nullptr, kMe, "500");         // our own job
  chain.add(4, "accepted", kMe, nullptr);
  chain.add(5, "accepted", kOther, nullptr);
  chain.add(6, "verifying", kMe, pol("probe_window", {seat(kOther, true, false, false)}));
  chain.add(7, "verifying", kMe, pol("probe_window", {seat(kOther, true, false, true)}));
  chain.add(8, "verifying", kMe, pol("commit_window", {seat(kOther, false, false, false)}));
  chain.disputes = {{{"id", 3}, {"provider", kMe}, {"challenger", kOther}}};
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
    std::string respond(const json&) override { return "ok"; }
  } act;
  FakeChain chain;
  chain.add(1, "verifying", kOther, pol("commit_window", {seat(kMe, false, false, false)}));
  CHECK_THROWS_WITH(verifier_round(chain, act, kMe, [](const std::string&) {}), "node unreachable");
}

}  // namespace
}  // namespace vt::wallet::agent
