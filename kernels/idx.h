// Fashion-MNIST IDX files (gzip-compressed, as Debian ships them): read, validate
// (magic, sizes, truncation, trailing bytes, label range) and identify each file
// by the SHA-256 of its decompressed IDX bytes. Loaded data is immutable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/result.h"
#include "kernels/sha256.h"

namespace vt::kernels {

struct IdxImages {
  std::uint32_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // [count, rows*cols]
  Hash32 sha256{};                   // of the decompressed IDX bytes
};

struct IdxLabels {
  std::vector<std::uint8_t> labels;  // [count]
  Hash32 sha256{};
};

Result<IdxImages> load_idx_images(const std::string& path);  // .gz or plain
Result<IdxLabels> load_idx_labels(const std::string& path);
// Parse from decompressed bytes already in memory (used by the loaders and tests).
Result<IdxImages> parse_idx_images(const std::vector<std::uint8_t>& bytes, const std::string& what);
Result<IdxLabels> parse_idx_labels(const std::vector<std::uint8_t>& bytes, const std::string& what);
Result<std::vector<std::uint8_t>> read_gz_file(const std::string& path);

struct Dataset {
  IdxImages train_images, test_images;
  IdxLabels train_labels, test_labels;
};

inline constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";
// Loads {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz from dir; checks that image
// and label counts agree, images are 28x28 and labels are in [0, 10).
Result<Dataset> load_fashion_mnist(const std::string& dir);

}  // namespace vt::kernels
