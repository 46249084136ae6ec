// Binary SHA-256 Merkle tree over checkpoint state hashes (the commitment root).
//   leaf(h)    = SHA-256(0x00 || h)
//   node(l, r) = SHA-256(0x01 || l || r)
// Levels are built left to right; an odd last node is carried up unchanged (not
// duplicated, so no two leaf lists share a root). Empty list: 32 zero bytes.
// Pure functions; thread safe.
#pragma once

#include <vector>

#include "kernels/sha256.h"

namespace vt::kernels {

Hash32 merkle_root(const std::vector<Hash32>& leaves);

// Sibling path for leaf `index`: each element is (sibling hash, sibling_is_left);
// levels where the node was carried up contribute nothing.
struct MerkleStep {
  Hash32 sibling;
  bool sibling_is_left;
};
std::vector<MerkleStep> merkle_proof(const std::vector<Hash32>& leaves, std::size_t index);
bool merkle_verify(const Hash32& leaf_value, const std::vector<MerkleStep>& proof,
                   const Hash32& root);

}  // namespace vt::kernels
