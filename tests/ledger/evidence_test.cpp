// Double-sign evidence (ledger/evidence.h): a validator's two conflicting
// signed votes, carried in a block, slash its stake (burned, the supply
// conserved), jail it for good and are recorded as events; every way evidence
// can be forged, stale or replayed is refused and changes nothing.
#include "ledger/evidence.h"

#include <doctest/doctest.h>

#include "core/vrf.h"
#include "ledger/block_execution.h"
#include "ledger/randomness.h"
#include "ledger/state_access.h"
#include "tests/ledger/fixture.h"

namespace vt::ledger::test {
namespace {

constexpr uint64_t kGenesisTime = 1'700'000'000'000;

// The fixture genesis's only validator has Ed25519 seed 7.
Ed25519Key key_of_seed(uint8_t n) {
  return Ed25519Key::from_seed(seed_of(n));
}

SignedVote signed_vote(const Ed25519Key& k, consensus::Vote v, const std::string& chain) {
  return {v, k.sign(consensus::sign_bytes(v, chain))};
}

// `signer` prevotes for a block and for nil at (height, round 0).
DoubleSign double_sign(uint64_t height, uint8_t signer = 7, const std::string& chain = "vt-test") {
  const Ed25519Key k = key_of_seed(signer);
  consensus::Vote a{consensus::VoteType::Prevote, height, 0, consensus::BlockId{}, 0};
  a.block->fill(0xab);
  consensus::Vote b = a;
  b.block = std::nullopt;
  return {k.pubkey(), signed_vote(k, a, chain), signed_vote(k, b, chain)};
}

SignedProposal signed_proposal(const Ed25519Key& k, consensus::Proposal p,
                               const std::string& chain) {
  return {p, k.sign(consensus::sign_bytes(p, chain))};
}

// `signer` proposes two different blocks at (height, round 0).
DoubleProposal double_proposal(uint64_t height, uint8_t signer = 7,
                               const std::string& chain = "vt-test") {
  const Ed25519Key k = key_of_seed(signer);
  consensus::Proposal a{height, 0, consensus::BlockId{}, -1, 0};
  a.block.fill(0xab);
  consensus::Proposal b = a;
  b.block.fill(0xcd);
  return {k.pubkey(), signed_proposal(k, a, chain), signed_proposal(k, b, chain)};
}

ExecutedBlock propose(StateStore& state, const ParentBlock& parent, std::vector<Evidence> evidence,
                      std::vector<std::pair<Hash256, std::string>>* left_out = nullptr) {
  BlockProposal p;
  p.proposer = key_of_seed(7).pubkey();
  p.vrf_proof =
      vrf_prove(vrf_secret_from_seed(seed_of(7)),
                vrf_alpha(read_params(state).chain_id, parent.height + 1, read_randomness(state)))
          .value();
  p.time_ms = parent.time_ms + 1000;
  p.max_bytes = 1 << 20;
  p.evidence = std::move(evidence);
  p.last_commit = sign_last_commit(state, parent.height, parent.hash);
  auto built = build_block(state, parent, nullptr, std::move(p), left_out);
  REQUIRE_MESSAGE(built.ok(), built.error());
  return std::move(built).value();
}

ParentBlock after(const Block& b) {
  return {b.header.height, block_hash(b.header), b.header.time_ms};
}

}  // namespace

TEST_CASE("evidence: a double signing in a block slashes, jails for good and burns the stake") {
  Chain builder, follower;
  ParentBlock parent{0, Hash256{}, kGenesisTime};
  const Block first = propose(builder.state, parent, {}).block;
  REQUIRE(check_block(follower.state, parent, first, key_of_seed(7).pubkey(), UINT64_MAX, nullptr)
              .code == BlockCode::ok);
  parent = after(first);

  const ExecutedBlock b = propose(builder.state, parent, {double_sign(1)});
  REQUIRE(b.block.evidence.size() == 1);
  CHECK(b.block.header.evidence_root == compute_evidence_root(b.block.evidence));
  // Another validator's independent state reaches the same root.
  BlockVerdict v =
      check_block(follower.state, parent, b.block, key_of_seed(7).pubkey(), UINT64_MAX, nullptr);
  REQUIRE_MESSAGE(v.code == BlockCode::ok, v.reason);
  CHECK(follower.state.root() == builder.state.root());

  const Validator after_slash = read_validator(follower.state, key_of_seed(7).pubkey()).value();
  CHECK(after_slash.power == 7);  // 10 less 30 %
  CHECK(after_slash.jailed);
  CHECK(after_slash.tombstoned);
  CHECK(read_counter(follower.state, keys::kBurned) == 3);
  CHECK(follower.total_supply() == kGenesisSupply);  // burned, not lost
  const Event* slashed = find_event(v.executed.result.begin_events, "validator_slashed");
  REQUIRE(slashed);
  CHECK(attr(*slashed, "validator") == to_hex(key_of_seed(7).pubkey()));
  CHECK(attr(*slashed, "amount") == "3");
  CHECK(attr(*slashed, "from_unbonding") == "0");  // nothing unstaked
  CHECK(attr(*slashed, "offence_height") == "1");
  CHECK(attr(*slashed, "reason") == "double_sign");
  CHECK(find_event(v.executed.result.begin_events, "validator_jailed"));

  // The same offence again, or another one, cannot slash a tombstoned validator twice.
  auto again = check_evidence(follower.state, follower.params, 3, double_sign(1));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().find("already punished") != std::string::npos);
  CHECK_FALSE(check_evidence(follower.state, follower.params, 3, double_sign(2)).ok());
}

TEST_CASE("evidence: forged, agreeing, mismatched, future, stale or unknown evidence is refused") {
  Chain c;
  const uint64_t height = 30;  // the including block's
  struct Case {
    const char* what;
    DoubleSign e;
    const char* words;
  };
  DoubleSign agree = double_sign(27);
  agree.b = agree.a;
  DoubleSign rounds = double_sign(27);
  rounds.b.vote.round = 1;
  rounds.b = signed_vote(key_of_seed(7), rounds.b.vote, "vt-test");
  DoubleSign forged = double_sign(27, 8);
  forged.validator = key_of_seed(7).pubkey();  // votes signed by another key
  DoubleSign index = double_sign(27);
  index.b.vote.validator_index = 1;
  index.b = signed_vote(key_of_seed(7), index.b.vote, "vt-test");
  const std::vector<Case> cases = {
      {"agreeing votes", agree, "agree"},
      {"different rounds", rounds, "not one validator's at one height, round and type"},
      {"different indexes", index, "not one validator's"},
      {"forged signature", forged, "signature is not validator"},
      {"another chain's votes", double_sign(27, 7, "other-chain"), "signature is not validator"},
      {"this height", double_sign(height), "must be of an earlier height"},
      {"too old", double_sign(height - 6), "blocks old"},  // max_evidence_age_blocks 5
      {"not a validator", double_sign(27, 8), "not a validator"},
  };
  const auto before = c.snapshot();
  for (const Case& k : cases) {
    CAPTURE(k.what);
    auto r = check_evidence(c.state, c.params, height, k.e);
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().find(k.words) != std::string::npos, r.error());
  }
  CHECK(check_evidence(c.state, c.params, height, double_sign(height - 5)).ok());  // at the limit

  // A proposer leaves refused evidence out; a block that carries it anyway is refused.
  ParentBlock parent{0, Hash256{}, kGenesisTime};
  const Block first = propose(c.state, parent, {}).block;
  parent = after(first);
  std::vector<std::pair<Hash256, std::string>> left_out;
  Chain builder;
  REQUIRE(check_block(builder.state, {0, Hash256{}, kGenesisTime}, first, key_of_seed(7).pubkey(),
                      UINT64_MAX, nullptr)
              .code == BlockCode::ok);
  const Hash256 root = builder.state.root();
  Block bad = propose(builder.state, parent, {forged, double_sign(1)}, &left_out).block;
  REQUIRE(left_out.size() == 1);
  CHECK(left_out[0].first == evidence_hash(forged));
  CHECK(bad.evidence.size() == 1);

  Chain checker;
  REQUIRE(check_block(checker.state, {0, Hash256{}, kGenesisTime}, first, key_of_seed(7).pubkey(),
                      UINT64_MAX, nullptr)
              .code == BlockCode::ok);
  CHECK(checker.state.root() == root);
  Block tampered = bad;
  tampered.evidence.push_back(forged);
  BlockVerdict v =
      check_block(checker.state, parent, tampered, key_of_seed(7).pubkey(), UINT64_MAX, nullptr);
  CHECK(v.code == BlockCode::evidence_root_mismatch);
  tampered.header.evidence_root = compute_evidence_root(tampered.evidence);
  v = check_block(checker.state, parent, tampered, key_of_seed(7).pubkey(), UINT64_MAX, nullptr);
  CHECK(v.code == BlockCode::evidence_refused);
  CHECK(v.reason.find("evidence 1") != std::string::npos);
  Block twice = bad;  // the same offence twice in one block: the second finds it tombstoned
  twice.evidence.push_back(twice.evidence[0]);
  twice.header.evidence_root = compute_evidence_root(twice.evidence);
  v = check_block(checker.state, parent, twice, key_of_seed(7).pubkey(), UINT64_MAX, nullptr);
  CHECK(v.code == BlockCode::evidence_refused);
  CHECK(v.reason.find("already punished") != std::string::npos);
  CHECK(checker.state.root() == root);  // refused blocks change nothing
  CHECK(c.snapshot() != before);        // (c itself ran its own first block)
}

TEST_CASE("evidence: the encoding round-trips and refuses malformed bytes") {
  const Evidence e = double_sign(3);
  const Bytes raw = encode(e);
  auto back = decode_evidence(raw);
  REQUIRE(back.ok());
  CHECK(back.value() == e);
  Bytes longer = raw;
  longer.push_back(0);
  CHECK_FALSE(decode_evidence(longer).ok());
  CHECK_FALSE(decode_evidence(ByteView(raw).first(raw.size() - 1)).ok());
  Bytes bad_type = raw;
  bad_type[33] = 3;  // neither prevote nor precommit
  CHECK_FALSE(decode_evidence(bad_type).ok());
  Bytes bad_kind = raw;
  bad_kind[0] = 3;  // neither a double vote nor a double proposal
  CHECK_FALSE(decode_evidence(bad_kind).ok());
  const Evidence p = double_proposal(3);
  const Bytes raw_p = encode(p);
  CHECK(raw_p.size() <= kMaxEvidenceBytes);
  CHECK(encode(e).size() <= kMaxEvidenceBytes);
  auto back_p = decode_evidence(raw_p);
  REQUIRE(back_p.ok());
  CHECK(back_p.value() == p);
  CHECK_FALSE(decode_evidence(ByteView(raw_p).first(raw_p.size() - 1)).ok());
  CHECK(evidence_hash(p) != evidence_hash(e));

  Block b;
  b.header.chain_id = "vt-test";
  b.evidence.assign(kMaxEvidencePerBlock, e);
  auto decoded = decode_block(encode(b), 1 << 20, 10, 1 << 16);
  REQUIRE(decoded.ok());
  CHECK(decoded.value() == b);
  b.evidence.push_back(e);
  auto refused = decode_block(encode(b), 1 << 20, 10, 1 << 16);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().find("the limit is 16") != std::string::npos);
}

}  // namespace vt::ledger::test

namespace vt::ledger::test {

TEST_CASE("evidence: two proposals for one round slash like two votes") {
  Chain builder, follower;
  ParentBlock parent{0, Hash256{}, kGenesisTime};
  const Block first = propose(builder.state, parent, {}).block;
  REQUIRE(check_block(follower.state, parent, first, key_of_seed(7).pubkey(), UINT64_MAX, nullptr)
              .code == BlockCode::ok);
  parent = after(first);
  const ExecutedBlock b = propose(builder.state, parent, {double_proposal(1)});
  REQUIRE(b.block.evidence.size() == 1);
  BlockVerdict v =
      check_block(follower.state, parent, b.block, key_of_seed(7).pubkey(), UINT64_MAX, nullptr);
  REQUIRE_MESSAGE(v.code == BlockCode::ok, v.reason);
  const Validator slashed = read_validator(follower.state, key_of_seed(7).pubkey()).value();
  CHECK(slashed.power == 7);
  CHECK(slashed.tombstoned);
  CHECK(follower.total_supply() == kGenesisSupply);
  const Event* e = find_event(v.executed.result.begin_events, "validator_slashed");
  REQUIRE(e);
  CHECK(attr(*e, "reason") == "double_proposal");
  CHECK(attr(*e, "offence_height") == "1");

  // What is not a double proposal is refused.
  Chain c;
  struct Case {
    const char* what;
    DoubleProposal e;
    const char* words;
  };
  DoubleProposal agree = double_proposal(5);
  agree.b = agree.a;
  DoubleProposal rounds = double_proposal(5);
  rounds.b.proposal.round = 1;
  rounds.b = signed_proposal(key_of_seed(7), rounds.b.proposal, "vt-test");
  DoubleProposal proposers = double_proposal(5);
  proposers.b.proposal.proposer_index = 1;
  proposers.b = signed_proposal(key_of_seed(7), proposers.b.proposal, "vt-test");
  DoubleProposal forged = double_proposal(5, 8);
  forged.validator = key_of_seed(7).pubkey();
  DoubleProposal pol = double_proposal(5);  // same block, another pol_round: still two proposals
  pol.b.proposal.block = pol.a.proposal.block;
  pol.b.proposal.pol_round = 0;
  pol.b = signed_proposal(key_of_seed(7), pol.b.proposal, "vt-test");
  for (const Case& k : std::vector<Case>{
           {"agreeing proposals", agree, "agree"},
           {"different rounds", rounds, "not one proposer's"},
           {"different proposers", proposers, "not one proposer's"},
           {"forged signature", forged, "signature is not validator"},
           {"another chain's", double_proposal(5, 7, "other-chain"), "signature is not validator"},
       }) {
    CAPTURE(k.what);
    auto r = check_evidence(c.state, c.params, 10, k.e);
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().find(k.words) != std::string::npos, r.error());
  }
  CHECK(check_evidence(c.state, c.params, 10, pol).ok());
}

}  // namespace vt::ledger::test
