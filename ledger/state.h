// The ledger state as ordered key-value pairs. StateStore is the committed state
// (in memory, with its Merkle tree; the node persists it); Overlay buffers a
// block's or a transaction's writes on top of any reader so they can be kept or
// dropped whole. Single-owner; not thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>

#include "core/bytes.h"
#include "ledger/state_tree.h"

namespace vt::ledger {

// Orders byte strings as std::less<Bytes> does (bytes unsigned, a prefix
// first) and finds a stored key by a view, without copying it.
struct BytesLess {
  using is_transparent = void;
  bool operator()(ByteView a, ByteView b) const noexcept;
};

// key -> new value, or nullopt for a deletion. Ordered, so applying it is deterministic.
using ChangeSet = std::map<Bytes, std::optional<Bytes>, BytesLess>;

class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual std::optional<Bytes> get(ByteView key) const = 0;
  // Visits keys starting with prefix in ascending order until fn returns false.
  virtual void scan(ByteView prefix,
                    const std::function<bool(const Bytes&, const Bytes&)>& fn) const = 0;
};

class StateStore final : public StateReader {
 public:
  std::optional<Bytes> get(ByteView key) const override;
  void scan(ByteView prefix,
            const std::function<bool(const Bytes&, const Bytes&)>& fn) const override;
  void apply(const ChangeSet& changes);
  // The changes that would undo `changes` if applied after them.
  ChangeSet undo_for(const ChangeSet& changes) const;
  Hash256 root() { return tree_.root(); }
  size_t size() const { return entries_.size(); }
  // The tree nodes on the paths of the keys `changes` names, as they are now
  // (after applying them): what the node stores to prove state at this height.
  std::vector<StateTree::NodeRecord> tree_nodes_for(const ChangeSet& changes);
  std::vector<StateTree::NodeRecord> all_tree_nodes();

 private:
  std::map<Bytes, Bytes, BytesLess> entries_;
  StateTree tree_;
};

// Reads `base` as it is with the changes `layer()` returns laid over it (null:
// base as is). The layer is asked on every read, so it may change between
// reads. A node whose state holds a speculative block reads its committed head
// through this view with the speculation's undo as the layer.
class LayeredView final : public StateReader {
 public:
  using Layer = std::function<const ChangeSet*()>;
  LayeredView(const StateReader& base, Layer layer) : base_(base), layer_(std::move(layer)) {}
  std::optional<Bytes> get(ByteView key) const override;
  void scan(ByteView prefix,
            const std::function<bool(const Bytes&, const Bytes&)>& fn) const override;

 private:
  const StateReader& base_;
  Layer layer_;
};

class Overlay final : public StateReader {
 public:
  explicit Overlay(const StateReader& base) : base_(base) {}
  // Copying would silently duplicate every buffered change; layer a new overlay instead.
  Overlay(const Overlay&) = delete;
  Overlay& operator=(const Overlay&) = delete;
  std::optional<Bytes> get(ByteView key) const override;
  void scan(ByteView prefix,
            const std::function<bool(const Bytes&, const Bytes&)>& fn) const override;
  void put(Bytes key, Bytes value) { changes_.insert_or_assign(std::move(key), std::move(value)); }
  void erase(Bytes key) { changes_.insert_or_assign(std::move(key), std::nullopt); }
  // Moves these writes into the overlay this one was built on.
  void commit_into(Overlay& parent);
  const ChangeSet& changes() const { return changes_; }
  ChangeSet take_changes();

 private:
  const StateReader& base_;
  ChangeSet changes_;
};

}  // namespace vt::ledger
