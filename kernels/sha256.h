// SHA-256 (via Crypto++) and hex helpers for spec, data set and state hashes.
// Sha256 objects are single-threaded; the free functions are thread safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace vt::kernels {

using Hash32 = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  void update_u64(std::uint64_t v);  // 8 bytes little-endian
  Hash32 finish();                   // the object may not be used afterwards

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Hash32 sha256(const void* data, std::size_t n);
inline Hash32 sha256(std::string_view s) {
  return sha256(s.data(), s.size());
}
std::string to_hex(const Hash32& h);
std::optional<Hash32> hash_from_hex(std::string_view hex);  // 64 lowercase hex digits

}  // namespace vt::kernels
