// How signed consensus messages travel between peers: a vote with its
// signature, a proposal with its signature and the whole block, and evidence
// (two conflicting signed votes). Pure encoding and signature checks; no I/O.
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

namespace vt::node::p2p {

struct SignedVote {
  consensus::Vote vote;
  Ed25519Sig sig{};
  bool operator==(const SignedVote&) const = default;
};

// A proposal carries its block: blocks are smaller than a frame
// (max_block_bytes is bounded by the frame limit), so no block parts.
struct SignedProposal {
  consensus::Proposal proposal;
  Ed25519Sig sig{};
  Bytes block;  // ledger::encode(Block); its hash must be proposal.block
  bool operator==(const SignedProposal&) const = default;
};

// Two votes of one validator at one (height, round, type) for different values.
struct DoubleSignEvidence {
  SignedVote a;
  SignedVote b;
  bool operator==(const DoubleSignEvidence&) const = default;
};

// vote: u8 type | u64 height | u32 round | u8 has_block | [32 block] |
//       u32 validator_index | 64 sig
Bytes encode(const SignedVote& v);
Result<SignedVote> decode_signed_vote(ByteView in);
// proposal: u64 height | u32 round | 32 block | u32 pol_round (two's complement) |
//           u32 proposer_index | 64 sig | u32 length | block
Bytes encode(const SignedProposal& p);
Result<SignedProposal> decode_signed_proposal(ByteView in, size_t max_block_bytes);
// evidence: vote a | vote b
Bytes encode(const DoubleSignEvidence& e);
Result<DoubleSignEvidence> decode_evidence(ByteView in);

// The signer's key is the set's validator at the message's index.
[[nodiscard]] Status check_signature(const SignedVote& v, const consensus::ValidatorSet& set,
                                     std::string_view chain_id);
[[nodiscard]] Status check_signature(const SignedProposal& p, const consensus::ValidatorSet& set,
                                     std::string_view chain_id);
// Both votes signed by the same validator, same height, round and type, and
// different values; both signatures check.
[[nodiscard]] Status check_evidence(const DoubleSignEvidence& e, const consensus::ValidatorSet& set,
                                    std::string_view chain_id);

}  // namespace vt::node::p2p
