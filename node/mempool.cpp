#include "node/mempool.h"

#include <queue>

#include "ledger/state_access.h"

namespace vt::node {

Result<Hash256> Mempool::add(const ledger::Transaction& tx, size_t encoded_size,
                             const ledger::StateReader& state, const ledger::Params& params,
                             ledger::SignatureCache* signatures) {
  return add(tx, ledger::tx_hash(tx), encoded_size, state, params, signatures);
}

Result<Hash256> Mempool::add(const ledger::Transaction& tx, const Hash256& h, size_t encoded_size,
                             const ledger::StateReader& state, const ledger::Params& params,
                             ledger::SignatureCache* signatures) {
  if (by_hash_.count(h)) return make_error("transaction is already in the mempool");
  if (auto s = ledger::check_transaction(state, params, tx, encoded_size,
                                         /*allow_future_nonce=*/true, signatures, h);
      !s)
    return s.take_error();
  uint64_t next = ledger::read_account(state, tx.sender).nonce;
  if (tx.nonce > next + kMaxNonceGap)
    return make_error("nonce " + std::to_string(tx.nonce) +
                      " is too far ahead of the account's next nonce " + std::to_string(next));
  auto pending = by_sender_.find(tx.sender);
  if (pending != by_sender_.end() && pending->second.count(tx.nonce))
    return make_error("a transaction with nonce " + std::to_string(tx.nonce) +
                      " from this sender is already pending");
  if (by_hash_.size() >= max_count_ || bytes_ + encoded_size > max_bytes_) {
    // Full: make room only by evicting cheaper transactions.
    if (by_fee_.empty() || by_fee_.begin()->first >= tx.fee)
      return make_error("mempool is full (" + std::to_string(by_hash_.size()) + " transactions, " +
                        std::to_string(bytes_) + " bytes); raise the fee above " +
                        std::to_string(by_fee_.empty() ? 0 : by_fee_.begin()->first) +
                        " to replace one");
    remove(by_fee_.begin()->second);
  }
  by_sender_[tx.sender][tx.nonce] = h;
  by_fee_.insert({tx.fee, h});
  by_hash_[h] = Entry{tx, h, encoded_size};
  bytes_ += encoded_size;
  return h;
}

void Mempool::remove(const Hash256& h) {
  auto it = by_hash_.find(h);
  if (it == by_hash_.end()) return;
  const auto& tx = it->second.tx;
  auto sit = by_sender_.find(tx.sender);
  if (sit != by_sender_.end()) {
    sit->second.erase(tx.nonce);
    if (sit->second.empty()) by_sender_.erase(sit);
  }
  by_fee_.erase({tx.fee, h});
  bytes_ -= it->second.size;
  by_hash_.erase(it);
}

std::vector<ledger::Transaction> Mempool::select(const ledger::StateReader& state, size_t max_txs,
                                                 size_t max_bytes) const {
  // Each sender offers its lowest pending nonce if it is the account's next one;
  // the highest fee among the offers goes first (ties by hash, for determinism).
  // Checkpoint posts first, the one whose dispute is due soonest first
  // (earliest deadline first): posting deadlines are budgeted per block
  // (max_posts_per_block), so neither a fee bid nor posts on disputes due later
  // may push an owed post past its deadline.
  struct Offer {
    bool post;
    uint64_t due;  // posts: the dispute's deadline
    uint64_t fee;
    Hash256 hash;
    bool operator<(const Offer& o) const {
      if (post != o.post) return !post;
      if (due != o.due) return due > o.due;
      return fee != o.fee ? fee < o.fee : hash > o.hash;
    }
  };
  auto offer = [&](const Hash256& h) {
    const ledger::Transaction& tx = by_hash_.at(h).tx;
    const auto* post = std::get_if<ledger::CheckpointPost>(&tx.msg);
    uint64_t due = 0;
    if (post)
      if (auto d = ledger::read_dispute(state, post->dispute_id)) due = d->game.deadline;
    return Offer{post != nullptr, due, tx.fee, h};
  };

  std::priority_queue<Offer> offers;
  std::map<Address, uint64_t> expected;
  for (const auto& [sender, queue] : by_sender_) {
    uint64_t next = ledger::read_account(state, sender).nonce;
    auto it = queue.find(next);
    if (it == queue.end()) continue;
    expected[sender] = next;
    offers.push(offer(it->second));
  }
  std::vector<ledger::Transaction> out;
  size_t bytes = 0;
  while (!offers.empty() && out.size() < max_txs) {
    const Entry& e = by_hash_.at(offers.top().hash);
    offers.pop();
    if (bytes + e.size > max_bytes) continue;
    out.push_back(e.tx);
    bytes += e.size;
    uint64_t next = ++expected[e.tx.sender];
    const auto& queue = by_sender_.at(e.tx.sender);
    auto it = queue.find(next);
    if (it != queue.end()) offers.push(offer(it->second));
  }
  return out;
}

uint64_t Mempool::next_nonce(const Address& sender, uint64_t committed_nonce) const {
  uint64_t next = committed_nonce;
  auto it = by_sender_.find(sender);
  if (it == by_sender_.end()) return next;
  while (it->second.count(next)) ++next;
  return next;
}

void Mempool::for_each_by_sender(
    const std::function<void(const ledger::Transaction&, size_t)>& fn) const {
  for (const auto& [sender, queue] : by_sender_)
    for (const auto& [nonce, h] : queue) {
      const Entry& e = by_hash_.at(h);
      fn(e.tx, e.size);
    }
}

void Mempool::prune(const ledger::StateReader& state) {
  std::vector<Hash256> stale;
  for (const auto& [sender, queue] : by_sender_) {
    uint64_t next = ledger::read_account(state, sender).nonce;
    for (const auto& [nonce, h] : queue)
      if (nonce < next) stale.push_back(h);
  }
  for (const auto& h : stale) remove(h);
}

}  // namespace vt::node
