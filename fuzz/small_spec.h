// The small job spec the fuzz targets and their seed writer share: a 784-2-10 MLP,
// so a valid checkpoint is about 10 KB the fuzzer can mutate.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "kernels/job_spec.h"

namespace vt::fuzz {

inline const kernels::JobSpec& small_spec() {
  static const kernels::JobSpec spec = [] {
    auto r =
        kernels::parse_job_spec(R"({"model":{"type":"mlp","layers":[784,2,10],"activation":"relu"},
      "dataset":{"name":"fashion-mnist",
        "train_images_sha256":"c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train_labels_sha256":"bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "test_images_sha256":"5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "test_labels_sha256":"0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
      "optimizer":{"type":"sgd","lr":"0.1","momentum":"0.9","weight_decay":"0"},
      "batch_size":2,"steps":10,"seed":1,"checkpoint_interval":5})");
    if (!r) {
      std::fprintf(stderr, "small spec: %s\n", r.error.c_str());
      std::abort();
    }
    return r.value;
  }();
  return spec;
}

}  // namespace vt::fuzz
