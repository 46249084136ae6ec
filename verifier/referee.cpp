#include "verifier/referee.h"

#include <algorithm>
#include <string>

#include "kernels/backend.h"
#include "kernels/mlp.h"
#include "kernels/safetensors.h"
#include "kernels/trainer.h"
#include "verifier/attestation.h"

namespace vt::verifier {

namespace {
// a * b, saturating.
uint64_t mul_sat(uint64_t a, uint64_t b) {
  const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return p > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(p);
}
uint64_t add_sat(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t param_count(const kernels::JobSpec& spec) {
  uint64_t n = 0;
  for (std::size_t l = 0; l + 1 < spec.layers.size(); ++l) {
    const auto in = static_cast<uint64_t>(spec.layers[l]),
               out = static_cast<uint64_t>(spec.layers[l + 1]);
    n = add_sat(n, add_sat(mul_sat(in, out), out));
  }
  return n;
}

uint64_t tensor_count(const kernels::JobSpec& spec) {
  const uint64_t layers = spec.layers.size() - 1;
  const uint64_t per_layer = spec.optimizer == "adamw" ? 6 : 4;  // w, b + 1 or 2 slots each
  return layers * per_layer + 2;
}

// The steps before/after which a state may sit: the run's schedule.
Result<kernels::TensorMap> run_steps(const kernels::JobSpec& spec, const kernels::Dataset& data,
                                     const kernels::TensorMap& state, uint64_t steps,
                                     std::vector<Hash256>* hashes, std::vector<StepRecord>* records,
                                     const ReplayOptions& how) {
  if (auto s = kernels::check_dataset(spec, data); !s) return make_error("referee: " + s.error);
  if (how.threads < 1) return make_error("replay: threads must be at least 1");
  kernels::TrainOptions opt;
  opt.device = how.device;
  opt.threads = how.threads;
  auto backend = kernels::make_backend(opt);
  if (!backend) return make_error("replay: " + backend.error);
  kernels::Mlp model(spec, *backend.value);
  if (auto s = model.import_state(state); !s) return make_error("referee: checkpoint: " + s.error);
  if (model.step() > spec.steps || steps > spec.steps - model.step())
    return make_error("referee: steps past the end of the job");
  kernels::BatchSampler sampler(spec, data.train_images, data.train_labels);
  std::vector<float> x(static_cast<std::size_t>(spec.batch_size) *
                       static_cast<std::size_t>(spec.layers.front()));
  std::vector<std::int32_t> y(spec.batch_size);
  for (uint64_t i = 0; i < steps; ++i) {
    sampler.batch(model.step(), x.data(), y.data());
    const float loss = model.train_step(x.data(), y.data());
    if (!hashes && !records) continue;
    const kernels::TensorMap after = model.export_state();
    const Hash256 h = kernels::state_hash(after);
    if (hashes) hashes->push_back(h);
    if (records) records->push_back({h, step_leaf(h, loss, kernels::state_shadow_hash(after))});
  }
  return model.export_state();
}
}  // namespace

uint64_t referee_cost(const kernels::JobSpec& spec) {
  uint64_t macs = 0;
  for (std::size_t l = 0; l + 1 < spec.layers.size(); ++l)
    macs = add_sat(macs, mul_sat(static_cast<uint64_t>(spec.layers[l]),
                                 static_cast<uint64_t>(spec.layers[l + 1])));
  const uint64_t matmul = mul_sat(mul_sat(macs, spec.batch_size), 3);
  return add_sat(matmul, mul_sat(param_count(spec), 16));
}

uint64_t segment_replay_cost(const kernels::JobSpec& spec) {
  return mul_sat(referee_cost(spec), std::min(spec.checkpoint_interval, spec.steps));
}

uint64_t state_bytes(const kernels::JobSpec& spec) {
  const uint64_t copies = spec.optimizer == "adamw" ? 3 : 2;  // parameter + optimiser slots
  return add_sat(mul_sat(mul_sat(param_count(spec), copies), 4), 16);
}

uint64_t max_checkpoint_bytes(const kernels::JobSpec& spec) {
  return add_sat(state_bytes(spec), add_sat(4096, mul_sat(tensor_count(spec), 256)));
}

Status check_referee_cost(const kernels::JobSpec& spec, uint64_t max_cost) {
  const uint64_t cost = referee_cost(spec);
  if (cost > max_cost)
    return make_error("job spec: one training step costs " + std::to_string(cost) +
                      " multiply-adds, above the referee limit of " + std::to_string(max_cost));
  return Status::success();
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::provider:
      return "provider";
    case Verdict::challenger:
      return "challenger";
    case Verdict::neither:
      return "neither";
  }
  return "?";
}

Result<kernels::TensorMap> check_checkpoint(const kernels::JobSpec& spec, ByteView checkpoint,
                                            uint64_t step, const Hash256& expected) {
  if (checkpoint.size() > max_checkpoint_bytes(spec))
    return make_error("checkpoint of " + std::to_string(checkpoint.size()) + " bytes exceeds " +
                      std::to_string(max_checkpoint_bytes(spec)) + " for this spec");
  auto ck = kernels::decode_safetensors(std::vector<uint8_t>(checkpoint.begin(), checkpoint.end()));
  if (!ck) return make_error("checkpoint: " + ck.error);
  // The tensors are what counts; the metadata is advisory and not trusted.
  if (kernels::state_hash(ck.value.tensors) != expected)
    return make_error("the checkpoint's state hash " +
                      to_hex(kernels::state_hash(ck.value.tensors)) + " is not the expected " +
                      to_hex(expected));
  auto it = ck.value.tensors.find("step");
  if (it == ck.value.tensors.end() || it->second.dtype != kernels::DType::I64 ||
      it->second.bytes.size() != 8 || it->second.i64_value() != static_cast<int64_t>(step))
    return make_error("the checkpoint is not at step " + std::to_string(step));
  return std::move(ck.value.tensors);
}

Result<RefereeResult> referee_step(const kernels::JobSpec& spec, const kernels::Dataset& data,
                                   ByteView checkpoint, const RefereeCase& c) {
  if (c.step >= spec.steps)
    return make_error("referee: step " + std::to_string(c.step) + " is not a step of this job");
  auto tensors = check_checkpoint(spec, checkpoint, c.step, c.agreed);
  if (!tensors) return make_error("referee: " + tensors.error());
  // One CPU thread: block execution must not spawn threads (the bits are the same).
  std::vector<StepRecord> step;
  auto next = run_steps(spec, data, *tensors, 1, nullptr, &step, ReplayOptions{});
  if (!next) return next.take_error();
  RefereeResult r;
  r.true_next = c.claims_are_leaves ? step.at(0).leaf : step.at(0).state_hash;
  if (r.true_next == c.provider_claim)
    r.verdict = Verdict::provider;
  else if (r.true_next == c.challenger_claim)
    r.verdict = Verdict::challenger;
  else
    r.verdict = Verdict::neither;
  return r;
}

Result<std::vector<Hash256>> replay_hashes(const kernels::JobSpec& spec,
                                           const kernels::Dataset& data,
                                           const kernels::TensorMap& state, uint64_t steps,
                                           const ReplayOptions& how) {
  std::vector<Hash256> hashes;
  auto end = run_steps(spec, data, state, steps, &hashes, nullptr, how);
  if (!end) return end.take_error();
  return hashes;
}

Result<std::vector<StepRecord>> replay_trace(const kernels::JobSpec& spec,
                                             const kernels::Dataset& data,
                                             const kernels::TensorMap& state, uint64_t steps,
                                             const ReplayOptions& how) {
  std::vector<StepRecord> records;
  auto end = run_steps(spec, data, state, steps, nullptr, &records, how);
  if (!end) return end.take_error();
  return records;
}

Result<kernels::TensorMap> advance_state(const kernels::JobSpec& spec, const kernels::Dataset& data,
                                         const kernels::TensorMap& state, uint64_t steps,
                                         const ReplayOptions& how) {
  return run_steps(spec, data, state, steps, nullptr, nullptr, how);
}

}  // namespace vt::verifier
