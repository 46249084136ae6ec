// Transactions whose BIP-340 signatures this node has already verified, by
// transaction hash (which covers the signature): block execution skips the
// second check of a transaction the mempool admitted, as Bitcoin Core's
// signature cache does. Only ever a shortcut: a transaction with the same hash
// has the same bytes, so what the cache holds never changes an outcome. Bounded,
// oldest out first. Not thread-safe (one owner: the node's thread).
#pragma once

#include <cstddef>
#include <deque>
#include <set>

#include "core/bytes.h"

namespace vt::ledger {

class SignatureCache {
 public:
  explicit SignatureCache(size_t capacity) : capacity_(capacity) {}
  bool contains(const Hash256& tx_hash) const { return hashes_.contains(tx_hash); }
  void insert(const Hash256& tx_hash);
  size_t size() const { return hashes_.size(); }

 private:
  size_t capacity_;
  std::set<Hash256> hashes_;
  std::deque<Hash256> order_;  // insertion order, for eviction
};

}  // namespace vt::ledger
