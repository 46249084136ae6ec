// A dishonest provider for the end-to-end tests: trains a job spec like
// `veritrain train` but bends the state right after step --fake-step (one
// weight changed, as if that step were skipped or perturbed), then trains
// honestly on from the bent state. It writes the same run directory as the
// real trainer (ckpt-*.safetensors, commitment.json, train_report.json) plus
// step_hashes.json: the per-step state hashes and trace leaves of the run it
// really did, which `veritrain provider run` answers probes and disputes from.
//
//   cheating_trainer SPEC OUT_DIR FAKE_STEP [DATA_DIR]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "kernels/backend.h"
#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "kernels/merkle.h"
#include "kernels/mlp.h"
#include "kernels/safetensors.h"
#include "kernels/state.h"
#include "kernels/trainer.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"

using namespace vt;

namespace {
int fail(const std::string& why) {
  std::fprintf(stderr, "error: %s\n", why.c_str());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return fail("usage: cheating_trainer SPEC OUT_DIR FAKE_STEP [DATA_DIR]");
  auto spec = kernels::load_job_spec_file(argv[1]);
  if (!spec) return fail(spec.error);
  const std::filesystem::path out = argv[2];
  const uint64_t fake = std::stoull(argv[3]);
  if (fake == 0 || fake > spec.value.steps) return fail("FAKE_STEP must be in [1, steps]");
  auto data = kernels::load_fashion_mnist(argc > 4 ? argv[4] : kernels::kDefaultFashionMnistDir);
  if (!data) return fail(data.error);
  std::filesystem::create_directories(out);

  const kernels::JobSpec& s = spec.value;
  auto backend = kernels::make_cpu_backend(1);
  kernels::Mlp model(s, *backend);
  kernels::BatchSampler sampler(s, data.value.train_images, data.value.train_labels);
  std::vector<float> x(static_cast<size_t>(s.batch_size) * static_cast<size_t>(s.layers.front()));
  std::vector<int32_t> y(s.batch_size);

  kernels::Commitment c;
  c.spec_hash = kernels::spec_hash(s);
  std::vector<Hash256> hashes;
  std::vector<Hash256> leaves;
  std::vector<Hash256> step_leaves;  // step_leaves[j-1]: the trace leaf of step j
  auto keep = [&](const kernels::TensorMap& state, uint64_t step,
                  std::optional<float> step_loss) -> bool {
    hashes.push_back(kernels::state_hash(state));
    const uint64_t k = s.checkpoint_interval;
    if (step % k != 0 && step != s.steps) return true;
    char name[64];
    std::snprintf(name, sizeof name, "ckpt-%08llu.safetensors",
                  static_cast<unsigned long long>(step));
    if (!kernels::write_safetensors((out / name).string(), kernels::make_checkpoint(s, state)))
      return false;
    c.checkpoints.push_back({step, hashes.back(), name, step_loss});
    leaves.push_back(hashes.back());
    return true;
  };
  if (!keep(model.export_state(), 0, std::nullopt)) return fail("cannot write a checkpoint");
  float loss = 0.0f;
  for (uint64_t step = 0; step < s.steps; ++step) {
    sampler.batch(step, x.data(), y.data());
    loss = model.train_step(x.data(), y.data());
    kernels::TensorMap state = model.export_state();
    if (step + 1 == fake) {
      state.at("layers.1.weight").bytes.at(2) ^= 0x40;  // a 2^-1 relative change of one weight
      if (auto st = model.import_state(state); !st) return fail(st.error);
    }
    if (!keep(state, step + 1, loss)) return fail("cannot write a checkpoint");
    step_leaves.push_back(
        verifier::step_leaf(hashes.back(), loss, kernels::state_shadow_hash(state)));
  }
  c.merkle_root = kernels::merkle_root(leaves);
  c.test_total = 10000;  // the accuracy claim is informational; this cheater claims 0%
  if (auto st = kernels::write_commitment((out / "commitment.json").string(), c); !st)
    return fail(st.error);
  std::ofstream report(out / "train_report.json");
  report << "{\"final_loss\": " << loss << ", \"backend\": \"cheat\"}\n";
  std::ofstream steps(out / "step_hashes.json");
  steps << "{\"hashes\": [";
  for (size_t i = 0; i < hashes.size(); ++i)
    steps << (i ? ", \"" : "\"") << to_hex(hashes[i]) << "\"";
  steps << "], \"leaves\": [";
  for (size_t i = 0; i < step_leaves.size(); ++i)
    steps << (i ? ", \"" : "\"") << to_hex(step_leaves[i]) << "\"";
  steps << "]}\n";
  if (!report.flush() || !steps.flush()) return fail("cannot write the run directory");
  std::printf("cheated at step %llu; commitment root %s\n", static_cast<unsigned long long>(fake),
              to_hex(c.merkle_root).c_str());
  return 0;
}
