// A hash for fixed-size byte arrays (hashes, keys, addresses) used as keys of
// unordered containers: eight of their bytes mixed with a salt drawn once per
// process, so that whoever chooses keys (a sender's public key, a transaction's
// bytes) cannot predict which of them share a bucket. For lookups only: nothing
// iterates an unordered container into what is hashed, signed or stored.
// Thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vt {

// Random, fixed for the life of the process.
uint64_t process_hash_salt();

template <size_t N>
struct SaltedArrayHash {
  static_assert(N >= 8, "needs eight bytes to hash");
  size_t operator()(const std::array<uint8_t, N>& key) const noexcept {
    static const uint64_t salt = process_hash_salt();
    uint64_t x = 0;
    std::memcpy(&x, key.data(), sizeof x);
    // SplitMix64's finaliser: every input bit moves every output bit.
    x ^= salt;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<size_t>(x ^ (x >> 31));
  }
};

}  // namespace vt
