// The attacks the ledger was hardened against in c24639c, each played with
// real signed transactions through the real ledger (the Chain fixture of
// tests/ledger): every party's exact balance, stake and bond before and after,
// the supply conserved, and the honest parties shown to lose nothing. Each
// test says what the ledger before c24639c did, so that each one can fail.
// Hashes and checkpoints come from real training of kernels/specs/tiny.json.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/merkle.h"
#include "core/vrf.h"
#include "kernels/safetensors.h"
#include "kernels/trainer.h"
#include "ledger/evidence.h"
#include "tests/ledger/pol_fixture.h"

namespace vt::ledger::test {
namespace {

// test_params().min_fee: every transaction below pays exactly this, to the proposer.
constexpr Amount kFee = 10;
// Setup's parties: carol (provider, stake 5000), bob and dave (verifiers, 1000
// and 700), alice (client of the tiny job: payment 5000, bond 1250).
constexpr Amount kProviderStake = 5000, kPayment = 5000, kBond = 1250;

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  text.replace(at, from.size(), to);
  return text;
}

// The fixture's genesis with one parameter set to `value`.
std::string genesis_with(const std::string& name, uint64_t value) {
  std::string doc = genesis_json();
  const std::string key = "\"" + name + "\": \"";
  const size_t at = doc.find(key);
  REQUIRE_MESSAGE(at != std::string::npos, name);
  const size_t from = at + key.size();
  doc.replace(from, doc.find('"', from) - from, std::to_string(value));
  return doc;
}

verifier::SegmentBounds bounds(uint64_t segment) {
  return verifier::segment_bounds(segment, 20, 5);
}

// The tiny run's state after `step` steps, as a checkpoint file.
Bytes checkpoint_at(uint64_t step) {
  return kernels::encode_safetensors(kernels::make_checkpoint(tiny().spec, tiny().states.at(step)));
}

// Not a checkpoint: a post that fails and spends its sender's one failed post.
const Bytes kJunk = {'j', 'u', 'n', 'k'};

uint32_t posts_due_at(const Chain& c, uint64_t height) {
  auto v = c.state.get(keys::posts_due(height));
  if (!v) return 0;
  Reader r(*v);
  return r.u32("posts_due");
}

Amount stake_of(const Chain& c, const SchnorrKey& k) {
  return read_verifier(c.state, k.pubkey()).value().stake;
}

// The keys the last block changed since `before`, less those that any block
// changes (per-block bookkeeping such as the stored block randomness): an
// empty block is executed to find them.
std::set<Bytes> changed_by_last_block(Chain& c, const std::map<Bytes, Bytes>& before) {
  const auto after = c.snapshot();
  std::set<Bytes> changed = changed_keys(before, after);
  c.block({});
  for (const Bytes& k : changed_keys(after, c.snapshot())) changed.erase(k);
  return changed;
}

// Executes txs in one block, in this order, and returns the run; several from
// one sender get consecutive nonces. Unlike run_block any may fail or be
// refused (a refused one must be its sender's last in the block).
BlockRun raw_block(Chain& c, std::vector<Transaction> txs) {
  std::map<Address, uint64_t> next;
  for (Transaction& t : txs) {
    auto it = next.find(t.sender);
    if (it == next.end()) it = next.emplace(t.sender, c.account(t.sender).nonce).first;
    t.nonce = it->second++;
    sign(t, key_for(c, t.sender));
  }
  return c.block(txs);
}

// An honest verifier's attestation of `segment`, replayed from a checkpoint
// the provider published on chain (checked against the committed hash first).
Attestation replay_published(const Bytes& checkpoint, uint64_t segment, uint8_t salt) {
  const Run& r = tiny();
  const auto seg = bounds(segment);
  auto state = verifier::check_checkpoint(r.spec, checkpoint, seg.start, r.hashes[seg.start]);
  REQUIRE_MESSAGE(state.ok(), state.error());
  auto per_step =
      verifier::replay_trace(r.spec, verifier::testing::dataset(), *state, seg.end - seg.start);
  REQUIRE_MESSAGE(per_step.ok(), per_step.error());
  return {verifier::make_trace(*per_step), *per_step, salt_of(salt)};
}

Transaction attest_tx(Chain& c, uint64_t job, const Assignment& a, const Attestation& at) {
  return c.tx(key_for(c, a.verifier),
              AttestCommit{
                  job, a.segment,
                  verifier::attestation_commitment(job, a.segment, at.trace, a.verifier, at.salt)});
}

// The rest of an honest tiny job after its commit window: the provider posts
// every probe (probe window), the verifiers of `revealing` reveal (reveal
// window). Returns the block that judges and settles.
BlockRun probe_reveal_settle(Chain& c, uint64_t job,
                             const std::map<uint64_t, Attestation>& revealing) {
  c.advance_to(read_job_pol(c.state, job)->commit_deadline + 1);  // the probe is drawn
  const JobPol pol = read_job_pol(c.state, job).value();
  const SchnorrKey& provider = key_for(c, *c.job(job)->provider);
  std::vector<Transaction> probes, reveals;
  for (const Assignment& a : pol.assignments) {
    const uint64_t r = probe_r(pol, job, a.segment);
    probes.push_back(
        c.tx(provider, ProviderProbe{job, a.segment, tiny().leaves[bounds(a.segment).start + r]}));
    if (auto it = revealing.find(a.segment); it != revealing.end())
      reveals.push_back(
          c.tx(key_for(c, a.verifier), AttestReveal{job, a.segment, reveal_bytes(it->second, r)}));
  }
  run_block(c, probes);
  c.advance_to(pol.probe_deadline);
  if (!reveals.empty()) run_block(c, reveals);
  c.advance_to(pol.reveal_deadline);
  return c.block({});
}

// The assignments of `pol` that belong to `who`.
std::vector<Assignment> assigned_to(const JobPol& pol, const Address& who) {
  std::vector<Assignment> out;
  for (const Assignment& a : pol.assignments)
    if (a.verifier == who) out.push_back(a);
  return out;
}

size_t count_events(const std::vector<Event>& events, const std::string& type) {
  size_t n = 0;
  for (const Event& e : events) n += e.type == type;
  return n;
}

// A commitment to a spec nobody replays (its only verifier stays absent): the
// spec's shape with placeholder hashes, which nothing reads.
verifier::Commitment placeholder_commitment(const std::string& spec_json) {
  auto spec = kernels::parse_job_spec(spec_json);
  REQUIRE_MESSAGE(spec.ok(), spec.error);
  verifier::Commitment c;
  c.spec_hash = kernels::spec_hash(spec.value);
  c.interval = spec.value.checkpoint_interval;
  c.steps = spec.value.steps;
  for (uint64_t i = 0; i < verifier::checkpoint_count(c.steps, c.interval); ++i)
    c.checkpoints.push_back(salt_of(static_cast<uint8_t>(i + 1)));
  c.final_model_hash = c.checkpoints.back();
  return c;
}

}  // namespace

// 1. A job on data the validators lack would stop every validator at its first
// referee step; a number that does not fit would throw out of block execution.
TEST_CASE("adversary: a job spec cannot halt the chain (unknown data set, numbers out of range)") {
  // Before c24639c there was no data-set registry: job_submit stored such a
  // job, its payment went into escrow, a provider could accept and commit it,
  // and the first checkpoint_post of a dispute on it found no data set on any
  // validator, each of which then stops (fatal) rather than decide: the chain
  // halts. Below, a broken ledger's receipt would succeed and open job 1.
  // (A number like 1e999 once threw out of the parser and stopped the node
  // executing the block; fuzz/run job_spec found it.)
  Chain c;
  const std::string kTrainImages =
      "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888";
  const std::string kTestImages =
      "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b";
  struct Case {
    std::string spec;
    TxCode code;
    std::string reason;
  };
  const std::vector<Case> cases = {
      // Files nobody registered (one hex digit off).
      {replaced(kTinySpec, kTrainImages, "d" + kTrainImages.substr(1)), TxCode::unknown_dataset,
       "is not in the chain's registry"},
      // Registered files in the wrong roles are another data set.
      {replaced(replaced(replaced(kTinySpec, kTrainImages, "SWAP"), kTestImages, kTrainImages),
                "SWAP", kTestImages),
       TxCode::unknown_dataset, "is not in the chain's registry"},
      {replaced(kTinySpec, "\"seed\": 7", "\"seed\": 1e999"), TxCode::invalid_spec,
       "invalid job spec: (root): invalid JSON: a number is out of range"},
      {replaced(kTinySpec, "\"lr\": \"0.05\"", "\"lr\": \"1e999\""), TxCode::invalid_spec,
       "is out of fp32 range"},
      {replaced(kTinySpec, "\"weight_decay\": \"0.0001\"", "\"weight_decay\": \"1e39\""),
       TxCode::invalid_spec, "is out of fp32 range"},
      {replaced(kTinySpec, "\"lr\": \"0.05\"", "\"lr\": \"inf\""), TxCode::invalid_spec,
       "is not a decimal number"},
      {replaced(kTinySpec, "\"momentum\": \"0.9\"", "\"momentum\": \"NaN\""), TxCode::invalid_spec,
       "is not a decimal number"},
  };
  Amount fees = 0;
  for (const Case& k : cases) {
    CAPTURE(k.reason);
    const auto before = c.snapshot();
    const Transaction t = c.tx(c.alice, JobSubmit{k.spec, kPayment, kBond, 20});
    BlockRun run;
    CHECK_NOTHROW(run = c.block({t}));  // BlockExecutor::apply returns, it never throws
    REQUIRE(run.results.size() == 1);
    REQUIRE(run.results[0].ok());  // admitted: the client pays for its bad spec
    const Receipt& r = *run.results[0];
    CHECK_FALSE(r.success);
    CHECK(r.code == k.code);
    CHECK_MESSAGE(mentions(r.reason, k.reason), r.reason);
    CHECK(r.events.empty());
    fees += kFee;
    // Nothing but the fee moved: no job, no escrow, no spec stored.
    CHECK(changed_by_last_block(c, before) ==
          std::set<Bytes>{keys::account(c.alice.pubkey()), keys::account(c.proposer)});
    CHECK(read_next_job_id(c.state) == 1);
    CHECK(c.account(c.alice).balance == kFunded - fees);
    CHECK(c.account(c.proposer).balance == fees);
    CHECK(c.total_supply() == kGenesisSupply);
  }
  // The registered data set is accepted (the registry refuses only what it lacks).
  Receipt ok = c.exec(c.tx(c.alice, JobSubmit{kTinySpec, kPayment, kBond, 20}));
  REQUIRE_MESSAGE(ok.success, ok.reason);
  CHECK(c.job(1)->status == JobStatus::Open);
  CHECK(c.account(c.alice).balance == kFunded - fees - kFee - kPayment);
  for (const SchnorrKey* k : {&c.bob, &c.carol, &c.dave}) CHECK(c.account(*k).balance == kFunded);
  CHECK(c.total_supply() == kGenesisSupply);
}

// 2. A provider that posts a requested checkpoint at its last allowed height
// must not make the honest requester miss its commit window.
TEST_CASE("adversary: a checkpoint posted at the last height cannot make its requester miss out") {
  // Before c24639c a checkpoint_request did not move the job's windows: asked
  // at the end of the commit window, the checkpoint could arrive 20 blocks
  // after the window closed; the requester's attest_commit below would fail
  // (outside_window) and at judging it would be "absent": its fee back to the
  // client and absent_verifier_slash (50) of its stake burned, while the
  // provider was paid in full.
  Setup s;
  Chain& c = s.c;
  REQUIRE(s.commit().success);
  c.advance_to(s.pol().sample_height);
  const JobPol sampled = s.pol();
  const uint64_t sample_height = c.height;
  REQUIRE(sampled.commit_deadline == sample_height + c.params.pol_commit_window);
  REQUIRE(sampled.assignments.size() == 4);
  const Assignment req = sampled.assignments.at(2);  // segment 2, from step 10
  REQUIRE(req.segment == 2);
  const SchnorrKey& v = key_for(c, req.verifier);
  const SchnorrKey& w = req.verifier == c.bob.pubkey() ? c.dave : c.bob;
  const Amount v_stake = stake_of(c, v), w_stake = stake_of(c, w);
  REQUIRE(assigned_to(sampled, v.pubkey()).size() == 2);
  REQUIRE(assigned_to(sampled, w.pubkey()).size() == 2);

  // Every other segment is replayed and committed at once.
  std::map<uint64_t, Attestation> att;
  std::vector<Transaction> commits;
  for (const Assignment& a : sampled.assignments) {
    if (a.segment == req.segment) continue;
    att[a.segment] = replay(a.segment, static_cast<uint8_t>(20 + a.segment));
    commits.push_back(attest_tx(c, 1, a, att[a.segment]));
  }
  run_block(c, commits);

  // The requester cannot fetch its checkpoint and asks on chain at the last
  // height of the commit window.
  c.advance_to(sampled.commit_deadline - 1);
  Receipt asked = c.exec(c.tx(v, CheckpointRequest{1, req.segment}));
  REQUIRE_MESSAGE(asked.success, asked.reason);
  REQUIRE(c.height == sampled.commit_deadline);
  const uint64_t post_deadline = read_dispute(c.state, 1)->game.deadline;
  CHECK(post_deadline == c.height + c.params.pol_dispute_window);
  const Event* moved = find_event(asked.events, "windows_moved");
  REQUIRE(moved);
  // A whole commit window after the last height the checkpoint may appear.
  const JobPol after = s.pol();
  CHECK(after.commit_deadline == post_deadline + c.params.pol_commit_window);
  CHECK(after.probe_deadline == after.commit_deadline + c.params.pol_reveal_window);
  CHECK(after.reveal_deadline == after.probe_deadline + c.params.pol_reveal_window);
  CHECK(attr(*moved, "commit_deadline") == std::to_string(after.commit_deadline));
  CHECK(attr(*moved, "reveal_deadline") == std::to_string(after.reveal_deadline));

  // The provider posts at the very last height allowed.
  c.advance_to(post_deadline - 1);
  const Bytes published = checkpoint_at(bounds(req.segment).start);
  Receipt post = c.exec(c.tx(c.carol, CheckpointPost{1, published}));
  REQUIRE_MESSAGE(post.success, post.reason);
  CHECK(c.height == post_deadline);
  CHECK(find_event(post.events, "checkpoint_published"));
  CHECK(read_dispute(c.state, 1)->loser == DisputeLoser::nobody);
  c.block({});  // deadline + 1: nothing times out
  CHECK_FALSE(read_slash(c.state, 1).has_value());

  // The requester replays from the published checkpoint and commits at the
  // last height of its moved window.
  att[req.segment] = replay_published(published, req.segment, 77);
  c.advance_to(after.commit_deadline - 1);
  Receipt committed = c.exec(attest_tx(c, 1, req, att[req.segment]));
  REQUIRE_MESSAGE(committed.success, committed.reason);
  CHECK(c.height == after.commit_deadline);

  BlockRun settle = probe_reveal_settle(c, 1, att);
  const Event* settled = find_event(settle.begin_events, "job_settled");
  REQUIRE(settled);
  CHECK(attr(*settled, "verified_segments") == "4");
  CHECK(attr(*settled, "provider_paid") == "4960");
  CHECK(attr(*settled, "refund") == "0");
  CHECK(count_events(settle.begin_events, "verifier_paid") == 4);
  CHECK(count_events(settle.begin_events, "verifier_absent") == 0);
  CHECK(c.job(1)->status == JobStatus::Settled);

  // Exact end state. Fees: carol registers, accepts, commits, posts, 4 probes;
  // v registers, requests, 2 commits, 2 reveals; w registers, 2 commits, 2 reveals.
  CHECK(c.account(c.alice).balance == kFunded - kPayment - kFee);
  CHECK(c.account(c.carol).balance == kFunded - kProviderStake - 8 * kFee + 4960);
  CHECK(c.account(v).balance == kFunded - v_stake - 6 * kFee + 2 * 10);
  CHECK(c.account(w).balance == kFunded - w_stake - 5 * kFee + 2 * 10);
  CHECK(c.account(c.proposer).balance == (1 + 8 + 6 + 5) * kFee);
  CHECK(c.provider(c.carol)->stake == kProviderStake);
  CHECK(c.provider(c.carol)->locked == 0);
  CHECK(c.provider(c.carol)->jobs_slashed == 0);
  CHECK(stake_of(c, v) == v_stake);  // the honest requester is not slashed
  CHECK(stake_of(c, w) == w_stake);
  CHECK(read_counter(c.state, keys::kBurned) == 0);
  CHECK(c.total_supply() == kGenesisSupply);
}

// 3. A client with one big job cannot make an honest verifier miss windows,
// nor burn its stake once per segment.
TEST_CASE("adversary: one big job cannot burn a verifier's stake; windows follow the queued work") {
  // Before c24639c every job had the same commit window (pol_commit_window
  // blocks) however much replay it assigned, and an absent verifier lost
  // absent_verifier_slash per segment: a client asking for 20 samples on a
  // chain with one verifier got the verifier's whole stake burned (20 x 50 =
  // 1000) even when it replayed at full speed, and an honest verifier with
  // four segments' work could commit only the first (the commits below at
  // sample + 20, 30, 40 would fail with outside_window).
  const uint64_t segment_cost =
      verifier::segment_replay_cost(kernels::parse_job_spec(kTinySpec).value);
  CHECK(segment_cost == 5 * verifier::referee_cost(kernels::parse_job_spec(kTinySpec).value));
  // A verifier's budget is exactly one tiny segment per commit window.
  Chain c(genesis_with("verifier_replay_budget", segment_cost));
  REQUIRE(c.params.verifier_replay_budget == segment_cost);
  const uint64_t window = c.params.pol_commit_window;
  REQUIRE(c.exec(c.tx(c.carol, ProviderRegister{kProviderStake, "p"})).success);
  REQUIRE(c.exec(c.tx(c.bob, VerifierRegister{1000})).success);  // the only verifier
  c.advance_to(c.height + c.params.verifier_activation_blocks);

  SUBCASE("a segment above the replay budget is refused; a 20-sample job slashes once") {
    // checkpoint_interval 10: one segment is twice what a verifier replays per window.
    const auto before = c.snapshot();
    Receipt costly = c.exec(c.tx(
        c.alice,
        JobSubmit{replaced(kTinySpec, "\"checkpoint_interval\": 5", "\"checkpoint_interval\": 10"),
                  kPayment, kBond, 20}));
    CHECK_FALSE(costly.success);
    CHECK(costly.code == TxCode::spec_too_costly);
    CHECK_MESSAGE(mentions(costly.reason, "one segment costs " + std::to_string(2 * segment_cost) +
                                              " multiply-adds to replay, above "
                                              "verifier_replay_budget " +
                                              std::to_string(segment_cost)),
                  costly.reason);
    CHECK(changed_by_last_block(c, before) ==
          std::set<Bytes>{keys::account(c.alice.pubkey()), keys::account(c.proposer)});

    // 100 steps, k = 5: 20 segments; the client asks for all 20 to be replayed.
    const std::string big = replaced(kTinySpec, "\"steps\": 20", "\"steps\": 100");
    const Bytes commitment = verifier::encode(placeholder_commitment(big));
    constexpr Amount kBigBond = 250;  // min_bond(5000, 20 samples)
    for (uint64_t job = 1; job <= 2; ++job) {
      Receipt sub = c.exec(c.tx(c.alice, JobSubmit{big, kPayment, kBigBond, 20, 20}));
      REQUIRE_MESSAGE(sub.success, sub.reason);
      CHECK(c.job(job)->samples == 20);
      REQUIRE(c.exec(c.tx(c.carol, JobAccept{job})).success);
      REQUIRE(c.exec(c.tx(c.carol, JobCommit{job, commitment, Setup::kManifest})).success);
    }
    // Job 1 was sampled while job 2 was being submitted; job 2 a little later.
    c.advance_to(read_job_pol(c.state, 2)->sample_height);
    const JobPol p1 = read_job_pol(c.state, 1).value();
    const JobPol p2 = read_job_pol(c.state, 2).value();
    REQUIRE(p1.assignments.size() == 20);
    REQUIRE(assigned_to(p1, c.bob.pubkey()).size() == 20);
    REQUIRE(assigned_to(p2, c.bob.pubkey()).size() == 20);
    // 20 segments at one per window: job 1's window lasts 20 windows, and job
    // 2's work queues behind it on bob.
    CHECK(p1.commit_deadline == p1.sample_height + 20 * window);
    CHECK(p2.commit_deadline == p1.commit_deadline + 20 * window);
    CHECK(p2.sample_height < p1.commit_deadline);
    CHECK(read_verifier(c.state, c.bob.pubkey())->busy_until == p2.commit_deadline);
    CHECK(p1.reveal_deadline == p1.commit_deadline + 2 * c.params.pol_reveal_window);

    // bob never shows up: one absence slash per job, not one per segment.
    c.advance_to(p1.reveal_deadline);
    BlockRun judge1 = c.block({});
    CHECK(count_events(judge1.begin_events, "verifier_absent") == 20);
    size_t burned = 0;
    for (const Event& e : judge1.begin_events)
      if (e.type == "verifier_absent" && attr(e, "stake_burned") != "0") {
        ++burned;
        CHECK(attr(e, "stake_burned") == "50");
      }
    CHECK(burned == 1);
    CHECK(stake_of(c, c.bob) == 1000 - 50);
    const Event* settled = find_event(judge1.begin_events, "job_settled");
    REQUIRE(settled);
    CHECK(attr(*settled, "provider_paid") == "4800");
    CHECK(attr(*settled, "refund") == "200");
    c.advance_to(p2.reveal_deadline + 1);
    CHECK(c.job(2)->status == JobStatus::Settled);

    // Fees: alice 3 submits, carol registers, 2 accepts, 2 commits, bob registers.
    CHECK(c.account(c.alice).balance == kFunded - 3 * kFee - 2 * kPayment + 2 * 200);
    CHECK(c.account(c.carol).balance == kFunded - kProviderStake - 5 * kFee + 2 * 4800);
    CHECK(c.account(c.bob).balance == kFunded - 1000 - kFee);
    CHECK(c.account(c.proposer).balance == 9 * kFee);
    CHECK(stake_of(c, c.bob) == 1000 - 2 * 50);
    CHECK(read_verifier(c.state, c.bob.pubkey())->active_assignments == 0);
    CHECK(c.provider(c.carol)->stake == kProviderStake);
    CHECK(c.provider(c.carol)->locked == 0);
    CHECK(read_counter(c.state, keys::kBurned) == 100);
    CHECK(c.total_supply() == kGenesisSupply);
  }

  SUBCASE("an honest lone verifier replaying at the budget's pace meets every window") {
    REQUIRE(c.exec(c.tx(c.alice, JobSubmit{kTinySpec, kPayment, kBond, 20})).success);
    REQUIRE(c.exec(c.tx(c.carol, JobAccept{1})).success);
    REQUIRE(
        c.exec(c.tx(c.carol, JobCommit{1, verifier::encode(honest_commitment()), Setup::kManifest}))
            .success);
    c.advance_to(read_job_pol(c.state, 1)->sample_height);
    const JobPol pol = read_job_pol(c.state, 1).value();
    REQUIRE(assigned_to(pol, c.bob.pubkey()).size() == 4);
    CHECK(pol.commit_deadline == pol.sample_height + 4 * window);
    // One segment per window, each committed at the end of the window it took.
    std::map<uint64_t, Attestation> att;
    for (size_t i = 0; i < pol.assignments.size(); ++i) {
      const Assignment& a = pol.assignments[i];
      att[a.segment] = replay(a.segment, static_cast<uint8_t>(40 + a.segment));
      c.advance_to(pol.sample_height + (i + 1) * window - 1);
      Receipt r = c.exec(attest_tx(c, 1, a, att[a.segment]));
      REQUIRE_MESSAGE(r.success, r.reason);
    }
    CHECK(c.height == pol.commit_deadline);
    BlockRun settle = probe_reveal_settle(c, 1, att);
    const Event* settled = find_event(settle.begin_events, "job_settled");
    REQUIRE(settled);
    CHECK(attr(*settled, "verified_segments") == "4");
    // Fees: carol registers, accepts, commits, 4 probes; bob registers, 4 commits, 4 reveals.
    CHECK(c.account(c.alice).balance == kFunded - kPayment - kFee);
    CHECK(c.account(c.carol).balance == kFunded - kProviderStake - 7 * kFee + 4960);
    CHECK(c.account(c.bob).balance == kFunded - 1000 - 9 * kFee + 4 * 10);
    CHECK(c.account(c.proposer).balance == 17 * kFee);
    CHECK(stake_of(c, c.bob) == 1000);
    CHECK(c.provider(c.carol)->stake == kProviderStake);
    CHECK(read_counter(c.state, keys::kBurned) == 0);
    CHECK(c.total_supply() == kGenesisSupply);
  }
}

// 4. Sybils and stake games: the floor, the activation delay, and a job that
// nobody eligible can verify.
TEST_CASE("adversary: stake floors and activation keep Sybils and late joiners out of sampling") {
  SUBCASE("a verifier cannot unstake below the floor, only to it or to zero") {
    // (This rule predates c24639c. A ledger without it lets a verifier keep 1
    // uvt staked and stay registered at no risk; its unstakes below succeed.)
    Chain c;
    REQUIRE(c.exec(c.tx(c.bob, VerifierRegister{1000})).success);
    REQUIRE(c.exec(c.tx(c.dave, VerifierRegister{500})).success);
    for (Amount amount : {Amount{600}, Amount{501}}) {
      const auto before = c.snapshot();
      Receipt r = c.exec(c.tx(c.bob, VerifierUnstake{amount}));
      CHECK_FALSE(r.success);
      CHECK(r.code == TxCode::below_minimum);
      CHECK(changed_by_last_block(c, before) ==
            std::set<Bytes>{keys::account(c.bob.pubkey()), keys::account(c.proposer)});
    }
    REQUIRE(c.exec(c.tx(c.bob, VerifierUnstake{500})).success);   // down to the floor
    REQUIRE(c.exec(c.tx(c.dave, VerifierUnstake{500})).success);  // or out entirely
    CHECK(stake_of(c, c.bob) == 500);
    CHECK(stake_of(c, c.dave) == 0);
    c.advance_to(c.height + c.params.unbonding_blocks);
    CHECK(c.account(c.bob).balance == kFunded - 1000 - 4 * kFee + 500);
    CHECK(c.account(c.dave).balance == kFunded - 500 - 2 * kFee + 500);
    CHECK(c.account(c.proposer).balance == 6 * kFee);
    CHECK(c.total_supply() == kGenesisSupply);
  }

  SUBCASE("stake registered or added after a commitment is not sampled for it") {
    // Before c24639c any verifier with stake was a candidate at sampling:
    // seeing the commitment, bob (adding 4000) and eve (registering 1500)
    // would be drawn for 2 of the 4 segments (one round draws every
    // candidate), steering the check toward whoever joined last.
    Setup s;
    Chain& c = s.c;
    REQUIRE(c.exec(c.tx(c.alice, Transfer{c.eve.pubkey(), 2000})).success);
    REQUIRE(s.commit().success);
    const uint64_t commit_height = c.height;
    run_block(c, {c.tx(c.bob, VerifierStake{4000}), c.tx(c.eve, VerifierRegister{1500})});
    CHECK(read_verifier(c.state, c.bob.pubkey())->activation_height ==
          commit_height + 1 + c.params.verifier_activation_blocks);
    CHECK(read_verifier(c.state, c.eve.pubkey())->activation_height ==
          commit_height + 1 + c.params.verifier_activation_blocks);
    c.advance_to(s.pol().sample_height);
    const JobPol pol = s.pol();
    REQUIRE(pol.assignments.size() == 4);
    CHECK(assigned_to(pol, c.dave.pubkey()).size() == 4);  // the only one active
    CHECK(read_verifier(c.state, c.bob.pubkey())->segments_assigned == 0);
    CHECK(read_verifier(c.state, c.eve.pubkey())->segments_assigned == 0);

    std::map<uint64_t, Attestation> att;
    std::vector<Transaction> commits;
    for (const Assignment& a : pol.assignments) {
      att[a.segment] = replay(a.segment, static_cast<uint8_t>(50 + a.segment));
      commits.push_back(attest_tx(c, 1, a, att[a.segment]));
    }
    run_block(c, commits);
    BlockRun settle = probe_reveal_settle(c, 1, att);
    REQUIRE(find_event(settle.begin_events, "job_settled"));
    CHECK(c.job(1)->status == JobStatus::Settled);
    CHECK(c.account(c.alice).balance == kFunded - kPayment - kFee - 2000 - kFee);
    CHECK(c.account(c.eve).balance == 2000 - 1500 - kFee);
    CHECK(c.account(c.bob).balance == kFunded - 1000 - kFee - 4000 - kFee);
    CHECK(c.account(c.dave).balance == kFunded - 700 - 9 * kFee + 4 * 10);
    CHECK(c.account(c.carol).balance == kFunded - kProviderStake - 7 * kFee + 4960);
    CHECK(c.account(c.proposer).balance == (2 + 1 + 2 + 9 + 7) * kFee);
    CHECK(stake_of(c, c.bob) == 5000);
    CHECK(stake_of(c, c.eve) == 1500);
    CHECK(stake_of(c, c.dave) == 700);
    CHECK(c.provider(c.carol)->stake == kProviderStake);
    CHECK(c.provider(c.carol)->locked == 0);
    CHECK(c.total_supply() == kGenesisSupply);
  }

  SUBCASE("slashed below the floor: not sampled; nobody eligible: the client is refunded") {
    // Before c24639c the candidates were every verifier with stake > 0: bob,
    // slashed to 450 (< 500), would still be drawn for job 2; and job 3, with
    // no candidate at all, was settled for the provider at its sampling height
    // (verification_skipped): alice paid 5000 for work nobody checked.
    Chain c;
    REQUIRE(c.exec(c.tx(c.carol, ProviderRegister{kProviderStake, "p"})).success);
    REQUIRE(c.exec(c.tx(c.bob, VerifierRegister{500})).success);  // exactly the floor
    REQUIRE(c.exec(c.tx(c.dave, VerifierRegister{1000})).success);
    c.advance_to(c.height + c.params.verifier_activation_blocks);
    const Bytes honest = verifier::encode(honest_commitment());
    auto submit_and_commit = [&](uint64_t job) {
      REQUIRE(c.exec(c.tx(c.alice, JobSubmit{kTinySpec, kPayment, kBond, 20})).success);
      REQUIRE(c.exec(c.tx(c.carol, JobAccept{job})).success);
      REQUIRE(c.exec(c.tx(c.carol, JobCommit{job, honest, Setup::kManifest})).success);
    };
    // dave replays all of his segments; bob never shows up.
    auto dave_attests = [&](uint64_t job) {
      const JobPol pol = read_job_pol(c.state, job).value();
      std::map<uint64_t, Attestation> att;
      std::vector<Transaction> commits;
      for (const Assignment& a : assigned_to(pol, c.dave.pubkey())) {
        att[a.segment] = replay(a.segment, static_cast<uint8_t>(60 + a.segment));
        commits.push_back(attest_tx(c, job, a, att[a.segment]));
      }
      run_block(c, commits);
      return probe_reveal_settle(c, job, att);
    };

    // Job 1: bob is absent on his two segments and falls below the floor.
    submit_and_commit(1);
    c.advance_to(read_job_pol(c.state, 1)->sample_height);
    REQUIRE(assigned_to(*read_job_pol(c.state, 1), c.bob.pubkey()).size() == 2);
    dave_attests(1);
    CHECK(c.job(1)->status == JobStatus::Settled);
    CHECK(stake_of(c, c.bob) == 450);

    // Job 2: bob still has stake but is below the floor: dave gets everything.
    submit_and_commit(2);
    c.advance_to(read_job_pol(c.state, 2)->sample_height);
    CHECK(assigned_to(*read_job_pol(c.state, 2), c.dave.pubkey()).size() == 4);
    CHECK(assigned_to(*read_job_pol(c.state, 2), c.bob.pubkey()).empty());
    dave_attests(2);
    CHECK(c.job(2)->status == JobStatus::Settled);
    CHECK(stake_of(c, c.bob) == 450);  // not assigned, not slashed

    // Job 3: dave leaves; nobody eligible. The job waits, never paid blind.
    REQUIRE(c.exec(c.tx(c.dave, VerifierUnstake{1000})).success);
    const Amount carol_before = c.account(c.carol).balance;
    submit_and_commit(3);
    const uint64_t commit_height = c.height;
    const uint64_t give_up = commit_height + c.params.pol_wait_blocks;
    c.advance_to(read_job_pol(c.state, 3)->sample_height);
    CHECK(c.job(3)->status == JobStatus::Committed);
    c.advance_to(give_up - 1);
    CHECK(c.job(3)->status == JobStatus::Committed);
    CHECK(c.provider(c.carol)->locked == kBond);
    BlockRun end = c.block({});
    const Event* unverified = find_event(end.begin_events, "job_unverified");
    REQUIRE(unverified);
    CHECK(attr(*unverified, "refund") == "5000");
    CHECK(attr(*unverified, "bond_released") == "1250");
    CHECK(c.job(3)->status == JobStatus::Unverified);
    // Its accept and commit fees, and nothing for job 3.
    CHECK(c.account(c.carol).balance == carol_before - 2 * kFee);

    // Fees: alice 3 submits; carol registers, 3 accepts, 3 commits, 8 probes;
    // bob registers; dave registers, 6 commits, 6 reveals, unstakes.
    CHECK(c.account(c.alice).balance == kFunded - 3 * kPayment - 3 * kFee + 2 * 10 + kPayment);
    CHECK(c.account(c.carol).balance == kFunded - kProviderStake - 15 * kFee + 2 * 4960);
    CHECK(c.account(c.bob).balance == kFunded - 500 - kFee);
    CHECK(c.account(c.dave).balance == kFunded - 1000 - 14 * kFee + 6 * 10 + 1000);
    CHECK(c.account(c.proposer).balance == (3 + 15 + 1 + 14) * kFee);
    CHECK(stake_of(c, c.dave) == 0);
    CHECK(c.provider(c.carol)->stake == kProviderStake);
    CHECK(c.provider(c.carol)->locked == 0);
    CHECK(c.provider(c.carol)->jobs_slashed == 0);
    CHECK(read_counter(c.state, keys::kBurned) == 50);
    CHECK(c.total_supply() == kGenesisSupply);
  }
}

// 5. Checkpoint posts are the scarcest block space: nobody may crowd out the
// post a provider owes.
TEST_CASE("adversary: requesters cannot crowd out the checkpoints a provider owes") {
  // Before c24639c anyone could post on any dispute as often as they liked,
  // blocks took any number of posts, and requests opened together all fell due
  // at one height: alice's post below would be admitted (reject() fails), the
  // fourth post of the crowded block would be admitted, the retry after a
  // failed post would be admitted, and the four deadlines would be equal.
  Setup s;
  Chain& c = s.c;
  REQUIRE(s.commit().success);
  c.advance_to(s.pol().sample_height);
  const JobPol pol = s.pol();
  REQUIRE(pol.assignments.size() == 4);
  const Amount bob_stake = stake_of(c, c.bob), dave_stake = stake_of(c, c.dave);

  // Both verifiers request every checkpoint they were given, in one block:
  // dispute i + 1 is the request of assignment i.
  std::vector<Transaction> requests;
  for (const Assignment& a : pol.assignments)
    requests.push_back(c.tx(key_for(c, a.verifier), CheckpointRequest{1, a.segment}));
  run_block(c, requests);
  const uint64_t opened = c.height;
  // At most max_posts_per_block / 3 = 1 obligation falls due per height.
  REQUIRE(c.params.max_posts_per_block == 3);
  for (uint64_t i = 0; i < 4; ++i) {
    const DisputeRecord d = read_dispute(c.state, i + 1).value();
    CHECK(d.kind == DisputeKind::availability);
    CHECK(d.segment == pol.assignments[i].segment);
    CHECK(d.game.deadline == opened + c.params.pol_dispute_window + i);
    CHECK(posts_due_at(c, d.game.deadline) == 1);
  }
  CHECK(posts_due_at(c, opened + c.params.pol_dispute_window + 4) == 0);
  CHECK(s.pol().commit_deadline ==
        opened + c.params.pol_dispute_window + 3 + c.params.pol_commit_window);

  // A third party cannot post: refused before the block, nothing changes.
  {
    const auto before = c.snapshot();
    CHECK(mentions(c.reject(c.tx(c.alice, CheckpointPost{1, checkpoint_at(0)})),
                   "only the provider or the challenger of dispute 1 may post"));
    CHECK(changed_by_last_block(c, before).empty());
  }
  // The requesters try to fill a block with failing posts ahead of the
  // provider's: three posts are admitted, the provider's fourth waits.
  std::vector<Transaction> crowd;
  for (uint64_t id = 1; id <= 3; ++id)
    crowd.push_back(
        c.tx(key_for(c, read_dispute(c.state, id)->challenger), CheckpointPost{id, kJunk}));
  const uint64_t last_segment = pol.assignments[3].segment;
  crowd.push_back(c.tx(c.carol, CheckpointPost{4, checkpoint_at(bounds(last_segment).start)}));
  BlockRun crowded = raw_block(c, crowd);
  for (size_t i = 0; i < 3; ++i) {
    REQUIRE(crowded.results[i].ok());
    CHECK_FALSE(crowded.results[i]->success);
    CHECK(crowded.results[i]->code == TxCode::checkpoint_rejected);
  }
  REQUIRE_FALSE(crowded.results[3].ok());
  CHECK(mentions(crowded.results[3].error(), "this block holds max_posts_per_block (3)"));
  // A party's one failed post is spent: its next post is refused before the block.
  CHECK(mentions(
      c.reject(c.tx(key_for(c, read_dispute(c.state, 1)->challenger), CheckpointPost{1, kJunk})),
      "already failed once in dispute 1"));

  // The provider posts every checkpoint before its deadline: three in one
  // block, the fourth in the next.
  std::map<uint64_t, Bytes> published;
  for (const Assignment& a : pol.assignments)
    published[a.segment] = checkpoint_at(bounds(a.segment).start);
  run_block(c, {c.tx(c.carol, CheckpointPost{1, published[pol.assignments[0].segment]}),
                c.tx(c.carol, CheckpointPost{2, published[pol.assignments[1].segment]}),
                c.tx(c.carol, CheckpointPost{3, published[pol.assignments[2].segment]})});
  run_block(c, {c.tx(c.carol, CheckpointPost{4, published[last_segment]})});
  for (uint64_t id = 1; id <= 4; ++id) {
    const DisputeRecord d = read_dispute(c.state, id).value();
    CHECK(d.outcome == "checkpoint_published");
    CHECK(d.loser == DisputeLoser::nobody);
    CHECK(d.resolved_height <= d.game.deadline);
  }

  // Everyone replays from the published checkpoints; the job settles.
  std::map<uint64_t, Attestation> att;
  std::vector<Transaction> commits;
  for (const Assignment& a : pol.assignments) {
    att[a.segment] =
        replay_published(published[a.segment], a.segment, static_cast<uint8_t>(70 + a.segment));
    commits.push_back(attest_tx(c, 1, a, att[a.segment]));
  }
  run_block(c, commits);
  BlockRun settle = probe_reveal_settle(c, 1, att);
  REQUIRE(find_event(settle.begin_events, "job_settled"));
  CHECK(c.job(1)->status == JobStatus::Settled);
  CHECK_FALSE(read_slash(c.state, 1).has_value());

  // Fees: carol registers, accepts, commits, 4 posts, 4 probes; each
  // verifier registers, 2 requests, its failed posts, 2 commits, 2 reveals.
  auto junk_of = [&](const SchnorrKey& k) {
    Amount n = 0;
    for (uint64_t id = 1; id <= 3; ++id) n += read_dispute(c.state, id)->challenger == k.pubkey();
    return n;
  };
  CHECK(junk_of(c.bob) + junk_of(c.dave) == 3);
  CHECK(c.account(c.alice).balance == kFunded - kPayment - kFee);
  CHECK(c.account(c.carol).balance == kFunded - kProviderStake - 11 * kFee + 4960);
  CHECK(c.account(c.bob).balance == kFunded - 1000 - (7 + junk_of(c.bob)) * kFee + 2 * 10);
  CHECK(c.account(c.dave).balance == kFunded - 700 - (7 + junk_of(c.dave)) * kFee + 2 * 10);
  CHECK(c.account(c.proposer).balance == (1 + 11 + 14 + 3) * kFee);
  CHECK(c.provider(c.carol)->stake == kProviderStake);
  CHECK(c.provider(c.carol)->locked == 0);
  CHECK(c.provider(c.carol)->jobs_slashed == 0);
  CHECK(stake_of(c, c.bob) == bob_stake);
  CHECK(stake_of(c, c.dave) == dave_stake);
  CHECK(read_counter(c.state, keys::kBurned) == 0);
  CHECK(c.total_supply() == kGenesisSupply);
}

// 6. Receipts are hashed into the block header: words must not split validators.
TEST_CASE("adversary: receipt text cannot fork the chain; receipt codes are consensus") {
  // Before c24639c receipt_hash covered the whole stored receipt, reason text
  // included, and some reasons quoted the JSON library's own messages: two
  // validators built against different library versions computed different
  // receipts roots for one block, and the chain forked. Below, the reworded
  // receipt would hash differently.
  Chain c;
  const Receipt zero_transfer = c.exec(c.tx(c.alice, Transfer{c.bob.pubkey(), 0}));
  const Receipt zero_payment = c.exec(c.tx(c.bob, JobSubmit{kTinySpec, 0, 0, 5}));
  const Receipt overdraft = c.exec(c.tx(c.carol, Transfer{c.bob.pubkey(), kFunded}));
  CHECK(zero_transfer.code == TxCode::invalid_amount);
  CHECK(zero_payment.code == TxCode::invalid_amount);
  CHECK(overdraft.code == TxCode::insufficient_balance);
  REQUIRE(zero_transfer.reason != zero_payment.reason);
  // Two real failures with one code and different words hash alike.
  CHECK(receipt_hash(zero_transfer) == receipt_hash(zero_payment));
  CHECK(receipt_hash(zero_transfer) != receipt_hash(overdraft));
  // Another build's wording of the same outcome: same hash, same receipts root.
  Receipt reworded = zero_transfer;
  reworded.reason = "the amount of a transfer has to be greater than zero";
  CHECK(receipt_hash(reworded) == receipt_hash(zero_transfer));
  CHECK(merkle_root({receipt_hash(zero_transfer), receipt_hash(overdraft)}) ==
        merkle_root({receipt_hash(reworded), receipt_hash(overdraft)}));
  // A different code is a different outcome.
  Receipt recoded = zero_transfer;
  recoded.code = TxCode::above_limit;
  CHECK(receipt_hash(recoded) != receipt_hash(zero_transfer));
  CHECK(merkle_root({receipt_hash(recoded)}) != merkle_root({receipt_hash(zero_transfer)}));
  // The words are still stored for people.
  CHECK(decode_receipt(encode(zero_transfer)).value() == zero_transfer);
  CHECK(decode_receipt(encode(reworded)).value().reason == reworded.reason);
  // Only the fees moved.
  for (const SchnorrKey* k : {&c.alice, &c.bob, &c.carol})
    CHECK(c.account(*k).balance == kFunded - kFee);
  CHECK(c.account(c.dave).balance == kFunded);
  CHECK(c.account(c.proposer).balance == 3 * kFee);
  CHECK(c.total_supply() == kGenesisSupply);
}

// 7. A verifier colluding with the client asks for checkpoints it does not
// need, to stall the job and make the provider post.
TEST_CASE("adversary: needless checkpoint requests only delay a job, by a bounded amount") {
  // Requests move the job's windows (test 2), so a colluder can buy delay.
  // What must hold: the provider loses one post fee per request and never its
  // bond, each segment can be requested once, and the delay is at most
  // (dispute window + commit window) per requested segment. A ledger that took
  // a second request of a segment, moved windows without bound or charged the
  // provider more fails below; before c24639c windows never moved (delay 0).
  Setup s;
  Chain& c = s.c;
  REQUIRE(s.commit().success);
  c.advance_to(s.pol().sample_height);
  const JobPol pol = s.pol();
  const uint64_t undisturbed_reveal = pol.reveal_deadline;
  const SchnorrKey& v = key_for(c, pol.assignments[0].verifier);  // colludes with alice
  const SchnorrKey& w = v.pubkey() == c.bob.pubkey() ? c.dave : c.bob;
  const Amount v_stake = stake_of(c, v), w_stake = stake_of(c, w);
  const std::vector<Assignment> mine = assigned_to(pol, v.pubkey());
  REQUIRE(mine.size() == 2);

  // w replays its segments at once; v asks for its first checkpoint.
  std::map<uint64_t, Attestation> att;
  std::vector<Transaction> first = {c.tx(v, CheckpointRequest{1, mine[0].segment})};
  for (const Assignment& a : assigned_to(pol, w.pubkey())) {
    att[a.segment] = replay(a.segment, static_cast<uint8_t>(80 + a.segment));
    first.push_back(attest_tx(c, 1, a, att[a.segment]));
  }
  run_block(c, first);
  REQUIRE(c.exec(c.tx(c.carol, CheckpointPost{1, checkpoint_at(bounds(mine[0].segment).start)}))
              .success);
  // At the last height of the moved window, v asks for its second one.
  c.advance_to(s.pol().commit_deadline - 1);
  Receipt second = c.exec(c.tx(v, CheckpointRequest{1, mine[1].segment}));
  REQUIRE_MESSAGE(second.success, second.reason);
  CHECK(find_event(second.events, "windows_moved"));
  REQUIRE(c.exec(c.tx(c.carol, CheckpointPost{2, checkpoint_at(bounds(mine[1].segment).start)}))
              .success);
  // Once per segment.
  Receipt again = c.exec(c.tx(v, CheckpointRequest{1, mine[0].segment}));
  CHECK_FALSE(again.success);
  CHECK(again.code == TxCode::already_done);

  const JobPol moved = s.pol();
  const uint64_t delay = moved.reveal_deadline - undisturbed_reveal;
  CHECK(delay > 0);
  CHECK(delay <= mine.size() * (c.params.pol_dispute_window + c.params.pol_commit_window));

  // v never attests; the provider is paid as if nothing happened.
  BlockRun settle = probe_reveal_settle(c, 1, att);
  const Event* settled = find_event(settle.begin_events, "job_settled");
  REQUIRE(settled);
  CHECK(attr(*settled, "provider_paid") == "4960");
  CHECK(attr(*settled, "refund") == "20");
  CHECK(settle.height == moved.reveal_deadline + 1);
  // Fees: carol registers, accepts, commits, 2 posts, 4 probes; v registers
  // and sends 3 requests; w registers, 2 commits, 2 reveals.
  CHECK(c.account(c.carol).balance == kFunded - kProviderStake - 9 * kFee + 4960);
  CHECK(c.account(c.alice).balance == kFunded - kPayment - kFee + 2 * 10);
  CHECK(c.account(v).balance == kFunded - v_stake - 4 * kFee);
  CHECK(c.account(w).balance == kFunded - w_stake - 5 * kFee + 2 * 10);
  CHECK(c.account(c.proposer).balance == (9 + 1 + 4 + 5) * kFee);
  CHECK(c.provider(c.carol)->stake == kProviderStake);
  CHECK(c.provider(c.carol)->locked == 0);
  CHECK(c.provider(c.carol)->jobs_slashed == 0);
  CHECK(stake_of(c, v) == v_stake - 50);  // absent: the requester pays, not the provider
  CHECK(stake_of(c, w) == w_stake);
  CHECK(read_counter(c.state, keys::kBurned) == 50);
  CHECK(c.total_supply() == kGenesisSupply);
}

// 8. OPEN, skipped: a proposer that orders junk posts first can crowd out an
// owed post. The ledger cannot see which posts a proposer left out, so today
// the defence is the node's policy: Mempool::select takes posts earliest
// deadline first (tests/node/mempool_test.cpp "checkpoint posts go first"),
// under which the junk below goes after the provider's post. What remains is a
// proposer that censors on purpose: with one validator nothing stops it; with
// many (issue "Validators agree") rotation bounds it, and a consensus rule
// reserving the block's post slots for obligations due soonest would close it.
// This test builds the blocks itself in the attacker's order, so it still fails.
//
// How the attack goes:
// reserve_post_deadline lets at most max_posts_per_block / 3 obligations fall
// due per height, but a block's max_posts_per_block slots go to any admitted
// post, including posts on disputes due much later. Each party keeps one failed
// post per dispute, so a challenger with many disputes holds that many junk
// posts and can fill every block's post slots until the provider's earliest
// deadline passes, if the proposer puts them first (the node's mempool once
// ranked posts by fee: junk bidding min_fee + 1 went first).
// Here a client asks for 61 samples, its colluding verifier (the only one) gets
// all 61 segments and requests every checkpoint in one block (deadlines spread
// over 61 heights), then spends 60 junk posts, 3 per block, from the request
// until dispute 1's deadline. The honest provider offers its post in every one
// of those blocks and is never admitted: at deadline + 1 it loses its whole
// bond (checkpoint_withheld), 40% of it to the colluder, and the client gets
// its payment back. It costs the pair 61 request fees and 60 junk fees.
// Fixes to consider: posts for obligations due at this height first (the
// block's other slots only for posts due later), or no failed post on an
// availability dispute for its challenger (it never owes that checkpoint).
TEST_CASE("adversary: a requester with many disputes crowds out the post the provider owes" *
          doctest::skip()) {
  const std::string spec_json = replaced(kTinySpec, "\"steps\": 20", "\"steps\": 305");
  const kernels::JobSpec spec = verifier::testing::tiny_spec(305, 5);
  REQUIRE(kernels::spec_hash(spec) == canonical_job_spec(spec_json, 4096).value().hash);
  REQUIRE(verifier::segment_count(305, 5) == 61);
  // The provider's honest run (its real checkpoint at step 0 is the one it owes first).
  const std::vector<kernels::TensorMap> states = verifier::testing::all_states(spec);
  verifier::Commitment commitment;
  commitment.spec_hash = kernels::spec_hash(spec);
  commitment.interval = 5;
  commitment.steps = 305;
  for (uint64_t i = 0; i < verifier::checkpoint_count(305, 5); ++i)
    commitment.checkpoints.push_back(
        kernels::state_hash(states.at(verifier::checkpoint_step(i, 305, 5))));
  commitment.final_model_hash = commitment.checkpoints.back();

  Chain c;
  constexpr Amount kBigBond = 4000;
  REQUIRE(c.exec(c.tx(c.carol, ProviderRegister{kProviderStake, "p"})).success);
  REQUIRE(c.exec(c.tx(c.bob, VerifierRegister{1000})).success);  // colludes with alice
  c.advance_to(c.height + c.params.verifier_activation_blocks);
  REQUIRE(c.exec(c.tx(c.alice, JobSubmit{spec_json, kPayment, kBigBond, 20, 61})).success);
  REQUIRE(c.exec(c.tx(c.carol, JobAccept{1})).success);
  REQUIRE(
      c.exec(c.tx(c.carol, JobCommit{1, verifier::encode(commitment), Setup::kManifest})).success);
  c.advance_to(read_job_pol(c.state, 1)->sample_height);
  const JobPol pol = read_job_pol(c.state, 1).value();
  REQUIRE(assigned_to(pol, c.bob.pubkey()).size() == 61);
  std::vector<Transaction> requests;
  for (const Assignment& a : pol.assignments)
    requests.push_back(c.tx(c.bob, CheckpointRequest{1, a.segment}));
  run_block(c, requests);
  const uint64_t deadline = read_dispute(c.state, 1)->game.deadline;
  REQUIRE(deadline == c.height + c.params.pol_dispute_window);
  REQUIRE(read_dispute(c.state, 61)->game.deadline == deadline + 60);

  // Every block up to the deadline: the colluder's three junk posts on its
  // latest disputes (fee min + 1), then the provider's real post.
  const Bytes owed = kernels::encode_safetensors(kernels::make_checkpoint(spec, states.at(0)));
  uint64_t junk_target = 61;
  bool admitted = false;
  while (c.height < deadline && !admitted) {
    std::vector<Transaction> txs;
    for (int k = 0; k < 3 && junk_target > 1; ++k, --junk_target)
      txs.push_back(c.tx(c.bob, CheckpointPost{junk_target, kJunk}, std::nullopt, kFee + 1));
    txs.push_back(c.tx(c.carol, CheckpointPost{1, owed}));
    BlockRun b = raw_block(c, txs);
    admitted = b.results.back().ok();
  }
  c.advance_to(deadline + 1);
  // What must hold: a provider that offered its post in every block before its
  // deadline is not slashed.
  CHECK(admitted);
  CHECK(read_dispute(c.state, 1)->outcome == "checkpoint_published");
  CHECK(c.provider(c.carol)->stake == kProviderStake);
  CHECK(c.provider(c.carol)->locked == kBigBond);
  CHECK(c.provider(c.carol)->jobs_slashed == 0);
  CHECK(c.job(1)->status == JobStatus::Verifying);
  // carol paid for registering, accepting, committing and one admitted post;
  // alice's payment is still in escrow (today: refunded, carol's bond gone).
  CHECK(c.account(c.carol).balance == kFunded - kProviderStake - 4 * kFee);
  CHECK(c.account(c.alice).balance == kFunded - kPayment - kFee);
  CHECK(read_counter(c.state, keys::kBurned) == 0);
  CHECK(c.total_supply() == kGenesisSupply);
}

// ---- validators: double-sign evidence (ledger/evidence.h) ----
// Before 043704c a double signer lost nothing; with evidence, the risk turns
// around: could anyone slash an honest validator with its own real votes?

namespace {

// The fixture's genesis with a second validator (seed 9, stake 1000) beside
// the first (seed 7, stake kValidatorStake).
std::string two_validator_genesis() {
  const Ed25519Key second = Ed25519Key::from_seed(seed_of(9));
  const std::string entry =
      ", {\"consensus_key\": \"" + to_hex(second.pubkey()) + "\", \"operator\": \"" +
      address_to_string(key_of(101).pubkey()) + "\", \"power\": \"1000\", \"vrf_key\": \"" +
      to_hex(vrf_public_key(vrf_secret_from_seed(seed_of(9))).value()) + "\"}]";
  return replaced(genesis_json(), "\"}], \"datasets\"", "\"}" + entry + ", \"datasets\"");
}

SignedVote vote_by(uint8_t seed, consensus::VoteType type, uint64_t height, uint32_t round,
                   std::optional<uint8_t> block) {
  consensus::Vote v{type, height, round, std::nullopt, 0};
  if (block) v.block = consensus::BlockId{}, v.block->fill(*block);
  return {v, Ed25519Key::from_seed(seed_of(seed)).sign(consensus::sign_bytes(v, "vt-test"))};
}

// One block at c.height + 1 that carries `evidence` and nothing else; the
// block's changes are applied only when every piece is accepted.
Status evidence_block(Chain& c, const std::vector<DoubleSign>& evidence) {
  BlockContext ctx;
  ctx.height = c.height + 1;
  ctx.time_ms = 1'700'000'000'000 + ctx.height * 1000;
  ctx.fee_recipient = c.proposer;
  BlockExecutor exec(c.state, ctx);
  for (const DoubleSign& e : evidence)
    if (auto s = exec.apply_evidence(e); !s) return s;
  c.state.apply(std::move(exec).finish().changes);
  c.height = ctx.height;
  return Status::success();
}

}  // namespace

TEST_CASE("adversary: nobody can frame an honest validator; a double signer pays once, alone") {
  Chain c(two_validator_genesis());
  c.advance_to(5);
  const Ed25519Pubkey honest = Ed25519Key::from_seed(seed_of(7)).pubkey();
  const Ed25519Pubkey cheat = Ed25519Key::from_seed(seed_of(9)).pubkey();
  using VT = consensus::VoteType;
  const auto before = c.snapshot();

  // What a framer can get hold of: the honest validator's real votes. An honest
  // validator prevotes a block and may precommit nil in the same round, and
  // votes again in later rounds; none of that is double signing.
  const std::vector<std::pair<const char*, DoubleSign>> frames = {
      {"the same vote twice",
       {honest, vote_by(7, VT::Prevote, 3, 0, 1), vote_by(7, VT::Prevote, 3, 0, 1)}},
      {"prevote and precommit of one round",
       {honest, vote_by(7, VT::Prevote, 3, 0, 1), vote_by(7, VT::Precommit, 3, 0, std::nullopt)}},
      {"two rounds", {honest, vote_by(7, VT::Prevote, 3, 0, 1), vote_by(7, VT::Prevote, 3, 1, 2)}},
      {"two heights", {honest, vote_by(7, VT::Prevote, 3, 0, 1), vote_by(7, VT::Prevote, 4, 0, 2)}},
      // Votes the framer signed itself, in the honest validator's name.
      {"forged", {honest, vote_by(9, VT::Prevote, 3, 0, 1), vote_by(9, VT::Prevote, 3, 0, 2)}},
      {"half forged", {honest, vote_by(7, VT::Prevote, 3, 0, 1), vote_by(9, VT::Prevote, 3, 0, 2)}},
  };
  for (const auto& [what, e] : frames) {
    CAPTURE(what);
    CHECK_FALSE(evidence_block(c, {e}).ok());
  }
  CHECK(c.snapshot() == before);  // every refused block changed nothing

  // The cheat really signs two prevotes at height 4: it, and it alone, pays.
  const DoubleSign real{cheat, vote_by(9, VT::Prevote, 4, 2, 1),
                        vote_by(9, VT::Prevote, 4, 2, std::nullopt)};
  REQUIRE(evidence_block(c, {real}).ok());
  const Validator punished = read_validator(c.state, cheat).value();
  CHECK(punished.power == 1000 - 300);  // double_sign_slash_bps 3000
  CHECK(punished.jailed);
  CHECK(punished.tombstoned);
  const Validator untouched = read_validator(c.state, honest).value();
  CHECK(untouched.power == kValidatorStake);
  CHECK_FALSE(untouched.jailed);
  for (const auto& k : {c.alice, c.bob, c.carol, c.dave}) CHECK(c.account(k).balance == kFunded);
  CHECK(read_counter(c.state, keys::kBurned) == 300);
  CHECK(c.total_supply() == kGenesisSupply + 1000);  // the second validator's stake

  // Replayed in a later block, or with the votes swapped, it slashes no more.
  const DoubleSign swapped{cheat, real.b, real.a};
  CHECK_FALSE(evidence_block(c, {real}).ok());
  CHECK_FALSE(evidence_block(c, {swapped}).ok());
  CHECK(read_validator(c.state, cheat).value().power == 700);
}

TEST_CASE("adversary: a double signer cannot unstake its way out of its slash") {
  // The rule that makes it possible: evidence may be no older than unbonding lasts.
  nlohmann::json d = nlohmann::json::parse(two_validator_genesis());
  d["params"]["unbonding_blocks"] = "20";
  d["params"]["max_evidence_age_blocks"] = "21";
  auto refused = parse_genesis(d.dump());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().find("max_evidence_age_blocks: must be at most unbonding_blocks") !=
        std::string::npos);
  d["params"]["max_evidence_age_blocks"] = "20";

  Chain c(d.dump());
  const SchnorrKey op = key_of(101);  // the cheat's operator (two_validator_genesis)
  const Ed25519Pubkey cheat = Ed25519Key::from_seed(seed_of(9)).pubkey();
  using VT = consensus::VoteType;
  const uint64_t ub = c.params.unbonding_blocks;
  REQUIRE(c.exec(c.tx(c.alice, Transfer{op.pubkey(), 2000})).success);
  REQUIRE(c.exec(c.tx(op, ValidatorStake{cheat, 500})).success);  // power 1500
  // 500 leaves before the offence: it was not at stake when the validator signed twice.
  const uint64_t early_start = c.height + 1;
  REQUIRE(c.exec(c.tx(op, ValidatorUnstake{cheat, 500})).success);
  // It signs two prevotes at height 6; at height 7, before the evidence lands,
  // it unstakes everything it has left.
  const uint64_t offence = 6;
  c.advance_to(offence);
  const uint64_t late_start = c.height + 1;
  REQUIRE(c.exec(c.tx(op, ValidatorUnstake{cheat, 1000})).success);
  REQUIRE(read_validator(c.state, cheat).value().power == 0);
  const Amount op_before = c.account(op).balance;
  const auto supply = c.total_supply();

  const DoubleSign real{cheat, vote_by(9, VT::Prevote, offence, 0, 1),
                        vote_by(9, VT::Prevote, offence, 0, std::nullopt)};
  REQUIRE(evidence_block(c, {real}).ok());
  CHECK(read_validator(c.state, cheat).value().tombstoned);
  // 30 % of the 1000 unstaked after the offence; nothing of the 500 unstaked before.
  const auto late = c.state.get(keys::unbonding(late_start + ub, op.pubkey(), cheat));
  REQUIRE(late);
  CHECK(decode_unbonding(*late).value().amount == 700);
  const auto early = c.state.get(keys::unbonding(early_start + ub, op.pubkey(), cheat));
  REQUIRE(early);
  CHECK(decode_unbonding(*early).value().amount == 500);
  CHECK(read_counter(c.state, keys::kBurned) == 300);
  CHECK(c.total_supply() == supply);  // burned, and counted as burned

  // The operator gets back what the slash left when unbonding ends, and no more.
  c.advance_to(late_start + ub);
  CHECK(c.account(op).balance == op_before + 500 + 700);
  CHECK_FALSE(c.state.get(keys::unbonding(late_start + ub, op.pubkey(), cheat)));
  size_t index_left = 0;
  c.state.scan(keys::validator_unbonding_prefix(cheat),
               [&](const Bytes&, const Bytes&) { return ++index_left, true; });
  CHECK(index_left == 0);
  for (const auto& k : {c.bob, c.carol, c.dave}) CHECK(c.account(k).balance == kFunded);
  CHECK(c.account(c.alice).balance == kFunded - 2000 - c.params.min_fee);
  CHECK(c.total_supply() == supply);
}

}  // namespace vt::ledger::test
