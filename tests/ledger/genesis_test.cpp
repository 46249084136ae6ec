// Genesis: a good document parses into the state it describes; each bad field is
// refused naming the field.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/ledger/fixture.h"

using namespace vt;
using namespace vt::ledger;
using namespace vt::ledger::test;
using nlohmann::json;

namespace {

std::string refusal(const json& doc) {
  auto g = parse_genesis(doc.dump());
  REQUIRE_FALSE(g.ok());
  return g.error();
}

void expect_refused(const json& doc, const std::string& reason) {
  std::string got = refusal(doc);
  CHECK_MESSAGE(mentions(got, reason), "got: " << got << " / expected: " << reason);
}

// An address whose last character is changed: the bech32m checksum fails.
std::string typo(std::string a) {
  a.back() = a.back() == 'q' ? 'p' : 'q';
  return a;
}

}  // namespace

TEST_CASE("genesis: a good document parses into the state it describes") {
  auto g = parse_genesis(genesis_json());
  REQUIRE_MESSAGE(g.ok(), (g.ok() ? "" : g.error()));
  CHECK(g->genesis_time_ms == 1700000000000ULL);
  CHECK(g->params == test_params());
  REQUIRE(g->balances.size() == 4);
  CHECK(g->balances[0].address == key_of(1).pubkey());
  CHECK(g->balances[0].amount == kFunded);
  REQUIRE(g->validators.size() == 1);
  CHECK(g->validators[0].power == 10);
  CHECK(g->validators[0].operator_address == key_of(100).pubkey());
  CHECK_FALSE(g->validators[0].jailed);

  StateStore s;
  s.apply(genesis_changes(*g));
  CHECK(read_params(s) == g->params);
  CHECK(read_account(s, key_of(3).pubkey()) == Account{kFunded, 0});
  CHECK(read_validators(s) == g->validators);
  CHECK(read_next_job_id(s) == 1);
  // Deterministic: the same document gives the same root and genesis hash.
  StateStore s2;
  s2.apply(genesis_changes(parse_genesis(genesis_json()).value()));
  CHECK(s.root() == s2.root());
  CHECK(genesis_hash(*g, s.root()) == genesis_hash(*g, s2.root()));
  Genesis later = *g;
  later.genesis_time_ms += 1;
  CHECK(genesis_hash(later, s.root()) != genesis_hash(*g, s.root()));

  // Amounts may also be JSON integers; a zero balance is allowed (and stores nothing).
  json doc = json::parse(genesis_json());
  doc["accounts"][0]["balance"] = 5;
  doc["accounts"][1]["balance"] = "0";
  auto g2 = parse_genesis(doc.dump());
  REQUIRE_MESSAGE(g2.ok(), (g2.ok() ? "" : g2.error()));
  CHECK(g2->balances[0].amount == 5);
  StateStore s3;
  s3.apply(genesis_changes(*g2));
  CHECK_FALSE(s3.get(keys::account(key_of(2).pubkey())));
}

TEST_CASE("genesis: each bad field is refused, naming the field") {
  const json good = json::parse(genesis_json());
  json d = good;

  SUBCASE("not JSON / not an object") {
    CHECK(mentions(parse_genesis("{").error(), "genesis is not valid JSON"));
    CHECK(mentions(parse_genesis("[]").error(), "genesis must be a JSON object"));
  }
  SUBCASE("missing chain_id") {
    d.erase("chain_id");
    expect_refused(d, "chain_id: missing");
  }
  SUBCASE("bad chain_id") {
    d["chain_id"] = "vt test";
    expect_refused(d, "chain_id: only letters, digits");
    d["chain_id"] = 5;
    expect_refused(d, "chain_id: must be a string");
  }
  SUBCASE("a genesis time near 2^64 (block 1 would get a time before it)") {
    d["genesis_time_ms"] = "18446744073709551000";
    expect_refused(d, "genesis_time_ms: must be at most 253402300799999");
    d["genesis_time_ms"] = "253402300800000";
    expect_refused(d, "genesis_time_ms: must be at most");
    d["genesis_time_ms"] = "253402300799999";
    CHECK(parse_genesis(d.dump()).ok());
  }
  SUBCASE("missing genesis_time_ms") {
    d.erase("genesis_time_ms");
    expect_refused(d, "genesis_time_ms: missing");
  }
  SUBCASE("bad address checksum") {
    d["accounts"][2]["address"] = typo(d["accounts"][2]["address"].get<std::string>());
    expect_refused(d, "accounts[2].address:");
  }
  SUBCASE("bad validator operator checksum") {
    d["validators"][0]["operator"] = typo(d["validators"][0]["operator"].get<std::string>());
    expect_refused(d, "validators[0].operator:");
  }
  SUBCASE("bad consensus key") {
    d["validators"][0]["consensus_key"] = "abcd";
    expect_refused(d, "validators[0].consensus_key:");
  }
  SUBCASE("duplicate account") {
    d["accounts"].push_back(d["accounts"][1]);
    expect_refused(d, "accounts[4].address: listed twice");
  }
  SUBCASE("duplicate validator") {
    d["validators"].push_back(d["validators"][0]);
    expect_refused(d, "validators[1].consensus_key: listed twice");
  }
  SUBCASE("unknown top-level field") {
    d["chain_idd"] = "x";
    expect_refused(d, "chain_idd: unknown genesis field");
  }
  SUBCASE("unknown parameter") {
    d["params"]["min_fees"] = "1";
    expect_refused(d, "params.min_fees: unknown parameter");
  }
  SUBCASE("missing parameter") {
    d["params"].erase("unbonding_blocks");
    expect_refused(d, "params.unbonding_blocks: missing");
  }
  SUBCASE("bad params relations") {
    d["params"]["max_job_deadline_blocks"] = "1";
    expect_refused(d, "params.max_job_deadline_blocks: must be at least min_job_deadline_blocks");
    d = good;
    d["params"]["max_tx_bytes"] = "300";
    expect_refused(d, "params.max_tx_bytes: must exceed max_spec_bytes by at least 512");
    d = good;
    d["params"]["max_block_bytes"] = "1000";
    expect_refused(d, "params.max_block_bytes: must be at least max_tx_bytes plus 4096");
    d = good;
    d["params"]["expiry_slash_bps"] = "10001";
    expect_refused(d, "params.expiry_slash_bps: must be at most 10000");
    d = good;
    d["params"]["min_provider_stake"] = "0";
    expect_refused(d, "params.min_provider_stake: must be positive");
    d = good;
    d["params"]["max_block_txs"] = "4294967296";
    expect_refused(d, "params.max_block_txs: too large");
    d = good;
    d["params"]["pol_samples"] = "0";
    expect_refused(d, "params.pol_samples: must be between 1 and 1024");
    d = good;
    d["params"]["pol_sample_delay_blocks"] = "0";
    expect_refused(d, "params.pol_sample_delay_blocks: must be between 1 and 1000");
    d = good;
    d["params"]["pol_reveal_window"] = "0";
    expect_refused(d, "params.pol_reveal_window: must be between 1 and 100000");
    d = good;
    d["params"]["min_verifier_stake"] = "0";
    expect_refused(d, "params.min_verifier_stake: must be positive");
    d = good;
    d["params"]["max_checkpoints"] = "1048577";
    expect_refused(d, "params.max_checkpoints: must be between 2 and 1048576");
    d = good;
    d["params"].erase("verifier_fee");
    expect_refused(d, "params.verifier_fee: missing");
  }
  SUBCASE("zero validator power") {
    d["validators"][0]["power"] = "0";
    expect_refused(d, "validators[0].power: must be positive");
  }
  SUBCASE("no validators") {
    d["validators"] = json::array();
    expect_refused(d, "validators: must be a non-empty array");
  }
  SUBCASE("non-decimal amounts") {
    for (json bad : {json("12a"), json("-5"), json(" 5"), json("0x10"), json("007"), json(""),
                     json(1.5), json(-5), json(true), json("18446744073709551616")}) {
      CAPTURE(bad.dump());
      d = good;
      d["accounts"][1]["balance"] = bad;
      expect_refused(d, "accounts[1].balance:");
    }
    d = good;
    d["params"]["min_fee"] = "ten";
    expect_refused(d, "params.min_fee:");
  }
  SUBCASE("total supply overflow") {
    d["accounts"][0]["balance"] = "18446744073709551615";
    expect_refused(d, "accounts[1].balance: total supply exceeds 2^64-1");
  }
  SUBCASE("accounts not an array, entry not an object") {
    d["accounts"] = json::object();
    expect_refused(d, "accounts: must be an array");
    d = good;
    d["accounts"][0] = "x";
    expect_refused(d, "accounts[0]: must be an object");
  }
}
