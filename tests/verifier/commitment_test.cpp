#include "verifier/commitment.h"

#include <doctest/doctest.h>

#include "core/encoding.h"
#include "fixture.h"
#include "kernels/merkle.h"
#include "kernels/trainer.h"

using namespace vt;
using namespace vt::verifier;
using vt::verifier::testing::h;

namespace {
Commitment synthetic(uint64_t steps, uint64_t interval) {
  Commitment c;
  c.spec_hash = h(0xaa);
  c.steps = steps;
  c.interval = interval;
  for (uint64_t i = 0; i < checkpoint_count(steps, interval); ++i)
    c.checkpoints.push_back(h(static_cast<uint8_t>(i + 1)));
  c.final_model_hash = c.checkpoints.back();
  c.final_loss_micro = 123456;
  c.accuracy_bps = 8719;
  return c;
}
}  // namespace

TEST_CASE("commitment: checkpoint schedule matches the trainer's (N divisible by k or not)") {
  CHECK(checkpoint_count(20, 5) == 5);
  CHECK(segment_count(20, 5) == 4);
  CHECK(checkpoint_count(13, 5) == 4);  // 0, 5, 10, 13
  CHECK(checkpoint_step(3, 13, 5) == 13);
  CHECK(segment_bounds(2, 13, 5).start == 10);
  CHECK(segment_bounds(2, 13, 5).end == 13);
  CHECK(checkpoint_count(1, 200) == 2);
  CHECK(checkpoint_step(UINT64_MAX, 1000000000, 1) == 1000000000);

  for (uint64_t steps : {13u, 20u}) {
    const auto spec = testing::tiny_spec(steps, 5);
    kernels::TrainOptions opt;
    opt.evaluate = true;
    auto rep = kernels::train(spec, testing::dataset(), opt);
    REQUIRE_MESSAGE(rep.ok(), rep.error);
    auto c = from_trainer(rep.value.commitment, spec, rep.value.final_loss);
    REQUIRE_MESSAGE(c.ok(), c.error());
    CHECK(c->checkpoints.size() == checkpoint_count(steps, 5));
    CHECK(commitment_root(*c) == rep.value.commitment.merkle_root);
    CHECK(validate_for_spec(*c, spec).ok());
    CHECK(c->accuracy_bps <= 10000);
    CHECK(c->final_loss_micro > 0);
    // Round trip.
    auto d = decode_commitment(encode(*c));
    REQUIRE(d.ok());
    CHECK(*d == *c);
    // Another spec is refused.
    auto other = spec;
    other.seed += 1;
    CHECK_FALSE(validate_for_spec(*c, other).ok());
  }
}

TEST_CASE("commitment: malformed claims and encodings are refused with a reason") {
  auto c = synthetic(20, 5);
  CHECK(validate(c).ok());
  auto bad = c;
  bad.checkpoints.pop_back();
  CHECK(validate(bad).error().find("needs 5") != std::string::npos);
  bad = c;
  bad.final_model_hash = h(0x77);
  CHECK_FALSE(validate(bad).ok());
  bad = c;
  bad.accuracy_bps = 10001;
  CHECK_FALSE(validate(bad).ok());
  bad = c;
  bad.interval = 0;
  CHECK_FALSE(validate(bad).ok());

  const Bytes enc = encode(c);
  CHECK(decode_commitment(enc).ok());
  // Truncated anywhere, trailing byte, bad version.
  for (std::size_t n = 0; n < enc.size(); n += 7)
    CHECK_FALSE(decode_commitment(ByteView(enc.data(), n)).ok());
  Bytes longer = enc;
  longer.push_back(0);
  CHECK_FALSE(decode_commitment(longer).ok());
  Bytes ver = enc;
  ver[0] = 2;
  CHECK(decode_commitment(ver).error().find("version") != std::string::npos);
  // A huge count cannot allocate: refused by the limit or by the remaining input.
  Bytes huge = enc;
  const std::size_t count_at = 1 + 32 + 8 + 8;
  huge[count_at] = 0xff;
  CHECK_FALSE(decode_commitment(huge).ok());
  CHECK(decode_commitment(enc, 4).error().find("limit") != std::string::npos);
  // A commitment to N=1e9, k=1 is over the cap.
  Commitment big;
  big.steps = 1000000000;
  big.interval = 1;
  CHECK(validate(big).error().find("limit") != std::string::npos);
}

TEST_CASE("commitment: inclusion proofs for every leaf of every size; forged ones refused") {
  for (uint64_t n = 1; n <= 33; ++n) {
    std::vector<Hash256> leaves;
    for (uint64_t i = 0; i < n; ++i) leaves.push_back(h(static_cast<uint8_t>(i * 7 + 1)));
    const Hash256 root = kernels::merkle_root(leaves);
    for (uint64_t i = 0; i < n; ++i) {
      auto p = make_proof(leaves, i);
      REQUIRE(p.ok());
      CHECK(verify_proof(root, n, leaves[i], *p).ok());
      auto d = decode_inclusion_proof(encode(*p));
      REQUIRE(d.ok());
      CHECK(*d == *p);
      // Wrong leaf value, wrong index (even if the path were valid there), wrong count.
      CHECK_FALSE(verify_proof(root, n, h(0xee), *p).ok());
      auto q = *p;
      q.index = (i + 1) % n;
      if (n > 1) CHECK_FALSE(verify_proof(root, n, leaves[i], q).ok());
      q = *p;
      q.leaf_count = n + 1;
      CHECK_FALSE(verify_proof(root, n, leaves[i], q).ok());
      q = *p;
      q.siblings.push_back(h(1));
      CHECK(verify_proof(root, n, leaves[i], q).error().find("needs") != std::string::npos);
    }
    CHECK_FALSE(make_proof(leaves, n).ok());
  }
  // Leaf 1 of 2 cannot be proven as leaf 0 with the same sibling list.
  std::vector<Hash256> two{h(1), h(2)};
  auto p1 = make_proof(two, 1);
  REQUIRE(p1.ok());
  InclusionProof forged = *p1;
  forged.index = 0;
  CHECK_FALSE(verify_proof(kernels::merkle_root(two), 2, h(2), forged).ok());
  // Bounded decoding.
  Writer w;
  w.u64(0).u64(1).u32(65);
  CHECK(decode_inclusion_proof(w.data()).error().find("more than") != std::string::npos);
  CHECK_FALSE(verify_proof(h(0), 0, h(0), InclusionProof{0, 0, {}}).ok());
}
