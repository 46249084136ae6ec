#include "node/p2p/tx_gossip.h"

#include <string>

#include "core/encoding.h"
#include "node/p2p/secret_stream.h"

namespace vt::node::p2p {

Bytes encode_tx_batch(const std::vector<Bytes>& txs) {
  Writer w;
  w.u32(static_cast<uint32_t>(txs.size()));
  for (const Bytes& tx : txs) w.bytes(tx);
  return w.take();
}

Result<std::vector<Bytes>> decode_tx_batch(ByteView in, size_t max_tx_bytes) {
  Reader r(in);
  const uint32_t n = r.u32("txs.count");
  if (r.ok() && (n == 0 || n > kMaxGossipBatch))
    return make_error("a transaction batch of " + std::to_string(n) + ", allowed 1 to " +
                      std::to_string(kMaxGossipBatch));
  std::vector<Bytes> out;
  for (uint32_t i = 0; i < n && r.ok(); ++i) out.push_back(r.bytes("txs.tx", max_tx_bytes));
  if (auto s = r.finish(); !s) return make_error("malformed transaction batch: " + s.error());
  return out;
}

}  // namespace vt::node::p2p
