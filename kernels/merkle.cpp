#include "kernels/merkle.h"

namespace vt::kernels {

namespace {
Hash32 leaf_hash(const Hash32& h) {
  Sha256 s;
  const std::uint8_t tag = 0;
  s.update(&tag, 1);
  s.update(h.data(), h.size());
  return s.finish();
}
Hash32 node_hash(const Hash32& l, const Hash32& r) {
  Sha256 s;
  const std::uint8_t tag = 1;
  s.update(&tag, 1);
  s.update(l.data(), l.size());
  s.update(r.data(), r.size());
  return s.finish();
}
std::vector<Hash32> next_level(const std::vector<Hash32>& level) {
  std::vector<Hash32> up;
  for (std::size_t i = 0; i < level.size(); i += 2)
    up.push_back(i + 1 < level.size() ? node_hash(level[i], level[i + 1]) : level[i]);
  return up;
}
}  // namespace

Hash32 merkle_root(const std::vector<Hash32>& leaves) {
  if (leaves.empty()) return Hash32{};
  std::vector<Hash32> level;
  for (const auto& h : leaves) level.push_back(leaf_hash(h));
  while (level.size() > 1) level = next_level(level);
  return level[0];
}

std::vector<MerkleStep> merkle_proof(const std::vector<Hash32>& leaves, std::size_t index) {
  std::vector<MerkleStep> proof;
  std::vector<Hash32> level;
  for (const auto& h : leaves) level.push_back(leaf_hash(h));
  while (level.size() > 1) {
    const std::size_t sib = index ^ 1u;
    if (sib < level.size()) proof.push_back({level[sib], sib < index});
    level = next_level(level);
    index /= 2;
  }
  return proof;
}

bool merkle_verify(const Hash32& leaf_value, const std::vector<MerkleStep>& proof,
                   const Hash32& root) {
  Hash32 h = leaf_hash(leaf_value);
  for (const auto& s : proof)
    h = s.sibling_is_left ? node_hash(s.sibling, h) : node_hash(h, s.sibling);
  return h == root;
}

}  // namespace vt::kernels
