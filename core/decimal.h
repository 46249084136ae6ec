// Strict decimal strings for unsigned 64-bit amounts: "0" or digits without a
// leading zero, no sign, no spaces, no overflow. Pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.h"

namespace vt {

Result<uint64_t> parse_u64_decimal(std::string_view s);

}  // namespace vt
