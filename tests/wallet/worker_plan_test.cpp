// The workers' decisions (wallet/agent/worker_plan.h) over typed answers: each
// phase and each segment state, and the accept rules with their reasons.
#include "wallet/agent/worker_plan.h"

#include <doctest/doctest.h>

#include "tests/wallet/pol_answers.h"

namespace vt::wallet::agent {
namespace {

using ledger::PolPhase;
using nlohmann::json;
using test::kMe;
using test::kOther;
using test::pol;
using test::seat;

TEST_CASE("a verifier attests in the commit window and reveals in the reveal window") {
  const Seat mine_fresh = seat(kMe, false, false, false);
  const Seat mine_attested = seat(kMe, true, false, true);
  const Seat mine_done = seat(kMe, true, true, true);
  const Seat theirs = seat(kOther, false, false, false);
  CHECK(verifier_step(pol(PolPhase::commit_window, {theirs, mine_fresh}), kMe) ==
        VerifierStep::attest);
  CHECK(verifier_step(pol(PolPhase::commit_window, {mine_attested}), kMe) == VerifierStep::none);
  CHECK(verifier_step(pol(PolPhase::reveal_window, {mine_attested}), kMe) == VerifierStep::reveal);
  CHECK(verifier_step(pol(PolPhase::reveal_window, {mine_done}), kMe) == VerifierStep::none);
  // Too late to attest, too early to reveal, or not assigned at all.
  CHECK(verifier_step(pol(PolPhase::reveal_window, {mine_fresh}), kMe) == VerifierStep::none);
  CHECK(verifier_step(pol(PolPhase::probe_window, {mine_attested}), kMe) == VerifierStep::none);
  CHECK(verifier_step(pol(PolPhase::commit_window, {theirs}), kMe) == VerifierStep::none);
  CHECK(verifier_step(pol(PolPhase::closed, {mine_fresh}), kMe) == VerifierStep::none);
}

TEST_CASE("a provider owes probes only in the probe window, for segments without one") {
  CHECK(probes_due(pol(PolPhase::probe_window, {seat(kOther, true, false, false)})));
  CHECK_FALSE(probes_due(pol(PolPhase::probe_window, {seat(kOther, true, false, true)})));
  CHECK_FALSE(probes_due(pol(PolPhase::commit_window, {seat(kOther, true, false, false)})));
  CHECK_FALSE(probes_due(pol(PolPhase::reveal_window, {seat(kOther, true, false, false)})));
}

TEST_CASE("open jobs are taken by the provider's rules, each refusal with its reason") {
  const json tiny_spec = json::parse(R"({"batch_size":16,"checkpoint_interval":5,"dataset":{
      "name":"fashion-mnist",
      "test_images_sha256":"5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
      "test_labels_sha256":"0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
      "train_images_sha256":"c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
      "train_labels_sha256":"bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"},
      "model":{"activation":"relu","layers":[784,32,10],"type":"mlp"},
      "optimizer":{"lr":"0.05","momentum":"0.9","type":"sgd","weight_decay":"1e-04"},
      "seed":7,"steps":20})");
  JobInfo job;
  job.client = kOther;
  job.payment = 7000000;
  job.spec = tiny_spec;
  CHECK_FALSE(refuse_open_job(job, kMe, AcceptRules{}));
  CHECK_FALSE(refuse_open_job(job, kMe, AcceptRules{7000000, 0}));
  auto why = refuse_open_job(job, kMe, AcceptRules{7000001, 0});
  REQUIRE(why);
  CHECK(*why == "it pays 7000000, less than --min-payment 7000001");
  JobInfo own = job;
  own.client = kMe;
  CHECK(refuse_open_job(own, kMe, AcceptRules{}) ==
        std::optional<std::string>("it is our own job"));
  // A 784-32-10 MLP step on a batch of 16 costs far more than 1,000 multiply-adds.
  why = refuse_open_job(job, kMe, AcceptRules{0, 1000});
  REQUIRE(why);
  CHECK(why->find("more than --max-step-cost 1000") != std::string::npos);
  CHECK_FALSE(refuse_open_job(job, kMe, AcceptRules{0, UINT64_MAX}));
  // A listed job carries no spec: the step cost rule cannot pass it.
  JobInfo listed = job;
  listed.spec.reset();
  CHECK(refuse_open_job(listed, kMe, AcceptRules{0, 1000}) ==
        std::optional<std::string>("its spec is not on chain"));
  CHECK_FALSE(refuse_open_job(listed, kMe, AcceptRules{}));
}

}  // namespace
}  // namespace vt::wallet::agent
