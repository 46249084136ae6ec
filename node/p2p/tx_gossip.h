// Transactions travel between mempools in batches (MessageType::txs): one
// message per flush instead of one per transaction, decoded once on arrival.
// Pure encoding; thread-safe.
#pragma once

#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace vt::node::p2p {

// u32 count | count x (u32 length | encoded transaction); count ≤ kMaxGossipBatch.
Bytes encode_tx_batch(const std::vector<Bytes>& txs);
// Refuses an empty or over-long batch, a transaction above max_tx_bytes and
// trailing bytes; the transactions themselves are decoded by the caller.
Result<std::vector<Bytes>> decode_tx_batch(ByteView in, size_t max_tx_bytes);

}  // namespace vt::node::p2p
