// Incremental sparse Merkle tree over 256-bit keys: the state root. A subtree
// holding one leaf is that leaf (so depth ~ log2 of the number of keys); only
// the paths of keys changed since the last root() are rehashed, so a block's
// cost grows with what it changes, not with the size of the state.
// Single-owner; not thread-safe. Scheme documented in docs/state-root.md.
#pragma once

#include <memory>

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

  struct Node;  // defined in state_tree.cpp

 private:
  std::unique_ptr<Node> root_;
  size_t size_ = 0;
};

}  // namespace vt::ledger
