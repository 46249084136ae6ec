// Commit certificates: the precommit signatures that made a block final, their
// check against the validator set of the block's height, and which set that is
// (the ledger's validators after the previous block). Stored beside each block
// by the node, and carried inside the next block as its last commit, where the
// ledger counts who signed (ledger/liveness.h). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/messages.h"
#include "consensus/validator_set.h"
#include "core/bytes.h"
#include "core/keys.h"
#include "core/result.h"
#include "ledger/objects.h"
#include "ledger/state.h"

namespace vt::ledger {

// One validator's precommit: its index in the set and its signature (absent
// when a node saw the vote but not its signature; such entries count for
// nothing and a block's last commit may not hold them).
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
// The largest encoding of a certificate with `validators` signatures.
constexpr size_t commit_certificate_max_bytes(size_t validators) {
  return 8 + 69 * validators;
}

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
// `block` at `height` in the certificate's round on `chain_id`, and the signers
// must hold more than 2/3 of the power.
CommitVerdict verify_commit(const consensus::ValidatorSet& set, std::string_view chain_id,
                            uint64_t height, const consensus::BlockId& block,
                            const CommitCertificate& cert);

// The consensus validator set of the ledger's validators (jailed ones and
// those without stake left out), in the ledger's order (by consensus key).
// An empty set is an error: the chain cannot go on.
Result<consensus::ValidatorSet> consensus_validators(const std::vector<Validator>& vals);
// The set that signs block h is validator_set_of(the state after block h-1):
// what block h-1 changes (a jail, a slash) counts from height h.
Result<consensus::ValidatorSet> validator_set_of(const StateReader& state);

// u32 count | count x (32 key | u64 power): how the state keeps the set that
// signed the head block (ledger/liveness.h).
Bytes encode(const consensus::ValidatorSet& set);
Result<consensus::ValidatorSet> decode_validator_set(ByteView in);

}  // namespace vt::ledger
