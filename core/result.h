// Result<T> and Status: error values with a human-readable reason, returned at
// module boundaries. Internal bugs are asserts, not Results. Value types, no sharing.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace vt {

// An error: a reason a person can act on.
struct Error {
  std::string reason;
};

inline Error make_error(std::string reason) {
  return Error{std::move(reason)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error e) : v_(std::move(e)) {}      // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const T& value() const& {
    assert(ok());
    return std::get<T>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(v_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const std::string& error() const {
    assert(!ok());
    return std::get<Error>(v_).reason;
  }
  Error take_error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// A Result without a value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : reason_(std::move(e.reason)) {}  // NOLINT
  static Status success() { return Status(); }
  bool ok() const { return !reason_.has_value(); }
  explicit operator bool() const { return ok(); }
  const std::string& error() const {
    assert(!ok());
    return *reason_;
  }
  Error take_error() const { return Error{*reason_}; }

 private:
  std::optional<std::string> reason_;
};

}  // namespace vt
