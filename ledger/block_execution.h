// Building a block and checking a received one against the committed state: the
// one place that executes a block's transactions and fills or checks its
// header, so a proposer and every validator run the same code. Pure: no clocks
// (the caller passes its bound on block time) and no I/O. Both functions leave
// `state` advanced by the block when they succeed and return the changes that
// take it back; on failure the state is as it was. Not thread-safe (one owner
// of the state).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/keys.h"
#include "core/result.h"
#include "core/vrf.h"
#include "ledger/block.h"
#include "ledger/executor.h"
#include "ledger/state.h"

namespace vt::ledger {

// Why a received block is refused. A validator never votes for a block it has
// not executed and found `ok`. Numbers are stable (they go into logs, metrics
// and peer-misbehaviour records).
enum class BlockCode : uint8_t {
  ok = 0,
  wrong_chain = 1,              // chain_id is not this chain's
  wrong_height = 2,             // not the parent's height + 1
  wrong_parent = 3,             // prev_hash is not the parent block's hash
  time_not_after_parent = 4,    // block time must increase
  time_too_far_ahead = 5,       // later than the caller's bound (its clock + allowed drift)
  wrong_proposer = 6,           // not the proposer consensus expects, or not a validator
  bad_randomness = 7,           // the VRF proof does not check against the declared key
  too_many_txs = 8,             // above max_block_txs
  too_large = 9,                // encoded block above max_block_bytes
  tx_root_mismatch = 10,        // tx_root is not the Merkle root of the transactions
  tx_refused = 11,              // a transaction fails admission (signature, nonce, fee, budget)
  state_root_mismatch = 12,     // executing the block gives another state root
  receipts_root_mismatch = 13,  // executing the block gives other receipts
  evidence_root_mismatch = 14,  // evidence_root is not the Merkle root of the evidence
  evidence_refused = 15,        // evidence that does not check, is too old or is punished already
  last_commit_hash_mismatch = 16,  // last_commit_hash is not the hash of the last commit
  last_commit_refused = 17,        // not >2/3 of the parent's signers, a bad or missing signature
};
const char* block_code_name(BlockCode c);

// The block a new one builds on (the chain's head).
struct ParentBlock {
  uint64_t height = 0;   // 0: the genesis
  Hash256 hash{};        // block hash (the genesis hash at height 0)
  uint64_t time_ms = 0;  // its block time (genesis time at height 0)
};

// A block with what executing it did.
struct ExecutedBlock {
  Block block;
  BlockResult result;
  ChangeSet undo;  // applied to the state, takes the block back out
};

// What the proposer puts in: its key, the VRF proof of the block's randomness
// (vrf_prove over vrf_alpha), the block time and the candidate transactions in
// the order to try them.
struct BlockProposal {
  Ed25519Pubkey proposer{};
  VrfProof vrf_proof{};
  uint64_t time_ms = 0;
  std::vector<Transaction> candidates;
  // Double-sign evidence to include (at most kMaxEvidencePerBlock are tried).
  std::vector<Evidence> evidence;
  // The precommits that committed the parent (empty at height 1), every entry signed.
  CommitCertificate last_commit;
  size_t max_bytes = 0;  // room for transactions (the node keeps a margin below max_block_bytes)
};

// Checks the last commit and counts missed blocks, applies the evidence, then executes the
// candidates in order against `state`, keeps what is admitted (a refused transaction or piece of
// evidence is left out; `left_out` gets its hash and reason when given) and fills the header. Fails
// (state unchanged) when the proposer is not a validator, its proof does not check, time does not
// move forward, or the last commit does not check. `signatures` (may be null) skips signatures
// verified before (mempool admission).
Result<ExecutedBlock> build_block(StateStore& state, const ParentBlock& parent,
                                  const DatasetSource* datasets, BlockProposal p,
                                  std::vector<std::pair<Hash256, std::string>>* left_out = nullptr,
                                  SignatureCache* signatures = nullptr);

struct BlockVerdict {
  BlockCode code = BlockCode::ok;
  std::string reason;      // for people (logs, RPC); never hashed
  ExecutedBlock executed;  // valid when code == ok
};

// Checks a received block against `state` (the state after `parent`): header
// fields, the expected proposer (consensus computes it from height and round),
// time after the parent and at most `max_time_ms`, the VRF proof, size limits,
// the transaction, evidence and last-commit hashes, and then checks the last
// commit (the previous height's precommit signatures, ledger/liveness.h),
// applies the evidence, executes every transaction and compares the state root
// and receipts root. ok: the state is advanced (executed.undo takes it back).
// The block's own commit comes later (ledger::verify_commit); the node checks both.
[[nodiscard]] BlockVerdict check_block(StateStore& state, const ParentBlock& parent,
                                       const Block& block, const Ed25519Pubkey& expected_proposer,
                                       uint64_t max_time_ms, const DatasetSource* datasets,
                                       SignatureCache* signatures = nullptr);

}  // namespace vt::ledger
