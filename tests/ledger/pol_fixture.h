// Shared by the proof-of-learning ledger tests: the provider's honest run of
// kernels/specs/tiny.json, verifier replays and attestations, and a chain with
// the tiny job submitted and accepted and two verifiers registered.
#pragma once

#include <doctest/doctest.h>

#include "core/encoding.h"
#include "kernels/job_spec.h"
#include "kernels/state.h"
#include "tests/ledger/fixture.h"
#include "tests/verifier/fixture.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"
#include "verifier/referee.h"
#include "verifier/sampling.h"

namespace vt::ledger::test {

// The provider's honest run of the tiny spec (20 steps, k = 5, 4 segments):
// every per-step state hash, from states the kernels themselves produce.
struct Run {
  kernels::JobSpec spec;
  std::vector<kernels::TensorMap> states;
  std::vector<Hash256> hashes;  // hashes[s] = h_s
  std::vector<Hash256> leaves;  // leaves[s] = the trace leaf of step s (s >= 1; leaves[0] unused)
};
inline const Run& tiny() {
  static const Run run = [] {
    Run r;
    r.spec = verifier::testing::tiny_spec();
    r.states = verifier::testing::all_states(r.spec);
    for (const auto& s : r.states) r.hashes.push_back(kernels::state_hash(s));
    auto steps =
        verifier::replay_trace(r.spec, verifier::testing::dataset(), r.states[0], r.spec.steps);
    REQUIRE_MESSAGE(steps.ok(), steps.error());
    r.leaves.push_back(Hash256{});
    for (const auto& s : *steps) r.leaves.push_back(s.leaf);
    return r;
  }();
  return run;
}

inline verifier::Commitment honest_commitment() {
  const Run& r = tiny();
  verifier::Commitment c;
  c.spec_hash = kernels::spec_hash(r.spec);
  c.interval = r.spec.checkpoint_interval;
  c.steps = r.spec.steps;
  for (uint64_t i = 0; i < verifier::checkpoint_count(c.steps, c.interval); ++i)
    c.checkpoints.push_back(r.hashes[verifier::checkpoint_step(i, c.steps, c.interval)]);
  c.final_model_hash = c.checkpoints.back();
  c.final_loss_micro = 123456;  // informational (not verified in this slice)
  c.accuracy_bps = 4200;
  return c;
}

inline Hash256 salt_of(uint8_t n) {
  Hash256 s{};
  s.fill(n);
  return s;
}

// What a verifier does for one segment: replays it from the provider's checkpoint.
struct Attestation {
  verifier::SegmentTrace trace;
  std::vector<verifier::StepRecord> per_step;
  Hash256 salt{};
};
inline Attestation replay(uint64_t segment, uint8_t salt) {
  const Run& r = tiny();
  const auto seg = verifier::segment_bounds(segment, r.spec.steps, r.spec.checkpoint_interval);
  auto per_step = verifier::replay_trace(r.spec, verifier::testing::dataset(), r.states[seg.start],
                                         seg.end - seg.start);
  REQUIRE_MESSAGE(per_step.ok(), per_step.error());
  return {verifier::make_trace(*per_step), *per_step, salt_of(salt)};
}

inline Bytes reveal_bytes(const Attestation& a, uint64_t probe_r) {
  verifier::Reveal rv;
  rv.trace = a.trace;
  rv.salt = a.salt;
  rv.probe_leaf = a.per_step.at(probe_r - 1).leaf;
  rv.probe_proof = verifier::make_proof(verifier::leaves_of(a.per_step), probe_r - 1).value();
  return verifier::encode(rv);
}

// The probe step's offset (the segment's last step; the record and job are kept
// as parameters so call sites read like the ledger's).
inline uint64_t probe_r(const JobPol&, uint64_t, uint64_t segment) {
  const Run& r = tiny();
  const auto seg = verifier::segment_bounds(segment, r.spec.steps, r.spec.checkpoint_interval);
  return verifier::probe_offset(seg.end - seg.start);
}

inline void expect_failed(Chain& c, const Transaction& t, const std::string& reason) {
  Receipt r = c.exec(t);
  CHECK_FALSE(r.success);
  CHECK_MESSAGE(mentions(r.reason, reason), r.reason);
  CHECK(r.events.empty());
}

inline const SchnorrKey& key_for(Chain& c, const Address& a) {
  for (const SchnorrKey* k : {&c.alice, &c.bob, &c.carol, &c.dave, &c.eve})
    if (k->pubkey() == a) return *k;
  FAIL("unknown verifier");
  return c.eve;
}

// A lazy verifier's made-up trace of a 5-step segment (its end hash is not the provider's).
inline Attestation invented_trace() {
  Attestation lazy;
  for (uint8_t i = 0; i < 5; ++i) {
    const Hash256 h = salt_of(static_cast<uint8_t>(200 + i));
    lazy.per_step.push_back({h, h});
  }
  lazy.trace = verifier::make_trace(lazy.per_step);
  lazy.salt = salt_of(9);
  return lazy;
}

// The assigned verifier's attest_commit for `at`.
inline Transaction attest_commit_tx(Chain& c, const Assignment& a, const Attestation& at) {
  return c.tx(
      key_for(c, a.verifier),
      AttestCommit{1, a.segment,
                   verifier::attestation_commitment(1, a.segment, at.trace, a.verifier, at.salt)});
}

// Executes txs in one block, each of which must succeed; several from one
// sender get consecutive nonces.
inline void run_block(Chain& c, std::vector<Transaction> txs) {
  for (size_t i = 0; i < txs.size(); ++i) {
    uint64_t n = c.account(txs[i].sender).nonce;
    for (size_t k = 0; k < i; ++k) n += txs[k].sender == txs[i].sender;
    txs[i].nonce = n;
    sign(txs[i], key_for(c, txs[i].sender));
  }
  BlockRun b = c.block(txs);
  for (const auto& res : b.results) {
    REQUIRE(res.ok());
    CHECK_MESSAGE(res->success, res->reason);
  }
}

// alice submits the tiny job (payment 5000, bond 1250), carol (provider) accepts,
// bob and dave register as verifiers and wait until they are active. The chain
// is the fixture's genesis, or `genesis`.
struct Setup {
  Chain c;
  uint64_t job = 1;
  explicit Setup(bool verifiers = true) : Setup(genesis_json(), verifiers) {}
  explicit Setup(const std::string& genesis, bool verifiers = true) : c(genesis) {
    REQUIRE(c.exec(c.tx(c.carol, ProviderRegister{5000, "p"})).success);
    REQUIRE(c.exec(c.tx(c.alice, JobSubmit{kTinySpec, 5000, 1250, 20})).success);
    REQUIRE(c.exec(c.tx(c.carol, JobAccept{job})).success);
    if (verifiers) {
      Receipt r = c.exec(c.tx(c.bob, VerifierRegister{1000}));
      REQUIRE_MESSAGE(r.success, r.reason);
      REQUIRE(c.exec(c.tx(c.dave, VerifierRegister{700})).success);
      // Both become eligible for sampling (verifier_activation_blocks).
      c.advance_to(c.height + c.params.verifier_activation_blocks);
    }
  }
  static constexpr Hash256 kManifest = {0x6d, 0x61, 0x6e, 0x69, 0x66, 0x65, 0x73, 0x74};
  Receipt commit() {
    return c.exec(c.tx(c.carol, JobCommit{job, verifier::encode(honest_commitment()), kManifest}));
  }
  JobPol pol() const { return read_job_pol(c.state, job).value(); }
};

}  // namespace vt::ledger::test
