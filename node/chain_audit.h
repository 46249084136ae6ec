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
#include "ledger/genesis.h"
#include "node/chain_store.h"

namespace vt::node {

// The precommits that committed a block, stored beside it: the round and, per
// validator that precommitted, its index and signature (absent when this node
// saw the vote but not its signature).
struct CommitSig {
  uint32_t validator_index = 0;
  std::optional<Ed25519Sig> sig;
  bool operator==(const CommitSig&) const = default;
};
struct CommitCertificate {
  uint32_t round = 0;
  std::vector<CommitSig> sigs;
  bool operator==(const CommitCertificate&) const = default;
};
// u32 round | u32 count | count x (u32 index | u8 has_sig | [64 sig]).
Bytes encode(const CommitCertificate& c);
Result<CommitCertificate> decode_commit_certificate(ByteView in, size_t max_sigs);

enum class CommitCode : uint8_t {
  ok = 0,
  unknown_validator = 1,    // an index outside the validator set
  duplicate_validator = 2,  // one validator counted twice
  bad_signature = 3,        // a signature that is not the validator's precommit for this block
  not_enough_power = 4,     // the valid signatures hold 2/3 of the power or less
};
const char* commit_code_name(CommitCode c);
struct CommitVerdict {
  CommitCode code = CommitCode::ok;
  std::string reason;
};
// Each signature must be validator i's precommit (consensus::sign_bytes) for
// `block` at `height` in the certificate's round on `chain_id`.
CommitVerdict verify_commit(const consensus::ValidatorSet& set, std::string_view chain_id,
                            uint64_t height, const consensus::BlockId& block,
                            const CommitCertificate& cert);

// Who may have built a block committed in `commit_round` at `height`: the
// proposer of that round or of an earlier one (a block that won a polka in an
// earlier round is re-proposed by later proposers unchanged, header included).
// nullopt when the header's proposer is none of them.
std::optional<Ed25519Pubkey> committed_block_proposer(const consensus::ValidatorSet& set,
                                                      uint64_t height, uint32_t commit_round,
                                                      const Ed25519Pubkey& header_proposer);

// A block that consensus committed (read from storage or sent by a peer):
// ledger::check_block with the proposer rule above and no bound on its time
// (the certificate makes it final), then verify_commit on its certificate.
// Success: `state` is advanced (the result's undo takes it back). Failure:
// `state` is unchanged and the reason names the check ("<code>: why").
Result<ledger::ExecutedBlock> check_committed_block(
    ledger::StateStore& state, const ledger::ParentBlock& parent, const ledger::Block& block,
    const CommitCertificate& cert, const consensus::ValidatorSet& set, std::string_view chain_id,
    const ledger::DatasetSource* datasets);

// The consensus validator set of the ledger's validators (jailed ones and
// those without stake left out), in the ledger's order (by consensus key).
// An empty set is an error: the chain cannot go on.
Result<consensus::ValidatorSet> consensus_validators(const std::vector<ledger::Validator>& vals);
// The set that signs block h is validator_set_of(the state after block h-1):
// what block h-1 changes (a jail, a slash) counts from height h.
Result<consensus::ValidatorSet> validator_set_of(const ledger::StateReader& state);

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
