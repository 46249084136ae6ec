#include "core/salted_hash.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace vt {

uint64_t process_hash_salt() {
  if (sodium_init() < 0) {  // the node cannot sign or verify without it either
    std::fputs("libsodium failed to initialise\n", stderr);
    std::abort();
  }
  uint64_t salt = 0;
  randombytes_buf(&salt, sizeof salt);
  return salt;
}

}  // namespace vt
