// The workers' decisions (wallet/agent/worker_plan.h) over state_getJob-shaped
// answers: each phase and each segment state, the accept rules with their
// reasons, and a phase the build does not know refused rather than guessed.
#include "wallet/agent/worker_plan.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "tests/wallet/pol_answers.h"

namespace vt::wallet::agent {
namespace {

using nlohmann::json;
using test::kMe;
using test::kOther;
using test::pol;
using test::seat;

TEST_CASE("a verifier attests in the commit window and reveals in the reveal window") {
  const json mine_fresh = seat(kMe, false, false, false);
  const json mine_attested = seat(kMe, true, false, true);
  const json mine_done = seat(kMe, true, true, true);
  const json theirs = seat(kOther, false, false, false);
  CHECK(verifier_step(pol("commit_window", {theirs, mine_fresh}), kMe) == VerifierStep::attest);
  CHECK(verifier_step(pol("commit_window", {mine_attested}), kMe) == VerifierStep::none);
  CHECK(verifier_step(pol("reveal_window", {mine_attested}), kMe) == VerifierStep::reveal);
  CHECK(verifier_step(pol("reveal_window", {mine_done}), kMe) == VerifierStep::none);
  // Too late to attest, too early to reveal, or not assigned at all.
  CHECK(verifier_step(pol("reveal_window", {mine_fresh}), kMe) == VerifierStep::none);
  CHECK(verifier_step(pol("probe_window", {mine_attested}), kMe) == VerifierStep::none);
  CHECK(verifier_step(pol("commit_window", {theirs}), kMe) == VerifierStep::none);
  CHECK(verifier_step(pol("closed", {mine_fresh}), kMe) == VerifierStep::none);
  CHECK_THROWS_AS(verifier_step(pol("judging_soon", {mine_fresh}), kMe), std::invalid_argument);
}

TEST_CASE("a provider owes probes only in the probe window, for segments without one") {
  CHECK(probes_due(pol("probe_window", {seat(kOther, true, false, false)})));
  CHECK_FALSE(probes_due(pol("probe_window", {seat(kOther, true, false, true)})));
  CHECK_FALSE(probes_due(pol("commit_window", {seat(kOther, true, false, false)})));
  CHECK_FALSE(probes_due(pol("reveal_window", {seat(kOther, true, false, false)})));
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
  const json job = {{"client", kOther}, {"payment", "7000000"}, {"spec", tiny_spec}};
  CHECK_FALSE(refuse_open_job(job, kMe, AcceptRules{}));
  CHECK_FALSE(refuse_open_job(job, kMe, AcceptRules{7000000, 0}));
  auto why = refuse_open_job(job, kMe, AcceptRules{7000001, 0});
  REQUIRE(why);
  CHECK(*why == "it pays 7000000, less than --min-payment 7000001");
  json own = job;
  own["client"] = kMe;
  CHECK(refuse_open_job(own, kMe, AcceptRules{}) ==
        std::optional<std::string>("it is our own job"));
  // A 784-32-10 MLP step on a batch of 16 costs far more than 1,000 multiply-adds.
  why = refuse_open_job(job, kMe, AcceptRules{0, 1000});
  REQUIRE(why);
  CHECK(why->find("more than --max-step-cost 1000") != std::string::npos);
  CHECK_FALSE(refuse_open_job(job, kMe, AcceptRules{0, UINT64_MAX}));
  json bad = job;
  bad["payment"] = "-5";
  why = refuse_open_job(bad, kMe, AcceptRules{});
  REQUIRE(why);
  CHECK(why->find("its payment is not a number") == 0);
}

}  // namespace
}  // namespace vt::wallet::agent
