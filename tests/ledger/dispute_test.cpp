// Proof of learning on chain, the dispute slice: a provider that faked one
// training step is caught by bisection and the referee at exactly that step;
// a challenger disputing honest work is slashed; a withheld checkpoint costs the
// bond; a lazy verifier loses stake; malformed moves and checkpoints change
// nothing. Every hash comes from real training of kernels/specs/tiny.json.
#include "verifier/dispute.h"

#include <doctest/doctest.h>

#include <functional>
#include <set>

#include "core/sha256.h"
#include "kernels/safetensors.h"
#include "kernels/trainer.h"
#include "ledger/pol_queries.h"
#include "tests/ledger/pol_fixture.h"

namespace vt::ledger::test {
namespace {

// The data set for the referee step, as the node provides it.
class FixtureDatasets final : public DatasetSource {
 public:
  Result<const kernels::Dataset*> dataset_for(const kernels::JobSpec&) const override {
    return &verifier::testing::dataset();
  }
};
const FixtureDatasets kDatasets;

// A party's claimed run: hashes[t] = h_t and leaves[t] = its trace leaf of
// step t (t >= 1; leaves[0] unused).
struct Trail {
  std::vector<Hash256> hashes, leaves;
  // A made-up step t: an invented state hash and leaf.
  void invent(uint64_t t, const Hash256& h) {
    hashes.at(t) = h;
    leaves.at(t) = h;
  }
};
Trail honest_trail() {
  return {tiny().hashes, tiny().leaves};
}

// A provider that cheats at step s: the state after step s is perturbed (one
// weight changed, as if it skipped or bent that step), then it trains
// honestly from there.
Trail faked_chain(uint64_t s) {
  const Run& r = tiny();
  Trail t = honest_trail();
  kernels::TensorMap bent = r.states.at(s);
  bent.at("layers.1.weight").bytes.at(2) ^= 0x40;  // a 2^-1 relative change of one weight
  t.invent(s, kernels::state_hash(bent));
  auto rest = verifier::replay_trace(r.spec, verifier::testing::dataset(), bent, r.spec.steps - s);
  REQUIRE(rest.ok());
  for (uint64_t i = 0; i < rest->size(); ++i) {
    t.hashes.at(s + 1 + i) = (*rest)[i].state_hash;
    t.leaves.at(s + 1 + i) = (*rest)[i].leaf;
  }
  return t;
}

verifier::Commitment commitment_of(const std::vector<Hash256>& hashes) {
  verifier::Commitment c = honest_commitment();
  for (uint64_t i = 0; i < c.checkpoints.size(); ++i)
    c.checkpoints[i] = hashes.at(verifier::checkpoint_step(i, c.steps, c.interval));
  c.final_model_hash = c.checkpoints.back();
  return c;
}

verifier::SegmentBounds bounds(uint64_t segment) {
  return verifier::segment_bounds(segment, 20, 5);
}

// Sampling, then every assigned verifier commits to and reveals the per-step
// hashes `steps_of(a)` gives it, and the provider reveals its probes from
// `provider` (its claimed h_t). Returns the judging block.
BlockRun attest_and_judge(
    Setup& s, const Trail& provider,
    const std::function<std::vector<verifier::StepRecord>(const Assignment&)>& steps_of) {
  Chain& c = s.c;
  c.advance_to(s.pol().sample_height);
  const JobPol pol = s.pol();
  std::vector<Attestation> att;
  std::vector<Transaction> commits;
  for (const Assignment& a : pol.assignments) {
    Attestation at;
    at.per_step = steps_of(a);
    at.trace = verifier::make_trace(at.per_step);
    at.salt = salt_of(static_cast<uint8_t>(30 + a.segment));
    att.push_back(at);
    commits.push_back(c.tx(key_for(c, a.verifier),
                           AttestCommit{1, a.segment,
                                        verifier::attestation_commitment(1, a.segment, at.trace,
                                                                         a.verifier, at.salt)}));
  }
  run_block(c, commits);
  c.advance_to(pol.commit_deadline + 1);
  const JobPol drawn = s.pol();
  // The provider's probes first (probe window), then the verifiers' reveals.
  std::vector<Transaction> probes, reveals;
  std::set<uint64_t> probed;  // one probe per segment, whatever its committee
  for (size_t i = 0; i < drawn.assignments.size(); ++i) {
    const Assignment& a = drawn.assignments[i];
    const uint64_t r = probe_r(drawn, 1, a.segment);
    if (probed.insert(a.segment).second)
      probes.push_back(c.tx(
          c.carol, ProviderProbe{1, a.segment, provider.leaves.at(bounds(a.segment).start + r)}));
    reveals.push_back(
        c.tx(key_for(c, a.verifier), AttestReveal{1, a.segment, reveal_bytes(att[i], r)}));
  }
  run_block(c, probes);
  c.advance_to(drawn.probe_deadline);
  run_block(c, reveals);
  c.advance_to(drawn.reveal_deadline);
  return c.block({});
}

// chain[t] = h_t; the per-step hashes a verifier of `segment` commits to.
std::vector<verifier::StepRecord> segment_steps(const Trail& chain, uint64_t segment) {
  const auto seg = bounds(segment);
  std::vector<verifier::StepRecord> out;
  for (uint64_t t = seg.start + 1; t <= seg.end; ++t)
    out.push_back({chain.hashes.at(t), chain.leaves.at(t)});
  return out;
}

// Every verifier replays honestly except the one of `segment`, which commits to `chain`.
std::function<std::vector<verifier::StepRecord>(const Assignment&)> dishonest_on(
    uint64_t segment, const Trail& chain) {
  return [segment, &chain](const Assignment& a) {
    return segment_steps(a.segment == segment ? chain : honest_trail(), a.segment);
  };
}

// What an honest verifier replays: the provider's claimed chain from the
// segment's start is what it starts from, then true training.
std::function<std::vector<verifier::StepRecord>(const Assignment&)> honest_replay_of(
    const Trail& claimed, uint64_t faked_step) {
  return [&claimed, faked_step](const Assignment& a) {
    // Before the faked step the claimed chain is the true one; from a checkpoint
    // at or after it the cheater's (consistent) chain continues.
    return segment_steps(bounds(a.segment).start >= faked_step ? claimed : honest_trail(),
                         a.segment);
  };
}

Bytes move_bytes(verifier::MoveKind kind, const Hash256& h) {
  verifier::Move m;
  m.kind = kind;
  m.hash = h;
  return verifier::encode(m);
}

// Plays dispute `id` until the referee's turn: the provider posts midpoints
// from `provider`, the challenger agrees or disagrees from `challenger`.
// Returns the number of moves.
int bisect(Chain& c, uint64_t id, const std::vector<Hash256>& provider,
           const std::vector<Hash256>& challenger) {
  int moves = 0;
  for (;;) {
    const DisputeRecord d = read_dispute(c.state, id).value();
    REQUIRE(d.open());
    if (d.game.finished()) return moves;
    const uint64_t mid = d.game.mid();
    Receipt r;
    if (d.game.turn == verifier::Turn::provider) {
      r = c.exec(c.tx(c.carol,
                      DisputeMove{id, move_bytes(verifier::MoveKind::post_mid, provider.at(mid))}));
    } else {
      const bool same = challenger.at(mid) == d.game.provider_mid;
      r = c.exec(c.tx(
          key_for(c, d.challenger),
          DisputeMove{id, same ? move_bytes(verifier::MoveKind::agree, Hash256{})
                               : move_bytes(verifier::MoveKind::disagree, challenger.at(mid))}));
    }
    REQUIRE_MESSAGE(r.success, r.reason);
    REQUIRE(find_event(r.events, "dispute_move"));
    ++moves;
  }
}

Bytes checkpoint_at(uint64_t step) {
  return kernels::encode_safetensors(kernels::make_checkpoint(tiny().spec, tiny().states.at(step)));
}

// Only the fee payer's and the proposer's accounts may differ (and the block's
// randomness, which every block stores).
void expect_only_fee_paid(const std::map<Bytes, Bytes>& before, const Chain& c,
                          const Address& sender) {
  std::set<Bytes> expected = {keys::account(sender), keys::account(c.proposer), keys::randomness()};
  CHECK(changed_keys(before, c.snapshot()) == expected);
}

// A failed checkpoint_post also spends that party's one failed post in the dispute.
void expect_only_fee_and_failed_post(const std::map<Bytes, Bytes>& before, const Chain& c,
                                     const Address& sender, uint64_t dispute_id) {
  std::set<Bytes> expected = {keys::account(sender), keys::account(c.proposer),
                              keys::dispute(dispute_id), keys::randomness()};
  CHECK(changed_keys(before, c.snapshot()) == expected);
  const DisputeRecord d = read_dispute(c.state, dispute_id).value();
  CHECK((d.failed_posts & post_party_bit(d, sender)) != 0);
}

uint64_t disputes_opened(const BlockRun& b) {
  uint64_t n = 0;
  for (const Event& e : b.begin_events) n += e.type == "dispute_opened";
  return n;
}

}  // namespace

TEST_CASE("dispute: a faked step is caught at exactly that step; the bond is slashed") {
  Setup s;
  Chain& c = s.c;
  c.datasets = &kDatasets;
  constexpr uint64_t kFaked = 7;  // inside segment 1 = steps (5, 10]
  const Trail fake = faked_chain(kFaked);
  REQUIRE(fake.hashes[kFaked] != tiny().hashes[kFaked]);
  REQUIRE(fake.hashes[kFaked - 1] == tiny().hashes[kFaked - 1]);
  REQUIRE(c.exec(c.tx(c.carol,
                      JobCommit{1, verifier::encode(commitment_of(fake.hashes)), Setup::kManifest}))
              .success);
  BlockRun judge = attest_and_judge(s, fake, honest_replay_of(fake, kFaked));
  // Only segment 1 disagrees: later segments replay from the cheater's own
  // checkpoints, which its honest continuation matches.
  REQUIRE(disputes_opened(judge) == 1);
  const Event* opened = find_event(judge.begin_events, "dispute_opened");
  CHECK(attr(*opened, "segment") == "1");
  CHECK(attr(*opened, "kind") == "end");
  CHECK(attr(*opened, "lo") == "5");
  CHECK(attr(*opened, "hi") == "10");
  CHECK(c.job(1)->status == JobStatus::Verifying);
  const DisputeRecord d0 = read_dispute(c.state, 1).value();
  const Address challenger = d0.challenger;

  const int moves = bisect(c, 1, fake.hashes, tiny().hashes);
  const DisputeRecord d = read_dispute(c.state, 1).value();
  CHECK(d.game.lo == kFaked - 1);  // both agree on h_6 ...
  CHECK(d.game.hi == kFaked);      // ... and disagree on h_7
  CHECK(moves <= 2 * static_cast<int>(verifier::max_rounds(5)));
  CHECK(c.total_supply() == kGenesisSupply);

  // Only the dispute's parties may post (block space for posts is budgeted):
  // anyone else is refused before a block and pays nothing.
  CHECK(mentions(c.reject(c.tx(c.alice, CheckpointPost{1, checkpoint_at(kFaked - 1)})),
                 "only the provider or the challenger of dispute 1"));
  // A checkpoint that is not the agreed state is refused; it changes nothing
  // but the fee and the provider's one failed post, after which its posts are
  // refused before they reach a block.
  auto before = c.snapshot();
  Receipt wrong = c.exec(c.tx(c.carol, CheckpointPost{1, checkpoint_at(kFaked - 2)}));
  CHECK_FALSE(wrong.success);
  CHECK(wrong.code == TxCode::checkpoint_rejected);
  CHECK_MESSAGE(mentions(wrong.reason, "checkpoint rejected: referee: the checkpoint's state hash"),
                wrong.reason);
  expect_only_fee_and_failed_post(before, c, c.carol.pubkey(), 1);
  CHECK(mentions(c.reject(c.tx(c.carol, CheckpointPost{1, checkpoint_at(kFaked - 1)})),
                 "already failed once in dispute 1"));

  // The challenger posts the agreed state; every validator re-executes step 7.
  const Amount alice = c.account(c.alice).balance;
  const Amount won = c.account(challenger).balance;
  Receipt r = c.exec(c.tx(key_for(c, challenger), CheckpointPost{1, checkpoint_at(kFaked - 1)}));
  REQUIRE_MESSAGE(r.success, r.reason);
  const Event* ref = find_event(r.events, "referee");
  REQUIRE(ref);
  CHECK(attr(*ref, "step") == std::to_string(kFaked));  // pinpoints the faked step
  CHECK(attr(*ref, "verdict") == "challenger");
  CHECK(attr(*ref, "true_hash") == to_hex(tiny().hashes[kFaked]));
  const Event* slash = find_event(r.events, "provider_slashed");
  REQUIRE(slash);
  CHECK(attr(*slash, "reason") == "fraud_proven");
  CHECK(attr(*slash, "bond") == "1250");
  CHECK(attr(*slash, "challenger_reward") == "500");
  CHECK(attr(*slash, "verifier_fees") == "30");  // the three agreeing segments, paid by the cheater
  CHECK(attr(*slash, "burned") == "720");
  CHECK(find_event(r.events, "job_refunded"));
  CHECK(c.job(1)->status == JobStatus::Slashed);
  CHECK(c.account(c.alice).balance == alice + 5000);  // the client gets everything back
  // The challenger's reward, plus its fee if it also verified an agreeing segment, minus the tx
  // fee.
  Amount challenger_fees = 0;
  for (const Assignment& a : s.pol().assignments)
    if (a.verifier == challenger && a.result == AssignmentResult::agreed) challenger_fees += 10;
  CHECK(c.account(challenger).balance == won + 500 + challenger_fees - 10);
  CHECK(c.provider(c.carol)->stake == 5000 - 1250);
  CHECK(c.provider(c.carol)->locked == 0);
  CHECK(c.provider(c.carol)->jobs_slashed == 1);
  CHECK(read_verifier(c.state, challenger)->disputes_won == 1);
  const DisputeRecord done = read_dispute(c.state, 1).value();
  CHECK(done.loser == DisputeLoser::provider);
  CHECK(done.outcome == "fraud_proven");
  CHECK(done.referee_next == tiny().hashes[kFaked]);
  const SlashRecord rec = read_slash(c.state, 1).value();
  // Listed under its job through the index (ledger/pol_queries.h), and under no other.
  const std::vector<SlashRecord> of_job = slashes_of_job(c.state, rec.job_id);
  REQUIRE(of_job.size() == 1);
  CHECK(of_job[0] == rec);
  CHECK(c.state.get(keys::job_slash(rec.job_id, rec.id)));
  CHECK(slashes_of_job(c.state, rec.job_id + 1).empty());
  // The job's record lists the slash from its height on, and not before it.
  {
    const auto now = pol_view(c.state, c.height, *c.job(rec.job_id), c.state);
    REQUIRE(now);
    REQUIRE(now->slashes.size() == 1);
    CHECK(now->slashes[0] == rec);
    REQUIRE(now->disputes.size() == 1);
    CHECK(now->disputes[0] == done);
    CHECK(now->phase == PolPhase::closed);
    const auto before = pol_view(c.state, rec.height - 1, *c.job(rec.job_id), c.state);
    REQUIRE(before);
    CHECK(before->slashes.empty());
  }
  CHECK(rec.offender == c.carol.pubkey());
  CHECK(rec.amount == 1250);
  CHECK(rec.burned == 720);
  CHECK(read_counter(c.state, keys::kBurned) == 720);
  CHECK(c.total_supply() == kGenesisSupply);
  // Resolved: further moves and posts are refused with the outcome.
  CHECK(
      mentions(c.reject(c.tx(key_for(c, challenger), CheckpointPost{1, checkpoint_at(kFaked - 1)})),
               "dispute 1 is resolved (fraud_proven)"));
  // Nothing stays scheduled.
  int scheduled = 0;
  for (keys::Prefix p : {keys::kPolWork, keys::kDisputeWork})
    c.state.scan(keys::prefix(p), [&](const Bytes&, const Bytes&) {
      ++scheduled;
      return true;
    });
  c.advance_to(c.height + 30);
  CHECK(c.job(1)->status == JobStatus::Slashed);
  CHECK(c.total_supply() == kGenesisSupply);
}

// Committees (pol_redundancy 2): each segment is checked by bob and dave. dave
// colludes with the provider: it commits to the provider's faked chain (the
// provider handed it its per-step leaves), so its seat agrees. bob replays
// honestly; its seat alone disputes, the referee proves the fraud, and the
// client gets everything back. With one verifier per segment, dave alone on
// segment 1 would have let the fake through.
TEST_CASE(
    "dispute: one honest member of a committee catches a fake its colluding member agrees to") {
  std::string genesis = genesis_json();
  const std::string one = "\"pol_redundancy\": \"1\"";
  REQUIRE(genesis.find(one) != std::string::npos);
  genesis.replace(genesis.find(one), one.size(), "\"pol_redundancy\": \"2\"");
  Setup s(genesis);
  Chain& c = s.c;
  c.datasets = &kDatasets;
  constexpr uint64_t kFaked = 7;  // inside segment 1
  const Trail fake = faked_chain(kFaked);
  REQUIRE(c.exec(c.tx(c.carol,
                      JobCommit{1, verifier::encode(commitment_of(fake.hashes)), Setup::kManifest}))
              .success);
  const auto honest = honest_replay_of(fake, kFaked);
  const Address dave = c.dave.pubkey(), bob = c.bob.pubkey();
  const Amount alice0 = c.account(c.alice).balance, dave0 = c.account(c.dave).balance;
  const Amount bob0 = c.account(c.bob).balance;
  const uint64_t bob_nonce = c.account(c.bob).nonce, dave_nonce = c.account(c.dave).nonce;
  BlockRun judge = attest_and_judge(s, fake, [&](const Assignment& a) {
    return a.verifier == dave ? segment_steps(fake, a.segment) : honest(a);
  });
  // Two seats per segment, one each: 8 assignments; job_sampled says so.
  const JobPol pol = s.pol();
  REQUIRE(pol.assignments.size() == 8);
  for (uint64_t seg = 0; seg < 4; ++seg) {
    std::set<Address> seats;
    for (const Assignment& a : pol.assignments)
      if (a.segment == seg) seats.insert(a.verifier);
    CHECK(seats == std::set<Address>{bob, dave});
  }
  // dave's seat on segment 1 agreed with the fake; bob's opened the only dispute.
  REQUIRE(disputes_opened(judge) == 1);
  const DisputeRecord d0 = read_dispute(c.state, 1).value();
  CHECK(d0.challenger == bob);
  CHECK(d0.segment == 1);
  for (const Assignment& a : pol.assignments)
    if (a.segment == 1 && a.verifier == dave) CHECK(a.result == AssignmentResult::agreed);
  bisect(c, 1, fake.hashes, tiny().hashes);
  Receipt r = c.exec(c.tx(c.bob, CheckpointPost{1, checkpoint_at(kFaked - 1)}));
  REQUIRE_MESSAGE(r.success, r.reason);
  CHECK(attr(*find_event(r.events, "referee"), "verdict") == "challenger");
  const Event* slash = find_event(r.events, "provider_slashed");
  REQUIRE(slash);
  CHECK(attr(*slash, "bond") == "1250");
  CHECK(attr(*slash, "challenger_reward") == "500");
  // Seven agreeing seats (bob on 0, 2, 3; dave on 0, 1, 2, 3) are paid from
  // the bond, 10 each; the rest is burned.
  CHECK(attr(*slash, "verifier_fees") == "70");
  CHECK(attr(*slash, "burned") == "680");
  CHECK(c.job(1)->status == JobStatus::Slashed);
  // The client paid only its transaction fees (submit; the fixture's others
  // were before alice0) and got the whole payment back.
  CHECK(c.account(c.alice).balance == alice0 + 5000);
  // bob: the reward and three fees; dave: four fees (paid by the cheater's
  // bond); each less 10 per transaction it sent.
  CHECK(c.account(c.bob).balance == bob0 + 500 + 30 - 10 * (c.account(c.bob).nonce - bob_nonce));
  CHECK(c.account(c.dave).balance == dave0 + 40 - 10 * (c.account(c.dave).nonce - dave_nonce));
  CHECK(c.provider(c.carol)->stake == 5000 - 1250);
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("dispute: a challenger who disputes honest work is slashed, the job still settles") {
  Setup s;
  Chain& c = s.c;
  c.datasets = &kDatasets;
  REQUIRE(s.commit().success);
  // The verifier of segment 2 claims a different chain from step 11 on.
  Trail liar = honest_trail();
  for (uint64_t t = 11; t <= 20; ++t) liar.invent(t, salt_of(static_cast<uint8_t>(100 + t)));
  BlockRun judge = attest_and_judge(s, honest_trail(), dishonest_on(2, liar));
  REQUIRE(disputes_opened(judge) == 1);
  const DisputeRecord d0 = read_dispute(c.state, 1).value();
  CHECK(d0.segment == 2);
  CHECK(d0.game.lo == 10);
  CHECK(d0.game.hi == 15);
  const Address liar_addr = d0.challenger;
  const Amount stake = read_verifier(c.state, liar_addr)->stake;

  bisect(c, 1, tiny().hashes, liar.hashes);
  const DisputeRecord d = read_dispute(c.state, 1).value();
  CHECK(d.game.lo == 10);
  CHECK(d.game.hi == 11);
  const Amount carol = c.account(c.carol).balance, alice = c.account(c.alice).balance;
  Receipt r = c.exec(c.tx(c.carol, CheckpointPost{1, checkpoint_at(10)}));
  REQUIRE_MESSAGE(r.success, r.reason);
  CHECK(attr(*find_event(r.events, "referee"), "verdict") == "provider");
  const Event* vs = find_event(r.events, "verifier_slashed");
  REQUIRE(vs);
  CHECK(attr(*vs, "amount") == "300");  // false_challenge_slash
  CHECK(attr(*vs, "provider_reward") == "120");
  CHECK(attr(*vs, "burned") == "180");
  CHECK(attr(*vs, "reason") == "false_challenge");
  CHECK(read_verifier(c.state, liar_addr)->stake == stake - 300);
  CHECK(read_verifier(c.state, liar_addr)->disputes_lost == 1);
  // Nothing left open: the job settles in the same transaction.
  const Event* settled = find_event(r.events, "job_settled");
  REQUIRE(settled);
  CHECK(attr(*settled, "provider_paid") == "4960");
  CHECK(attr(*settled, "verified_segments") == "3");
  CHECK(attr(*settled, "refund") == "10");  // the loser's fee goes back to the client
  CHECK(c.job(1)->status == JobStatus::Settled);
  CHECK(c.account(c.carol).balance == carol + 4960 + 120 - 10);
  CHECK(c.account(c.alice).balance == alice + 10);
  CHECK(c.provider(c.carol)->locked == 0);
  CHECK(c.provider(c.carol)->jobs_settled == 1);
  CHECK(read_dispute(c.state, 1)->outcome == "false_challenge");
  CHECK(read_slash(c.state, 1)->role == "verifier");
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("dispute: a withheld checkpoint costs the bond; a published one settles") {
  Setup s;
  Chain& c = s.c;
  REQUIRE(s.commit().success);
  c.advance_to(s.pol().sample_height);
  const Assignment a = s.pol().assignments.at(2);  // segment 2 starts at step 10
  const SchnorrKey& v = key_for(c, a.verifier);
  const SchnorrKey& other = a.verifier == c.bob.pubkey() ? c.dave : c.bob;
  expect_failed(c, c.tx(other, CheckpointRequest{1, 2}),
                "sender is not a verifier assigned to segment 2");
  expect_failed(c, c.tx(v, CheckpointRequest{1, 9}), "segment 9 of job 1 was not sampled");
  Receipt req = c.exec(c.tx(v, CheckpointRequest{1, 2}));
  REQUIRE_MESSAGE(req.success, req.reason);
  const Event* ev = find_event(req.events, "dispute_opened");
  REQUIRE(ev);
  CHECK(attr(*ev, "kind") == "availability");
  CHECK(attr(*ev, "step") == "10");
  CHECK(attr(*ev, "state_hash") == to_hex(tiny().hashes[10]));
  CHECK(attr(*ev, "deadline") == std::to_string(c.height + 20));
  expect_failed(c, c.tx(v, CheckpointRequest{1, 2}), "already requested (dispute 1)");
  expect_failed(c,
                c.tx(c.carol, DisputeMove{1, move_bytes(verifier::MoveKind::post_mid, salt_of(1))}),
                "has no moves, only checkpoint_post");

  SUBCASE("withheld") {
    const uint64_t deadline = read_dispute(c.state, 1)->game.deadline;
    c.advance_to(deadline);
    CHECK(c.job(1)->status == JobStatus::Verifying);
    const Amount alice = c.account(c.alice).balance, requester = c.account(a.verifier).balance;
    BlockRun b = c.block({});
    const Event* slash = find_event(b.begin_events, "provider_slashed");
    REQUIRE(slash);
    CHECK(attr(*slash, "reason") == "checkpoint_withheld");
    CHECK(attr(*slash, "challenger_reward") == "500");
    CHECK(attr(*slash, "burned") == "750");
    CHECK(c.job(1)->status == JobStatus::Slashed);
    CHECK(c.account(c.alice).balance == alice + 5000);
    CHECK(c.account(a.verifier).balance == requester + 500);
    CHECK(c.provider(c.carol)->stake == 3750);
    // Later windows find the job closed and do nothing.
    c.advance_to(s.pol().reveal_deadline + 3);
    CHECK(c.job(1)->status == JobStatus::Slashed);
    CHECK(c.account(c.alice).balance == alice + 5000);
  }
  SUBCASE("published") {
    auto before = c.snapshot();
    Receipt bad = c.exec(c.tx(v, CheckpointPost{1, checkpoint_at(5)}));
    CHECK_FALSE(bad.success);
    CHECK(mentions(bad.reason, "checkpoint rejected: the checkpoint's state hash"));
    expect_only_fee_and_failed_post(before, c, a.verifier, 1);
    Bytes truncated = checkpoint_at(10);
    truncated.resize(truncated.size() / 2);
    // The requester's failed post does not touch the provider's right to answer.
    CHECK(mentions(c.reject(c.tx(v, CheckpointPost{1, truncated})), "already failed once"));
    Receipt ok = c.exec(c.tx(c.carol, CheckpointPost{1, checkpoint_at(10)}));
    REQUIRE_MESSAGE(ok.success, ok.reason);
    CHECK(find_event(ok.events, "checkpoint_published"));
    CHECK(read_dispute(c.state, 1)->checkpoint_blob == sha256(checkpoint_at(10)));
    CHECK(read_dispute(c.state, 1)->loser == DisputeLoser::nobody);
    c.advance_to(s.pol().reveal_deadline + 1);  // nobody attested: every fee goes back
    CHECK(c.job(1)->status == JobStatus::Settled);
    CHECK(c.provider(c.carol)->stake == 5000);
  }
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("dispute: a lazy verifier who attests without replaying loses stake") {
  Setup s;
  Chain& c = s.c;
  c.datasets = &kDatasets;
  REQUIRE(s.commit().success);
  // The lazy verifier of segment 3 copies the public end hash and invents the
  // rest of its trace, the last step's leaf included (it needs that step's loss
  // and the state's unpublished digest).
  Trail lazy = honest_trail();
  for (uint64_t t = 16; t <= 20; ++t) lazy.invent(t, salt_of(static_cast<uint8_t>(150 + t)));
  lazy.hashes[20] = tiny().hashes[20];
  BlockRun judge = attest_and_judge(s, honest_trail(), dishonest_on(3, lazy));
  REQUIRE(disputes_opened(judge) == 1);
  const Event* opened = find_event(judge.begin_events, "dispute_opened");
  CHECK(attr(*opened, "kind") == "probe");  // same end hash, the probe gives it away
  const DisputeRecord d = read_dispute(c.state, 1).value();
  const Address lazy_addr = d.challenger;
  const Amount stake = read_verifier(c.state, lazy_addr)->stake;
  if (d.game.finished()) {
    // r = 1: the game is over at once; the provider shows step 15 -> 16.
    Receipt r = c.exec(c.tx(c.carol, CheckpointPost{1, checkpoint_at(15)}));
    REQUIRE_MESSAGE(r.success, r.reason);
    CHECK(read_dispute(c.state, 1)->outcome == "false_challenge");
  } else {
    // The provider answers; the lazy verifier has nothing to answer with.
    Receipt r = c.exec(c.tx(c.carol, DisputeMove{1, move_bytes(verifier::MoveKind::post_mid,
                                                               tiny().hashes[d.game.mid()])}));
    REQUIRE_MESSAGE(r.success, r.reason);
    const uint64_t deadline = read_dispute(c.state, 1)->game.deadline;
    c.advance_to(deadline);
    CHECK(read_dispute(c.state, 1)->open());
    BlockRun b = c.block({});
    CHECK(find_event(b.begin_events, "verifier_slashed"));
    CHECK(read_dispute(c.state, 1)->outcome == "challenger_timeout");
  }
  CHECK(read_verifier(c.state, lazy_addr)->stake == stake - 300);
  CHECK(c.job(1)->status == JobStatus::Settled);
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("dispute: a verifier that skips only a segment's last step is caught by its leaf") {
  Setup s;
  Chain& c = s.c;
  c.datasets = &kDatasets;
  REQUIRE(s.commit().success);
  // The verifier of segment 3 replays steps 16..19 and takes the public h_20 for
  // the last one. It has every true state hash, but the leaf of step 20 needs
  // that step's loss and the unpublished digest of the state after it: a guess.
  Trail skipper = honest_trail();
  skipper.leaves[20] = verifier::step_leaf(tiny().hashes[20], 0.5f, tiny().hashes[20]);
  BlockRun judge = attest_and_judge(s, honest_trail(), dishonest_on(3, skipper));
  REQUIRE(disputes_opened(judge) == 1);
  const DisputeRecord d0 = read_dispute(c.state, 1).value();
  CHECK(d0.kind == DisputeKind::probe);
  CHECK(d0.game.lo == 15);
  CHECK(d0.game.hi == 20);  // the probe is the last step
  CHECK(d0.game.provider_hi == tiny().leaves[20]);
  const Amount stake = read_verifier(c.state, d0.challenger)->stake;
  // It agrees with every midpoint (they are true), so the game ends at step 19 -> 20,
  // where the referee compares leaves.
  bisect(c, 1, tiny().hashes, skipper.hashes);
  const DisputeRecord d = read_dispute(c.state, 1).value();
  CHECK(d.game.lo == 19);
  Receipt r = c.exec(c.tx(c.carol, CheckpointPost{1, checkpoint_at(19)}));
  REQUIRE_MESSAGE(r.success, r.reason);
  const Event* ref = find_event(r.events, "referee");
  REQUIRE(ref);
  CHECK(attr(*ref, "true_hash") == to_hex(tiny().leaves[20]));
  CHECK(attr(*ref, "verdict") == "provider");
  CHECK(read_dispute(c.state, 1)->outcome == "false_challenge");
  CHECK(read_verifier(c.state, d0.challenger)->stake == stake - 300);
  CHECK(c.job(1)->status == JobStatus::Settled);
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("dispute: malformed, misplaced and late moves are refused and change nothing") {
  Setup s;
  Chain& c = s.c;
  c.datasets = &kDatasets;
  REQUIRE(s.commit().success);
  Trail liar = honest_trail();
  for (uint64_t t = 1; t <= 20; ++t) liar.invent(t, salt_of(static_cast<uint8_t>(t)));
  attest_and_judge(s, honest_trail(), dishonest_on(0, liar));
  const DisputeRecord d = read_dispute(c.state, 1).value();
  REQUIRE(d.game.turn == verifier::Turn::provider);
  const SchnorrKey& ch = key_for(c, d.challenger);
  const Bytes good = move_bytes(verifier::MoveKind::post_mid, tiny().hashes[d.game.mid()]);
  struct Case {
    const SchnorrKey* who;
    Message msg;
    std::string reason;
  };
  Bytes long_move = good;
  long_move.push_back(0);
  const std::vector<Case> cases = {
      {&c.carol, DisputeMove{1, Bytes{0, 1, 2}}, "malformed move: "},
      {&c.carol, DisputeMove{1, long_move}, "malformed move: "},
      {&c.carol, DisputeMove{1, Bytes(33, 9)}, "malformed move: "},  // unknown kind 9
      {&c.carol, DisputeMove{1, move_bytes(verifier::MoveKind::post_mid, Hash256{})},
       "move rejected: "},                                  // a zero hash
      {&c.alice, DisputeMove{1, good}, "move rejected: "},  // not a party
      {&ch, DisputeMove{1, move_bytes(verifier::MoveKind::agree, Hash256{})},
       "move rejected: "},  // out of turn
      {&c.carol, DisputeMove{7, good}, "dispute 7 does not exist"},
      {&c.carol, CheckpointPost{1, checkpoint_at(0)}, "is not finished"},
      {&ch, CheckpointPost{1, Bytes{1, 2, 3}}, "is not finished"},
  };
  for (const Case& k : cases) {
    auto before = c.snapshot();
    Receipt r = c.exec(c.tx(*k.who, k.msg));
    CHECK_FALSE(r.success);
    CHECK(r.code != TxCode::ok);
    CHECK_MESSAGE(mentions(r.reason, k.reason), std::string(r.reason + " / expected: " + k.reason));
    CHECK(r.events.empty());
    if (std::holds_alternative<CheckpointPost>(k.msg))
      expect_only_fee_and_failed_post(before, c, k.who->pubkey(), 1);
    else
      expect_only_fee_paid(before, c, k.who->pubkey());
  }
  // Posts that cannot serve an open dispute never reach a block.
  CHECK(mentions(c.reject(c.tx(c.carol, CheckpointPost{9, checkpoint_at(0)})),
                 "dispute 9 does not exist"));
  CHECK(mentions(c.reject(c.tx(c.carol, CheckpointPost{1, checkpoint_at(0)})),
                 "already failed once"));
  // A move after its deadline: the timeout has already decided (the provider
  // was silent), so it meets a resolved dispute.
  c.advance_to(read_dispute(c.state, 1)->game.deadline + 1);
  CHECK(read_dispute(c.state, 1)->outcome == "provider_timeout");
  CHECK(c.job(1)->status == JobStatus::Slashed);
  Receipt late = c.exec(c.tx(c.carol, DisputeMove{1, good}));
  CHECK(mentions(late.reason, "dispute 1 is resolved (provider_timeout)"));
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("verifier unstake: refused while assignments or disputes are in progress") {
  Setup s;
  Chain& c = s.c;
  c.datasets = &kDatasets;
  // Before any assignment: the rules on amounts, then a partial unstake.
  expect_failed(c, c.tx(c.alice, VerifierUnstake{1}), "sender is not a registered verifier");
  expect_failed(c, c.tx(c.bob, VerifierUnstake{0}), "unstake amount must be positive");
  expect_failed(c, c.tx(c.bob, VerifierUnstake{1001}), "exceeds the verifier stake 1000");
  expect_failed(c, c.tx(c.bob, VerifierUnstake{600}),
                "the stake left, 400, would be below the minimum verifier stake 500");
  REQUIRE(c.exec(c.tx(c.bob, VerifierStake{500})).success);
  Receipt r = c.exec(c.tx(c.bob, VerifierUnstake{400}));
  REQUIRE_MESSAGE(r.success, r.reason);
  CHECK(attr(*find_event(r.events, "verifier_unstaked"), "release_height") ==
        std::to_string(c.height + 5));
  CHECK(read_verifier(c.state, c.bob.pubkey())->stake == 1100);
  CHECK(c.total_supply() == kGenesisSupply);

  // A false challenge by the verifier of segment 2 keeps its stake bonded until
  // the dispute ends.
  REQUIRE(s.commit().success);
  Trail liar = honest_trail();
  for (uint64_t t = 11; t <= 20; ++t) liar.invent(t, salt_of(static_cast<uint8_t>(100 + t)));
  c.advance_to(s.pol().sample_height);
  for (const Assignment& a : s.pol().assignments)
    CHECK(read_verifier(c.state, a.verifier)->active_assignments >= 1);
  expect_failed(c, c.tx(c.dave, VerifierUnstake{700}),
                "assignments or disputes in progress; its stake stays bonded until they end");
  const uint64_t sampled_at = c.height;
  BlockRun judge = attest_and_judge(s, honest_trail(), dishonest_on(2, liar));
  CHECK(c.height > sampled_at);
  const DisputeRecord d = read_dispute(c.state, 1).value();
  const Verifier liar_v = read_verifier(c.state, d.challenger).value();
  CHECK(liar_v.active_assignments == 1);  // only the disputed one is left
  expect_failed(c, c.tx(key_for(c, d.challenger), VerifierUnstake{liar_v.stake}),
                "the verifier has 1 assignments or disputes in progress");
  bisect(c, 1, tiny().hashes, liar.hashes);
  REQUIRE(c.exec(c.tx(c.carol, CheckpointPost{1, checkpoint_at(10)})).success);
  const Verifier after = read_verifier(c.state, d.challenger).value();
  CHECK(after.active_assignments == 0);
  CHECK(read_verifier(c.state, c.bob.pubkey())->active_assignments == 0);
  CHECK(read_verifier(c.state, c.dave.pubkey())->active_assignments == 0);
  // Now all of it can go (the slashed remainder), and comes back after unbonding.
  const Amount balance = c.account(d.challenger).balance;
  Receipt out = c.exec(c.tx(key_for(c, d.challenger), VerifierUnstake{after.stake}));
  REQUIRE_MESSAGE(out.success, out.reason);
  CHECK(read_verifier(c.state, d.challenger)->stake == 0);
  c.advance_to(c.height + 5);
  CHECK(c.account(d.challenger).balance == balance - 10 + after.stake);
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("dispute: records and the new messages round-trip canonically") {
  DisputeRecord d;
  d.id = 4;
  d.job_id = 2;
  d.segment = 3;
  d.kind = DisputeKind::probe;
  d.provider = salt_of(1);
  d.challenger = salt_of(2);
  d.opened_height = 40;
  d.game = verifier::open_dispute(d.provider, d.challenger, 10, 15, salt_of(3), salt_of(4),
                                  salt_of(5), 40, 5)
               .value();
  d.loser = DisputeLoser::challenger;
  d.outcome = "false_challenge";
  d.resolved_height = 50;
  d.referee_next = salt_of(6);
  d.checkpoint_blob = salt_of(7);
  CHECK(decode_dispute_record(encode(d)).value() == d);
  DisputeRecord av = d;
  av.kind = DisputeKind::availability;
  av.game = verifier::Dispute{};
  av.game.lo = 10;
  av.game.lo_hash = salt_of(7);
  av.game.deadline = 44;
  CHECK(decode_dispute_record(encode(av)).value() == av);
  Bytes bytes = encode(d);
  bytes.pop_back();
  CHECK_FALSE(decode_dispute_record(bytes).ok());
  SlashRecord sr{1,    2,          3,   4,  salt_of(8), "provider",
                 1250, salt_of(9), 500, 30, 720,        "fraud_proven"};
  CHECK(decode_slash_record(encode(sr)).value() == sr);

  Chain c;
  for (const Message& m :
       {Message{CheckpointRequest{1, 2}}, Message{DisputeMove{3, Bytes(33, 1)}},
        Message{CheckpointPost{4, Bytes(1000, 7)}}, Message{VerifierUnstake{5}}}) {
    Transaction t = c.tx(c.alice, m);
    const Bytes wire = encode(t);
    CHECK(decode_transaction(wire, 1 << 20).value() == t);
    CHECK_FALSE(decode_transaction(ByteView(wire).first(wire.size() - 1), 1 << 20).ok());
  }
}

}  // namespace vt::ledger::test
