// Transactions: chain id, sender, nonce, fee and one typed message, signed with
// BIP-340 over a domain-tagged hash of the canonical encoding. Value types.
#pragma once

#include <string>
#include <variant>

#include "core/bech32m.h"
#include "core/bytes.h"
#include "core/keys.h"
#include "core/result.h"
#include "core/vrf.h"
#include "ledger/objects.h"

namespace vt::ledger {

struct Transfer {
  Address to{};
  Amount amount = 0;
  bool operator==(const Transfer&) const = default;
};
struct ProviderRegister {
  Amount stake = 0;  // moved from balance to the provider's bonded stake
  std::string endpoint;
  bool operator==(const ProviderRegister&) const = default;
};
struct Stake {
  Amount amount = 0;
  bool operator==(const Stake&) const = default;
};
struct Unstake {
  Amount amount = 0;
  bool operator==(const Unstake&) const = default;
};
struct JobSubmit {
  std::string spec_json;  // validated and stored under the hash of its canonical form
  Amount payment = 0;     // moved into escrow
  Amount bond = 0;        // required of the provider who accepts
  uint64_t deadline_blocks = 0;
  // Segments to replay: 0 takes the chain's pol_samples; a job may ask for more
  // (up to kMaxAssignments), paying one verifier_fee for each.
  uint32_t samples = 0;
  bool operator==(const JobSubmit&) const = default;
};
struct JobAccept {
  uint64_t job_id = 0;
  bool operator==(const JobAccept&) const = default;
};
struct JobCancel {
  uint64_t job_id = 0;
  bool operator==(const JobCancel&) const = default;
};

// Proof of learning (docs/proof-of-learning.md).
struct VerifierRegister {
  Amount stake = 0;  // moved from balance to the new verifier's stake
  bool operator==(const VerifierRegister&) const = default;
};
struct VerifierStake {
  Amount amount = 0;  // added to a registered verifier's stake from its balance
  bool operator==(const VerifierStake&) const = default;
};
struct JobCommit {
  uint64_t job_id = 0;
  Bytes commitment;  // verifier::encode(Commitment)
  // Blob hash of the provider's checkpoint manifest (state hash -> checkpoint blob),
  // so verifiers find the checkpoints from the chain alone. Not trusted: every
  // fetched checkpoint is checked against the committed state hash.
  Hash256 manifest{};
  bool operator==(const JobCommit&) const = default;
};
struct AttestCommit {
  uint64_t job_id = 0;
  uint64_t segment = 0;
  Hash256 commitment{};  // verifier::attestation_commitment
  bool operator==(const AttestCommit&) const = default;
};
struct AttestReveal {
  uint64_t job_id = 0;
  uint64_t segment = 0;
  Bytes reveal;  // verifier::encode(Reveal)
  bool operator==(const AttestReveal&) const = default;
};
struct ProviderProbe {
  uint64_t job_id = 0;
  uint64_t segment = 0;
  Hash256 probe_leaf{};  // the provider's trace leaf of step start + r
  bool operator==(const ProviderProbe&) const = default;
};

// Disputes (docs/proof-of-learning.md, "On chain: disputes").
// The assigned verifier of a sampled segment could not get the checkpoint at the
// segment's start: the provider must post it (checkpoint_post) within
// pol_dispute_window blocks or lose its bond. Commit window only.
struct CheckpointRequest {
  uint64_t job_id = 0;
  uint64_t segment = 0;
  bool operator==(const CheckpointRequest&) const = default;
};
// A bisection move by the dispute's provider or challenger (the signer).
struct DisputeMove {
  uint64_t dispute_id = 0;
  Bytes move;  // verifier::encode(Move): u8 kind | 32-byte hash
  bool operator==(const DisputeMove&) const = default;
};
// A checkpoint (safetensors bytes) for a dispute, from anyone: for a finished
// bisection the state at step lo, which every validator re-executes one step
// from (the referee); for an availability dispute the requested checkpoint.
// The bytes travel in the block so every validator has them.
struct CheckpointPost {
  uint64_t dispute_id = 0;
  Bytes checkpoint;
  bool operator==(const CheckpointPost&) const = default;
};

// Moves verifier stake into unbonding (released after unbonding_blocks). Only
// with no assignment or dispute in progress; what stays staked must be zero or
// at least min_verifier_stake.
struct VerifierUnstake {
  Amount amount = 0;
  bool operator==(const VerifierUnstake&) const = default;
};

// Validator set changes (docs/consensus.md, "Validator set changes"). The
// sender is the validator's operator: it pays the stake, receives the fees of
// the validator's blocks and its unbonded stake. What block h changes counts
// in the set from height h + 1.
struct ValidatorRegister {
  Ed25519Pubkey consensus_key{};
  VrfPublicKey vrf_key{};  // vrf_public_key(vrf_secret_from_seed(consensus seed))
  Amount stake = 0;        // at least min_validator_stake, moved from the balance
  // The consensus key's signature over validator_register_proof_bytes: nobody
  // can register (and so lock out) a key it does not hold.
  Ed25519Sig proof{};
  bool operator==(const ValidatorRegister&) const = default;
};
struct ValidatorStake {
  Ed25519Pubkey consensus_key{};
  Amount amount = 0;
  bool operator==(const ValidatorStake&) const = default;
};
// Moves stake into unbonding (released to the operator after unbonding_blocks);
// what stays is zero (the validator leaves the set) or at least min_validator_stake.
struct ValidatorUnstake {
  Ed25519Pubkey consensus_key{};
  Amount amount = 0;
  bool operator==(const ValidatorUnstake&) const = default;
};
// A jailed validator back into the set (never one jailed for double signing).
struct ValidatorUnjail {
  Ed25519Pubkey consensus_key{};
  bool operator==(const ValidatorUnjail&) const = default;
};

// What a ValidatorRegister's proof signs: "veritrain/validator-register" 0x00 |
// u16 len(chain_id) | chain_id | 32 operator | 33 vrf_key.
Bytes validator_register_proof_bytes(std::string_view chain_id, const Address& operator_address,
                                     const VrfPublicKey& vrf_key);

// The variant index is the message's tag on the wire: append, never reorder.
using Message =
    std::variant<Transfer, ProviderRegister, Stake, Unstake, JobSubmit, JobAccept, JobCancel,
                 VerifierRegister, JobCommit, AttestCommit, AttestReveal, ProviderProbe,
                 VerifierStake, CheckpointRequest, DisputeMove, CheckpointPost, VerifierUnstake,
                 ValidatorRegister, ValidatorStake, ValidatorUnstake, ValidatorUnjail>;
const char* message_name(const Message& m);

struct Transaction {
  std::string chain_id;
  Address sender{};
  uint64_t nonce = 0;
  Amount fee = 0;
  Message msg;
  SchnorrSig sig{};
  bool operator==(const Transaction&) const = default;
};

// The hash the sender signs: tagged_hash("veritrain/tx-sign", encoding without sig).
Hash256 signing_hash(const Transaction& tx);
// The transaction's id: tagged_hash("veritrain/tx", full encoding).
Hash256 tx_hash(const Transaction& tx);
// The same id from the bytes as received: encodings are canonical, so it equals
// tx_hash(decoded) whenever `encoded` decodes (no decoding needed to find a copy).
Hash256 tx_hash_of_encoding(ByteView encoded);
void sign(Transaction& tx, const SchnorrKey& key);
// Signature check only (the sender's address is its BIP-340 public key).
bool signature_valid(const Transaction& tx);

Bytes encode(const Transaction& tx);
// Canonical and bounded: rejects unknown tags, over-long fields, trailing bytes.
Result<Transaction> decode_transaction(ByteView in, size_t max_bytes);

}  // namespace vt::ledger
