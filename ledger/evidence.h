// Evidence of double signing: one validator's two signed votes at one height,
// round and vote type for different values. It travels between peers and in
// blocks; executing a block that carries it slashes and jails the signer
// (BlockExecutor::apply_evidence). Pure value types and functions; thread-safe.
#pragma once

#include <string_view>

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

// The signer is named by key, not by its index in a validator set, so the
// evidence stays checkable after the set has changed.
struct DoubleSign {
  Ed25519Pubkey validator{};
  SignedVote a;
  SignedVote b;
  bool operator==(const DoubleSign&) const = default;
};

// Most evidence one block carries (each is a few hundred bytes).
inline constexpr size_t kMaxEvidencePerBlock = 16;

// vote: u8 type | u64 height | u32 round | u8 has_block | [32 block] |
//       u32 validator_index | 64 sig
void write_signed_vote(Writer& w, const SignedVote& v);
SignedVote read_signed_vote(Reader& r);
Bytes encode(const SignedVote& v);
Result<SignedVote> decode_signed_vote(ByteView in);

// evidence: 32 validator | vote a | vote b
Bytes encode(const DoubleSign& e);
Result<DoubleSign> decode_double_sign(ByteView in);
// tagged_hash("veritrain/evidence", encoding): its leaf in the header's evidence_root.
Hash256 evidence_hash(const DoubleSign& e);

// The two votes are one validator's (same index), at one height, round and
// type, for different values, and both signatures are `validator`'s on
// `chain_id`. Whether that key is a validator that can still be punished is the
// ledger's check (BlockExecutor::apply_evidence).
[[nodiscard]] Status check_double_sign(const DoubleSign& e, std::string_view chain_id);

}  // namespace vt::ledger
