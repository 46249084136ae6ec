// Decoding the node's answers into the workers' typed values
// (wallet/agent/chain_view.h): every field the workers read, and each way an
// answer can be wrong refused with the field it names rather than guessed.
#include "wallet/agent/chain_view.h"

#include <doctest/doctest.h>

namespace vt::wallet::agent {
namespace {

using nlohmann::json;

// A state_getJob answer in the shape of docs/rpc.md, cut to the fields that matter here.
json verifying_job() {
  const std::string h(64, 'a');
  return {{"id", 7},
          {"status", "verifying"},
          {"client", "vt1client"},
          {"provider", "vt1provider"},
          {"payment", "7000000"},
          {"spec", {{"steps", 20}}},
          {"pol",
           {{"phase", "probe_window"},
            {"segments",
             {{{"verifier", "vt1v1"},
               {"attest_commitment", h},
               {"revealed", false},
               {"provider_probe", nullptr}},
              {{"verifier", "vt1v2"},
               {"attest_commitment", nullptr},
               {"revealed", false},
               {"provider_probe", h}}}}}}};
}

TEST_CASE("a state_getJob answer decodes into every field the workers read") {
  const auto j = decode_job(verifying_job());
  REQUIRE_MESSAGE(j.ok(), j.error());
  CHECK(j.value().id == 7);
  CHECK(j.value().status == ledger::JobStatus::Verifying);
  CHECK(j.value().client == "vt1client");
  CHECK(j.value().provider == "vt1provider");
  CHECK(j.value().payment == 7000000);
  REQUIRE(j.value().spec);
  CHECK((*j.value().spec)["steps"] == 20);
  REQUIRE(j.value().pol);
  CHECK(j.value().pol->phase == ledger::PolPhase::probe_window);
  CHECK(j.value().pol->seats ==
        std::vector<Seat>{{"vt1v1", true, false, false}, {"vt1v2", false, false, true}});
}

TEST_CASE("a state_listJobs entry (no spec, no pol) and an open job (no provider) decode") {
  json listed = verifying_job();
  listed.erase("spec");
  listed.erase("pol");
  listed["status"] = "open";
  listed["provider"] = nullptr;
  const auto j = decode_job(listed);
  REQUIRE_MESSAGE(j.ok(), j.error());
  CHECK(j.value().status == ledger::JobStatus::Open);
  CHECK(j.value().provider.empty());
  CHECK_FALSE(j.value().spec);
  CHECK_FALSE(j.value().pol);
}

TEST_CASE("an answer that does not decode is an error naming the field") {
  auto why = [](const json& answer) {
    const auto j = decode_job(answer);
    REQUIRE_FALSE(j.ok());
    return j.error();
  };
  json j = verifying_job();
  j.erase("payment");
  CHECK(why(j) == "the node's job has no `payment`");
  j = verifying_job();
  j["payment"] = "-5";
  CHECK(why(j).find("the node's job `payment` ") == 0);
  j = verifying_job();
  j["id"] = -1;
  CHECK(why(j) == "the node's job `id` is not a non-negative integer");
  j = verifying_job();
  j["status"] = "paused";
  CHECK(why(j) == "the node's job `status` 'paused' is not one this build knows");
  // A phase this build does not know is refused, never guessed.
  j = verifying_job();
  j["pol"]["phase"] = "judging_soon";
  CHECK(why(j) == "the node's job `phase` 'judging_soon' is not one this build knows");
  j = verifying_job();
  j["pol"]["segments"][1]["revealed"] = "no";
  CHECK(why(j) == "the node's job `revealed` is not a boolean");
  j = verifying_job();
  j["pol"]["segments"][0]["attest_commitment"] = 5;
  CHECK(why(j) == "the node's job `attest_commitment` is neither a string nor null");
  CHECK(why(json::array()) == "the node's job is not an object");
  const auto p = decode_pol(json{{"phase", "closed"}});
  REQUIRE_FALSE(p.ok());
  CHECK(p.error() == "the node's proof-of-learning record has no `segments`");
}

TEST_CASE("a dispute entry decodes its ids and parties") {
  const json d = {
      {"id", 3}, {"job_id", 6}, {"provider", "vt1p"}, {"challenger", "vt1c"}, {"kind", "end"}};
  const auto r = decode_dispute(d);
  REQUIRE_MESSAGE(r.ok(), r.error());
  CHECK(r.value().id == 3);
  CHECK(r.value().job_id == 6);
  CHECK(r.value().provider == "vt1p");
  CHECK(r.value().challenger == "vt1c");
  json no_job = d;
  no_job.erase("job_id");
  const auto bad = decode_dispute(no_job);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error() == "the node's dispute has no `job_id`");
}

}  // namespace
}  // namespace vt::wallet::agent
