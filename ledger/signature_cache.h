// Transactions whose BIP-340 signatures this node has already verified, by
// transaction hash (which covers the signature): block execution skips the
// second check of a transaction the mempool admitted, as Bitcoin Core's
// signature cache does. It also keeps the senders' keys decoded onto the curve,
// since most senders sign many transactions. Only ever a shortcut: a
// transaction with the same hash has the same bytes, and a decoded key is a pure
// function of its 32 bytes, so what the cache holds never changes an outcome.
// It remembers refusals too (fewer of them): a forged transaction sent again, or
// checked by admission and then by the mempool, costs one check, not one each.
// Hash tables, not ordered sets: a block's worth of lookups in a set of a
// hundred thousand hashes was 4 % of a validator's CPU. Bounded, oldest out first. Not thread-safe
// (one owner: the node's thread).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "core/bytes.h"
#include "core/keys.h"
#include "core/salted_hash.h"

namespace vt::ledger {

class SignatureCache {
 public:
  explicit SignatureCache(size_t capacity, size_t key_capacity = kDefaultKeyCapacity)
      : valid_{capacity},
        refused_{(capacity + kRefusedShare - 1) / kRefusedShare},
        key_capacity_(key_capacity) {}
  // Verified: the signature holds.
  bool contains(const Hash256& tx_hash) const { return valid_.contains(tx_hash); }
  void insert(const Hash256& tx_hash) { valid_.insert(tx_hash); }
  size_t size() const { return valid_.size(); }
  // Verified: the signature does not hold (a forgery, or signed for other bytes).
  bool refused(const Hash256& tx_hash) const { return refused_.contains(tx_hash); }
  void insert_refused(const Hash256& tx_hash) { refused_.insert(tx_hash); }
  size_t refused_count() const { return refused_.size(); }

  // schnorr_verify, decoding `pubkey` only the first time it is seen.
  bool verify(const SchnorrPubkey& pubkey, const Hash256& msg, const SchnorrSig& sig);
  size_t key_count() const { return keys_.size(); }
  // Signatures checked so far, by how (for tests and metrics).
  uint64_t checked_alone() const { return checked_alone_; }
  uint64_t checked_in_batches() const { return checked_in_batches_; }

  // One transaction's signature, for verify_batch (see pending_signature in
  // ledger/executor.h for what a transaction signs).
  struct Pending {
    Hash256 tx_hash{};
    SchnorrPubkey pubkey{};
    Hash256 msg{};
    SchnorrSig sig{};
  };
  // Checks the signatures of `pending` that the cache does not hold yet as one
  // BIP-340 batch (a third cheaper than one by one at a hundred), and remembers
  // them all if all hold. If any fails it remembers none: each is then checked
  // alone where it is used, which names the bad one. One already refused is left
  // out, so that sending a known forgery again cannot spoil the batch of the
  // honest ones beside it. Returns how many it added.
  size_t verify_batch(std::span<const Pending> pending);

  static constexpr size_t kDefaultKeyCapacity = 1 << 16;
  // Fewer signatures than this together are left to be checked one by one
  // where they are used: a batch of 8 saves a fifth, below that little.
  static constexpr size_t kMinBatch = 8;
  // Refusals kept: this share of the capacity, rounded up (honest traffic
  // makes none).
  static constexpr size_t kRefusedShare = 8;

 private:
  // Transaction hashes, the oldest out first past `capacity`.
  struct RecentHashes {
    size_t capacity;
    std::unordered_set<Hash256, SaltedArrayHash<32>> set{};
    std::deque<Hash256> order{};  // insertion order, for eviction
    bool contains(const Hash256& h) const { return set.contains(h); }
    size_t size() const { return set.size(); }
    void insert(const Hash256& h);
  };
  RecentHashes valid_;
  RecentHashes refused_;
  std::optional<ParsedSchnorrPubkey> parsed_key(const SchnorrPubkey& pubkey);
  size_t key_capacity_;
  std::unordered_map<SchnorrPubkey, ParsedSchnorrPubkey, SaltedArrayHash<32>> keys_;
  std::deque<SchnorrPubkey> key_order_;
  uint64_t checked_alone_ = 0;
  uint64_t checked_in_batches_ = 0;
};

}  // namespace vt::ledger
