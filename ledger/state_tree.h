// Incremental sparse Merkle tree over 256-bit keys: the state root. A subtree
// holding one leaf is that leaf (so depth ~ log2 of the number of keys); only
// the paths of keys changed since the last root() are rehashed, so a block's
// cost grows with what it changes, not with the size of the state.
// Single-owner; not thread-safe. Scheme documented in docs/state-root.md.
#pragma once

#include <memory>
#include <vector>

#include "core/bytes.h"

namespace vt::ledger {

class StateTree {
 public:
  StateTree();
  ~StateTree();
  StateTree(const StateTree&) = delete;
  StateTree& operator=(const StateTree&) = delete;

  // key: sha256 of the state key; value: sha256 of the encoded value.
  void put(const Hash256& key, const Hash256& value);
  void erase(const Hash256& key);
  // Empty tree: 32 zero bytes. Leaf: H(0x00||key||value). Inner: H(0x01||left||right),
  // an empty side hashing as 32 zero bytes.
  Hash256 root();
  size_t size() const { return size_; }

  // One node as stored for proofs at past heights: its place (depth and the
  // first `depth` bits of its path, the rest zero) and its 65-byte encoding,
  // 0x00 || path || value hash (leaf) or 0x01 || left || right (inner).
  struct NodeRecord {
    uint8_t depth = 0;
    Hash256 prefix{};
    Bytes encoded;
  };
  // Every node on the way from the root to each of `paths`, and each leaf
  // beside those ways (each node once), as they are after root(): after a
  // block, the paths of the keys it changed give every node it changed or moved.
  // Call root() first.
  std::vector<NodeRecord> nodes_on_paths(const std::vector<Hash256>& paths) const;
  // Every node of the tree (a full snapshot). Call root() first.
  std::vector<NodeRecord> all_nodes() const;

  struct Node;  // defined in state_tree.cpp

 private:
  std::unique_ptr<Node> root_;
  size_t size_ = 0;
};

}  // namespace vt::ledger
