// The ledger's state objects and their canonical encodings. Every amount is an
// integer count of the smallest unit ("uvt"); there is no floating point here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/bech32m.h"
#include "core/bytes.h"
#include "core/keys.h"
#include "core/result.h"

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

struct Provider {
  Address owner{};
  Amount stake = 0;   // bonded, slashable
  Amount locked = 0;  // part of stake locked as bonds of accepted jobs (locked <= stake)
  std::string endpoint;
  uint64_t registered_height = 0;
  uint64_t jobs_accepted = 0;
  uint64_t jobs_expired = 0;  // accepted and never delivered
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
};
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
  bool operator==(const Job&) const = default;
};

// Stake leaving a provider: released to the balance at release_height.
struct Unbonding {
  Address owner{};
  Amount amount = 0;
  uint64_t release_height = 0;
  bool operator==(const Unbonding&) const = default;
};

struct Validator {
  Ed25519Pubkey consensus_key{};
  Address operator_address{};  // receives the fees of blocks this validator proposes
  Amount power = 0;
  bool jailed = false;
  bool operator==(const Validator&) const = default;
};

Bytes encode(const Account&);
Bytes encode(const Provider&);
Bytes encode(const Job&);
Bytes encode(const Unbonding&);
Bytes encode(const Validator&);
Result<Account> decode_account(ByteView);
Result<Provider> decode_provider(ByteView);
Result<Job> decode_job(ByteView);
Result<Unbonding> decode_unbonding(ByteView);
Result<Validator> decode_validator(ByteView);

}  // namespace vt::ledger
