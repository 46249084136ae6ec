// SHA-256 (Crypto++) and BIP-340-style tagged hashes. Stateless, thread-safe.
#pragma once

#include <string_view>

#include "core/bytes.h"

namespace vt {

Hash256 sha256(ByteView data);

// Incremental SHA-256 for hashing several pieces without concatenating them.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256& update(ByteView data);
  Sha256& update(std::string_view s) {
    return update(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  Hash256 finish();

 private:
  struct Impl;
  Impl* impl_;
};

// sha256(sha256(tag) || sha256(tag) || data): domain separation so a hash of one
// kind of object can never be mistaken for another (BIP-340).
Hash256 tagged_hash(std::string_view tag, ByteView data);

}  // namespace vt
