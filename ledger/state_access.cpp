#include "ledger/state_access.h"

#include <cstdio>
#include <cstdlib>

#include "core/encoding.h"

namespace vt::ledger {

namespace keys {
Bytes prefix(Prefix p) {
  return Bytes{p};
}
Bytes params() {
  return Bytes{kParams};
}
Bytes next_job_id() {
  return Bytes{kNextJobId};
}
Bytes account(const Address& a) {
  return Writer().u8(kAccount).fixed(a).take();
}
Bytes provider(const Address& a) {
  return Writer().u8(kProvider).fixed(a).take();
}
Bytes validator(const Ed25519Pubkey& k) {
  return Writer().u8(kValidator).fixed(k).take();
}
Bytes job(uint64_t id) {
  return Writer().u8(kJob).u64(id).take();
}
Bytes spec(const Hash256& h) {
  return Writer().u8(kSpec).fixed(h).take();
}
Bytes job_expiry(uint64_t height, uint64_t id) {
  return Writer().u8(kJobExpiry).u64(height).u64(id).take();
}
Bytes job_expiry_prefix(uint64_t height) {
  return Writer().u8(kJobExpiry).u64(height).take();
}
Bytes randomness() {
  return Writer().u8(kRandomness).take();
}
Bytes signing_set() {
  return Writer().u8(kSigningSet).take();
}
Bytes liveness(const Ed25519Pubkey& k) {
  return Writer().u8(kLiveness).fixed(k).take();
}
Bytes dataset(const Hash256& id) {
  return Writer().u8(kDataset).fixed(id).take();
}
Bytes posts_due(uint64_t height) {
  return Writer().u8(kPostsDue).u64(height).take();
}
Bytes verifier(const Address& a) {
  return Writer().u8(kVerifier).fixed(a).take();
}
Bytes commitment(uint64_t id) {
  return Writer().u8(kCommitment).u64(id).take();
}
Bytes job_pol(uint64_t id) {
  return Writer().u8(kJobPol).u64(id).take();
}
Bytes pol_work(uint64_t height, uint64_t id) {
  return Writer().u8(kPolWork).u64(height).u64(id).take();
}
Bytes pol_work_prefix(uint64_t height) {
  return Writer().u8(kPolWork).u64(height).take();
}
Bytes counter(Counter c) {
  return Bytes{kCounters, c};
}
Bytes dispute(uint64_t id) {
  return Writer().u8(kDispute).u64(id).take();
}
Bytes dispute_work(uint64_t height, uint64_t id) {
  return Writer().u8(kDisputeWork).u64(height).u64(id).take();
}
Bytes dispute_work_prefix(uint64_t height) {
  return Writer().u8(kDisputeWork).u64(height).take();
}
Bytes slash(uint64_t id) {
  return Writer().u8(kSlash).u64(id).take();
}
Bytes job_slash(uint64_t job_id, uint64_t slash_id) {
  return Writer().u8(kJobSlash).u64(job_id).u64(slash_id).take();
}
Bytes job_slash_prefix(uint64_t job_id) {
  return Writer().u8(kJobSlash).u64(job_id).take();
}
Bytes unbonding(uint64_t h, const Address& owner, const Ed25519Pubkey& validator) {
  return Writer().u8(kUnbonding).u64(h).fixed(owner).fixed(validator).take();
}
Bytes unbonding_prefix(uint64_t h) {
  return Writer().u8(kUnbonding).u64(h).take();
}
Bytes validator_unbonding(const Ed25519Pubkey& validator, uint64_t h) {
  return Writer().u8(kValidatorUnbonding).fixed(validator).u64(h).take();
}
Bytes validator_unbonding_prefix(const Ed25519Pubkey& validator) {
  return Writer().u8(kValidatorUnbonding).fixed(validator).take();
}
}  // namespace keys

namespace {
[[noreturn]] void corrupt(const char* what, const std::string& reason) {
  std::fprintf(stderr, "fatal: corrupt %s in ledger state: %s\n", what, reason.c_str());
  std::abort();
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) corrupt(what, r.error());
  return std::move(r).value();
}
}  // namespace

Params read_params(const StateReader& s) {
  auto v = s.get(keys::params());
  if (!v) {
    std::fprintf(stderr, "fatal: ledger state has no params (genesis not applied)\n");
    std::abort();
  }
  return must(decode_params(*v), "params");
}

Account read_account(const StateReader& s, const Address& a) {
  auto v = s.get(keys::account(a));
  return v ? must(decode_account(*v), "account") : Account{};
}

std::optional<Provider> read_provider(const StateReader& s, const Address& a) {
  auto v = s.get(keys::provider(a));
  if (!v) return std::nullopt;
  return must(decode_provider(*v), "provider");
}

std::optional<Job> read_job(const StateReader& s, uint64_t id) {
  auto v = s.get(keys::job(id));
  if (!v) return std::nullopt;
  return must(decode_job(*v), "job");
}

std::optional<Verifier> read_verifier(const StateReader& s, const Address& a) {
  auto v = s.get(keys::verifier(a));
  if (!v) return std::nullopt;
  return must(decode_verifier(*v), "verifier");
}

std::vector<Verifier> read_verifiers(const StateReader& s) {
  std::vector<Verifier> out;
  s.scan(keys::prefix(keys::kVerifier), [&](const Bytes&, const Bytes& v) {
    out.push_back(must(decode_verifier(v), "verifier"));
    return true;
  });
  return out;
}

Hash256 read_randomness(const StateReader& s) {
  auto v = s.get(keys::randomness());
  Hash256 h{};
  if (v && v->size() == h.size()) std::copy(v->begin(), v->end(), h.begin());
  return h;
}

std::vector<DatasetEntry> read_datasets(const StateReader& s) {
  std::vector<DatasetEntry> out;
  s.scan(keys::prefix(keys::kDataset), [&](const Bytes&, const Bytes& v) {
    out.push_back(must(decode_dataset(v), "dataset"));
    return true;
  });
  return out;
}

unsigned __int128 total_supply(const StateReader& s) {
  unsigned __int128 total = read_counter(s, keys::kBurned);
  s.scan(keys::prefix(keys::kAccount), [&](const Bytes&, const Bytes& v) {
    total += must(decode_account(v), "account").balance;
    return true;
  });
  s.scan(keys::prefix(keys::kProvider), [&](const Bytes&, const Bytes& v) {
    total += must(decode_provider(v), "provider").stake;
    return true;
  });
  s.scan(keys::prefix(keys::kVerifier), [&](const Bytes&, const Bytes& v) {
    total += must(decode_verifier(v), "verifier").stake;
    return true;
  });
  s.scan(keys::prefix(keys::kJob), [&](const Bytes&, const Bytes& v) {
    const Job j = must(decode_job(v), "job");
    // Escrow: held from submission until settlement or a refund.
    if (j.status == JobStatus::Open || j.status == JobStatus::Accepted ||
        j.status == JobStatus::Committed || j.status == JobStatus::Verifying)
      total += j.payment;
    return true;
  });
  s.scan(keys::prefix(keys::kUnbonding), [&](const Bytes&, const Bytes& v) {
    total += must(decode_unbonding(v), "unbonding").amount;
    return true;
  });
  s.scan(keys::prefix(keys::kValidator), [&](const Bytes&, const Bytes& v) {
    total += must(decode_validator(v), "validator").power;
    return true;
  });
  return total;
}

bool dataset_registered(const StateReader& s, const DatasetEntry& d) {
  return s.get(keys::dataset(dataset_id(d))).has_value();
}

void write_dataset(Overlay& o, const DatasetEntry& d) {
  o.put(keys::dataset(dataset_id(d)), encode(d));
}

std::optional<JobPol> read_job_pol(const StateReader& s, uint64_t id) {
  auto v = s.get(keys::job_pol(id));
  if (!v) return std::nullopt;
  return must(decode_job_pol(*v), "job_pol");
}

std::optional<std::string> read_spec(const StateReader& s, const Hash256& h) {
  auto v = s.get(keys::spec(h));
  if (!v) return std::nullopt;
  return std::string(v->begin(), v->end());
}

uint64_t read_next_job_id(const StateReader& s) {
  auto v = s.get(keys::next_job_id());
  if (!v) return 1;
  Reader r(*v);
  uint64_t id = r.u64("next_job_id");
  if (auto st = r.finish(); !st) corrupt("next_job_id", st.error());
  return id;
}

uint64_t read_counter(const StateReader& s, keys::Counter c) {
  auto v = s.get(keys::counter(c));
  if (!v) return c == keys::kBurned ? 0 : 1;
  Reader r(*v);
  uint64_t n = r.u64("counter");
  if (auto st = r.finish(); !st) corrupt("counter", st.error());
  return n;
}

std::optional<DisputeRecord> read_dispute(const StateReader& s, uint64_t id) {
  auto v = s.get(keys::dispute(id));
  if (!v) return std::nullopt;
  return must(decode_dispute_record(*v), "dispute");
}

std::optional<SlashRecord> read_slash(const StateReader& s, uint64_t id) {
  auto v = s.get(keys::slash(id));
  if (!v) return std::nullopt;
  return must(decode_slash_record(*v), "slash");
}

std::vector<Validator> read_validators(const StateReader& s) {
  std::vector<Validator> out;
  s.scan(keys::prefix(keys::kValidator), [&](const Bytes&, const Bytes& v) {
    out.push_back(must(decode_validator(v), "validator"));
    return true;
  });
  return out;
}

std::optional<Validator> read_validator(const StateReader& s, const Ed25519Pubkey& key) {
  auto v = s.get(keys::validator(key));
  if (!v) return std::nullopt;
  return must(decode_validator(*v), "validator");
}

void write_params(Overlay& o, const Params& p) {
  o.put(keys::params(), encode(p));
}
void write_account(Overlay& o, const Address& a, const Account& acc) {
  // An empty account is the same as no account: keep the state minimal and canonical.
  if (acc == Account{})
    o.erase(keys::account(a));
  else
    o.put(keys::account(a), encode(acc));
}
void write_provider(Overlay& o, const Provider& p) {
  o.put(keys::provider(p.owner), encode(p));
}
void write_job(Overlay& o, const Job& j) {
  o.put(keys::job(j.id), encode(j));
}
void write_verifier(Overlay& o, const Verifier& v) {
  o.put(keys::verifier(v.owner), encode(v));
}
void write_job_pol(Overlay& o, const JobPol& p) {
  o.put(keys::job_pol(p.job_id), encode(p));
}
void write_validator(Overlay& o, const Validator& v) {
  o.put(keys::validator(v.consensus_key), encode(v));
}
void write_counter(Overlay& o, keys::Counter c, uint64_t value) {
  o.put(keys::counter(c), Writer().u64(value).take());
}
void write_dispute(Overlay& o, const DisputeRecord& d) {
  o.put(keys::dispute(d.id), encode(d));
}
void write_slash(Overlay& o, const SlashRecord& s) {
  o.put(keys::slash(s.id), encode(s));
  o.put(keys::job_slash(s.job_id, s.id), Bytes{});
}

}  // namespace vt::ledger
