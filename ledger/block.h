// Blocks: a header that commits to the previous block, the transactions and the
// state after them, plus the transactions. A block's own commit (the precommits
// that made it final) is stored beside it; the next block carries it as its
// last commit, which the header commits to.
#pragma once

#include <vector>

#include "core/bytes.h"
#include "core/keys.h"
#include "core/result.h"
#include "core/vrf.h"
#include "ledger/commit.h"
#include "ledger/evidence.h"
#include "ledger/transaction.h"

namespace vt::ledger {

struct BlockHeader {
  std::string chain_id;
  uint64_t height = 0;
  uint64_t time_ms = 0;  // proposer's clock, unix milliseconds; must not go back
  Hash256 prev_hash{};
  Hash256 tx_root{};           // merkle_root of the transaction hashes
  Hash256 state_root{};        // state root after executing this block
  Hash256 receipts_root{};     // merkle_root of receipt hashes (outcomes are committed too)
  Hash256 evidence_root{};     // merkle_root of evidence_hash over the block's evidence
  Hash256 last_commit_hash{};  // last_commit_hash(block.last_commit)
  Ed25519Pubkey proposer{};
  // The proposer's ECVRF proof of this block's randomness (ledger/randomness.h).
  VrfProof vrf_proof{};
  bool operator==(const BlockHeader&) const = default;
};

struct Block {
  BlockHeader header;
  std::vector<Transaction> txs;
  // Double signing punished by this block, executed before the transactions.
  std::vector<Evidence> evidence;
  // The precommits that committed the previous block (empty at height 1): who
  // signed counts for missed-block jailing (ledger/liveness.h).
  CommitCertificate last_commit;
  bool operator==(const Block&) const = default;
};

Hash256 block_hash(const BlockHeader& h);  // tagged_hash("veritrain/block", header encoding)
Hash256 compute_tx_root(const std::vector<Transaction>& txs);
Hash256 compute_evidence_root(const std::vector<Evidence>& evidence);
// tagged_hash("veritrain/last_commit", encode(c)).
Hash256 last_commit_hash(const CommitCertificate& c);

Bytes encode(const BlockHeader& h);
Bytes encode(const Block& b);
Result<BlockHeader> decode_header(ByteView in);
// header | u32 tx count | txs (length-prefixed) | u32 evidence count (at most
// kMaxEvidencePerBlock) | evidence (length-prefixed) | last commit (its
// encoding, length-prefixed). max_bytes bounds the whole encoding.
Result<Block> decode_block(ByteView in, size_t max_bytes, size_t max_txs, size_t max_tx_bytes);

}  // namespace vt::ledger
