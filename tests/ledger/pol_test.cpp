// Proof of learning on chain, slice 1 (the honest path): job_submit admission,
// verifier registration, the provider's commitment, sampling, verifier
// commit-reveal attestations built from a real replay of kernels/specs/tiny.json,
// the provider's probe, settlement with exact balances, and every rejection.
#include <doctest/doctest.h>

#include "ledger/pol_queries.h"
#include "tests/ledger/pol_fixture.h"

namespace vt::ledger::test {

TEST_CASE("pol: the ledger's tiny spec is the one the kernels train") {
  CHECK(kernels::spec_hash(tiny().spec) == canonical_job_spec(kTinySpec, 4096).value().hash);
  CHECK(verifier::segment_count(20, 5) == 4);
}

TEST_CASE("pol: job_submit refuses unaffordable verification, small bonds and costly specs") {
  Chain c;
  // m = min(pol_samples 4, 4 segments) = 4; min bond = ceil(payment / 4).
  expect_failed(c, c.tx(c.alice, JobSubmit{kTinySpec, 1001, 250, 5}),
                "bond 250 is below the minimum 251 (payment / 4 samples, rounded up)");
  expect_failed(c, c.tx(c.alice, JobSubmit{kTinySpec, 39, 10, 5}),
                "payment 39 cannot cover 4 verifier fees of 10");
  CHECK(c.exec(c.tx(c.alice, JobSubmit{kTinySpec, 40, 10, 5})).success);
  // 101 checkpoints > max_checkpoints 64.
  std::string many = kTinySpec;
  many.replace(many.find("\"steps\": 20"), 11, "\"steps\": 100");
  many.replace(many.find("\"checkpoint_interval\": 5"), 24, "\"checkpoint_interval\": 1");
  expect_failed(c, c.tx(c.alice, JobSubmit{many, 1000, 1000, 5}),
                "the spec has 101 checkpoints, the limit is 64");
  // One step of a wide model with a large batch costs more than max_referee_cost.
  std::string wide = kTinySpec;
  wide.replace(wide.find("[784, 32, 10]"), 13, "[784, 4096, 4096, 10]");
  wide.replace(wide.find("\"batch_size\": 16"), 16, "\"batch_size\": 4096");
  expect_failed(c, c.tx(c.alice, JobSubmit{wide, 1000, 1000, 5}), "job spec: ");
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("pol: a job may ask for more samples than the chain's pol_samples") {
  std::string doc = genesis_json();
  const std::string four = "\"pol_samples\": \"4\"";
  REQUIRE(doc.find(four) != std::string::npos);
  doc.replace(doc.find(four), four.size(), "\"pol_samples\": \"2\"");
  Chain c(doc);
  REQUIRE(c.exec(c.tx(c.carol, ProviderRegister{5000, "p"})).success);
  REQUIRE(c.exec(c.tx(c.bob, VerifierRegister{1000})).success);
  REQUIRE(c.exec(c.tx(c.dave, VerifierRegister{1000})).success);
  expect_failed(c, c.tx(c.alice, JobSubmit{kTinySpec, 5000, 2500, 20, 1}),
                "samples 1 must be between the chain's pol_samples 2 and 1024");
  expect_failed(c, c.tx(c.alice, JobSubmit{kTinySpec, 5000, 2500, 20, 1025}),
                "samples 1025 must be between");
  // Three samples: three fees must fit in the payment and the bond is payment / 3.
  expect_failed(c, c.tx(c.alice, JobSubmit{kTinySpec, 5000, 1666, 20, 3}),
                "bond 1666 is below the minimum 1667 (payment / 3 samples, rounded up)");
  Receipt r = c.exec(c.tx(c.alice, JobSubmit{kTinySpec, 5000, 1667, 20, 3}));
  REQUIRE_MESSAGE(r.success, r.reason);
  CHECK(attr(*find_event(r.events, "job_submitted"), "samples") == "3");
  CHECK(c.job(1)->samples == 3);
  // The default is the chain's m; asking for more than the segments replays them all.
  REQUIRE(c.exec(c.tx(c.alice, JobSubmit{kTinySpec, 5000, 2500, 20})).success);
  CHECK(c.job(2)->samples == 2);
  REQUIRE(c.exec(c.tx(c.alice, JobSubmit{kTinySpec, 5000, 1250, 20, 9})).success);
  CHECK(c.job(3)->samples == 4);
  // Sampling draws exactly the job's m.
  REQUIRE(c.exec(c.tx(c.carol, JobAccept{1})).success);
  REQUIRE(c.exec(c.tx(c.carol, JobCommit{1, verifier::encode(honest_commitment()), {}})).success);
  c.advance_to(read_job_pol(c.state, 1)->sample_height);
  CHECK(read_job_pol(c.state, 1)->assignments.size() == 3);
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("pol: committees: r verifiers per segment cost r fees, one probe serves the committee") {
  std::string doc = genesis_json();
  const std::string one = "\"pol_redundancy\": \"1\"";
  REQUIRE(doc.find(one) != std::string::npos);
  doc.replace(doc.find(one), one.size(), "\"pol_redundancy\": \"3\"");
  Setup s(doc);
  Chain& c = s.c;
  // 4 samples x 3 seats x fee 10 = 120 must fit the payment; at most 1024 / 3 samples.
  expect_failed(c, c.tx(c.alice, JobSubmit{kTinySpec, 119, 30, 5}),
                "payment 119 cannot cover 12 verifier fees of 10 (4 samples x 3 verifiers each)");
  expect_failed(c, c.tx(c.alice, JobSubmit{kTinySpec, 5000, 1250, 5, 342}),
                "samples 342 must be between the chain's pol_samples 4 and 341");
  REQUIRE(s.commit().success);
  c.advance_to(s.pol().sample_height);
  const JobPol pol = s.pol();
  // Only bob and dave are eligible (carol provides, alice pays): committees of 2.
  REQUIRE(pol.assignments.size() == 8);
  for (size_t i = 0; i < 8; i += 2) {
    CHECK(pol.assignments[i].segment == i / 2);
    CHECK(pol.assignments[i + 1].segment == i / 2);
    CHECK(pol.assignments[i].verifier != pol.assignments[i + 1].verifier);
  }
  std::vector<Attestation> att;
  std::vector<Transaction> commits;
  for (const Assignment& a : pol.assignments) {
    att.push_back(replay(a.segment, static_cast<uint8_t>(10 + a.segment)));
    commits.push_back(attest_commit_tx(c, a, att.back()));
  }
  run_block(c, commits);
  // Seats are per verifier: the client cannot commit on bob's segment, and bob
  // cannot commit twice.
  expect_failed(c, attest_commit_tx(c, pol.assignments[0], att[0]), "is already committed");
  expect_failed(c, c.tx(c.alice, AttestCommit{1, 0, salt_of(1)}),
                "sender is not a verifier assigned to segment 0");
  c.advance_to(pol.commit_deadline + 1);
  for (uint64_t seg = 0; seg < 4; ++seg) {
    Receipt pp = c.exec(c.tx(c.carol, ProviderProbe{1, seg, tiny().leaves[5 * seg + 5]}));
    REQUIRE_MESSAGE(pp.success, pp.reason);
  }
  for (const Assignment& a : s.pol().assignments) CHECK(a.provider_probe);  // every seat
  expect_failed(c, c.tx(c.carol, ProviderProbe{1, 0, tiny().leaves[5]}),
                "the provider's probe of segment 0 is already revealed");
  c.advance_to(pol.probe_deadline);
  std::vector<Transaction> reveals;
  for (size_t i = 0; i < pol.assignments.size(); ++i)
    reveals.push_back(c.tx(key_for(c, pol.assignments[i].verifier),
                           AttestReveal{1, pol.assignments[i].segment, reveal_bytes(att[i], 5)}));
  run_block(c, reveals);
  c.advance_to(pol.reveal_deadline);
  const Amount carol = c.account(c.carol).balance, bob = c.account(c.bob).balance;
  BlockRun settle = c.block({});
  const Event* ev = find_event(settle.begin_events, "job_settled");
  REQUIRE(ev);
  CHECK(attr(*ev, "provider_paid") == "4920");  // 5000 - 8 seats x 10
  CHECK(c.account(c.carol).balance == carol + 4920);
  CHECK(c.account(c.bob).balance == bob + 40);
  CHECK(read_verifier(c.state, c.bob.pubkey())->segments_agreed == 4);
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("pol: verifier registration") {
  Chain c;
  Receipt r = c.exec(c.tx(c.bob, VerifierRegister{600}));
  REQUIRE_MESSAGE(r.success, r.reason);
  auto v = read_verifier(c.state, c.bob.pubkey());
  REQUIRE(v);
  CHECK(v->stake == 600);
  CHECK(v->registered_height == c.height);
  CHECK(c.account(c.bob).balance == kFunded - 600 - 10);
  expect_failed(c, c.tx(c.bob, VerifierRegister{600}), "already a registered verifier");
  expect_failed(c, c.tx(c.dave, VerifierRegister{499}),
                "stake 499 is below the minimum verifier stake 500");
  expect_failed(c, c.tx(c.dave, VerifierRegister{kFunded}), "insufficient balance");
  // Adding stake.
  Receipt more = c.exec(c.tx(c.bob, VerifierStake{250}));
  REQUIRE_MESSAGE(more.success, more.reason);
  CHECK(read_verifier(c.state, c.bob.pubkey())->stake == 850);
  CHECK(find_event(more.events, "verifier_staked"));
  expect_failed(c, c.tx(c.dave, VerifierStake{250}), "sender is not a registered verifier");
  expect_failed(c, c.tx(c.bob, VerifierStake{0}), "stake amount must be positive");
  expect_failed(c, c.tx(c.bob, VerifierStake{kFunded}), "insufficient balance for verifier stake");
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("pol: honest path: commit, sampling, attestations, probe, settlement") {
  Setup s;
  Chain& c = s.c;
  Receipt r = s.commit();
  REQUIRE_MESSAGE(r.success, r.reason);
  const uint64_t commit_height = c.height;
  CHECK(c.job(1)->status == JobStatus::Committed);
  CHECK_FALSE(c.state.get(keys::job_expiry(c.job(1)->deadline_height + 1, 1)));
  const Event* ev = find_event(r.events, "job_committed");
  REQUIRE(ev);
  CHECK(attr(*ev, "commitment_root") == to_hex(verifier::commitment_root(honest_commitment())));
  CHECK(attr(*ev, "checkpoints") == "5");
  CHECK(attr(*ev, "manifest") == to_hex(Setup::kManifest));
  CHECK(s.pol().manifest == Setup::kManifest);
  CHECK(attr(*ev, "sample_height") == std::to_string(commit_height + 3));
  CHECK(s.pol().sample_height == commit_height + 3);
  CHECK(s.pol().assignments.empty());
  CHECK(c.total_supply() == kGenesisSupply);
  // The typed phase (ledger/pol_queries.h) of a transaction sent after each block.
  auto phase = [&] { return pol_phase(*c.job(1), s.pol(), c.height); };
  CHECK(phase() == PolPhase::waiting_for_sampling);
  {
    const auto view = pol_view(c.state, c.height, *c.job(1), c.state);
    REQUIRE(view);
    CHECK(view->segments.empty());
    CHECK_FALSE(view->settle_height);  // not sampled yet
  }

  // Sampling at commit_height + delay + 1, seeded by its parent block.
  auto events = c.advance_to(commit_height + 2);
  CHECK(find_event(events, "job_sampled") == nullptr);
  BlockRun sampling = c.block({});
  ev = find_event(sampling.begin_events, "job_sampled");
  REQUIRE(ev);
  const JobPol pol = s.pol();
  CHECK(attr(*ev, "seed") == to_hex(verifier::derive_seed(sampling.root_before, 1, pol.root)));
  CHECK(attr(*ev, "segments") == "0,1,2,3");  // m = 4 = every segment
  CHECK(c.job(1)->status == JobStatus::Verifying);
  CHECK(pol.commit_deadline == sampling.height + 10);
  CHECK(pol.probe_deadline == sampling.height + 20);
  CHECK(pol.reveal_deadline == sampling.height + 30);
  REQUIRE(pol.assignments.size() == 4);
  int for_bob = 0, for_dave = 0;
  for (const Assignment& a : pol.assignments) {
    CHECK(a.verifier != c.carol.pubkey());  // never the provider
    CHECK(a.verifier != c.alice.pubkey());  // nor the client
    for_bob += a.verifier == c.bob.pubkey();
    for_dave += a.verifier == c.dave.pubkey();
  }
  CHECK(for_bob == 2);  // two eligible verifiers, four segments: two rounds
  CHECK(for_dave == 2);
  CHECK(read_verifier(c.state, c.bob.pubkey())->segments_assigned == 2);
  CHECK(phase() == PolPhase::commit_window);

  // Commit window: each verifier replays its segment and commits.
  std::vector<Attestation> att;
  std::vector<Transaction> commits;
  for (const Assignment& a : pol.assignments) {
    att.push_back(replay(a.segment, static_cast<uint8_t>(10 + a.segment)));
    CHECK(att.back().trace.end_hash == tiny().hashes[5 * (a.segment + 1)]);
    commits.push_back(c.tx(key_for(c, a.verifier), AttestCommit{1, a.segment,
                                                                verifier::attestation_commitment(
                                                                    1, a.segment, att.back().trace,
                                                                    a.verifier, att.back().salt)}));
  }
  run_block(c, commits);  // two transactions per verifier: nonces follow in one block
  for (const Assignment& a : s.pol().assignments) CHECK(a.attest_commitment);

  // The probe seed is the hash of the block that closed the commit window.
  c.advance_to(pol.commit_deadline);
  CHECK(phase() == PolPhase::drawing_probe);  // the next block draws it
  BlockRun probe = c.block({});
  CHECK(phase() == PolPhase::probe_window);
  ev = find_event(probe.begin_events, "probe_drawn");
  REQUIRE(ev);
  const JobPol drawn = s.pol();
  CHECK(drawn.probe_seed == probe.root_before);

  // Probe window: the provider posts its probes first; verifiers cannot reveal yet.
  for (const Assignment& a : drawn.assignments) {
    const uint64_t pr = probe_r(drawn, 1, a.segment);
    Receipt pp =
        c.exec(c.tx(c.carol, ProviderProbe{1, a.segment, tiny().leaves[5 * a.segment + pr]}));
    REQUIRE_MESSAGE(pp.success, pp.reason);
  }
  expect_failed(
      c,
      c.tx(key_for(c, drawn.assignments[0].verifier),
           AttestReveal{1, drawn.assignments[0].segment,
                        reveal_bytes(att[0], probe_r(drawn, 1, drawn.assignments[0].segment))}),
      "the reveal window opens at height " + std::to_string(drawn.probe_deadline + 1));
  // Reveal window: the verifiers reveal.
  c.advance_to(drawn.probe_deadline);
  CHECK(phase() == PolPhase::reveal_window);
  const verifier::Commitment committed = honest_commitment();
  CHECK_FALSE(judge_assignment(s.pol().assignments[0], committed, true));  // not revealed yet
  expect_failed(c, c.tx(c.carol, ProviderProbe{1, 0, salt_of(3)}),
                "the probe window closed at height " + std::to_string(drawn.probe_deadline));
  for (size_t i = 0; i < drawn.assignments.size(); ++i) {
    const Assignment& a = drawn.assignments[i];
    const uint64_t pr = probe_r(drawn, 1, a.segment);
    CHECK(pr == 5);  // the segment's last step
    Receipt rv =
        c.exec(c.tx(key_for(c, a.verifier), AttestReveal{1, a.segment, reveal_bytes(att[i], pr)}));
    REQUIRE_MESSAGE(rv.success, rv.reason);
    const Event* re = find_event(rv.events, "attest_revealed");
    REQUIRE(re);
    CHECK(attr(*re, "end_matches_commitment") == "true");
    CHECK(attr(*re, "probe_offset") == std::to_string(pr));
  }
  CHECK(c.total_supply() == kGenesisSupply);
  // Both sides are in: what judging will make of each, before it happens.
  for (const Assignment& a : s.pol().assignments) {
    const auto jd = judge_assignment(a, committed, true);
    REQUIRE(jd);
    CHECK(jd->kind == verifier::JudgeKind::agree);
    CHECK_FALSE(judge_assignment(a, committed, false));  // no probe seed, no judgement
  }
  // The whole record as the RPC serializes it (pol_view): every seat with its
  // bounds, hashes, probe offset and judgement, in assignment order.
  {
    const auto view = pol_view(c.state, c.height, *c.job(1), c.state);
    REQUIRE(view);
    CHECK(view->phase == PolPhase::reveal_window);
    CHECK(view->height == c.height);
    CHECK(view->segment_count == 4);
    CHECK(view->settle_height == drawn.reveal_deadline + 1);
    CHECK(view->commitment == committed);
    REQUIRE(view->segments.size() == drawn.assignments.size());
    for (size_t i = 0; i < view->segments.size(); ++i) {
      const SegmentView& sv = view->segments[i];
      CHECK(sv.assignment == s.pol().assignments[i]);
      CHECK(sv.bounds.start == 5 * sv.assignment.segment);
      CHECK(sv.bounds.end == 5 * (sv.assignment.segment + 1));
      CHECK(sv.start_hash == tiny().hashes[sv.bounds.start]);
      CHECK(sv.end_hash == tiny().hashes[sv.bounds.end]);
      CHECK(sv.probe_offset == 5);
      REQUIRE(sv.judgement);
      CHECK(sv.judgement->kind == verifier::JudgeKind::agree);
    }
    CHECK(view->disputes.empty());
    CHECK(view->slashes.empty());
  }

  // Settlement at reveal_deadline + 1: exact balances.
  c.advance_to(drawn.reveal_deadline);
  CHECK(phase() == PolPhase::disputes);  // the next block judges
  const Amount carol = c.account(c.carol).balance, alice = c.account(c.alice).balance;
  const Amount bob = c.account(c.bob).balance, dave = c.account(c.dave).balance;
  BlockRun settle = c.block({});
  ev = find_event(settle.begin_events, "job_settled");
  REQUIRE(ev);
  CHECK(attr(*ev, "provider_paid") == "4960");  // 5000 - 4 x 10
  CHECK(attr(*ev, "verified_segments") == "4");
  CHECK(attr(*ev, "refund") == "0");
  int paid = 0;
  for (const Event& e : settle.begin_events) paid += e.type == "verifier_paid";
  CHECK(paid == 4);
  CHECK(c.account(c.carol).balance == carol + 4960);
  CHECK(c.account(c.bob).balance == bob + 20);
  CHECK(c.account(c.dave).balance == dave + 20);
  CHECK(c.account(c.alice).balance == alice);
  CHECK(c.job(1)->status == JobStatus::Settled);
  CHECK(phase() == PolPhase::closed);
  CHECK(c.job(1)->closed_height == settle.height);
  CHECK(c.provider(c.carol)->locked == 0);
  CHECK(c.provider(c.carol)->stake == 5000);
  CHECK(read_verifier(c.state, c.dave.pubkey())->segments_agreed == 2);
  CHECK(c.total_supply() == kGenesisSupply);
  // Nothing is left scheduled.
  int scheduled = 0;
  c.state.scan(keys::prefix(keys::kPolWork), [&](const Bytes&, const Bytes&) {
    ++scheduled;
    return true;
  });
  CHECK(scheduled == 0);
}

TEST_CASE("pol: rejections, each with its reason") {
  Setup s;
  Chain& c = s.c;
  SUBCASE("commit by a non-provider") {
    expect_failed(c, c.tx(c.bob, JobCommit{1, verifier::encode(honest_commitment())}),
                  "only the job's provider can commit to it");
  }
  SUBCASE("commit twice") {
    REQUIRE(s.commit().success);
    expect_failed(c, c.tx(c.carol, JobCommit{1, verifier::encode(honest_commitment())}),
                  "job 1 is committed, not accepted");
  }
  SUBCASE("malformed commitment bytes") {
    Bytes bytes = verifier::encode(honest_commitment());
    bytes.pop_back();
    expect_failed(c, c.tx(c.carol, JobCommit{1, bytes}), "malformed commitment: ");
    expect_failed(c, c.tx(c.carol, JobCommit{1, Bytes{1, 2, 3}}), "malformed commitment: ");
  }
  SUBCASE("commitment for another spec") {
    verifier::Commitment other = honest_commitment();
    other.spec_hash[0] ^= 1;
    expect_failed(c, c.tx(c.carol, JobCommit{1, verifier::encode(other)}),
                  "commitment does not match the job's spec");
  }
  SUBCASE("commitment after the deadline") {
    c.advance_to(c.job(1)->deadline_height);
    c.block({});  // expired at deadline + 1
    expect_failed(c, c.tx(c.carol, JobCommit{1, verifier::encode(honest_commitment())}),
                  "job 1 is expired, not accepted");
  }
  SUBCASE("attestation rules") {
    REQUIRE(s.commit().success);
    expect_failed(c, c.tx(c.bob, AttestCommit{1, 0, salt_of(1)}),
                  "job 1 is committed, not verifying");
    c.advance_to(s.pol().sample_height);
    const JobPol pol = s.pol();
    const Assignment& a = pol.assignments.at(0);
    const SchnorrKey& assigned = key_for(c, a.verifier);
    const SchnorrKey& other = a.verifier == c.bob.pubkey() ? c.dave : c.bob;
    // Segment 0 belongs to `assigned` only (look for one not assigned to `other`).
    uint64_t seg = 99;
    for (const Assignment& x : pol.assignments)
      if (x.verifier == a.verifier) seg = x.segment;
    expect_failed(c, c.tx(other, AttestCommit{1, seg, salt_of(1)}),
                  "sender is not a verifier assigned to segment " + std::to_string(seg));
    expect_failed(c, c.tx(assigned, AttestCommit{1, 7, salt_of(1)}),
                  "segment 7 of job 1 was not sampled");
    const Attestation at = replay(seg, 33);
    const Hash256 commitment =
        verifier::attestation_commitment(1, seg, at.trace, a.verifier, at.salt);
    REQUIRE(c.exec(c.tx(assigned, AttestCommit{1, seg, commitment})).success);
    expect_failed(c, c.tx(assigned, AttestCommit{1, seg, commitment}), "is already committed");
    // Reveal before the window (no probe seed drawn yet).
    expect_failed(c, c.tx(assigned, AttestReveal{1, seg, Bytes{}}),
                  "the reveal window opens at height " + std::to_string(pol.probe_deadline + 1));
    expect_failed(c, c.tx(c.carol, ProviderProbe{1, seg, salt_of(2)}),
                  "the probe window opens at height " + std::to_string(pol.commit_deadline + 1));
    c.advance_to(pol.commit_deadline);
    // Committing after the window.
    uint64_t late_seg = 99;
    for (const Assignment& x : pol.assignments)
      if (x.verifier != a.verifier) late_seg = x.segment;
    expect_failed(c, c.tx(other, AttestCommit{1, late_seg, salt_of(1)}),
                  "the commit window closed at height " + std::to_string(pol.commit_deadline));
    c.block({});  // probe drawn
    const JobPol drawn = s.pol();
    const uint64_t pr = probe_r(drawn, 1, seg);
    c.advance_to(drawn.probe_deadline);  // the reveal window
    // A reveal that does not open the commitment (other salt), malformed bytes,
    // one without a commitment, then the provider's probe by someone else.
    Attestation wrong = at;
    wrong.salt = salt_of(34);
    expect_failed(c, c.tx(assigned, AttestReveal{1, seg, reveal_bytes(wrong, pr)}),
                  "reveal rejected: ");
    expect_failed(c, c.tx(assigned, AttestReveal{1, seg, Bytes{1, 2}}), "malformed reveal: ");
    expect_failed(c, c.tx(other, AttestReveal{1, late_seg, reveal_bytes(at, pr)}),
                  "no attestation commitment to reveal for segment");
    expect_failed(c, c.tx(assigned, ProviderProbe{1, seg, salt_of(2)}),
                  "only the job's provider can reveal its probe");
    // Late reveal.
    c.advance_to(drawn.reveal_deadline);
    c.block({});  // settles (the other verifier never attested)
    expect_failed(c, c.tx(assigned, AttestReveal{1, seg, reveal_bytes(at, pr)}),
                  "job 1 is settled, not verifying");
    CHECK(c.total_supply() == kGenesisSupply);
  }
  SUBCASE("a reveal after the window") {
    REQUIRE(s.commit().success);
    c.advance_to(s.pol().sample_height);
    const JobPol pol = s.pol();
    // Assignment 0 posts an invented trace and reveals it: against the provider's
    // true probe that opens a dispute, which keeps the job verifying past the deadline.
    const Assignment& a = pol.assignments.at(0);
    const Assignment& b = pol.assignments.at(1);
    const Attestation lazy = invented_trace();
    const Attestation honest = replay(b.segment, 5);
    REQUIRE(c.exec(attest_commit_tx(c, a, lazy)).success);
    REQUIRE(c.exec(attest_commit_tx(c, b, honest)).success);
    c.advance_to(pol.commit_deadline + 1);
    const JobPol drawn = s.pol();
    // The provider posts its true probe: with the invented trace a dispute opens
    // and the job stays verifying.
    REQUIRE(c.exec(c.tx(c.carol,
                        ProviderProbe{1, a.segment,
                                      tiny().leaves[5 * a.segment + probe_r(drawn, 1, a.segment)]}))
                .success);
    c.advance_to(drawn.probe_deadline);
    REQUIRE(
        c.exec(c.tx(key_for(c, a.verifier),
                    AttestReveal{1, a.segment, reveal_bytes(lazy, probe_r(drawn, 1, a.segment))}))
            .success);
    c.advance_to(pol.reveal_deadline + 1);
    REQUIRE(c.job(1)->status == JobStatus::Verifying);
    expect_failed(
        c,
        c.tx(key_for(c, b.verifier),
             AttestReveal{1, b.segment, reveal_bytes(honest, probe_r(drawn, 1, b.segment))}),
        "the reveal window closed at height " + std::to_string(pol.reveal_deadline));
    CHECK(c.total_supply() == kGenesisSupply);
  }
}

TEST_CASE("pol: absent verifiers forfeit their fees to the client and lose stake") {
  Setup s;
  Chain& c = s.c;
  REQUIRE(s.commit().success);
  c.advance_to(s.pol().sample_height);
  const JobPol pol = s.pol();
  c.advance_to(pol.reveal_deadline);
  const Amount carol = c.account(c.carol).balance, alice = c.account(c.alice).balance;
  BlockRun settle = c.block({});
  const Event* ev = find_event(settle.begin_events, "job_settled");
  REQUIRE(ev);
  CHECK(attr(*ev, "verified_segments") == "0");
  CHECK(attr(*ev, "refund") == "40");
  ev = find_event(settle.begin_events, "verifier_absent");
  REQUIRE(ev);
  CHECK(attr(*ev, "missing") == "commit");
  CHECK(attr(*ev, "stake_burned") == "50");  // absent_verifier_slash, once per verifier per job
  CHECK(c.account(c.carol).balance == carol + 4960);
  CHECK(c.account(c.alice).balance == alice + 40);
  CHECK(c.job(1)->status == JobStatus::Settled);
  // bob (1000) and dave (700) each had two segments; one job costs each of
  // them one absence slash, not one per segment (a client cannot multiply it).
  CHECK(read_verifier(c.state, c.bob.pubkey())->stake == 950);
  CHECK(read_verifier(c.state, c.dave.pubkey())->stake == 650);
  CHECK(read_counter(c.state, keys::kBurned) == 100);
  CHECK(read_slash(c.state, 1)->reason == "verifier_absent");
  CHECK(read_slash(c.state, 2)->burned == 50);
  CHECK_FALSE(read_slash(c.state, 3).has_value());
  size_t burned_events = 0;
  for (const Event& e : settle.begin_events)
    if (e.type == "verifier_absent" && attr(e, "stake_burned") == "50") ++burned_events;
  CHECK(burned_events == 2);
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("pol: a provider that does not reveal its probe loses its bond") {
  Setup s;
  Chain& c = s.c;
  REQUIRE(s.commit().success);
  c.advance_to(s.pol().sample_height);
  const JobPol pol = s.pol();
  const Assignment& a = pol.assignments.at(0);
  // A lazy verifier invents its trace: it opens its own commitment fine, but the
  // end hash is not the provider's.
  const Attestation lazy = invented_trace();
  REQUIRE(c.exec(attest_commit_tx(c, a, lazy)).success);
  c.advance_to(pol.probe_deadline);  // the provider lets its probe window pass
  const uint64_t pr = probe_r(s.pol(), 1, a.segment);
  Receipt rv =
      c.exec(c.tx(key_for(c, a.verifier), AttestReveal{1, a.segment, reveal_bytes(lazy, pr)}));
  REQUIRE_MESSAGE(rv.success, rv.reason);
  CHECK(attr(*find_event(rv.events, "attest_revealed"), "end_matches_commitment") == "false");
  c.advance_to(pol.reveal_deadline);
  const Amount alice = c.account(c.alice).balance;
  const Amount challenger = c.account(a.verifier).balance;
  BlockRun judge = c.block({});
  // Silence loses: the provider never answered the revealed segment.
  const Event* ev = find_event(judge.begin_events, "provider_slashed");
  REQUIRE(ev);
  CHECK(attr(*ev, "reason") == "provider_probe_missing");
  CHECK(attr(*ev, "bond") == "1250");
  CHECK(attr(*ev, "challenger_reward") == "500");  // 40% of the bond
  CHECK(attr(*ev, "verifier_fees") == "0");        // nobody else agreed
  CHECK(attr(*ev, "burned") == "750");
  CHECK(find_event(judge.begin_events, "job_settled") == nullptr);
  CHECK(c.job(1)->status == JobStatus::Slashed);
  CHECK(c.provider(c.carol)->locked == 0);
  CHECK(c.provider(c.carol)->stake == 5000 - 1250);
  CHECK(c.provider(c.carol)->jobs_slashed == 1);
  CHECK(c.account(c.alice).balance == alice + 5000);
  CHECK(c.account(a.verifier).balance == challenger + 500);
  // 750 of the bond, and 50 of stake from each absent verifier: the three
  // absent segments belong to two verifiers, each slashed once for the job.
  CHECK(read_counter(c.state, keys::kBurned) == 750 + 2 * 50);
  CHECK(read_slash(c.state, 3)->reason == "provider_probe_missing");
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("pol: a revealed end hash that differs from the commitment opens an end dispute") {
  Setup s;
  Chain& c = s.c;
  REQUIRE(s.commit().success);
  c.advance_to(s.pol().sample_height);
  const JobPol pol = s.pol();
  const Assignment& a = pol.assignments.at(0);
  const Attestation lazy = invented_trace();
  REQUIRE(c.exec(attest_commit_tx(c, a, lazy)).success);
  c.advance_to(pol.commit_deadline + 1);
  const uint64_t pr = probe_r(s.pol(), 1, a.segment);
  REQUIRE(c.exec(c.tx(c.carol, ProviderProbe{1, a.segment, tiny().leaves[5 * a.segment + pr]}))
              .success);
  expect_failed(c, c.tx(c.carol, ProviderProbe{1, a.segment, salt_of(1)}), "already revealed");
  c.advance_to(pol.probe_deadline);
  REQUIRE(c.exec(c.tx(key_for(c, a.verifier), AttestReveal{1, a.segment, reveal_bytes(lazy, pr)}))
              .success);
  c.advance_to(pol.reveal_deadline);
  BlockRun judge = c.block({});
  const Event* ev = find_event(judge.begin_events, "dispute_opened");
  REQUIRE(ev);
  CHECK(attr(*ev, "kind") == "end");
  CHECK(attr(*ev, "dispute_id") == "1");
  CHECK(attr(*ev, "lo") == std::to_string(5 * a.segment));
  CHECK(attr(*ev, "hi") == std::to_string(5 * a.segment + 5));
  CHECK(attr(*ev, "provider_hi") == to_hex(tiny().hashes[5 * a.segment + 5]));
  CHECK(attr(*ev, "challenger_hi") == to_hex(lazy.trace.end_hash));
  CHECK(c.job(1)->status == JobStatus::Verifying);
  CHECK(s.pol().disputes == std::vector<uint64_t>{1});
  CHECK(read_dispute(c.state, 1)->open());
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("pol: no eligible verifier: the job waits, then the client is refunded (fail closed)") {
  Setup s(false);
  Chain& c = s.c;
  // The client registering as a verifier does not help: it is excluded.
  REQUIRE(c.exec(c.tx(c.alice, VerifierRegister{500})).success);
  REQUIRE(s.commit().success);
  const uint64_t commit_height = c.height;
  const uint64_t sample_height = s.pol().sample_height;
  c.advance_to(sample_height - 1);
  const Amount carol = c.account(c.carol).balance, alice = c.account(c.alice).balance;
  BlockRun b = c.block({});
  CHECK(find_event(b.begin_events, "job_settled") == nullptr);
  const Event* wait = find_event(b.begin_events, "verification_waiting");
  REQUIRE(wait);
  CHECK(attr(*wait, "next_attempt") ==
        std::to_string(sample_height + c.params.verifier_activation_blocks));
  CHECK(attr(*wait, "refund_height") == std::to_string(commit_height + c.params.pol_wait_blocks));
  CHECK(c.job(1)->status == JobStatus::Committed);
  CHECK(c.account(c.carol).balance == carol);  // never paid unverified

  SUBCASE("nobody comes: refund at the deadline, bond released, nobody slashed") {
    c.advance_to(commit_height + c.params.pol_wait_blocks - 1);
    CHECK(c.job(1)->status == JobStatus::Committed);
    BlockRun end = c.block({});
    const Event* ev = find_event(end.begin_events, "job_unverified");
    REQUIRE(ev);
    CHECK(attr(*ev, "refund") == "5000");
    CHECK(c.job(1)->status == JobStatus::Unverified);
    CHECK(c.account(c.alice).balance == alice + 5000);
    CHECK(c.account(c.carol).balance == carol);
    CHECK(c.provider(c.carol)->locked == 0);
    CHECK(c.provider(c.carol)->stake == 5000);
    CHECK(c.provider(c.carol)->jobs_slashed == 0);
    CHECK(c.total_supply() == kGenesisSupply);
  }
  SUBCASE("a verifier registers: once active, the job is sampled") {
    REQUIRE(c.exec(c.tx(c.bob, VerifierRegister{1000})).success);
    const uint64_t active = c.height + c.params.verifier_activation_blocks;
    for (int i = 0; i < 10 && c.job(1)->status == JobStatus::Committed; ++i)
      c.advance_to(c.height + c.params.verifier_activation_blocks);
    REQUIRE(c.job(1)->status == JobStatus::Verifying);
    CHECK(s.pol().sample_height >= active);
    for (const Assignment& a : s.pol().assignments) CHECK(a.verifier == c.bob.pubkey());
    CHECK(c.total_supply() == kGenesisSupply);
  }
}

TEST_CASE("pol: JobPol and the new messages round-trip canonically") {
  JobPol p;
  p.job_id = 3;
  p.root = salt_of(1);
  p.commit_height = 4;
  p.sample_height = 7;
  p.commit_deadline = 10;
  p.probe_deadline = 12;
  p.reveal_deadline = 13;
  p.probe_seed = salt_of(2);
  Assignment a;
  a.segment = 2;
  a.verifier = salt_of(3);
  a.attest_commitment = salt_of(4);
  a.revealed = true;
  a.revealed_end = salt_of(5);
  a.provider_probe = salt_of(6);
  p.assignments = {a, Assignment{}};
  CHECK(decode_job_pol(encode(p)).value() == p);
  Bytes trailing = encode(p);
  trailing.push_back(0);
  CHECK_FALSE(decode_job_pol(trailing).ok());

  Chain c;
  for (Message m : {Message{VerifierRegister{5}}, Message{JobCommit{1, Bytes{1, 2}, Hash256{9}}},
                    Message{AttestCommit{1, 2, salt_of(7)}}, Message{AttestReveal{1, 2, Bytes{9}}},
                    Message{ProviderProbe{1, 2, salt_of(8)}}, Message{VerifierStake{3}}}) {
    Transaction t = c.tx(c.alice, m);
    auto d = decode_transaction(encode(t), 1 << 20);
    REQUIRE(d.ok());
    CHECK(*d == t);
  }
  CHECK(std::string(message_name(Message{ProviderProbe{}})) == "provider_probe");
  CHECK(std::string(message_name(Message{VerifierStake{}})) == "verifier_stake");
}

}  // namespace vt::ledger::test
