// Keys a person can write down: BIP-39 mnemonics (English word list) and BIP-32
// derivation of an account's BIP-340 secret along kAccountPath. Pure functions;
// thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace vt {

inline constexpr uint32_t kHardened = 0x80000000u;
// m/86'/8684'/0'/0/0: BIP-86's purpose (keys used as BIP-340 x-only keys),
// coin type 8684 ("VT"; not registered in SLIP-44, so no other chain's wallet
// derives the same key from the same words), account 0, external chain, index 0.
inline constexpr std::array<uint32_t, 5> kAccountPath = {kHardened | 86, kHardened | 8684,
                                                         kHardened | 0, 0, 0};

// 16, 20, 24, 28 or 32 bytes of entropy as 12 to 24 words (BIP-39: the
// entropy, then the first entropy_bits / 32 bits of its SHA-256, in 11-bit words).
std::string mnemonic_from_entropy(ByteView entropy);
// 24 words from 32 bytes of fresh randomness (libsodium's randombytes).
std::string new_mnemonic();
// The entropy back: words separated by ASCII whitespace, each on the list,
// 12/15/18/21/24 of them, and the checksum right. Errors name the first problem.
Result<Bytes> entropy_from_mnemonic(std::string_view mnemonic);
// The words, split on ASCII whitespace and lower-cased.
std::vector<std::string> mnemonic_words(std::string_view mnemonic);
// The words as BIP-39 hashes them: lower case, one space apart.
std::string canonical_mnemonic(std::string_view mnemonic);
// BIP-39 seed: PBKDF2-HMAC-SHA512(canonical mnemonic, "mnemonic" + passphrase,
// 2048 rounds). The passphrase must be ASCII (where Unicode NFKD changes nothing).
Result<std::array<uint8_t, 64>> mnemonic_seed(std::string_view mnemonic,
                                              std::string_view passphrase);
// BIP-32 private derivation from a seed along `path` (kHardened marks hardened
// steps): the 32-byte secret key at the end. Fails (with probability below
// 2^-127) where BIP-32 says to skip an index.
Result<std::array<uint8_t, 32>> bip32_secret(ByteView seed, std::span<const uint32_t> path);
// What `keys new` and `keys recover` store: the secret at kAccountPath of the
// mnemonic's seed with an empty passphrase, after checking the mnemonic.
Result<std::array<uint8_t, 32>> account_secret_from_mnemonic(std::string_view mnemonic);

}  // namespace vt
