// Where each ledger object lives in the key-value state, and typed reads and
// writes over it. Stored bytes that fail to decode mean the state is corrupt:
// that is a bug, so it aborts with a message rather than returning an error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/objects.h"
#include "ledger/params.h"
#include "ledger/state.h"

namespace vt::ledger {

// Key layout: one prefix byte per object kind, then big-endian fields so that
// prefix scans come out in numeric order.
namespace keys {
enum Prefix : uint8_t {
  kParams = 0x00,
  kNextJobId = 0x01,
  kCounters = 0x02,    // counter name byte -> u64 (next dispute id, next slash id, burned)
  kRandomness = 0x03,  // the last block's VRF output (genesis: genesis_seed)
  kSigningSet = 0x04,  // the validator set that signed the head block (ledger/liveness.h)
  kAccount = 0x10,
  kProvider = 0x11,
  kValidator = 0x12,
  kVerifier = 0x13,
  kDataset = 0x14,   // dataset_id -> DatasetEntry (the genesis registry)
  kLiveness = 0x15,  // consensus key -> Liveness (ledger/liveness.h)
  kJob = 0x20,
  kSpec = 0x21,
  kJobExpiry = 0x22,    // expiry height || job id -> empty
  kCommitment = 0x23,   // job id -> encoded verifier::Commitment
  kJobPol = 0x24,       // job id -> JobPol
  kPolWork = 0x25,      // height || job id -> empty: sampling, probe seed or settlement due
  kDispute = 0x26,      // dispute id -> DisputeRecord
  kDisputeWork = 0x27,  // height || dispute id -> empty: its deadline passed, apply the timeout
  kSlash = 0x28,        // slash id -> SlashRecord
  kPostsDue = 0x29,     // height -> u32: checkpoint posts that fall due at that height
  kJobSlash = 0x2A,     // job id || slash id -> empty: the job's slashes (an index)
  kUnbonding = 0x30,    // release height || owner || validator key (or zeros) -> Unbonding
  kValidatorUnbonding = 0x31,  // consensus key || release height -> empty: its unbonding entries
};
enum Counter : uint8_t { kNextDisputeId = 1, kNextSlashId = 2, kBurned = 3 };
Bytes counter(Counter c);
Bytes dispute(uint64_t id);
Bytes dispute_work(uint64_t height, uint64_t id);
Bytes dispute_work_prefix(uint64_t height);
Bytes slash(uint64_t id);
Bytes job_slash(uint64_t job_id, uint64_t slash_id);
Bytes job_slash_prefix(uint64_t job_id);
Bytes dataset(const Hash256& id);
Bytes posts_due(uint64_t height);
Bytes params();
Bytes randomness();
Bytes signing_set();
Bytes liveness(const Ed25519Pubkey& k);
Bytes next_job_id();
Bytes account(const Address& a);
Bytes provider(const Address& a);
Bytes validator(const Ed25519Pubkey& k);
Bytes job(uint64_t id);
Bytes spec(const Hash256& h);
Bytes job_expiry(uint64_t height, uint64_t id);
Bytes job_expiry_prefix(uint64_t height);
Bytes verifier(const Address& a);
Bytes commitment(uint64_t id);
Bytes job_pol(uint64_t id);
Bytes pol_work(uint64_t height, uint64_t id);
Bytes pol_work_prefix(uint64_t height);
// `validator` is the consensus key whose stake is unbonding, all zero for a
// provider's or verifier's stake (see Unbonding).
Bytes unbonding(uint64_t release_height, const Address& owner, const Ed25519Pubkey& validator);
Bytes unbonding_prefix(uint64_t release_height);
Bytes validator_unbonding(const Ed25519Pubkey& validator, uint64_t release_height);
Bytes validator_unbonding_prefix(const Ed25519Pubkey& validator);
Bytes prefix(Prefix p);
}  // namespace keys

Params read_params(const StateReader& s);
Account read_account(const StateReader& s, const Address& a);  // zero account if absent
std::optional<Provider> read_provider(const StateReader& s, const Address& a);
std::optional<Verifier> read_verifier(const StateReader& s, const Address& a);
std::vector<Verifier> read_verifiers(const StateReader& s);  // ascending by address
std::optional<JobPol> read_job_pol(const StateReader& s, uint64_t id);
std::optional<Job> read_job(const StateReader& s, uint64_t id);
std::optional<std::string> read_spec(const StateReader& s, const Hash256& h);
uint64_t read_next_job_id(const StateReader& s);
Hash256 read_randomness(const StateReader& s);
// Counters start at 1 for ids and at 0 for the burned total.
uint64_t read_counter(const StateReader& s, keys::Counter c);
std::optional<DisputeRecord> read_dispute(const StateReader& s, uint64_t id);
std::optional<SlashRecord> read_slash(const StateReader& s, uint64_t id);
std::vector<Validator> read_validators(const StateReader& s);  // ordered by consensus key
std::optional<Validator> read_validator(const StateReader& s, const Ed25519Pubkey& key);
std::vector<DatasetEntry> read_datasets(const StateReader& s);
// Every uvt the state accounts for: balances, provider and verifier stakes,
// escrow of live jobs, unbonding amounts, validator stakes and everything burned. Block execution
// never changes it (tests and the ledger simulation check that).
unsigned __int128 total_supply(const StateReader& s);  // ordered by dataset_id
bool dataset_registered(const StateReader& s, const DatasetEntry& d);

void write_params(Overlay& o, const Params& p);
void write_account(Overlay& o, const Address& a, const Account& acc);
void write_provider(Overlay& o, const Provider& p);
void write_job(Overlay& o, const Job& j);
void write_verifier(Overlay& o, const Verifier& v);
void write_job_pol(Overlay& o, const JobPol& p);
void write_validator(Overlay& o, const Validator& v);
void write_counter(Overlay& o, keys::Counter c, uint64_t value);
void write_dispute(Overlay& o, const DisputeRecord& d);
void write_slash(Overlay& o, const SlashRecord& s);
void write_dataset(Overlay& o, const DatasetEntry& d);

}  // namespace vt::ledger
