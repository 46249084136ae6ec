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

Bytes encode_peer_list(const std::vector<std::string>& ids) {
  std::vector<Bytes> raw;  // node ids come from handshakes; skip anything else
  for (const std::string& id : ids)
    if (auto r = from_hex(id); r && r->size() == kNodeIdBytes && raw.size() < kMaxPeerList)
      raw.push_back(std::move(r).value());
  Writer w;
  w.u32(static_cast<uint32_t>(raw.size()));
  for (const Bytes& id : raw) w.fixed(id);
  return w.take();
}

Result<std::vector<std::string>> decode_peer_list(ByteView in) {
  Reader r(in);
  const uint32_t n = r.u32("peers.count");
  if (r.ok() && n > kMaxPeerList)
    return make_error("a peer list of " + std::to_string(n) + ", allowed at most " +
                      std::to_string(kMaxPeerList));
  std::vector<std::string> out;
  for (uint32_t i = 0; i < n && r.ok(); ++i)
    out.push_back(to_hex(r.fixed<kNodeIdBytes>("peers.id")));
  if (auto s = r.finish(); !s) return make_error("malformed peer list: " + s.error());
  return out;
}

}  // namespace vt::node::p2p
