#include "core/decimal.h"

#include <string>

namespace vt {

namespace {
// Built with append, not operator+ chains, which trip GCC 12's -Wrestrict false positive.
Error number_error(std::string_view s, const char* what) {
  std::string msg = "'";
  msg.append(s);
  msg.append("' ");
  msg.append(what);
  return Error{std::move(msg)};
}
}  // namespace

Result<uint64_t> parse_u64_decimal(std::string_view s) {
  if (s.empty()) return make_error("empty number");
  if (s.size() > 1 && s[0] == '0') return number_error(s, "has a leading zero");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return number_error(s, "is not a decimal integer");
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return number_error(s, "exceeds 2^64-1");
    v = v * 10 + d;
  }
  return v;
}

}  // namespace vt
