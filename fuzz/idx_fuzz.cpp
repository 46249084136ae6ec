// libFuzzer target: arbitrary bytes as IDX image and label files (the data
// set loader's parsers). Refuse with a reason or accept consistent sizes.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "kernels/idx.h"

using namespace vt::kernels;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);
  auto images = parse_idx_images(bytes, "fuzz-images");
  if (images) {
    const auto& im = images.value;
    if (im.pixels.size() != static_cast<std::size_t>(im.count) * im.rows * im.cols) std::abort();
  } else if (images.error.empty()) {
    std::abort();
  }
  auto labels = parse_idx_labels(bytes, "fuzz-labels");
  if (!labels && labels.error.empty()) std::abort();
  return 0;
}
