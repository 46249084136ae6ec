// Pending transactions waiting for a block. Admission checks signature, chain id,
// nonce and fee against the committed state; per-sender nonce order; block
// selection by fee; bounded in count and bytes. Single-threaded use.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "core/salted_hash.h"
#include "ledger/executor.h"
#include "ledger/params.h"
#include "ledger/signature_cache.h"
#include "ledger/transaction.h"

namespace vt::node {

class Mempool {
 public:
  Mempool(size_t max_count, size_t max_bytes) : max_count_(max_count), max_bytes_(max_bytes) {}

  // Returns the transaction hash, or why it was refused. A verified signature
  // goes into `signatures` (when given), so the block does not check it again.
  [[nodiscard]] Result<Hash256> add(const ledger::Transaction& tx, size_t encoded_size,
                                    const ledger::StateReader& state, const ledger::Params& params,
                                    ledger::SignatureCache* signatures = nullptr);
  // The same for a caller that holds ledger::tx_hash(tx) as `hash`.
  [[nodiscard]] Result<Hash256> add(const ledger::Transaction& tx, const Hash256& hash,
                                    size_t encoded_size, const ledger::StateReader& state,
                                    const ledger::Params& params,
                                    ledger::SignatureCache* signatures = nullptr);
  // Highest fee first while keeping each sender's nonces contiguous from its account nonce.
  std::vector<ledger::Transaction> select(const ledger::StateReader& state, size_t max_txs,
                                          size_t max_bytes) const;
  // After a block commits: drops what it included and anything now stale.
  void prune(const ledger::StateReader& state);

  // The nonce a new transaction from `sender` should carry: past every pending
  // one that continues the account's committed nonce without a gap.
  uint64_t next_nonce(const Address& sender, uint64_t committed_nonce) const;

  // Every pending transaction with its encoded size: by sender, each sender's
  // in nonce order (how the node rebuilds its check state after a commit).
  void for_each_by_sender(const std::function<void(const ledger::Transaction&, size_t)>& fn) const;

  size_t size() const { return by_hash_.size(); }
  size_t bytes() const { return bytes_; }
  bool contains(const Hash256& h) const { return by_hash_.count(h) != 0; }

  static constexpr uint64_t kMaxNonceGap = 64;

 private:
  struct Entry {
    ledger::Transaction tx;
    Hash256 hash{};
    size_t size = 0;
  };
  void remove(const Hash256& h);
  size_t max_count_, max_bytes_;
  size_t bytes_ = 0;
  std::unordered_map<Hash256, Entry, SaltedArrayHash<32>> by_hash_;  // lookups only, never iterated
  std::map<Address, std::map<uint64_t, Hash256>> by_sender_;         // sender -> nonce -> tx
  std::set<std::pair<uint64_t, Hash256>> by_fee_;                    // (fee, hash), lowest first
};

}  // namespace vt::node
