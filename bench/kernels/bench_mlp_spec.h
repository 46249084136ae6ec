// The job spec both kernel benchmarks train (bench_kernels on the CPU,
// bench_kernels_gpu on CUDA): the 784-256-128-10 MLP at batch 128 with SGD
// momentum, the same model torch_mlp_bench.py builds for the PyTorch anchor.
#pragma once

namespace vt::kernels::bench {

inline constexpr const char* kMlpSpec =
    R"({"model":{"type":"mlp","layers":[784,256,128,10],"activation":"relu"},
    "dataset":{"name":"fashion-mnist",
      "train_images_sha256":"c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
      "train_labels_sha256":"bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
      "test_images_sha256":"5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
      "test_labels_sha256":"0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
    "optimizer":{"type":"sgd","lr":"0.01","momentum":"0.9","weight_decay":"0"},
    "batch_size":128,"steps":1000,"seed":1,"checkpoint_interval":1000})";

}  // namespace vt::kernels::bench
