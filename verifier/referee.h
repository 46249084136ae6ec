// The referee: re-executes ONE training step on the CPU from a checkpoint whose
// state hash both parties agreed on, and says which claim for the next state is
// true. Plus the integer cost bound the ledger uses to refuse oversized jobs.
// Deterministic (kernels' fixed fp32 order; the referee on one CPU thread,
// off-chain replays on any backend, same bits); no I/O.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "kernels/backend.h"
#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "kernels/state.h"
#include "verifier/attestation.h"

namespace vt::verifier {

// Multiply-adds of one training step: forward B*sum(in*out), backward twice that
// (input and weight gradients), plus 16 per parameter for bias/activation/
// softmax/optimizer element work. Saturates at UINT64_MAX.
uint64_t referee_cost(const kernels::JobSpec& spec);
// Multiply-adds to replay one segment: referee_cost times the longest segment
// (min(checkpoint_interval, steps)). Saturates. What the chain's
// verifier_replay_budget is measured in.
uint64_t segment_replay_cost(const kernels::JobSpec& spec);
// Bytes of the training state (parameters + optimiser slots, f32) plus 16 for step/cursor.
uint64_t state_bytes(const kernels::JobSpec& spec);
// Largest checkpoint file the referee/blob store accepts for this spec: state
// bytes plus a header allowance of 4096 + 256 per tensor.
uint64_t max_checkpoint_bytes(const kernels::JobSpec& spec);
// The submission rule: refuses a spec whose single step costs more than
// max_cost (genesis `max_referee_cost`), naming both numbers.
Status check_referee_cost(const kernels::JobSpec& spec, uint64_t max_cost);

// Decodes `checkpoint` (safetensors, kernels' validation; size bounded by
// max_checkpoint_bytes), checks that its tensors hash to `expected` and that it
// holds the state after `step` steps. Only the tensors are trusted (the file's
// metadata is advisory). Returns them.
Result<kernels::TensorMap> check_checkpoint(const kernels::JobSpec& spec, ByteView checkpoint,
                                            uint64_t step, const Hash256& expected);

enum class Verdict : uint8_t {
  provider = 0,    // the provider's claim is the true next state
  challenger = 1,  // the challenger's claim is
  neither = 2,     // neither is (the provider's chain is wrong; see docs)
};
const char* verdict_name(Verdict v);

struct RefereeCase {
  uint64_t step = 0;           // j: the checkpoint holds the state after j steps
  Hash256 agreed{};            // h_j, agreed by both parties
  Hash256 provider_claim{};    // provider's h_(j+1), or its leaf of step j+1
  Hash256 challenger_claim{};  // challenger's h_(j+1), or its leaf of step j+1
  // The claims are trace leaves of step j+1 (attestation.h's step_leaf): the
  // last step of a probe dispute. Otherwise they are state hashes.
  bool claims_are_leaves = false;
};

struct RefereeResult {
  Verdict verdict = Verdict::neither;
  Hash256 true_next{};  // the true value after step j+1, in the claims' kind
};

// Decodes `checkpoint` (safetensors, kernels' validation; size bounded by
// max_checkpoint_bytes), checks its tensors hash to c.agreed and hold step j of
// this spec, runs step j on a one-thread CPU backend and compares. The data set
// must be the spec's (checked by file hashes). Errors mean the checkpoint is
// unusable (the ledger keeps waiting for a valid one until the deadline).
Result<RefereeResult> referee_step(const kernels::JobSpec& spec, const kernels::Dataset& data,
                                   ByteView checkpoint, const RefereeCase& c);

// Where an off-chain replay runs. Every device and thread count gives the same
// bits (docs/kernels.md), so a verifier with a GPU or many cores uses them; only
// referee_step, inside block execution, is pinned to one CPU thread.
struct ReplayOptions {
  kernels::Device device = kernels::Device::cpu;
  int threads = 1;  // CPU threads, >= 1
};

// Replays `steps` steps from a state (the verifier's job, off chain) and returns
// the state hash after each step: result[i] = h_(start+i+1). Fails with the
// reason when the state or data set does not fit the spec, or the device is
// missing (e.g. "no CUDA device available").
Result<std::vector<Hash256>> replay_hashes(const kernels::JobSpec& spec,
                                           const kernels::Dataset& data,
                                           const kernels::TensorMap& state, uint64_t steps,
                                           const ReplayOptions& how = {});
// The same replay with each step's trace record (state hash and leaf): what a
// verifier commits to and a provider answers its probes from.
Result<std::vector<StepRecord>> replay_trace(const kernels::JobSpec& spec,
                                             const kernels::Dataset& data,
                                             const kernels::TensorMap& state, uint64_t steps,
                                             const ReplayOptions& how = {});
// The state `steps` steps after `state` (a dispute party building the
// checkpoint at step lo for the referee; off chain).
Result<kernels::TensorMap> advance_state(const kernels::JobSpec& spec, const kernels::Dataset& data,
                                         const kernels::TensorMap& state, uint64_t steps,
                                         const ReplayOptions& how = {});

}  // namespace vt::verifier
