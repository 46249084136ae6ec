#include "ledger/block.h"

#include "core/encoding.h"
#include "core/merkle.h"
#include "core/sha256.h"

namespace vt::ledger {

namespace {
void write_header(Writer& w, const BlockHeader& h) {
  w.str(h.chain_id)
      .u64(h.height)
      .u64(h.time_ms)
      .fixed(h.prev_hash)
      .fixed(h.tx_root)
      .fixed(h.state_root);
  w.fixed(h.receipts_root).fixed(h.evidence_root).fixed(h.last_commit_hash);
  w.fixed(h.proposer).fixed(h.vrf_proof);
}

BlockHeader read_header(Reader& r) {
  BlockHeader h;
  h.chain_id = r.str("header.chain_id", 64);
  h.height = r.u64("header.height");
  h.time_ms = r.u64("header.time_ms");
  h.prev_hash = r.fixed<32>("header.prev_hash");
  h.tx_root = r.fixed<32>("header.tx_root");
  h.state_root = r.fixed<32>("header.state_root");
  h.receipts_root = r.fixed<32>("header.receipts_root");
  h.evidence_root = r.fixed<32>("header.evidence_root");
  h.last_commit_hash = r.fixed<32>("header.last_commit_hash");
  h.proposer = r.fixed<32>("header.proposer");
  h.vrf_proof = r.fixed<81>("header.vrf_proof");
  return h;
}
// Each signature entry takes at least 5 bytes: no more entries than that fit.
size_t commit_sigs_bound(size_t bytes) {
  return bytes / 5;
}
}  // namespace

Bytes encode(const BlockHeader& h) {
  Writer w;
  write_header(w, h);
  return w.take();
}

Hash256 block_hash(const BlockHeader& h) {
  return tagged_hash("veritrain/block", encode(h));
}

Hash256 compute_tx_root(const std::vector<Transaction>& txs) {
  std::vector<Hash256> leaves;
  leaves.reserve(txs.size());
  for (const auto& tx : txs) leaves.push_back(tx_hash(tx));
  return merkle_root(leaves);
}

Hash256 compute_evidence_root(const std::vector<Evidence>& evidence) {
  std::vector<Hash256> leaves;
  leaves.reserve(evidence.size());
  for (const auto& e : evidence) leaves.push_back(evidence_hash(e));
  return merkle_root(leaves);
}

Hash256 last_commit_hash(const CommitCertificate& c) {
  return tagged_hash("veritrain/last_commit", encode(c));
}

Bytes encode(const Block& b) {
  Writer w;
  write_header(w, b.header);
  w.u32(static_cast<uint32_t>(b.txs.size()));
  for (const auto& tx : b.txs) w.bytes(encode(tx));
  w.u32(static_cast<uint32_t>(b.evidence.size()));
  for (const auto& e : b.evidence) w.bytes(encode(e));
  w.bytes(encode(b.last_commit));
  return w.take();
}

Result<BlockHeader> decode_header(ByteView in) {
  Reader r(in);
  BlockHeader h = read_header(r);
  if (auto s = r.finish(); !s) return make_error("malformed block header: " + s.error());
  return h;
}

Result<Block> decode_block(ByteView in, size_t max_bytes, size_t max_txs, size_t max_tx_bytes) {
  if (in.size() > max_bytes)
    return make_error("block is " + std::to_string(in.size()) + " bytes, the limit is " +
                      std::to_string(max_bytes));
  Reader r(in);
  Block b;
  b.header = read_header(r);
  uint32_t n = r.u32("block.tx_count");
  if (r.ok() && n > max_txs)
    return make_error("block has " + std::to_string(n) + " transactions, the limit is " +
                      std::to_string(max_txs));
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    Bytes raw = r.bytes("block.tx", max_tx_bytes);
    if (!r.ok()) break;
    auto tx = decode_transaction(raw, max_tx_bytes);
    if (!tx) return make_error("block transaction " + std::to_string(i) + ": " + tx.error());
    b.txs.push_back(std::move(tx).value());
  }
  const uint32_t ne = r.u32("block.evidence_count");
  if (r.ok() && ne > kMaxEvidencePerBlock)
    return make_error("block has " + std::to_string(ne) + " pieces of evidence, the limit is " +
                      std::to_string(kMaxEvidencePerBlock));
  for (uint32_t i = 0; i < ne && r.ok(); ++i) {
    Bytes raw = r.bytes("block.evidence", kMaxEvidenceBytes);
    if (!r.ok()) break;
    auto e = decode_evidence(raw);
    if (!e) return make_error("block evidence " + std::to_string(i) + ": " + e.error());
    b.evidence.push_back(std::move(e).value());
  }
  // Bounded by max_bytes (the reader never reads past the input).
  const Bytes raw_commit = r.bytes("block.last_commit", max_bytes);
  if (r.ok()) {
    auto c = decode_commit_certificate(raw_commit, commit_sigs_bound(raw_commit.size()));
    if (!c) return make_error("block last commit: " + c.error());
    b.last_commit = std::move(c).value();
  }
  if (auto s = r.finish(); !s) return make_error("malformed block: " + s.error());
  return b;
}

}  // namespace vt::ledger
