#include "ledger/signature_cache.h"

#include <vector>

namespace vt::ledger {

void SignatureCache::RecentHashes::insert(const Hash256& h) {
  if (capacity == 0 || !set.insert(h).second) return;
  order.push_back(h);
  while (order.size() > capacity) {
    set.erase(order.front());
    order.pop_front();
  }
}

std::optional<ParsedSchnorrPubkey> SignatureCache::parsed_key(const SchnorrPubkey& pubkey) {
  if (auto it = keys_.find(pubkey); it != keys_.end()) return it->second;
  auto parsed = parse_schnorr_pubkey(pubkey);
  if (!parsed) return std::nullopt;  // not a key: nothing worth remembering
  if (key_capacity_ > 0) {
    keys_.emplace(pubkey, *parsed);
    key_order_.push_back(pubkey);
    while (key_order_.size() > key_capacity_) {
      keys_.erase(key_order_.front());
      key_order_.pop_front();
    }
  }
  return parsed;
}

bool SignatureCache::verify(const SchnorrPubkey& pubkey, const Hash256& msg,
                            const SchnorrSig& sig) {
  ++checked_alone_;
  auto parsed = parsed_key(pubkey);
  return parsed && schnorr_verify(*parsed, msg, sig);
}

size_t SignatureCache::verify_batch(std::span<const Pending> pending) {
  // Copies of the keys: parsing a later one may evict an earlier one.
  std::vector<ParsedSchnorrPubkey> keys;
  std::vector<const Pending*> todo;
  keys.reserve(pending.size());
  todo.reserve(pending.size());
  for (const Pending& p : pending) {
    if (contains(p.tx_hash) || refused(p.tx_hash)) continue;
    auto key = parsed_key(p.pubkey);
    if (!key) return 0;  // fails alone, with its reason, where it is used
    keys.push_back(*key);
    todo.push_back(&p);
  }
  std::vector<SchnorrBatchItem> items(todo.size());
  for (size_t i = 0; i < todo.size(); ++i) items[i] = {&keys[i], &todo[i]->msg, &todo[i]->sig};
  checked_in_batches_ += items.size();
  if (!schnorr_verify_batch(items)) return 0;
  for (const Pending* p : todo) insert(p->tx_hash);
  return todo.size();
}

}  // namespace vt::ledger
