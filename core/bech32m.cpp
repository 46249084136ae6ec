#include "core/bech32m.h"

#include <array>
#include <optional>

namespace vt {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr uint32_t kBech32mConst = 0x2bc830a3;

// BIP-173's generator, XORed together for each value of the checksum's top
// five bits: one table lookup per character instead of five branches (every
// transfer's receipt writes two addresses, so this runs on the hot path).
constexpr std::array<uint32_t, 32> kGenerator = [] {
  constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  std::array<uint32_t, 32> table{};
  for (uint32_t top = 0; top < 32; ++top)
    for (int i = 0; i < 5; ++i)
      if (top >> i & 1) table[top] ^= kGen[i];
  return table;
}();

uint32_t polymod_step(uint32_t chk, uint8_t v) {
  return ((chk & 0x1ffffff) << 5 ^ v) ^ kGenerator[chk >> 25];
}

uint32_t polymod(const std::vector<uint8_t>& values) {
  uint32_t chk = 1;
  for (uint8_t v : values) chk = polymod_step(chk, v);
  return chk;
}

std::vector<uint8_t> hrp_expand(std::string_view hrp) {
  std::vector<uint8_t> out;
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) >> 5);
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) & 31);
  return out;
}

// kCharset inverted: the value of each ASCII character, -1 for the others.
constexpr std::array<int8_t, 128> kCharsetIndex = [] {
  std::array<int8_t, 128> index{};
  index.fill(-1);
  for (int i = 0; i < 32; ++i) index[static_cast<uint8_t>(kCharset[i])] = static_cast<int8_t>(i);
  return index;
}();

int charset_index(char c) {
  const auto u = static_cast<uint8_t>(c);
  return u < kCharsetIndex.size() ? kCharsetIndex[u] : -1;
}

// The checksum state after the address prefix's expansion (BIP-173 hrp_expand).
uint32_t address_prefix_checksum() {
  uint32_t chk = 1;
  for (char c : kAddressPrefix) chk = polymod_step(chk, static_cast<uint8_t>(c) >> 5);
  chk = polymod_step(chk, 0);
  for (char c : kAddressPrefix) chk = polymod_step(chk, static_cast<uint8_t>(c) & 31);
  return chk;
}

// address_from_string for the form address_to_string writes (lower case, the
// right length), without allocating: the transaction index decodes every
// address in every receipt. nullopt sends anything else to the general
// decoder, which says what is wrong (or accepts the upper-case form).
std::optional<Address> decode_canonical_address(std::string_view str) {
  constexpr size_t kData = kAddressPrefix.size() + 1;  // first data character
  if (str.size() != kAddressChars || str.substr(0, kData) != "vt1") return std::nullopt;
  uint32_t chk = address_prefix_checksum();
  Address a{};
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (size_t i = kData; i < str.size(); ++i) {
    const int v = charset_index(str[i]);  // -1 for upper case too: the general path takes it
    if (v < 0) return std::nullopt;
    chk = polymod_step(chk, static_cast<uint8_t>(v));
    if (i >= str.size() - 6) continue;  // checksum characters carry no data
    acc = acc << 5 | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (n == a.size()) return std::nullopt;
      a[n++] = static_cast<uint8_t>(acc >> bits & 0xff);
    }
  }
  // 52 groups are 260 bits: 32 bytes and 4 padding bits, which must be zero.
  if (chk != kBech32mConst || n != a.size() || bits != 4 || (acc & 0xf) != 0) return std::nullopt;
  return a;
}

}  // namespace

std::string bech32m_encode(std::string_view hrp, const std::vector<uint8_t>& data5) {
  std::vector<uint8_t> values = hrp_expand(hrp);
  values.insert(values.end(), data5.begin(), data5.end());
  values.insert(values.end(), 6, 0);
  uint32_t mod = polymod(values) ^ kBech32mConst;
  std::string out(hrp);
  out.push_back('1');
  for (uint8_t d : data5) out.push_back(kCharset[d]);
  for (int i = 0; i < 6; ++i) out.push_back(kCharset[(mod >> (5 * (5 - i))) & 31]);
  return out;
}

Result<Bech32Data> bech32m_decode(std::string_view str) {
  if (str.size() > 90) return make_error("bech32m string longer than 90 characters");
  bool lower = false, upper = false;
  for (char c : str) {
    if (c < 33 || c > 126) return make_error("bech32m string has a character outside 33..126");
    if (c >= 'a' && c <= 'z') lower = true;
    if (c >= 'A' && c <= 'Z') upper = true;
  }
  if (lower && upper) return make_error("bech32m string mixes upper and lower case");
  size_t sep = str.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || sep + 7 > str.size())
    return make_error("bech32m string has no separator, an empty prefix or a short checksum");
  Bech32Data out;
  for (char c : str.substr(0, sep))
    out.hrp.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  std::vector<uint8_t> data;
  for (char c : str.substr(sep + 1)) {
    char lc = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    int v = charset_index(lc);
    if (v < 0) return make_error(std::string("bech32m data has an invalid character '") + c + "'");
    data.push_back(static_cast<uint8_t>(v));
  }
  std::vector<uint8_t> values = hrp_expand(out.hrp);
  values.insert(values.end(), data.begin(), data.end());
  if (polymod(values) != kBech32mConst)
    return make_error("bech32m checksum does not match (a typo?)");
  out.data5.assign(data.begin(), data.end() - 6);
  return out;
}

Result<std::vector<uint8_t>> convert_bits(const std::vector<uint8_t>& in, int from, int to,
                                          bool pad) {
  uint32_t acc = 0;
  int bits = 0;
  const uint32_t maxv = (1u << to) - 1;
  std::vector<uint8_t> out;
  for (uint8_t v : in) {
    if (v >> from) return make_error("value does not fit in " + std::to_string(from) + " bits");
    acc = acc << from | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push_back(static_cast<uint8_t>(acc >> bits & maxv));
    }
  }
  if (pad) {
    if (bits) out.push_back(static_cast<uint8_t>(acc << (to - bits) & maxv));
  } else if (bits >= from || (acc << (to - bits) & maxv)) {
    return make_error("non-zero or excess padding bits");
  }
  return out;
}

std::string address_to_string(const Address& address) {
  // bech32m_encode(kAddressPrefix, convert_bits(address, 8, 5, true)) without
  // the intermediate vectors: 32 bytes are 52 five-bit groups (the last padded).
  constexpr size_t kGroups = (8 * sizeof(Address) + 4) / 5;
  std::array<uint8_t, kGroups> data5{};
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (uint8_t byte : address) {
    acc = acc << 8 | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      data5[n++] = static_cast<uint8_t>(acc >> bits & 31);
    }
  }
  if (bits) data5[n++] = static_cast<uint8_t>(acc << (5 - bits) & 31);
  const std::string_view hrp = kAddressPrefix;
  uint32_t chk = address_prefix_checksum();
  for (uint8_t d : data5) chk = polymod_step(chk, d);
  for (int i = 0; i < 6; ++i) chk = polymod_step(chk, 0);
  chk ^= kBech32mConst;
  std::string out;
  out.reserve(hrp.size() + 1 + kGroups + 6);
  out.append(hrp);
  out.push_back('1');
  for (uint8_t d : data5) out.push_back(kCharset[d]);
  for (int i = 0; i < 6; ++i) out.push_back(kCharset[(chk >> (5 * (5 - i))) & 31]);
  return out;
}

Result<Address> address_from_string(std::string_view str) {
  if (auto a = decode_canonical_address(str)) return *a;
  auto decoded = bech32m_decode(str);
  if (!decoded) return make_error("invalid address: " + decoded.error());
  if (decoded->hrp != kAddressPrefix)
    return make_error("invalid address: prefix is '" + decoded->hrp + "', expected 'vt'");
  auto bytes = convert_bits(decoded->data5, 5, 8, false);
  if (!bytes) return make_error("invalid address: " + bytes.error());
  if (bytes->size() != 32)
    return make_error("invalid address: payload is " + std::to_string(bytes->size()) +
                      " bytes, expected 32");
  Address a;
  std::copy(bytes->begin(), bytes->end(), a.begin());
  return a;
}

}  // namespace vt
