// The ledger state at past heights, for queries and sparse-Merkle proofs. Each
// block's batch stores the state-tree nodes it changed, keyed by place and
// height (Column::StateNodes), and its new values by hash (Column::StateValues);
// the tree at height h is then the newest record of each place at or below h.
// Point reads and proofs work at any height from state_history_start() on;
// prefix scans (lists) do not: those are served at the head. Single-threaded use.
#pragma once

#include <optional>
#include <string>

#include "ledger/state.h"
#include "ledger/state_proof.h"
#include "node/kv_store.h"

namespace vt::node {

// Adds one height's changed tree nodes, the values `changes` writes and the
// "kept through this height" mark to the batch, and, unless it is a full
// snapshot, the list of the places it wrote (what pruning reads).
void add_state_history(uint64_t height, const std::vector<ledger::StateTree::NodeRecord>& nodes,
                       const ledger::ChangeSet& changes, WriteBatch& batch, bool snapshot = false);
// Marks `height` as the first the store can serve (a genesis, or a full
// snapshot written when the history did not reach the head).
void add_state_history_start(uint64_t height, WriteBatch& batch);
// Makes `new_start` (start < new_start <= through) the first height served:
// deletes each tree node that only heights below it needed (a place's record
// superseded at or before new_start, found through the places each height
// wrote) and moves the start mark. Values stay: they are shared between keys
// and heights, and are a small part of the history (docs/node.md#storage).
// Reads the committed store; what it deletes goes into the batch.
[[nodiscard]] Status prune_state_history(const KvStore& kv, uint64_t start, uint64_t new_start,
                                         WriteBatch& batch);
// The heights with a complete tree: start..through. The history serves the
// head only while `through` is the head; a gap (blocks committed with the
// history off) makes the node start it afresh. nullopt: none kept.
struct StateHistorySpan {
  uint64_t start = 0;
  uint64_t through = 0;
};
[[nodiscard]] Result<std::optional<StateHistorySpan>> state_history_span(const KvStore& kv);

// The state after block `height` (whose header's state root is `root`).
class HistoricalState final : public ledger::StateReader {
 public:
  HistoricalState(const KvStore& kv, uint64_t height, const Hash256& root)
      : kv_(kv), height_(height), root_(root) {}
  // A store error or an inconsistent tree makes get() return nullopt and sets
  // error(); callers check it before trusting an absent value.
  std::optional<Bytes> get(ByteView key) const override;
  // Not served at past heights: sets error() and visits nothing.
  void scan(ByteView prefix,
            const std::function<bool(const Bytes&, const Bytes&)>& fn) const override;
  const std::string& error() const { return error_; }

  // The proof of `key` at this height, and its value (nullopt: absent).
  struct Proven {
    ledger::StateProof proof;
    std::optional<Bytes> value;
  };
  [[nodiscard]] Result<Proven> prove(ByteView key) const;

 private:
  const KvStore& kv_;
  uint64_t height_;
  Hash256 root_;
  mutable std::string error_;
};

}  // namespace vt::node
