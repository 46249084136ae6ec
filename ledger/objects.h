// The ledger's state objects and their canonical encodings. Every amount is an
// integer count of the smallest unit ("uvt"); there is no floating point here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bech32m.h"
#include "core/bytes.h"
#include "core/keys.h"
#include "core/result.h"
#include "core/vrf.h"
#include "verifier/dispute.h"

namespace vt::ledger {

using Amount = uint64_t;

// Overflow-checked arithmetic: amounts never wrap silently.
[[nodiscard]] inline bool add_overflows(Amount a, Amount b) {
  return a > UINT64_MAX - b;
}

struct Account {
  Amount balance = 0;
  uint64_t nonce = 0;  // the nonce the next transaction from this account must carry
  bool operator==(const Account&) const = default;
};

inline constexpr size_t kMaxEndpointBytes = 256;  // Provider::endpoint

struct Provider {
  Address owner{};
  Amount stake = 0;   // bonded, slashable
  Amount locked = 0;  // part of stake locked as bonds of accepted jobs (locked <= stake)
  std::string endpoint;
  uint64_t registered_height = 0;
  uint64_t jobs_accepted = 0;
  uint64_t jobs_expired = 0;  // accepted and never delivered
  uint64_t jobs_settled = 0;  // verified (or unverifiable) and paid
  uint64_t jobs_slashed = 0;  // lost a dispute or withheld a checkpoint: the reputation record
  bool operator==(const Provider&) const = default;
};

// Leaves room for the proof-of-learning steps (committed, verifying, settled, slashed).
enum class JobStatus : uint8_t {
  Open = 0,
  Accepted = 1,
  Committed = 2,
  Verifying = 3,
  Settled = 4,
  Slashed = 5,
  Expired = 6,
  Cancelled = 7,
  // Committed, but no eligible verifier appeared within pol_wait_blocks: the
  // client was refunded and the bond released. Never paid unverified.
  Unverified = 8,
};
inline constexpr std::size_t kJobStatusCount = 9;  // the enumerators above, 0..8
const char* job_status_name(JobStatus s);
std::optional<JobStatus> job_status_from_name(std::string_view name);

struct Job {
  uint64_t id = 0;
  Address client{};
  Hash256 spec_hash{};
  Amount payment = 0;        // held in escrow while the job is live
  Amount bond_required = 0;  // locked from the provider's stake on acceptance
  JobStatus status = JobStatus::Open;
  std::optional<Address> provider;
  uint64_t created_height = 0;
  uint64_t deadline_height = 0;  // delivery deadline; past it the job expires
  uint64_t accepted_height = 0;
  uint64_t closed_height = 0;  // height of the terminal transition, 0 while live
  uint32_t samples = 0;        // m: segments replayed, fixed at submission
  bool operator==(const Job&) const = default;
};

// A registered verifier: its stake weights its chance of being assigned segments.
struct Verifier {
  Address owner{};
  Amount stake = 0;  // bonded; a challenger that loses a dispute loses false_challenge_slash
  uint64_t registered_height = 0;
  uint64_t segments_assigned = 0;
  uint64_t segments_agreed = 0;  // revealed in time and agreed with the provider
  uint64_t disputes_won = 0;
  uint64_t disputes_lost = 0;
  // Assigned segments not yet judged plus its disputes not yet resolved: while
  // non-zero the stake may be slashed, so it cannot be unstaked.
  uint64_t active_assignments = 0;
  // Sampled only from this height on: registering or adding stake (re)starts
  // verifier_activation_blocks, so nobody joins knowing a pending commitment.
  uint64_t activation_height = 0;
  // The height by which the replay work already assigned to it is due, at the
  // chain's verifier_replay_budget per pol_commit_window: new work queues behind.
  uint64_t busy_until = 0;
  bool operator==(const Verifier&) const = default;
};

// A data set the chain accepts jobs on (the genesis registry): the name and
// the SHA-256 of each decompressed IDX file, exactly as job specs name them.
// Every validator must hold each one (the node refuses to start otherwise), so
// a referee step never meets data it lacks.
struct DatasetEntry {
  std::string name;
  Hash256 train_images{}, train_labels{}, test_images{}, test_labels{};
  bool operator==(const DatasetEntry&) const = default;
};
// tagged_hash("veritrain/dataset", encoding): the registry key.
Hash256 dataset_id(const DatasetEntry& d);

// What judging (after the reveal window) made of an assignment.
enum class AssignmentResult : uint8_t {
  pending = 0,   // not judged yet
  agreed = 1,    // same end hash and probe as the provider: earns the fee
  absent = 2,    // no commit or no reveal: no fee (it returns to the client)
  disputed = 3,  // a dispute was opened (its record says how it ended)
};
const char* assignment_result_name(AssignmentResult r);

// One seat on a sampled segment's committee: the segment, its verifier and
// what each side posted about it.
struct Assignment {
  uint64_t segment = 0;
  Address verifier{};
  std::optional<Hash256> attest_commitment;  // AttestCommit, in the commit window
  bool revealed = false;                     // AttestReveal checked by check_reveal
  Hash256 revealed_end{};                    // the verifier's h_end (valid when revealed)
  Hash256 revealed_probe{};                  // the verifier's leaf of step start+r (when revealed)
  std::optional<Hash256> provider_probe;     // ProviderProbe, in the reveal window
  AssignmentResult result = AssignmentResult::pending;
  bool operator==(const Assignment&) const = default;
};

// The proof-of-learning record of a committed job (the commitment itself is
// stored apart, under keys::commitment). Heights are inclusive last heights.
struct JobPol {
  uint64_t job_id = 0;
  Hash256 root{};      // verifier::commitment_root of the commitment
  Hash256 manifest{};  // blob hash of the provider's checkpoint manifest (from JobCommit)
  uint64_t commit_height = 0;
  uint64_t sample_height = 0;    // begin_block of this height samples (seed from its parent)
  uint64_t commit_deadline = 0;  // last height for AttestCommit (0 until sampled)
  // The provider posts its probes first (commit_deadline + 1 .. probe_deadline),
  // then the verifiers reveal (probe_deadline + 1 .. reveal_deadline): the
  // provider never sees a verifier's probe before committing to its own.
  uint64_t probe_deadline = 0;        // last height for ProviderProbe
  uint64_t reveal_deadline = 0;       // last height for AttestReveal
  std::optional<Hash256> probe_seed;  // hash of block commit_deadline, set at commit_deadline + 1
  // Ascending by segment; a segment's committee (Params::pol_redundancy
  // verifiers) in draw order, one assignment each.
  std::vector<Assignment> assignments;
  bool judged = false;             // reveals judged (at reveal_deadline + 1)
  std::vector<uint64_t> disputes;  // ids of this job's disputes, in opening order
  bool operator==(const JobPol&) const = default;
};
// Bound on assignments per record (samples * pol_redundancy is at most this); a
// job has at most two disputes per assignment (availability, then bisection).
inline constexpr uint32_t kMaxAssignments = 1024;
// Bound on Params::pol_redundancy (verifiers per sampled segment).
inline constexpr uint32_t kMaxRedundancy = 16;

// A dispute between a job's provider and one of its verifiers (the challenger).
//  - `end`, `probe`: the bisection game (verifier::Dispute) over a sampled
//    segment, ended by a timeout or by the referee step on a posted checkpoint.
//  - `availability`: the verifier could not get the checkpoint at the segment's
//    start; the provider must post it on chain (checkpoint_post) in time.
enum class DisputeKind : uint8_t { end = 0, probe = 1, availability = 2 };
const char* dispute_kind_name(DisputeKind k);
// Who lost, once resolved. `nobody`: a published checkpoint, or a dispute made
// moot because the provider was already slashed in another one.
enum class DisputeLoser : uint8_t { open = 0, provider = 1, challenger = 2, nobody = 3 };
const char* dispute_loser_name(DisputeLoser l);

struct DisputeRecord {
  uint64_t id = 0;
  uint64_t job_id = 0;
  uint64_t segment = 0;
  DisputeKind kind = DisputeKind::end;
  Address provider{}, challenger{};
  uint64_t opened_height = 0;
  // Bisection state (end/probe). For `availability` only lo (the step wanted),
  // lo_hash (its committed hash) and deadline are used.
  verifier::Dispute game;
  DisputeLoser loser = DisputeLoser::open;
  std::string outcome;  // why it ended, e.g. "fraud_proven", "checkpoint_withheld"
  uint64_t resolved_height = 0;
  std::optional<Hash256> referee_next;  // the referee's true h_(lo+1), when it ran
  // SHA-256 of the checkpoint that was posted and accepted (the node keeps it
  // as a blob under this hash): the published state, or the referee's input.
  std::optional<Hash256> checkpoint_blob;
  // Parties whose checkpoint_post failed (bit 0 provider, bit 1 challenger):
  // each may fail once, so posts for one obligation stay within three.
  uint8_t failed_posts = 0;
  bool open() const { return loser == DisputeLoser::open; }
  bool operator==(const DisputeRecord&) const = default;
};

// Longest role and reason of a slash (both are codes, e.g. "verifier" and
// "checkpoint_withheld").
inline constexpr size_t kMaxSlashRoleBytes = 64;
inline constexpr size_t kMaxSlashReasonBytes = 256;

// A slash: stake or bond taken from `offender`; `reward` of it paid to
// `beneficiary`, `paid_fees` to agreeing verifiers, the rest burned.
struct SlashRecord {
  uint64_t id = 0;
  uint64_t height = 0;
  uint64_t job_id = 0;
  uint64_t dispute_id = 0;
  Address offender{};
  std::string role;  // "provider" (its bond) or "verifier" (its stake)
  Amount amount = 0;
  Address beneficiary{};
  Amount reward = 0;
  Amount paid_fees = 0;
  Amount burned = 0;
  std::string reason;
  bool operator==(const SlashRecord&) const = default;
};

// Stake leaving a provider, verifier or validator: released to the owner's
// balance at release_height. A validator's stands under its consensus key, so
// double-sign evidence that lands meanwhile can still cut it (an offender
// cannot unstake its way out); a provider's or verifier's has an all-zero key.
struct Unbonding {
  Address owner{};
  Amount amount = 0;
  uint64_t release_height = 0;
  Ed25519Pubkey validator{};
  bool operator==(const Unbonding&) const = default;
};

struct Validator {
  Ed25519Pubkey consensus_key{};
  Address operator_address{};  // receives the fees of blocks this validator proposes
  Amount power = 0;            // bonded stake in uvt, counted in the total supply; the voting power
  bool jailed = false;         // out of the validator set from the next height
  bool tombstoned = false;     // jailed for double signing: never back, never slashed again
  // Proves each block's randomness (ECVRF-P256, core/vrf.h); derived from the
  // validator's Ed25519 seed (vrf_secret_from_seed), declared in genesis.
  VrfPublicKey vrf_key{};
  bool operator==(const Validator&) const = default;
};

Bytes encode(const Account&);
Bytes encode(const Provider&);
Bytes encode(const Job&);
Bytes encode(const Unbonding&);
Bytes encode(const Validator&);
Bytes encode(const Verifier&);
Bytes encode(const JobPol&);
Bytes encode(const DisputeRecord&);
Bytes encode(const SlashRecord&);
Bytes encode(const DatasetEntry&);
Result<Account> decode_account(ByteView);
Result<Provider> decode_provider(ByteView);
Result<Job> decode_job(ByteView);
Result<Unbonding> decode_unbonding(ByteView);
Result<Validator> decode_validator(ByteView);
Result<Verifier> decode_verifier(ByteView);
Result<JobPol> decode_job_pol(ByteView);
Result<DisputeRecord> decode_dispute_record(ByteView);
Result<SlashRecord> decode_slash_record(ByteView);
Result<DatasetEntry> decode_dataset(ByteView);

}  // namespace vt::ledger
