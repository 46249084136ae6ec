#include "node/datasets.h"

#include "kernels/trainer.h"

namespace vt::node {

Result<const kernels::Dataset*> DatasetDirectory::dataset_for(const kernels::JobSpec& spec) const {
  if (!data_ && load_error_.empty()) {
    auto loaded = kernels::load_fashion_mnist(dir_);
    if (loaded.ok())
      data_ = std::move(loaded.value);
    else
      load_error_ = "cannot load Fashion-MNIST from " + dir_ + ": " + loaded.error;
  }
  if (!data_) return make_error(load_error_);
  if (auto s = kernels::check_dataset(spec, *data_); !s)
    return make_error("the job's data set is not the one in " + dir_ + ": " + s.error);
  return &*data_;
}

Status DatasetDirectory::check_registry(const std::vector<ledger::DatasetEntry>& registry) const {
  for (const ledger::DatasetEntry& d : registry) {
    kernels::JobSpec spec;
    spec.dataset_name = d.name;
    spec.layers = {784,
                   10};  // Fashion-MNIST images in, classes out: what a registered spec must use
    spec.train_images_sha256 = d.train_images;
    spec.train_labels_sha256 = d.train_labels;
    spec.test_images_sha256 = d.test_images;
    spec.test_labels_sha256 = d.test_labels;
    if (d.name != "fashion-mnist")
      return make_error("data set '" + d.name + "': this node can only load fashion-mnist");
    if (auto r = dataset_for(spec); !r)
      return make_error("data set '" + d.name + "': " + r.error());
  }
  return Status::success();
}

}  // namespace vt::node
