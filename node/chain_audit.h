// Checking a chain the way a node that syncs it must: each block through
// ledger::check_block (header, expected proposer, VRF, execution, roots) and
// its commit certificate through verify_commit (precommit signatures of more
// than 2/3 of the validator power for exactly that block). `veritraind
// verify-chain` runs audit_chain over a node's own database; block sync runs
// the same two checks on blocks from peers. The consensus engine stays free of
// crypto, so commit signatures are checked here. Single-threaded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/messages.h"
#include "consensus/validator_set.h"
#include "core/keys.h"
#include "core/result.h"
#include "ledger/block_execution.h"
#include "ledger/commit.h"
#include "ledger/genesis.h"
#include "node/chain_store.h"

namespace vt::node {

// Who may have built a block committed in `commit_round` at `height`: the
// proposer of that round or of an earlier one (a block that won a polka in an
// earlier round is re-proposed by later proposers unchanged, header included).
// nullopt when the header's proposer is none of them.
std::optional<Ed25519Pubkey> committed_block_proposer(const consensus::ValidatorSet& set,
                                                      uint64_t height, uint32_t commit_round,
                                                      const Ed25519Pubkey& header_proposer);

// What a replay of committed blocks (an audit, a sync) keeps in its own
// signature cache, whose batch of a block's signatures is checked before the
// block runs: more than the devnet's max_block_txs (5000). A bigger block still
// checks the same, its oldest entries evicted and checked again one by one.
inline constexpr size_t kReplaySignatureCacheSize = 1 << 14;

// A block that consensus committed (read from storage or sent by a peer):
// ledger::check_block with the proposer rule above and no bound on its time
// (the certificate makes it final), then verify_commit on its certificate.
// Success: `state` is advanced (the result's undo takes it back). Failure:
// `state` is unchanged and the reason names the check ("<code>: why").
// `signatures` (the caller's) lets the block's signatures be checked as a batch.
Result<ledger::ExecutedBlock> check_committed_block(
    ledger::StateStore& state, const ledger::ParentBlock& parent, const ledger::Block& block,
    const ledger::CommitCertificate& cert, const consensus::ValidatorSet& set,
    std::string_view chain_id, const ledger::DatasetSource* datasets,
    ledger::SignatureCache* signatures);

struct AuditReport {
  uint64_t blocks = 0;  // blocks checked (heights 1..blocks)
  Hash256 state_root{};
};
// Replays every stored block from the genesis on a fresh state and checks its
// commit against the validator set of its height; the first failure names the
// height, the code and why. At the end the replayed state root must equal the
// stored head's.
Result<AuditReport> audit_chain(const ChainStore& chain, const ledger::Genesis& genesis,
                                const ledger::DatasetSource* datasets);

}  // namespace vt::node
