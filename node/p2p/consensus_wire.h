// How signed consensus messages travel between peers: a vote with its
// signature, a proposal with its signature and the whole block, and evidence
// (two conflicting signed votes; ledger/evidence.h). Pure encoding and
// signature checks; no I/O.
// Thread-safe (functions of values).
#pragma once

#include <cstdint>
#include <string_view>

#include "consensus/messages.h"
#include "consensus/validator_set.h"
#include "core/bytes.h"
#include "core/keys.h"
#include "core/result.h"
#include "ledger/block.h"
#include "ledger/evidence.h"

namespace vt::node::p2p {

// Votes and double-sign evidence travel in the ledger's encoding
// (ledger/evidence.h), the one evidence also has in blocks.
using ledger::decode_signed_vote;
using ledger::encode;
using ledger::SignedVote;

// A proposal carries its block: blocks are smaller than a frame
// (max_block_bytes is bounded by the frame limit), so no block parts.
struct SignedProposal {
  consensus::Proposal proposal;
  Ed25519Sig sig{};
  Bytes block;  // ledger::encode(Block); its hash must be proposal.block
  bool operator==(const SignedProposal&) const = default;
};

// proposal: u64 height | u32 round | 32 block | u32 pol_round (two's complement) |
//           u32 proposer_index | 64 sig | u32 length | block
Bytes encode(const SignedProposal& p);
Result<SignedProposal> decode_signed_proposal(ByteView in, size_t max_block_bytes);

// The signer's key is the set's validator at the message's index.
[[nodiscard]] Status check_signature(const SignedVote& v, const consensus::ValidatorSet& set,
                                     std::string_view chain_id);
[[nodiscard]] Status check_signature(const SignedProposal& p, const consensus::ValidatorSet& set,
                                     std::string_view chain_id);
}  // namespace vt::node::p2p
