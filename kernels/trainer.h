// The trainer: runs a job spec on a backend, writes checkpoints every k steps
// and a commitment file; replays from a checkpoint. Library API behind the
// `train` / `replay` commands. Each call owns its backend; not re-entrant
// per output directory.
//
// Output directory:
//   ckpt-<step, 8 digits>.safetensors  at steps 0, k, 2k, ..., and the final step
//   commitment.json  {"spec_hash", "checkpoints": [{"step","state_hash","file","loss"}],
//                     "merkle_root", "test_correct", "test_total"}  (see merkle.h)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kernels/backend.h"
#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "kernels/safetensors.h"

namespace vt::kernels {

struct TrainProgress {
  std::uint64_t step = 0, steps = 0;
  float loss = 0.0f;
  double steps_per_s = 0.0, eta_s = 0.0;
};

struct TrainOptions {
  std::string out_dir;  // empty: keep checkpoints in memory only (report still has hashes)
  Device device = Device::cpu;
  int threads = 1;
  GemmPath gemm_path = GemmPath::automatic;
  int row_block = 48;
  bool evaluate = true;  // compute test accuracy at the end
  std::function<void(const TrainProgress&)> on_step;
};

struct CommitmentEntry {
  std::uint64_t step = 0;
  Hash32 state_hash{};
  std::string file;
  // The mean loss of the step that reached this checkpoint (none at step 0):
  // for people and explorers (a loss curve); not part of the Merkle root.
  std::optional<float> loss;
};

struct Commitment {
  Hash32 spec_hash{};
  std::vector<CommitmentEntry> checkpoints;
  Hash32 merkle_root{};
  std::uint64_t test_correct = 0, test_total = 0;
};

struct TrainReport {
  Commitment commitment;
  float final_loss = 0.0f;
  std::string backend;
};

// Checks that the data set's file hashes are the ones the spec names.
Status check_dataset(const JobSpec& spec, const Dataset& data);
Result<std::unique_ptr<Backend>> make_backend(const TrainOptions& opt);

// Trains spec.steps steps from the seed; checkpoints to opt.out_dir when set.
Result<TrainReport> train(const JobSpec& spec, const Dataset& data, const TrainOptions& opt);

// A checkpoint for the given state, with metadata format/spec_hash/state_hash/step.
Checkpoint make_checkpoint(const JobSpec& spec, const TensorMap& state);
// Reads a checkpoint and checks it belongs to spec and its recorded state hash matches.
Result<TensorMap> load_checkpoint_for(const JobSpec& spec, const std::string& path);

Status write_commitment(const std::string& path, const Commitment& c);
Result<Commitment> read_commitment(const std::string& path);

struct ReplayReport {
  std::uint64_t from_step = 0, to_step = 0;
  Hash32 state_hash{};
  std::optional<Hash32> expected;  // from the commitment, when it has to_step
  bool matches = false;
};
// Loads `ckpt_path`, trains `steps` steps, hashes the state; compares with the
// commitment's entry for the reached step when a commitment path is given.
Result<ReplayReport> replay(const JobSpec& spec, const Dataset& data, const std::string& ckpt_path,
                            std::uint64_t steps, const std::string& commitment_path,
                            const TrainOptions& opt);

}  // namespace vt::kernels
