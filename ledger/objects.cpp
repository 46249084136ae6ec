#include "ledger/objects.h"

#include "core/encoding.h"

namespace vt::ledger {

namespace {
constexpr size_t kMaxEndpoint = 256;

template <class T>
Result<T> finish(const Reader& r, T value) {
  if (auto s = r.finish(); !s) return s.take_error();
  return value;
}
}  // namespace

const char* job_status_name(JobStatus s) {
  switch (s) {
    case JobStatus::Open:
      return "open";
    case JobStatus::Accepted:
      return "accepted";
    case JobStatus::Committed:
      return "committed";
    case JobStatus::Verifying:
      return "verifying";
    case JobStatus::Settled:
      return "settled";
    case JobStatus::Slashed:
      return "slashed";
    case JobStatus::Expired:
      return "expired";
    case JobStatus::Cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::optional<JobStatus> job_status_from_name(std::string_view name) {
  for (uint8_t i = 0; i <= static_cast<uint8_t>(JobStatus::Cancelled); ++i)
    if (name == job_status_name(static_cast<JobStatus>(i))) return static_cast<JobStatus>(i);
  return std::nullopt;
}

Bytes encode(const Account& a) {
  return Writer().u64(a.balance).u64(a.nonce).take();
}

Result<Account> decode_account(ByteView in) {
  Reader r(in);
  Account a;
  a.balance = r.u64("account.balance");
  a.nonce = r.u64("account.nonce");
  return finish(r, a);
}

Bytes encode(const Provider& p) {
  return Writer()
      .fixed(p.owner)
      .u64(p.stake)
      .u64(p.locked)
      .str(p.endpoint)
      .u64(p.registered_height)
      .u64(p.jobs_accepted)
      .u64(p.jobs_expired)
      .take();
}

Result<Provider> decode_provider(ByteView in) {
  Reader r(in);
  Provider p;
  p.owner = r.fixed<32>("provider.owner");
  p.stake = r.u64("provider.stake");
  p.locked = r.u64("provider.locked");
  p.endpoint = r.str("provider.endpoint", kMaxEndpoint);
  p.registered_height = r.u64("provider.registered_height");
  p.jobs_accepted = r.u64("provider.jobs_accepted");
  p.jobs_expired = r.u64("provider.jobs_expired");
  if (r.ok() && p.locked > p.stake) r.fail("provider.locked exceeds provider.stake");
  return finish(r, p);
}

Bytes encode(const Job& j) {
  Writer w;
  w.u64(j.id).fixed(j.client).fixed(j.spec_hash).u64(j.payment).u64(j.bond_required);
  w.u8(static_cast<uint8_t>(j.status));
  w.boolean(j.provider.has_value());
  if (j.provider) w.fixed(*j.provider);
  w.u64(j.created_height).u64(j.deadline_height).u64(j.accepted_height).u64(j.closed_height);
  return w.take();
}

Result<Job> decode_job(ByteView in) {
  Reader r(in);
  Job j;
  j.id = r.u64("job.id");
  j.client = r.fixed<32>("job.client");
  j.spec_hash = r.fixed<32>("job.spec_hash");
  j.payment = r.u64("job.payment");
  j.bond_required = r.u64("job.bond_required");
  uint8_t status = r.u8("job.status");
  if (r.ok() && status > static_cast<uint8_t>(JobStatus::Cancelled))
    r.fail("job.status: unknown status " + std::to_string(status));
  j.status = static_cast<JobStatus>(status);
  if (r.boolean("job.provider")) j.provider = r.fixed<32>("job.provider");
  j.created_height = r.u64("job.created_height");
  j.deadline_height = r.u64("job.deadline_height");
  j.accepted_height = r.u64("job.accepted_height");
  j.closed_height = r.u64("job.closed_height");
  return finish(r, j);
}

Bytes encode(const Unbonding& u) {
  return Writer().fixed(u.owner).u64(u.amount).u64(u.release_height).take();
}

Result<Unbonding> decode_unbonding(ByteView in) {
  Reader r(in);
  Unbonding u;
  u.owner = r.fixed<32>("unbonding.owner");
  u.amount = r.u64("unbonding.amount");
  u.release_height = r.u64("unbonding.release_height");
  return finish(r, u);
}

Bytes encode(const Validator& v) {
  return Writer()
      .fixed(v.consensus_key)
      .fixed(v.operator_address)
      .u64(v.power)
      .boolean(v.jailed)
      .take();
}

Result<Validator> decode_validator(ByteView in) {
  Reader r(in);
  Validator v;
  v.consensus_key = r.fixed<32>("validator.consensus_key");
  v.operator_address = r.fixed<32>("validator.operator_address");
  v.power = r.u64("validator.power");
  v.jailed = r.boolean("validator.jailed");
  return finish(r, v);
}

Bytes encode(const Verifier& v) {
  return Writer()
      .fixed(v.owner)
      .u64(v.stake)
      .u64(v.registered_height)
      .u64(v.segments_assigned)
      .u64(v.segments_agreed)
      .take();
}

Result<Verifier> decode_verifier(ByteView in) {
  Reader r(in);
  Verifier v;
  v.owner = r.fixed<32>("verifier.owner");
  v.stake = r.u64("verifier.stake");
  v.registered_height = r.u64("verifier.registered_height");
  v.segments_assigned = r.u64("verifier.segments_assigned");
  v.segments_agreed = r.u64("verifier.segments_agreed");
  return finish(r, v);
}

namespace {
void write_opt(Writer& w, const std::optional<Hash256>& h) {
  w.boolean(h.has_value());
  if (h) w.fixed(*h);
}
std::optional<Hash256> read_opt(Reader& r, const char* field) {
  if (!r.boolean(field)) return std::nullopt;
  return r.fixed<32>(field);
}
}  // namespace

Bytes encode(const JobPol& p) {
  Writer w;
  w.u64(p.job_id).fixed(p.root).fixed(p.manifest).u64(p.commit_height).u64(p.sample_height);
  w.u64(p.commit_deadline).u64(p.reveal_deadline);
  write_opt(w, p.probe_seed);
  w.u32(static_cast<uint32_t>(p.assignments.size()));
  for (const Assignment& a : p.assignments) {
    w.u64(a.segment).fixed(a.verifier);
    write_opt(w, a.attest_commitment);
    w.boolean(a.revealed).fixed(a.revealed_end).fixed(a.revealed_probe);
    write_opt(w, a.provider_probe);
  }
  return w.take();
}

Result<JobPol> decode_job_pol(ByteView in) {
  Reader r(in);
  JobPol p;
  p.job_id = r.u64("job_pol.job_id");
  p.root = r.fixed<32>("job_pol.root");
  p.manifest = r.fixed<32>("job_pol.manifest");
  p.commit_height = r.u64("job_pol.commit_height");
  p.sample_height = r.u64("job_pol.sample_height");
  p.commit_deadline = r.u64("job_pol.commit_deadline");
  p.reveal_deadline = r.u64("job_pol.reveal_deadline");
  p.probe_seed = read_opt(r, "job_pol.probe_seed");
  uint32_t n = r.u32("job_pol.assignments");
  if (r.ok() && n > kMaxAssignments) r.fail("job_pol.assignments: too many");
  for (uint32_t i = 0; r.ok() && i < n; ++i) {
    Assignment a;
    a.segment = r.u64("assignment.segment");
    a.verifier = r.fixed<32>("assignment.verifier");
    a.attest_commitment = read_opt(r, "assignment.attest_commitment");
    a.revealed = r.boolean("assignment.revealed");
    a.revealed_end = r.fixed<32>("assignment.revealed_end");
    a.revealed_probe = r.fixed<32>("assignment.revealed_probe");
    a.provider_probe = read_opt(r, "assignment.provider_probe");
    p.assignments.push_back(a);
  }
  return finish(r, p);
}

}  // namespace vt::ledger
