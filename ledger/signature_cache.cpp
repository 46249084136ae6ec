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

}  // namespace vt::ledger
