// Bech32m (BIP-350) and account addresses: "vt1" + bech32m of the 32-byte
// BIP-340 public key, so a typo fails the checksum. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/keys.h"
#include "core/result.h"

namespace vt {

struct Bech32Data {
  std::string hrp;             // lower case
  std::vector<uint8_t> data5;  // 5-bit groups, checksum removed
};

std::string bech32m_encode(std::string_view hrp, const std::vector<uint8_t>& data5);
// Rejects mixed case, bad characters, wrong length, a bech32 (not -m) checksum.
Result<Bech32Data> bech32m_decode(std::string_view str);

// Regroups bits (e.g. 8 -> 5 with padding, 5 -> 8 without), BIP-173 style.
Result<std::vector<uint8_t>> convert_bits(const std::vector<uint8_t>& in, int from, int to,
                                          bool pad);

inline constexpr std::string_view kAddressPrefix = "vt";
// Characters in an address: the prefix, "1", 52 data characters, a 6-character checksum.
inline constexpr size_t kAddressChars = kAddressPrefix.size() + 1 + 52 + 6;
using Address = SchnorrPubkey;

std::string address_to_string(const Address& address);
Result<Address> address_from_string(std::string_view str);

}  // namespace vt
