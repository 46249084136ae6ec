// Transactions travel between mempools in batches (MessageType::txs): one
// message per flush instead of one per transaction, decoded once on arrival.
// Each node also tells its peers who its peers are (MessageType::peers): a node
// that admits a transaction sends it to all of its peers, so whoever received
// it from that node need not relay it to them. Pure encoding; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace vt::node::p2p {

// u32 count | count x (u32 length | encoded transaction); count ≤ kMaxGossipBatch.
Bytes encode_tx_batch(const std::vector<Bytes>& txs);
// Refuses an empty or over-long batch, a transaction above max_tx_bytes and
// trailing bytes; the transactions themselves are decoded by the caller.
Result<std::vector<Bytes>> decode_tx_batch(ByteView in, size_t max_tx_bytes);

// u32 count | count x 20-byte node id; count ≤ kMaxPeerList. `ids` are node_id
// strings (40 lower-case hex digits); decoding gives them back in that form and
// refuses a malformed id, an over-long list and trailing bytes.
Bytes encode_peer_list(const std::vector<std::string>& ids);
Result<std::vector<std::string>> decode_peer_list(ByteView in);

}  // namespace vt::node::p2p
