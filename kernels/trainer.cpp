#include "kernels/trainer.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kernels/merkle.h"
#include "kernels/mlp.h"

namespace vt::kernels {

namespace {
using json = nlohmann::json;

std::string ckpt_name(std::uint64_t step) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "ckpt-%08llu.safetensors", static_cast<unsigned long long>(step));
  return buf;
}

Status check_one(const char* field, const Hash32& want, const Hash32& have) {
  if (want == have) return ok_status();
  return fail(std::string("dataset.") + field + ": the data set file hashes to " + to_hex(have) +
              ", the spec names " + to_hex(want));
}
}  // namespace

Status check_dataset(const JobSpec& spec, const Dataset& d) {
  if (auto s = check_one("train_images_sha256", spec.train_images_sha256, d.train_images.sha256);
      !s)
    return s;
  if (auto s = check_one("train_labels_sha256", spec.train_labels_sha256, d.train_labels.sha256);
      !s)
    return s;
  if (auto s = check_one("test_images_sha256", spec.test_images_sha256, d.test_images.sha256); !s)
    return s;
  if (auto s = check_one("test_labels_sha256", spec.test_labels_sha256, d.test_labels.sha256); !s)
    return s;
  if (d.train_images.rows * d.train_images.cols != static_cast<std::uint32_t>(spec.layers.front()))
    return fail("model.layers[0]: does not match the image size");
  return ok_status();
}

Result<std::unique_ptr<Backend>> make_backend(const TrainOptions& opt) {
  if (opt.device == Device::cuda) return make_cuda_backend();
  return Result<std::unique_ptr<Backend>>::success(
      make_cpu_backend(opt.threads, opt.gemm_path, opt.row_block));
}

Checkpoint make_checkpoint(const JobSpec& spec, const TensorMap& state) {
  Checkpoint c;
  c.tensors = state;
  c.metadata["format"] = "veritrain-ckpt-v1";
  c.metadata["spec_hash"] = to_hex(spec_hash(spec));
  c.metadata["state_hash"] = to_hex(state_hash(state));
  c.metadata["step"] = std::to_string(state.at("step").i64_value());
  return c;
}

Result<TensorMap> load_checkpoint_for(const JobSpec& spec, const std::string& path) {
  using R = Result<TensorMap>;
  auto ck = read_safetensors(path);
  if (!ck) return R::failure(ck.error);
  auto meta = [&](const char* k) -> std::string {
    auto it = ck.value.metadata.find(k);
    return it == ck.value.metadata.end() ? std::string() : it->second;
  };
  if (meta("format") != "veritrain-ckpt-v1")
    return R::failure(path + ": not a veritrain checkpoint (format)");
  if (meta("spec_hash") != to_hex(spec_hash(spec)))
    return R::failure(path + ": checkpoint belongs to another job spec");
  if (!ck.value.tensors.count("step") || !ck.value.tensors.count("data_cursor"))
    return R::failure(path + ": checkpoint lacks step or data_cursor");
  if (meta("state_hash") != to_hex(state_hash(ck.value.tensors)))
    return R::failure(path + ": tensors do not match the recorded state hash");
  return R::success(std::move(ck.value.tensors));
}

Status write_commitment(const std::string& path, const Commitment& c) {
  json j;
  j["spec_hash"] = to_hex(c.spec_hash);
  j["checkpoints"] = json::array();
  for (const auto& e : c.checkpoints) {
    json entry = {{"step", e.step}, {"state_hash", to_hex(e.state_hash)}, {"file", e.file}};
    if (e.loss) entry["loss"] = *e.loss;
    j["checkpoints"].push_back(entry);
  }
  j["merkle_root"] = to_hex(c.merkle_root);
  j["test_correct"] = c.test_correct;
  j["test_total"] = c.test_total;
  std::ofstream out(path, std::ios::trunc);
  if (!out) return fail(path + ": cannot create");
  out << j.dump(1) << "\n";
  if (!out) return fail(path + ": write failed");
  return ok_status();
}

Result<Commitment> read_commitment(const std::string& path) {
  using R = Result<Commitment>;
  std::ifstream in(path);
  if (!in) return R::failure(path + ": cannot open");
  try {
    json j = json::parse(in);
    Commitment c;
    auto h = [&](const json& v, const char* what) {
      auto x = hash_from_hex(v.get<std::string>());
      if (!x) throw std::runtime_error(std::string(what) + " is not a hex hash");
      return *x;
    };
    c.spec_hash = h(j.at("spec_hash"), "spec_hash");
    for (const json& e : j.at("checkpoints")) {
      if (!e.at("step").is_number_unsigned()) throw std::runtime_error("step is not a count");
      c.checkpoints.push_back(
          {e.at("step").get<std::uint64_t>(), h(e.at("state_hash"), "state_hash"),
           e.at("file").get<std::string>(),
           e.contains("loss") ? std::optional<float>(e.at("loss").get<float>()) : std::nullopt});
    }
    c.merkle_root = h(j.at("merkle_root"), "merkle_root");
    c.test_correct = j.value("test_correct", std::uint64_t{0});
    c.test_total = j.value("test_total", std::uint64_t{0});
    std::vector<Hash32> leaves;
    for (const auto& e : c.checkpoints) leaves.push_back(e.state_hash);
    if (merkle_root(leaves) != c.merkle_root)
      return R::failure(path + ": merkle_root does not match the checkpoints");
    return R::success(std::move(c));
  } catch (const std::exception& e) {
    return R::failure(path + ": malformed commitment: " + e.what());
  }
}

Result<TrainReport> train(const JobSpec& spec, const Dataset& data, const TrainOptions& opt) {
  using R = Result<TrainReport>;
  if (auto s = check_dataset(spec, data); !s) return R::failure(s.error);
  auto be = make_backend(opt);
  if (!be) return R::failure(be.error);
  if (!opt.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(opt.out_dir, ec);
    if (ec) return R::failure(opt.out_dir + ": " + ec.message());
  }
  Mlp model(spec, *be.value);
  BatchSampler sampler(spec, data.train_images, data.train_labels);
  std::vector<float> x(static_cast<std::size_t>(spec.batch_size) *
                       static_cast<std::size_t>(spec.layers.front()));
  std::vector<std::int32_t> y(spec.batch_size);
  TrainReport rep;
  rep.backend = be.value->name();
  rep.commitment.spec_hash = spec_hash(spec);

  auto save = [&]() -> Status {
    const TensorMap st = model.export_state();
    CommitmentEntry e;
    e.step = model.step();
    e.state_hash = state_hash(st);
    if (e.step > 0) e.loss = rep.final_loss;  // the step just taken
    if (!opt.out_dir.empty()) {
      e.file = ckpt_name(e.step);
      if (auto s = write_safetensors(opt.out_dir + "/" + e.file, make_checkpoint(spec, st)); !s)
        return s;
    }
    rep.commitment.checkpoints.push_back(e);
    return ok_status();
  };
  if (auto s = save(); !s) return R::failure(s.error);
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t s = 0; s < spec.steps; ++s) {
    sampler.batch(s, x.data(), y.data());
    rep.final_loss = model.train_step(x.data(), y.data());
    if ((s + 1) % spec.checkpoint_interval == 0 || s + 1 == spec.steps)
      if (auto st = save(); !st) return R::failure(st.error);
    if (opt.on_step) {
      const double el =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      TrainProgress p;
      p.step = s + 1;
      p.steps = spec.steps;
      p.loss = rep.final_loss;
      p.steps_per_s = el > 0 ? static_cast<double>(s + 1) / el : 0.0;
      p.eta_s = p.steps_per_s > 0 ? static_cast<double>(spec.steps - s - 1) / p.steps_per_s : 0.0;
      opt.on_step(p);
    }
  }
  if (opt.evaluate) {
    rep.commitment.test_correct = model.count_correct(data.test_images, data.test_labels);
    rep.commitment.test_total = data.test_images.count;
  }
  std::vector<Hash32> leaves;
  for (const auto& e : rep.commitment.checkpoints) leaves.push_back(e.state_hash);
  rep.commitment.merkle_root = merkle_root(leaves);
  if (!opt.out_dir.empty())
    if (auto s = write_commitment(opt.out_dir + "/commitment.json", rep.commitment); !s)
      return R::failure(s.error);
  return R::success(std::move(rep));
}

Result<ReplayReport> replay(const JobSpec& spec, const Dataset& data, const std::string& ckpt_path,
                            std::uint64_t steps, const std::string& commitment_path,
                            const TrainOptions& opt) {
  using R = Result<ReplayReport>;
  if (auto s = check_dataset(spec, data); !s) return R::failure(s.error);
  auto state = load_checkpoint_for(spec, ckpt_path);
  if (!state) return R::failure(state.error);
  auto be = make_backend(opt);
  if (!be) return R::failure(be.error);
  Mlp model(spec, *be.value);
  if (auto s = model.import_state(state.value); !s) return R::failure(ckpt_path + ": " + s.error);
  ReplayReport rep;
  rep.from_step = model.step();
  BatchSampler sampler(spec, data.train_images, data.train_labels);
  std::vector<float> x(static_cast<std::size_t>(spec.batch_size) *
                       static_cast<std::size_t>(spec.layers.front()));
  std::vector<std::int32_t> y(spec.batch_size);
  for (std::uint64_t i = 0; i < steps; ++i) {
    sampler.batch(model.step(), x.data(), y.data());
    model.train_step(x.data(), y.data());
  }
  rep.to_step = model.step();
  rep.state_hash = state_hash(model.export_state());
  if (!commitment_path.empty()) {
    auto c = read_commitment(commitment_path);
    if (!c) return R::failure(c.error);
    if (c.value.spec_hash != spec_hash(spec))
      return R::failure(commitment_path + ": commitment is for another job spec");
    for (const auto& e : c.value.checkpoints)
      if (e.step == rep.to_step) rep.expected = e.state_hash;
    rep.matches = rep.expected.has_value() && *rep.expected == rep.state_hash;
  }
  return R::success(std::move(rep));
}

}  // namespace vt::kernels
