// Byte strings, fixed-size hashes and hex conversion. Plain value types.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vt {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
using Hash256 = std::array<uint8_t, 32>;

std::string to_hex(ByteView bytes);
// Lower- or upper-case hex, even length, no "0x" prefix.
Result<Bytes> from_hex(std::string_view hex);
// Exactly 32 bytes of hex.
Result<Hash256> hash_from_hex(std::string_view hex);

inline ByteView as_view(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline bool is_zero(const Hash256& h) {
  for (uint8_t b : h)
    if (b != 0) return false;
  return true;
}

}  // namespace vt
