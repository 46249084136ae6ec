// Evidence of equivocation: one validator's two conflicting signed messages,
// either two votes at one height, round and vote type for different values
// (DoubleSign), or two different proposals at one height and round
// (DoubleProposal). It travels between peers and in blocks; executing a block
// that carries it slashes and jails the signer (BlockExecutor::apply_evidence).
// Pure value types and functions; thread-safe.
#pragma once

#include <string_view>
#include <variant>

#include "consensus/messages.h"
#include "core/bytes.h"
#include "core/encoding.h"
#include "core/keys.h"
#include "core/result.h"

namespace vt::ledger {

// A consensus vote with its Ed25519 signature over consensus::sign_bytes.
struct SignedVote {
  consensus::Vote vote;
  Ed25519Sig sig{};
  bool operator==(const SignedVote&) const = default;
};

// A consensus proposal with its Ed25519 signature over consensus::sign_bytes
// (the block itself is not needed to prove two proposals).
struct SignedProposal {
  consensus::Proposal proposal;
  Ed25519Sig sig{};
  bool operator==(const SignedProposal&) const = default;
};

// The signer is named by key, not by its index in a validator set, so the
// evidence stays checkable after the set has changed.
struct DoubleSign {
  Ed25519Pubkey validator{};
  SignedVote a;
  SignedVote b;
  bool operator==(const DoubleSign&) const = default;
};
struct DoubleProposal {
  Ed25519Pubkey validator{};
  SignedProposal a;
  SignedProposal b;
  bool operator==(const DoubleProposal&) const = default;
};
using Evidence = std::variant<DoubleSign, DoubleProposal>;

// Most evidence one block carries (each is a few hundred bytes).
inline constexpr size_t kMaxEvidencePerBlock = 16;
// Largest evidence encoding (a double vote: 1 + 32 + 2 x 114 bytes).
inline constexpr size_t kMaxEvidenceBytes = 512;

// vote: u8 type | u64 height | u32 round | u8 has_block | [32 block] |
//       u32 validator_index | 64 sig
void write_signed_vote(Writer& w, const SignedVote& v);
SignedVote read_signed_vote(Reader& r);
Bytes encode(const SignedVote& v);
Result<SignedVote> decode_signed_vote(ByteView in);
// proposal: u64 height | u32 round | 32 block | i32 pol_round | u32 proposer_index | 64 sig
// (the wire's proposal message adds its block after these).
void write_signed_proposal(Writer& w, const SignedProposal& p);
SignedProposal read_signed_proposal(Reader& r);

// evidence: u8 kind | 32 validator | message a | message b, where kind 1 is a
// double vote (two votes as above) and kind 2 a double proposal (two of
// u64 height | u32 round | 32 block | i32 pol_round | u32 proposer_index | 64 sig).
Bytes encode(const Evidence& e);
Result<Evidence> decode_evidence(ByteView in);
// tagged_hash("veritrain/evidence", encoding): its leaf in the header's evidence_root.
Hash256 evidence_hash(const Evidence& e);

// The offender's key, the height and round of the offence, and what was
// signed twice ("prevote", "precommit" or "proposal").
const Ed25519Pubkey& offender(const Evidence& e);
uint64_t offence_height(const Evidence& e);
uint32_t offence_round(const Evidence& e);
const char* offence_name(const Evidence& e);

// Double vote: the two votes are one validator's (same index), at one height,
// round and type, for different values. Double proposal: the two proposals
// are at one height and round, by one proposer index, and differ. Either way
// both signatures must be `offender`'s on `chain_id`. Whether that key is a
// validator that can still be punished is the ledger's check
// (BlockExecutor::apply_evidence).
[[nodiscard]] Status check_equivocation(const Evidence& e, std::string_view chain_id);

}  // namespace vt::ledger
