#include "ledger/signature_cache.h"

namespace vt::ledger {

void SignatureCache::insert(const Hash256& tx_hash) {
  if (capacity_ == 0 || !hashes_.insert(tx_hash).second) return;
  order_.push_back(tx_hash);
  while (order_.size() > capacity_) {
    hashes_.erase(order_.front());
    order_.pop_front();
  }
}

bool SignatureCache::verify(const SchnorrPubkey& pubkey, const Hash256& msg,
                            const SchnorrSig& sig) {
  if (auto it = keys_.find(pubkey); it != keys_.end()) return schnorr_verify(it->second, msg, sig);
  auto parsed = parse_schnorr_pubkey(pubkey);
  if (!parsed) return false;  // not a key: nothing worth remembering
  if (key_capacity_ > 0) {
    keys_.emplace(pubkey, *parsed);
    key_order_.push_back(pubkey);
    while (key_order_.size() > key_capacity_) {
      keys_.erase(key_order_.front());
      key_order_.pop_front();
    }
  }
  return schnorr_verify(*parsed, msg, sig);
}

}  // namespace vt::ledger
