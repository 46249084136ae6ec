// Sparse-Merkle proofs that a state key holds a value, or holds none, under a
// state root (the tree of docs/state-root.md). Building reads tree nodes from
// any source (the node's stored history); checking needs SHA-256 only.
// Value types and pure functions.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace vt::ledger {

struct StateProof {
  // One per inner node on the way down, root first: siblings[d] is the hash of
  // the child of the inner node at depth d that the path does not take.
  std::vector<Hash256> siblings;
  // Where the walk ended: a leaf (its path and value hash), or an empty subtree
  // (nullopt; also the whole tree when it is empty).
  struct Leaf {
    Hash256 path{};
    Hash256 value_hash{};
  };
  std::optional<Leaf> leaf;
};

// A tree node by place: depth and the path's first `depth` bits (the rest zero);
// nullopt when none is stored there. Encoding: see StateTree::NodeRecord.
using TreeNodeSource =
    std::function<Result<std::optional<Bytes>>(uint8_t depth, const Hash256& prefix)>;

// The walk from `root` towards path = SHA-256(key). Every node read is checked
// against the hash its parent (or `root`) names, so a damaged source is an error.
[[nodiscard]] Result<StateProof> build_state_proof(const TreeNodeSource& nodes, const Hash256& root,
                                                   const Hash256& path);

// Success when `proof` shows that `key` holds `value` (nullopt: no value) in
// the state whose root is `root`; otherwise the reason.
[[nodiscard]] Status verify_state_proof(const Hash256& root, ByteView key,
                                        const std::optional<Bytes>& value, const StateProof& proof);

// The value hash the proof shows for `path`, or nullopt when it shows none.
std::optional<Hash256> proven_value_hash(const StateProof& proof, const Hash256& path);

}  // namespace vt::ledger
