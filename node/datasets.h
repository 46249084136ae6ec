// The node's data sets for the referee step inside block execution: Fashion-MNIST
// read once, on first use, from a directory (config.toml [datasets]). Owned by
// the Node; used only on the node's thread (not thread-safe).
#pragma once

#include <optional>
#include <string>

#include "kernels/idx.h"
#include "ledger/executor.h"

namespace vt::node {

class DatasetDirectory final : public ledger::DatasetSource {
 public:
  explicit DatasetDirectory(std::string fashion_mnist_dir) : dir_(std::move(fashion_mnist_dir)) {}
  // The data set if its file hashes are the spec's; loading errors are kept and
  // repeated (a validator without the data cannot referee; see ledger/executor.h).
  Result<const kernels::Dataset*> dataset_for(const kernels::JobSpec& spec) const override;
  // Loads each registered data set and checks its file hashes; names the first missing.
  Status check_registry(const std::vector<ledger::DatasetEntry>& registry) const;

 private:
  std::string dir_;
  mutable std::optional<kernels::Dataset> data_;
  mutable std::string load_error_;
};

}  // namespace vt::node
