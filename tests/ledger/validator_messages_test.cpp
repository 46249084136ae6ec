// Validator set changes (validator_register, validator_stake,
// validator_unstake, validator_unjail): who may change what, the floors and
// ceilings, the proof that the registrant holds its consensus key, and that
// stake moves between balances, validators and unbonding without a uvt lost.
#include <doctest/doctest.h>

#include "core/vrf.h"
#include "ledger/state_access.h"
#include "tests/ledger/fixture.h"

namespace vt::ledger::test {
namespace {

// Operator `op` registers the node key of seed `node` with `stake`.
ValidatorRegister registration(const Chain& c, const SchnorrKey& op, uint8_t node, Amount stake) {
  const Ed25519Key k = Ed25519Key::from_seed(seed_of(node));
  ValidatorRegister m;
  m.consensus_key = k.pubkey();
  m.vrf_key = vrf_public_key(vrf_secret_from_seed(seed_of(node))).value();
  m.stake = stake;
  m.proof = k.sign(validator_register_proof_bytes(c.params.chain_id, op.pubkey(), m.vrf_key));
  return m;
}

Ed25519Pubkey node_key(uint8_t n) {
  return Ed25519Key::from_seed(seed_of(n)).pubkey();
}

TxCode code_of(Chain& c, const Transaction& t) {
  const Receipt r = c.exec(t);
  CHECK_FALSE(r.success);
  return r.code;
}

}  // namespace

TEST_CASE("validators: register with a proof of the key, stake, unstake to the operator") {
  Chain c;
  const Amount fee = c.params.min_fee;
  const Receipt r = c.exec(c.tx(c.alice, registration(c, c.alice, 20, 5000)));
  REQUIRE_MESSAGE(r.success, r.reason);
  const Event* e = find_event(r.events, "validator_registered");
  REQUIRE(e);
  CHECK(attr(*e, "from_height") == std::to_string(c.height + 1));
  Validator v = read_validator(c.state, node_key(20)).value();
  CHECK(v.power == 5000);
  CHECK(v.operator_address == c.alice.pubkey());
  CHECK_FALSE(v.jailed);
  CHECK(c.account(c.alice).balance == kFunded - 5000 - fee);

  REQUIRE(c.exec(c.tx(c.alice, ValidatorStake{node_key(20), 700})).success);
  CHECK(read_validator(c.state, node_key(20))->power == 5700);
  // Leaving part: what stays must be at least min_validator_stake (1000).
  CHECK(code_of(c, c.tx(c.alice, ValidatorUnstake{node_key(20), 5000})) == TxCode::below_minimum);
  REQUIRE(c.exec(c.tx(c.alice, ValidatorUnstake{node_key(20), 5700})).success);
  CHECK(read_validator(c.state, node_key(20))->power == 0);  // out of the set
  // Back only with at least the minimum stake a registration needs.
  CHECK(code_of(c, c.tx(c.alice, ValidatorStake{node_key(20), 999})) == TxCode::below_minimum);
  const uint64_t paid_at = c.height - 1 + c.params.unbonding_blocks;  // (the refused stake's block)
  const Amount before = c.account(c.alice).balance;
  c.advance_to(paid_at);
  CHECK(c.account(c.alice).balance == before + 5700);
  REQUIRE(c.exec(c.tx(c.alice, ValidatorStake{node_key(20), 1000})).success);  // rejoins
  CHECK(read_validator(c.state, node_key(20))->power == 1000);
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("validators: nobody registers a key it does not hold or changes another's validator") {
  Chain c;
  // Bob copies alice's registration (her proof) to squat her node's key.
  ValidatorRegister stolen = registration(c, c.alice, 20, 5000);
  CHECK(code_of(c, c.tx(c.bob, stolen)) == TxCode::wrong_party);
  ValidatorRegister bad_vrf = registration(c, c.bob, 21, 5000);
  bad_vrf.vrf_key[0] = 0x07;  // not a compressed point
  CHECK(code_of(c, c.tx(c.bob, bad_vrf)) == TxCode::malformed);
  CHECK(code_of(c, c.tx(c.bob, registration(c, c.bob, 21, 999))) == TxCode::below_minimum);
  CHECK(c.reject(c.tx(c.eve, registration(c, c.eve, 21, 5000))).find("fee") !=
        std::string::npos);  // unfunded: cannot even pay the fee
  REQUIRE(c.exec(c.tx(c.alice, Transfer{c.eve.pubkey(), 100})).success);
  CHECK(code_of(c, c.tx(c.eve, registration(c, c.eve, 21, 5000))) == TxCode::insufficient_balance);
  CHECK_FALSE(read_validator(c.state, node_key(20)));
  CHECK_FALSE(read_validator(c.state, node_key(21)));

  REQUIRE(c.exec(c.tx(c.alice, registration(c, c.alice, 20, 5000))).success);
  CHECK(code_of(c, c.tx(c.bob, registration(c, c.bob, 20, 5000))) == TxCode::already_done);
  CHECK(code_of(c, c.tx(c.bob, ValidatorStake{node_key(20), 5})) == TxCode::wrong_party);
  CHECK(code_of(c, c.tx(c.bob, ValidatorUnstake{node_key(20), 5000})) == TxCode::wrong_party);
  CHECK(code_of(c, c.tx(c.bob, ValidatorUnjail{node_key(20)})) == TxCode::wrong_party);
  CHECK(code_of(c, c.tx(c.bob, ValidatorStake{node_key(99), 5})) == TxCode::not_registered);
  CHECK(code_of(c, c.tx(c.alice, ValidatorUnjail{node_key(20)})) == TxCode::wrong_status);
  CHECK(read_validator(c.state, node_key(20))->power == 5000);
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("validators: the set has a ceiling, and its last member cannot leave") {
  Chain c;  // one genesis validator; max_validators is 3
  REQUIRE(c.exec(c.tx(c.alice, registration(c, c.alice, 20, 5000))).success);
  REQUIRE(c.exec(c.tx(c.bob, registration(c, c.bob, 21, 5000))).success);
  CHECK(code_of(c, c.tx(c.carol, registration(c, c.carol, 22, 5000))) == TxCode::above_limit);
  // Alice leaves: carol fits.
  REQUIRE(c.exec(c.tx(c.alice, ValidatorUnstake{node_key(20), 5000})).success);
  REQUIRE(c.exec(c.tx(c.carol, registration(c, c.carol, 22, 5000))).success);

  // A chain whose only validator is its operator's: it cannot unstake everything.
  Chain solo;
  const SchnorrKey op = key_of(100);  // the fixture validator's operator, unfunded
  REQUIRE(solo.exec(solo.tx(solo.alice, Transfer{op.pubkey(), 1000})).success);
  const Ed25519Pubkey genesis_key = node_key(7);
  const Receipt r = solo.exec(solo.tx(op, ValidatorUnstake{genesis_key, kValidatorStake}));
  CHECK_FALSE(r.success);
  CHECK(r.code == TxCode::wrong_status);
  CHECK(r.reason.find("last validator") != std::string::npos);
}

}  // namespace vt::ledger::test
