// Result<T>: a value or a human-readable reason, returned at module boundaries
// of kernels/ (files, specs, checkpoints). Plain value type.
#pragma once

#include <string>
#include <utility>

namespace vt::kernels {

template <class T>
struct [[nodiscard]] Result {
  T value{};
  std::string error;  // empty on success

  bool ok() const { return error.empty(); }
  explicit operator bool() const { return ok(); }

  static Result success(T v) { return Result{std::move(v), {}}; }
  static Result failure(std::string why) {
    return Result{T{}, why.empty() ? std::string("unknown error") : std::move(why)};
  }
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() {
  return Status{};
}
inline Status fail(std::string why) {
  return Status::failure(std::move(why));
}

}  // namespace vt::kernels
