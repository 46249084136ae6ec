#include "ledger/block_execution.h"

#include <cassert>
#include <optional>
#include <utility>

#include "core/merkle.h"
#include "ledger/randomness.h"
#include "ledger/receipt.h"
#include "ledger/state_access.h"

namespace vt::ledger {

const char* block_code_name(BlockCode c) {
  switch (c) {
    case BlockCode::ok:
      return "ok";
    case BlockCode::wrong_chain:
      return "wrong_chain";
    case BlockCode::wrong_height:
      return "wrong_height";
    case BlockCode::wrong_parent:
      return "wrong_parent";
    case BlockCode::time_not_after_parent:
      return "time_not_after_parent";
    case BlockCode::time_too_far_ahead:
      return "time_too_far_ahead";
    case BlockCode::wrong_proposer:
      return "wrong_proposer";
    case BlockCode::bad_randomness:
      return "bad_randomness";
    case BlockCode::too_many_txs:
      return "too_many_txs";
    case BlockCode::too_large:
      return "too_large";
    case BlockCode::tx_root_mismatch:
      return "tx_root_mismatch";
    case BlockCode::tx_refused:
      return "tx_refused";
    case BlockCode::state_root_mismatch:
      return "state_root_mismatch";
    case BlockCode::receipts_root_mismatch:
      return "receipts_root_mismatch";
    case BlockCode::evidence_root_mismatch:
      return "evidence_root_mismatch";
    case BlockCode::evidence_refused:
      return "evidence_refused";
    case BlockCode::last_commit_hash_mismatch:
      return "last_commit_hash_mismatch";
    case BlockCode::last_commit_refused:
      return "last_commit_refused";
  }
  return "unknown";
}

namespace {

std::optional<Validator> validator_of(const StateReader& state, const Ed25519Pubkey& key) {
  for (const Validator& v : read_validators(state))
    if (v.consensus_key == key && !v.jailed) return v;
  return std::nullopt;
}

// The context of block `height` proposed by `proposer` at `time_ms`, whose VRF
// proof gave `randomness` (block_randomness): the fee recipient from the
// validator record. The caller verifies the proof once (about a millisecond).
Result<BlockContext> context_for(const StateReader& state, uint64_t height,
                                 const Ed25519Pubkey& proposer, const Hash256& randomness,
                                 uint64_t time_ms, const DatasetSource* datasets,
                                 SignatureCache* signatures) {
  auto v = validator_of(state, proposer);
  if (!v) return make_error("the proposer " + to_hex(proposer) + " is not an active validator");
  BlockContext ctx;
  ctx.height = height;
  ctx.time_ms = time_ms;
  ctx.fee_recipient = v->operator_address;
  ctx.randomness = randomness;
  ctx.datasets = datasets;
  ctx.signatures = signatures;
  return ctx;
}

// Applies the block's changes and fills in the roots the header commits to.
ExecutedBlock finish_block(StateStore& state, Block block, BlockExecutor& exec) {
  ExecutedBlock out;
  out.result = std::move(exec).finish();
  out.undo = state.undo_for(out.result.changes);
  state.apply(out.result.changes);
  std::vector<Hash256> receipt_hashes;
  receipt_hashes.reserve(out.result.receipts.size());
  for (const Receipt& r : out.result.receipts) receipt_hashes.push_back(receipt_hash(r));
  // The executor hashed each transaction it applied; every one of them is in the block.
  assert(out.result.tx_hashes.size() == block.txs.size());
  block.header.tx_root = merkle_root(out.result.tx_hashes);
  block.header.evidence_root = compute_evidence_root(block.evidence);
  block.header.last_commit_hash = last_commit_hash(block.last_commit);
  block.header.state_root = state.root();
  block.header.receipts_root = merkle_root(receipt_hashes);
  out.block = std::move(block);
  return out;
}

BlockVerdict refuse(BlockCode code, std::string reason) {
  BlockVerdict v;
  v.code = code;
  v.reason = std::move(reason);
  return v;
}

}  // namespace

Result<ExecutedBlock> build_block(StateStore& state, const ParentBlock& parent,
                                  const DatasetSource* datasets, BlockProposal p,
                                  std::vector<std::pair<Hash256, std::string>>* left_out,
                                  SignatureCache* signatures) {
  const Params params = read_params(state);
  const uint64_t height = parent.height + 1;
  if (p.time_ms <= parent.time_ms)
    return make_error("block time " + std::to_string(p.time_ms) + " is not after the parent's " +
                      std::to_string(parent.time_ms));
  auto beta = block_randomness(state, height, p.proposer, p.vrf_proof);
  if (!beta) return beta.take_error();
  auto ctx = context_for(state, height, p.proposer, beta.value(), p.time_ms, datasets, signatures);
  if (!ctx) return ctx.take_error();
  BlockExecutor exec(state, ctx.value());
  if (auto s = exec.apply_last_commit(parent.hash, p.last_commit); !s) return s.take_error();
  Block block;
  block.last_commit = std::move(p.last_commit);
  size_t bytes = 0;
  for (Evidence& e : p.evidence) {
    if (block.evidence.size() >= kMaxEvidencePerBlock) break;
    if (auto s = exec.apply_evidence(e); !s) {
      if (left_out) left_out->emplace_back(evidence_hash(e), s.error());
      continue;
    }
    bytes += encode(e).size();
    block.evidence.push_back(std::move(e));
  }
  for (Transaction& tx : p.candidates) {
    if (block.txs.size() >= params.max_block_txs) break;
    const size_t size = encode(tx).size();
    if (bytes + size > p.max_bytes) continue;
    auto receipt = exec.apply(tx, size);
    if (!receipt) {
      if (left_out) left_out->emplace_back(tx_hash(tx), receipt.error());
      continue;
    }
    bytes += size;
    block.txs.push_back(std::move(tx));
  }
  auto& h = block.header;
  h.chain_id = params.chain_id;
  h.height = height;
  h.time_ms = p.time_ms;
  h.prev_hash = parent.hash;
  h.proposer = p.proposer;
  h.vrf_proof = p.vrf_proof;
  return finish_block(state, std::move(block), exec);
}

BlockVerdict check_block(StateStore& state, const ParentBlock& parent, const Block& block,
                         const Ed25519Pubkey& expected_proposer, uint64_t max_time_ms,
                         const DatasetSource* datasets, SignatureCache* signatures) {
  const Params params = read_params(state);
  const BlockHeader& h = block.header;
  if (h.chain_id != params.chain_id)
    return refuse(BlockCode::wrong_chain,
                  "the block is for chain '" + h.chain_id + "', not '" + params.chain_id + "'");
  if (h.height != parent.height + 1)
    return refuse(BlockCode::wrong_height, "block height " + std::to_string(h.height) +
                                               " does not follow the head at " +
                                               std::to_string(parent.height));
  if (h.prev_hash != parent.hash)
    return refuse(BlockCode::wrong_parent,
                  "prev_hash " + to_hex(h.prev_hash) + " is not the head " + to_hex(parent.hash));
  if (h.time_ms <= parent.time_ms)
    return refuse(BlockCode::time_not_after_parent, "block time " + std::to_string(h.time_ms) +
                                                        " is not after the parent's " +
                                                        std::to_string(parent.time_ms));
  if (h.time_ms > max_time_ms)
    return refuse(BlockCode::time_too_far_ahead, "block time " + std::to_string(h.time_ms) +
                                                     " is after this node's bound " +
                                                     std::to_string(max_time_ms));
  if (h.proposer != expected_proposer)
    return refuse(
        BlockCode::wrong_proposer,
        "proposer " + to_hex(h.proposer) + " is not the expected " + to_hex(expected_proposer));
  if (!validator_of(state, h.proposer))
    return refuse(BlockCode::wrong_proposer,
                  "proposer " + to_hex(h.proposer) + " is not an active validator");
  auto beta = block_randomness(state, h.height, h.proposer, h.vrf_proof);
  if (!beta) return refuse(BlockCode::bad_randomness, beta.error());
  if (block.txs.size() > params.max_block_txs)
    return refuse(BlockCode::too_many_txs, std::to_string(block.txs.size()) +
                                               " transactions, the limit is " +
                                               std::to_string(params.max_block_txs));
  if (const size_t size = encode(block).size(); size > params.max_block_bytes)
    return refuse(BlockCode::too_large, "the block is " + std::to_string(size) +
                                            " bytes, the limit is " +
                                            std::to_string(params.max_block_bytes));
  std::vector<Hash256> tx_hashes;  // each hashed once, for the root and the signature cache
  tx_hashes.reserve(block.txs.size());
  for (const Transaction& tx : block.txs) tx_hashes.push_back(tx_hash(tx));
  if (merkle_root(tx_hashes) != h.tx_root)
    return refuse(BlockCode::tx_root_mismatch, "tx_root does not match the transactions");
  if (signatures) {
    // Every signature in a valid block holds, so those this node has not seen
    // (a block from sync, or one whose transactions outran their gossip) are
    // checked as one batch: 0.4x the single checks at a thousand. If the batch
    // fails, each is checked alone below, which names the bad one.
    std::vector<SignatureCache::Pending> pending;
    for (size_t i = 0; i < block.txs.size(); ++i)
      if (!signatures->contains(tx_hashes[i]) && !signatures->refused(tx_hashes[i]))
        pending.push_back(pending_signature(block.txs[i], tx_hashes[i]));
    if (pending.size() >= SignatureCache::kMinBatch) (void)signatures->verify_batch(pending);
  }
  if (block.evidence.size() > kMaxEvidencePerBlock)
    return refuse(BlockCode::evidence_refused, std::to_string(block.evidence.size()) +
                                                   " pieces of evidence, the limit is " +
                                                   std::to_string(kMaxEvidencePerBlock));
  if (compute_evidence_root(block.evidence) != h.evidence_root)
    return refuse(BlockCode::evidence_root_mismatch, "evidence_root does not match the evidence");
  if (last_commit_hash(block.last_commit) != h.last_commit_hash)
    return refuse(BlockCode::last_commit_hash_mismatch,
                  "last_commit_hash does not match the last commit");

  auto ctx =
      context_for(state, h.height, h.proposer, beta.value(), h.time_ms, datasets, signatures);
  if (!ctx) return refuse(BlockCode::wrong_proposer, ctx.error());
  BlockExecutor exec(state, ctx.value());
  if (auto s = exec.apply_last_commit(h.prev_hash, block.last_commit); !s)
    return refuse(BlockCode::last_commit_refused, s.error());
  for (size_t i = 0; i < block.evidence.size(); ++i) {
    if (auto s = exec.apply_evidence(block.evidence[i]); !s)
      return refuse(BlockCode::evidence_refused,
                    "evidence " + std::to_string(i) + " is refused: " + s.error());
  }
  for (size_t i = 0; i < block.txs.size(); ++i) {
    auto receipt = exec.apply(block.txs[i], encode(block.txs[i]).size(), tx_hashes[i]);
    if (!receipt)
      return refuse(BlockCode::tx_refused, "transaction " + std::to_string(i) + " (" +
                                               to_hex(tx_hashes[i]) +
                                               ") is refused: " + receipt.error());
  }
  Block rebuilt;
  rebuilt.header = h;
  rebuilt.txs = block.txs;
  rebuilt.evidence = block.evidence;
  rebuilt.last_commit = block.last_commit;
  ExecutedBlock executed = finish_block(state, std::move(rebuilt), exec);
  const BlockHeader& mine = executed.block.header;
  BlockCode code = BlockCode::ok;
  std::string reason;
  if (mine.state_root != h.state_root) {
    code = BlockCode::state_root_mismatch;
    reason = "executing the block gives state root " + to_hex(mine.state_root) +
             ", the header says " + to_hex(h.state_root);
  } else if (mine.receipts_root != h.receipts_root) {
    code = BlockCode::receipts_root_mismatch;
    reason = "executing the block gives receipts root " + to_hex(mine.receipts_root) +
             ", the header says " + to_hex(h.receipts_root);
  }
  if (code != BlockCode::ok) {
    state.apply(executed.undo);
    return refuse(code, std::move(reason));
  }
  BlockVerdict ok;
  ok.executed = std::move(executed);
  return ok;
}

}  // namespace vt::ledger
