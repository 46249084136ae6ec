// The referee and attestations on a real (tiny) run of the kernels.
#include "verifier/referee.h"

#include <doctest/doctest.h>

#include <cmath>

#include "fixture.h"
#include "kernels/backend.h"
#include "kernels/merkle.h"
#include "kernels/mlp.h"
#include "kernels/safetensors.h"
#include "kernels/trainer.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"
#include "verifier/dispute.h"

using namespace vt;
using namespace vt::verifier;
using vt::verifier::testing::h;

namespace {
Bytes checkpoint_bytes(const kernels::JobSpec& spec, const kernels::TensorMap& state) {
  return kernels::encode_safetensors(kernels::make_checkpoint(spec, state));
}
Address addr(uint8_t x) {
  Address a{};
  a.fill(x);
  return a;
}

struct Run {
  kernels::JobSpec spec;
  std::vector<kernels::TensorMap> states;
  std::vector<Hash256> hashes;
};
const Run& tiny() {
  static const Run run = [] {
    Run r;
    r.spec = testing::tiny_spec(12, 6);
    r.states = testing::all_states(r.spec);
    for (const auto& s : r.states) r.hashes.push_back(kernels::state_hash(s));
    return r;
  }();
  return run;
}
}  // namespace

TEST_CASE("referee: per-step states agree with the kernels trainer") {
  const Run& r = tiny();
  kernels::TrainOptions opt;
  opt.evaluate = false;
  auto rep = kernels::train(r.spec, testing::dataset(), opt);
  REQUIRE_MESSAGE(rep.ok(), rep.error);
  REQUIRE(rep.value.commitment.checkpoints.size() == 3);
  CHECK(rep.value.commitment.checkpoints[1].state_hash == r.hashes[6]);
  CHECK(rep.value.commitment.checkpoints[2].state_hash == r.hashes[12]);
  auto rh = replay_hashes(r.spec, testing::dataset(), r.states[3], 4);
  REQUIRE(rh.ok());
  CHECK(*rh == std::vector<Hash256>(r.hashes.begin() + 4, r.hashes.begin() + 8));
  CHECK_FALSE(replay_hashes(r.spec, testing::dataset(), r.states[10], 3).ok());  // past N
}

TEST_CASE(
    "replay: any thread count gives the referee's hashes; a missing device or 0 threads is "
    "refused") {
  const Run& r = tiny();
  for (int threads : {2, 3}) {
    ReplayOptions how;
    how.threads = threads;
    auto rh = replay_hashes(r.spec, testing::dataset(), r.states[2], 7, how);
    REQUIRE_MESSAGE(rh.ok(), rh.error());
    CHECK(*rh == std::vector<Hash256>(r.hashes.begin() + 3, r.hashes.begin() + 10));
    auto st = advance_state(r.spec, testing::dataset(), r.states[2], 7, how);
    REQUIRE(st.ok());
    CHECK(kernels::state_hash(*st) == r.hashes[9]);
  }
  ReplayOptions none;
  none.threads = 0;
  auto bad = replay_hashes(r.spec, testing::dataset(), r.states[0], 1, none);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().find("threads") != std::string::npos);
  if (!kernels::cuda_built() || !kernels::make_cuda_backend().ok()) {
    ReplayOptions gpu;
    gpu.device = kernels::Device::cuda;
    auto no_gpu = replay_hashes(r.spec, testing::dataset(), r.states[0], 1, gpu);
    REQUIRE_FALSE(no_gpu.ok());
    MESSAGE(no_gpu.error());
    CHECK(no_gpu.error().find("CUDA") != std::string::npos);
  }
}

TEST_CASE("referee: picks the honest claim, refuses a wrong checkpoint, says neither") {
  const Run& r = tiny();
  const auto& data = testing::dataset();
  const uint64_t j = 4;
  const Bytes ck = checkpoint_bytes(r.spec, r.states[j]);
  RefereeCase c{j, r.hashes[j], r.hashes[j + 1], h(0x55)};
  auto res = referee_step(r.spec, data, ck, c);
  REQUIRE_MESSAGE(res.ok(), res.error());
  CHECK(res->verdict == Verdict::provider);
  CHECK(res->true_next == r.hashes[j + 1]);
  c = {j, r.hashes[j], h(0x55), r.hashes[j + 1]};
  CHECK(referee_step(r.spec, data, ck, c)->verdict == Verdict::challenger);
  c = {j, r.hashes[j], h(0x55), h(0x66)};
  CHECK(referee_step(r.spec, data, ck, c)->verdict == Verdict::neither);
  CHECK(std::string(verdict_name(Verdict::neither)) == "neither");

  // The checkpoint of another step is not the agreed state.
  const Bytes other = checkpoint_bytes(r.spec, r.states[j + 1]);
  c = {j, r.hashes[j], r.hashes[j + 1], h(0x55)};
  CHECK(referee_step(r.spec, data, other, c).error().find("is not the expected") !=
        std::string::npos);
  // Agreed hash matches but the step does not (the state says j+1).
  RefereeCase wrong_step{j, r.hashes[j + 1], h(1), h(2)};
  CHECK(referee_step(r.spec, data, other, wrong_step).error().find("not at step") !=
        std::string::npos);
  // A perturbed weight: tensors no longer hash to h_j.
  kernels::TensorMap bent = r.states[j];
  bent.at("layers.0.weight").bytes[0] ^= 1;
  CHECK(referee_step(r.spec, data, checkpoint_bytes(r.spec, bent), c)
            .error()
            .find("is not the expected") != std::string::npos);
  // Garbage, truncation and oversize are refused by the decoder / the bound.
  CHECK(referee_step(r.spec, data, Bytes{1, 2, 3}, c).error().find("checkpoint") !=
        std::string::npos);
  CHECK_FALSE(referee_step(r.spec, data, ByteView(ck.data(), ck.size() - 4), c).ok());
  Bytes big(max_checkpoint_bytes(r.spec) + 1, 0);
  CHECK(referee_step(r.spec, data, big, c).error().find("exceeds") != std::string::npos);
  // Step outside the job.
  RefereeCase past{12, r.hashes[12], h(1), h(2)};
  CHECK_FALSE(referee_step(r.spec, data, checkpoint_bytes(r.spec, r.states[12]), past).ok());
  // Another spec's data set is refused.
  auto other_spec = r.spec;
  other_spec.train_labels_sha256[0] ^= 1;
  CHECK_FALSE(referee_step(other_spec, data, ck, c).ok());
}

TEST_CASE("referee: cost bound and the submission check") {
  const Run& r = tiny();
  // 784*32 + 32*10 = 25408 MACs per sample, x16 batch x3, + 16 per parameter (25450).
  CHECK(referee_cost(r.spec) == 25408ull * 16 * 3 + 25450ull * 16);
  CHECK(check_referee_cost(r.spec, referee_cost(r.spec)).ok());
  CHECK(check_referee_cost(r.spec, referee_cost(r.spec) - 1).error().find("referee limit") !=
        std::string::npos);
  CHECK(state_bytes(r.spec) == 25450ull * 2 * 4 + 16);
  CHECK(checkpoint_bytes(r.spec, r.states[0]).size() <= max_checkpoint_bytes(r.spec));
  auto demo = kernels::load_job_spec_file(kernels::testing::spec_path("demo.json"));
  REQUIRE(demo.ok());
  CHECK(referee_cost(demo.value) == 101632ull * 128 * 3 + 101770ull * 16);
  auto huge = demo.value;
  huge.layers = {784, 16384, 16384, 16384, 10};
  huge.batch_size = 65536;
  CHECK(referee_cost(huge) > 100000000000000ull);
  CHECK_FALSE(check_referee_cost(huge, 4000000000ull).ok());
}

TEST_CASE("attestation: commit-reveal binds the verifier; a lazy verifier is caught by the probe") {
  const Run& r = tiny();
  const auto& data = testing::dataset();
  const uint64_t job = 9, segment = 1;
  const SegmentBounds seg =
      segment_bounds(segment, r.spec.steps, r.spec.checkpoint_interval);  // [6, 12]
  REQUIRE(seg.start == 6);
  const uint64_t len = seg.end - seg.start;

  // The honest verifier replays the segment from the committed checkpoint.
  auto per_step = replay_trace(r.spec, data, r.states[seg.start], len);
  REQUIRE(per_step.ok());
  const std::vector<Hash256> leaves = leaves_of(*per_step);
  const SegmentTrace trace = make_trace(*per_step);
  CHECK(trace.end_hash == r.hashes[seg.end]);
  const Address honest = addr(7), copier = addr(8), lazy = addr(9), provider = addr(1);
  const Hash256 salt = h(0x42);
  const Hash256 com = attestation_commitment(job, segment, trace, honest, salt);

  // The probe is the segment's last step.
  const uint64_t rr = probe_offset(len);
  CHECK(rr == len);
  auto reveal_for = [&](const std::vector<Hash256>& steps, const SegmentTrace& t,
                        const Hash256& s) {  // steps: the trace's leaves
    Reveal v;
    v.trace = t;
    v.salt = s;
    v.probe_leaf = steps[rr - 1];
    v.probe_proof = *make_proof(steps, rr - 1);
    return v;
  };
  const Reveal rv = reveal_for(leaves, trace, salt);
  CHECK(check_reveal(com, job, segment, len, rr, honest, rv).ok());
  auto rt = decode_reveal(encode(rv));
  REQUIRE_MESSAGE(rt.ok(), rt.error());
  CHECK(*rt == rv);
  CHECK_FALSE(decode_reveal(ByteView(encode(rv).data(), 100)).ok());

  // Copying another verifier's commitment: the copier cannot open it under its own address.
  CHECK(check_reveal(com, job, segment, len, rr, copier, rv).error().find("commitment") !=
        std::string::npos);
  // Nor can a commitment be reused for another segment or job.
  CHECK_FALSE(check_reveal(com, job, segment + 1, len, rr, honest, rv).ok());
  CHECK_FALSE(check_reveal(com, job + 1, segment, len, rr, honest, rv).ok());
  // A proof for another position is refused.
  Reveal moved = rv;
  moved.probe_proof = *make_proof(leaves, rr % len);
  moved.probe_leaf = leaves[rr % len];
  CHECK(check_reveal(com, job, segment, len, rr, honest, moved).error().find("probe step") !=
        std::string::npos);

  // The provider's own probe value (revealed after the commits) agrees with the honest verifier.
  const Hash256 provider_probe = leaves[rr - 1];
  CHECK(judge(seg, rr, r.hashes[seg.end], provider_probe, rv).kind == JudgeKind::agree);

  // The lazy verifier copies the public end hash and invents the rest.
  std::vector<Hash256> invented(len);
  std::vector<StepRecord> invented_steps;
  for (uint64_t i = 0; i < len; ++i) {
    invented[i] = h(static_cast<uint8_t>(0xc0 + i));
    invented_steps.push_back({invented[i], invented[i]});
  }
  invented_steps.back().state_hash = r.hashes[seg.end];
  const SegmentTrace lazy_trace = make_trace(invented_steps);
  const Hash256 lazy_com = attestation_commitment(job, segment, lazy_trace, lazy, salt);
  const Reveal lazy_rv = reveal_for(invented, lazy_trace, salt);
  CHECK(check_reveal(lazy_com, job, segment, len, rr, lazy, lazy_rv).ok());  // well formed...
  const Judgement jd = judge(seg, rr, r.hashes[seg.end], provider_probe, lazy_rv);
  REQUIRE(jd.kind == JudgeKind::dispute_probe);  // ...but its probe disagrees with the provider
  CHECK(jd.lo == seg.start);
  CHECK(jd.hi == seg.start + rr);

  // The dispute over [start, start + r] runs to one step and the referee sides with the provider.
  Dispute d = *open_dispute(provider, lazy, jd.lo, jd.hi, r.hashes[seg.start], jd.provider_hi,
                            jd.verifier_hi, 50, 10);
  uint64_t height = 50;
  while (!d.finished()) {
    d = *apply(d, Move{provider, MoveKind::post_mid, r.hashes[d.mid()]}, ++height);
    // The lazy verifier does not know the true state; it disagrees with an invention.
    const Hash256 guess = invented[d.mid() - seg.start - 1];
    d = guess == d.provider_mid ? *apply(d, Move{lazy, MoveKind::agree, {}}, ++height)
                                : *apply(d, Move{lazy, MoveKind::disagree, guess}, ++height);
  }
  CHECK(d.lo_hash == r.hashes[d.lo]);
  // At the probe step the claims are leaves; at a bisection midpoint, state hashes.
  auto verdict = referee_step(
      r.spec, data, checkpoint_bytes(r.spec, r.states[d.lo]),
      RefereeCase{d.lo, d.lo_hash, d.provider_hi, d.challenger_hi, d.hi == seg.start + rr});
  REQUIRE_MESSAGE(verdict.ok(), verdict.error());
  CHECK(verdict->verdict == Verdict::provider);  // the lazy verifier loses its stake

  // A provider whose chain is wrong at the end is disputed over the whole segment.
  const Judgement je = judge(seg, rr, h(0x13), provider_probe, rv);
  CHECK(je.kind == JudgeKind::dispute_end);
  CHECK(je.hi == seg.end);
  CHECK(probe_offset(1) == 1);
}

namespace {
// A step's leaf, computed here from the kernels alone: run the step on the
// state before it, then hash the state after it both ways.
Hash256 leaf_by_kernels(const kernels::JobSpec& spec, const kernels::TensorMap& before,
                        uint64_t step) {
  auto backend = kernels::make_cpu_backend(1);
  kernels::Mlp model(spec, *backend);
  REQUIRE(static_cast<bool>(model.import_state(before)));
  const auto& data = testing::dataset();
  kernels::BatchSampler sampler(spec, data.train_images, data.train_labels);
  std::vector<float> x(static_cast<size_t>(spec.batch_size) *
                       static_cast<size_t>(spec.layers.front()));
  std::vector<int32_t> y(spec.batch_size);
  sampler.batch(step, x.data(), y.data());
  const float loss = model.train_step(x.data(), y.data());
  const kernels::TensorMap after = model.export_state();
  return step_leaf(kernels::state_hash(after), loss, kernels::state_shadow_hash(after));
}
}  // namespace

TEST_CASE("attestation: every step is checked, the last one and k = 1 included") {
  const Run& r = tiny();
  const auto& data = testing::dataset();
  // replay_trace's leaves are the kernels' own loss and state digests, and its
  // state hashes are replay_hashes'.
  auto trace = replay_trace(r.spec, data, r.states[3], 4);
  REQUIRE(trace.ok());
  REQUIRE(trace->size() == 4);
  for (uint64_t i = 0; i < 4; ++i) {
    CHECK((*trace)[i].state_hash == r.hashes[4 + i]);
    CHECK((*trace)[i].leaf == leaf_by_kernels(r.spec, r.states[3 + i], 3 + i));
    CHECK((*trace)[i].leaf != r.hashes[4 + i]);
  }
  CHECK(kernels::state_shadow_hash(r.states[4]) != r.hashes[4]);
  // The leaf binds each of its parts.
  const Hash256 sh = kernels::state_shadow_hash(r.states[4]);
  CHECK(step_leaf(r.hashes[4], 1.0f, sh) != step_leaf(r.hashes[4], std::nextafter(1.0f, 2.0f), sh));
  CHECK(step_leaf(r.hashes[4], 1.0f, sh) != step_leaf(r.hashes[5], 1.0f, sh));
  CHECK(step_leaf(r.hashes[4], 1.0f, sh) != step_leaf(r.hashes[4], 1.0f, r.hashes[4]));

  // A verifier that replays all but the last step of segment [6, 12] and takes
  // the public h_12 for it: the last leaf needs that step's loss and the
  // unpublished digest of the state after it. Its best guesses (the previous
  // step's loss, the public hash) do not make the leaf.
  auto honest = replay_trace(r.spec, data, r.states[6], 6);
  REQUIRE(honest.ok());
  for (const Hash256& guess_shadow : {r.hashes[12], kernels::state_shadow_hash(r.states[11])})
    for (float guess_loss : {0.0f, 1.0f, 2.302585f})
      CHECK(step_leaf(r.hashes[12], guess_loss, guess_shadow) != honest->back().leaf);
  // The probe reaches the last step; there, the referee decides on leaves and
  // sides with whoever has the true one.
  const Bytes ck = checkpoint_bytes(r.spec, r.states[11]);
  const Hash256 skipped = step_leaf(r.hashes[12], 0.0f, r.hashes[12]);
  auto v = referee_step(r.spec, data, ck,
                        RefereeCase{11, r.hashes[11], honest->back().leaf, skipped, true});
  REQUIRE_MESSAGE(v.ok(), v.error());
  CHECK(v->verdict == Verdict::provider);
  CHECK(v->true_next == honest->back().leaf);
  v = referee_step(r.spec, data, ck,
                   RefereeCase{11, r.hashes[11], skipped, honest->back().leaf, true});
  CHECK(v->verdict == Verdict::challenger);
  // Claims in the wrong kind are neither: the state hash is not the leaf.
  v = referee_step(r.spec, data, ck, RefereeCase{11, r.hashes[11], r.hashes[12], skipped, true});
  CHECK(v->verdict == Verdict::neither);

  // k = 1: one-step segments are replayed too. A segment of one step is probed
  // at that step, and a verifier who copies the public end hash has no leaf.
  CHECK(probe_offset(1) == 1);
  auto one = replay_trace(r.spec, data, r.states[0], 1);
  REQUIRE(one.ok());
  CHECK(make_trace(*one).end_hash == r.hashes[1]);
  CHECK(one->at(0).leaf == leaf_by_kernels(r.spec, r.states[0], 0));
  const Reveal copied{SegmentTrace{r.hashes[1], kernels::merkle_root({r.hashes[1]})}, h(1),
                      r.hashes[1], *make_proof({r.hashes[1]}, 0)};
  CHECK(judge(SegmentBounds{0, 1}, 1, r.hashes[1], one->at(0).leaf, copied).kind ==
        JudgeKind::dispute_probe);
}
