// Whole-run determinism: golden state hashes of the tiny spec, the same for every
// thread count and matmul path; save -> reload -> continue; replay against the
// commitment; the train/replay library API end to end.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <memory>

#include "kernels/merkle.h"
#include "kernels/mlp.h"
#include "kernels/trainer.h"
#include "tests/kernels/test_paths.h"

using namespace vt::kernels;

namespace {

const Dataset& data() {
  static const Dataset d = [] {
    auto r = load_fashion_mnist(kDefaultFashionMnistDir);
    REQUIRE_MESSAGE(r.ok(), r.error);
    return std::move(r.value);
  }();
  return d;
}

JobSpec spec_file(const std::string& name) {
  auto s = load_job_spec_file(testing::spec_path(name));
  REQUIRE_MESSAGE(s.ok(), s.error);
  return s.value;
}

Commitment run(const JobSpec& spec, int threads, GemmPath path, int row_block,
               const std::string& out = "") {
  TrainOptions o;
  o.threads = threads;
  o.gemm_path = path;
  o.row_block = row_block;
  o.out_dir = out;
  o.evaluate = false;
  auto r = train(spec, data(), o);
  REQUIRE_MESSAGE(r.ok(), r.error);
  return r.value.commitment;
}

// Golden values: recorded from this implementation; any change to the arithmetic,
// RNG, data order or state format changes them (and must be deliberate).
const char* kTinySgdFinal = "8fb8d52a9054a06e92383c189fbdfb22318bbff132dc3c76eaef6163b1ee2546";
const char* kTinySgdRoot = "1bc5508a0fffd8637a900c169fe28a3a59f038aa533b280cc12385224c328c74";
const char* kTinyAdamwFinal = "c0e60b6ca0cc931f79dc89e421ab63d44cf7443f9630ffc45985053d607c5fdf";

}  // namespace

TEST_CASE("golden state hashes, identical for 1/2/4 threads and every matmul path and tiling") {
  for (const auto& [spec, golden] : {std::pair{spec_file("tiny.json"), kTinySgdFinal},
                                     std::pair{spec_file("tiny-adamw.json"), kTinyAdamwFinal}}) {
    const Commitment base = run(spec, 1, GemmPath::scalar, 6);
    MESSAGE("final state " << to_hex(base.checkpoints.back().state_hash) << " root "
                           << to_hex(base.merkle_root));
    CHECK(to_hex(base.checkpoints.back().state_hash) == golden);
    for (GemmPath p : {GemmPath::scalar, GemmPath::avx2, GemmPath::avx512}) {
      if (!cpu_supports(p)) continue;
      for (int t : {1, 2, 4})
        for (int rb : {6, 48, 1024}) {
          if (p == GemmPath::scalar && t == 1 && rb == 6) continue;
          const Commitment c = run(spec, t, p, rb);
          CAPTURE(t);
          CAPTURE(rb);
          CAPTURE(static_cast<int>(p));
          REQUIRE(c.checkpoints.size() == base.checkpoints.size());
          for (std::size_t i = 0; i < c.checkpoints.size(); ++i)
            CHECK(c.checkpoints[i].state_hash == base.checkpoints[i].state_hash);
          CHECK(c.merkle_root == base.merkle_root);
        }
    }
  }
  CHECK(to_hex(run(spec_file("tiny.json"), 2, GemmPath::automatic, 48).merkle_root) ==
        kTinySgdRoot);
}

TEST_CASE(
    "save -> train -> reload -> train gives identical hashes; replay matches the commitment") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vt_kernels_train_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const JobSpec spec = spec_file("tiny.json");
  const Commitment c = run(spec, 2, GemmPath::automatic, 48, dir.string());
  REQUIRE(c.checkpoints.size() == 5);  // steps 0, 5, 10, 15, 20
  CHECK(c.checkpoints[2].step == 10);

  // Reload the step-10 checkpoint into a fresh model and continue to the end.
  auto st = load_checkpoint_for(spec, (dir / c.checkpoints[2].file).string());
  REQUIRE_MESSAGE(st.ok(), st.error);
  auto be = make_cpu_backend(1);
  Mlp m(spec, *be);
  // A step outside the job (or one whose data cursor would overflow, found by
  // fuzz/run checkpoint) is refused with the reason, before any arithmetic on it.
  for (std::int64_t bad_step : {std::int64_t{-1}, std::int64_t{21}, std::int64_t{1} << 62}) {
    TensorMap odd = st.value;
    odd.at("step") = HostTensor::i64_scalar(bad_step);
    odd.at("data_cursor") = HostTensor::i64_scalar(0);
    auto refused = m.import_state(odd);
    CHECK_FALSE(refused.ok());
    CHECK(refused.error.find("outside this job") != std::string::npos);
  }
  REQUIRE(m.import_state(st.value).ok());
  CHECK(state_hash(m.export_state()) == c.checkpoints[2].state_hash);
  BatchSampler sampler(spec, data().train_images, data().train_labels);
  std::vector<float> x(spec.batch_size * 784);
  std::vector<std::int32_t> y(spec.batch_size);
  CHECK_FALSE(c.checkpoints[0].loss.has_value());  // no step taken yet
  while (m.step() < spec.steps) {
    sampler.batch(m.step(), x.data(), y.data());
    const float loss = m.train_step(x.data(), y.data());
    if (m.step() % spec.checkpoint_interval == 0) {
      const CommitmentEntry& e = c.checkpoints[m.step() / spec.checkpoint_interval];
      CHECK(state_hash(m.export_state()) == e.state_hash);
      // The entry carries that step's loss, bit for bit.
      REQUIRE(e.loss.has_value());
      CHECK(std::memcmp(&*e.loss, &loss, sizeof loss) == 0);
    }
  }

  // Replay every interval from every checkpoint against commitment.json.
  TrainOptions o;
  o.threads = 1;
  for (std::size_t i = 0; i + 1 < c.checkpoints.size(); ++i) {
    auto r = replay(spec, data(), (dir / c.checkpoints[i].file).string(), spec.checkpoint_interval,
                    (dir / "commitment.json").string(), o);
    REQUIRE_MESSAGE(r.ok(), r.error);
    CHECK(r.value.matches);
    CHECK(r.value.to_step == c.checkpoints[i + 1].step);
  }
  // The commitment file round-trips and its root is the Merkle root of the hashes.
  auto rc = read_commitment((dir / "commitment.json").string());
  REQUIRE_MESSAGE(rc.ok(), rc.error);
  CHECK(rc.value.merkle_root == c.merkle_root);
  for (std::size_t i = 0; i < c.checkpoints.size(); ++i)
    CHECK(rc.value.checkpoints[i].loss == c.checkpoints[i].loss);
  std::vector<Hash32> leaves;
  for (const auto& e : c.checkpoints) leaves.push_back(e.state_hash);
  for (std::size_t i = 0; i < leaves.size(); ++i)
    CHECK(merkle_verify(leaves[i], merkle_proof(leaves, i), c.merkle_root));

  // A checkpoint of another spec, or a tampered one, is refused.
  JobSpec other = spec;
  other.seed = 8;
  CHECK_FALSE(load_checkpoint_for(other, (dir / c.checkpoints[1].file).string()).ok());
  auto ck = read_safetensors((dir / c.checkpoints[1].file).string());
  REQUIRE(ck.ok());
  ck.value.tensors.at("layers.0.bias").bytes[0] ^= 1;
  REQUIRE(write_safetensors((dir / "tampered.safetensors").string(), ck.value).ok());
  auto bad = load_checkpoint_for(spec, (dir / "tampered.safetensors").string());
  CHECK_FALSE(bad.ok());
  CHECK(bad.error.find("state hash") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a data set that does not match the spec is refused, naming the field") {
  JobSpec spec = spec_file("tiny.json");
  spec.test_labels_sha256[0] ^= 1;
  TrainOptions o;
  auto r = train(spec, data(), o);
  CHECK_FALSE(r.ok());
  CHECK(r.error.find("dataset.test_labels_sha256") != std::string::npos);
}
