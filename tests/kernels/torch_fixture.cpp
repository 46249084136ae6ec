// Writes, for one SGD and one AdamW spec, the step-0 checkpoint, the first batch
// and the step-1 checkpoint into DIR, for torch_check.py to reproduce in PyTorch.
// Usage: kernels_torch_fixture DIR
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "kernels/mlp.h"
#include "kernels/safetensors.h"
#include "kernels/trainer.h"

using namespace vt::kernels;

namespace {

const char* kDataset = R"("dataset":{"name":"fashion-mnist",
  "train_images_sha256":"c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
  "train_labels_sha256":"bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
  "test_images_sha256":"5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
  "test_labels_sha256":"0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"})";

int emit(const std::string& dir, const std::string& name, const std::string& json,
         const Dataset& data) {
  auto spec = parse_job_spec(json);
  if (!spec) {
    std::fprintf(stderr, "%s\n", spec.error.c_str());
    return 1;
  }
  const JobSpec& s = spec.value;
  auto be = make_cpu_backend(2);
  Mlp model(s, *be);
  if (!write_safetensors(dir + "/" + name + "_step0.safetensors",
                         make_checkpoint(s, model.export_state()))
           .ok())
    return 1;
  BatchSampler sampler(s, data.train_images, data.train_labels);
  std::vector<float> x(s.batch_size * 784);
  std::vector<std::int32_t> y(s.batch_size);
  sampler.batch(0, x.data(), y.data());
  Checkpoint batch;
  batch.tensors["x"] = HostTensor::f32({static_cast<std::int64_t>(s.batch_size), 784}, x.data());
  HostTensor yt;
  yt.dtype = DType::I64;
  yt.shape = {static_cast<std::int64_t>(s.batch_size)};
  for (std::int32_t v : y) {
    const std::int64_t w = v;
    const auto* p = reinterpret_cast<const std::uint8_t*>(&w);
    yt.bytes.insert(yt.bytes.end(), p, p + 8);
  }
  batch.tensors["y"] = yt;
  batch.metadata["spec"] = canonical_json(s);
  if (!write_safetensors(dir + "/" + name + "_batch.safetensors", batch).ok()) return 1;
  model.train_step(x.data(), y.data());
  if (!write_safetensors(dir + "/" + name + "_step1.safetensors",
                         make_checkpoint(s, model.export_state()))
           .ok())
    return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  auto data = load_fashion_mnist(kDefaultFashionMnistDir);
  if (!data) {
    std::fprintf(stderr, "%s\n", data.error.c_str());
    return 1;
  }
  const std::string dir = argv[1];
  const std::string common =
      std::string(kDataset) + R"(,"batch_size":64,"steps":1,"seed":11,"checkpoint_interval":1})";
  int rc = emit(dir, "sgd",
                R"({"model":{"type":"mlp","layers":[784,64,32,10],"activation":"relu"},
                    "optimizer":{"type":"sgd","lr":"0.1","momentum":"0.9","weight_decay":"0.001"},)" +
                    common,
                data.value);
  // AdamW's first step moves each weight by about lr * g / (|g| + eps): for input
  // pixels that are almost always 0, g is ~1e-9 of pure rounding noise whose value
  // depends on the summation order (ours vs OpenBLAS), so those weights differ by up
  // to ~lr * 1e-3. lr = 1e-4 keeps that noise under 1e-5 of the weights while a
  // semantic error (decay, bias correction, eps placement) would still show at ~lr.
  rc |= emit(dir, "adamw",
             R"({"model":{"type":"mlp","layers":[784,48,10],"activation":"gelu"},
                 "optimizer":{"type":"adamw","lr":"0.0001","betas":["0.9","0.999"],"eps":"1e-8","weight_decay":"0.01"},)" +
                 common,
             data.value);
  return rc;
}
