#include "core/merkle.h"

#include "core/sha256.h"

namespace vt {

Hash256 merkle_root(const std::vector<Hash256>& leaves) {
  if (leaves.empty()) return Hash256{};
  std::vector<Hash256> level;
  level.reserve(leaves.size());
  for (const Hash256& leaf : leaves) {
    uint8_t buf[33];
    buf[0] = 0x00;
    std::copy(leaf.begin(), leaf.end(), buf + 1);
    level.push_back(sha256(ByteView(buf, 33)));
  }
  while (level.size() > 1) {
    std::vector<Hash256> next;
    for (size_t i = 0; i + 1 < level.size(); i += 2) {
      uint8_t buf[65];
      buf[0] = 0x01;
      std::copy(level[i].begin(), level[i].end(), buf + 1);
      std::copy(level[i + 1].begin(), level[i + 1].end(), buf + 33);
      next.push_back(sha256(ByteView(buf, 65)));
    }
    if (level.size() % 2) next.push_back(level.back());
    level = std::move(next);
  }
  return level[0];
}

}  // namespace vt
