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

}  // namespace vt::node
