// Block randomness: the proposer's ECVRF-P256 output over the previous one
// (ledger/randomness.h). Only the declared key's proof for this chain, height
// and previous randomness is accepted, and sampling draws from the output.
#include "ledger/randomness.h"

#include <doctest/doctest.h>

#include "ledger/state_access.h"
#include "tests/ledger/fixture.h"

namespace vt::ledger::test {
namespace {}  // namespace

TEST_CASE("randomness: the proposer's VRF proof is checked against its genesis key") {
  Chain c;  // the fixture's validator has Ed25519 seed 7 and its derived VRF key
  const Ed25519Pubkey proposer = Ed25519Key::from_seed(seed_of(7)).pubkey();
  const VrfSecretKey mine = vrf_secret_from_seed(seed_of(7));
  const Hash256 previous = read_randomness(c.state);
  const auto g = parse_genesis(genesis_json()).value();
  CHECK(previous == genesis_seed(g));
  const Bytes alpha = vrf_alpha(c.params.chain_id, 1, previous);
  const VrfProof proof = vrf_prove(mine, alpha).value();

  auto beta = block_randomness(c.state, 1, proposer, proof);
  REQUIRE_MESSAGE(beta.ok(), beta.error());
  CHECK(beta.value() == vrf_proof_to_hash(proof).value());

  SUBCASE("a proof by another key is refused") {
    const VrfProof other = vrf_prove(vrf_secret_from_seed(seed_of(8)), alpha).value();
    auto r = block_randomness(c.state, 1, proposer, other);
    REQUIRE_FALSE(r.ok());
    CHECK(mentions(r.error(), "block randomness"));
  }
  SUBCASE("a proof for another height or previous randomness is refused") {
    CHECK_FALSE(block_randomness(c.state, 2, proposer, proof).ok());
    Hash256 wrong_prev = previous;
    wrong_prev[0] ^= 1;
    const VrfProof stale = vrf_prove(mine, vrf_alpha(c.params.chain_id, 1, wrong_prev)).value();
    CHECK_FALSE(block_randomness(c.state, 1, proposer, stale).ok());
  }
  SUBCASE("a wrong VRF output (any flipped bit of the proof) is refused") {
    for (size_t i = 0; i < proof.size(); i += 7) {
      VrfProof bad = proof;
      bad[i] ^= 0x10;
      CHECK_FALSE(block_randomness(c.state, 1, proposer, bad).ok());
    }
  }
  SUBCASE("a proposer that is not a validator is refused") {
    auto r = block_randomness(c.state, 1, Ed25519Key::from_seed(seed_of(9)).pubkey(), proof);
    REQUIRE_FALSE(r.ok());
    CHECK(mentions(r.error(), "not a validator"));
  }
  SUBCASE("the output is stored and the next block's alpha chains on it") {
    c.block({});  // the fixture stands in the state root for the output
    CHECK(read_randomness(c.state) != previous);
    CHECK_FALSE(block_randomness(c.state, 2, proposer,
                                 vrf_prove(mine, vrf_alpha(c.params.chain_id, 2, previous)).value())
                    .ok());
    CHECK(block_randomness(
              c.state, 2, proposer,
              vrf_prove(mine, vrf_alpha(c.params.chain_id, 2, read_randomness(c.state))).value())
              .ok());
  }
}

TEST_CASE("randomness: genesis refuses a vrf_key that is not a P-256 point") {
  std::string doc = genesis_json();
  const std::string key = "\"vrf_key\": \"";
  const size_t at = doc.find(key) + key.size();
  REQUIRE(at != std::string::npos + key.size());
  doc.replace(at, 66, "02" + std::string(64, 'f'));  // x >= p
  auto g = parse_genesis(doc);
  REQUIRE_FALSE(g.ok());
  CHECK(mentions(g.error(), "validators[0].vrf_key: not a point on P-256"));
  doc.replace(at, 66, "0");
  CHECK(mentions(parse_genesis(doc).error(), "validators[0].vrf_key: expected 66 hex digits"));
}

}  // namespace vt::ledger::test
