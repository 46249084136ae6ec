// Paths the kernels tests share: the spec files in kernels/specs and the data set.
#pragma once

#include <string>

#ifndef VT_SOURCE_DIR
#error "VT_SOURCE_DIR must be defined by the build"
#endif

namespace vt::kernels::testing {
inline std::string spec_path(const std::string& name) {
  return std::string(VT_SOURCE_DIR) + "/kernels/specs/" + name;
}
}  // namespace vt::kernels::testing
