#include "ledger/objects.h"

#include "core/encoding.h"
#include "core/sha256.h"

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
    case JobStatus::Unverified:
      return "unverified";
    case JobStatus::Cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::optional<JobStatus> job_status_from_name(std::string_view name) {
  for (uint8_t i = 0; i <= static_cast<uint8_t>(JobStatus::Unverified); ++i)
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
      .u64(p.jobs_settled)
      .u64(p.jobs_slashed)
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
  p.jobs_settled = r.u64("provider.jobs_settled");
  p.jobs_slashed = r.u64("provider.jobs_slashed");
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
  w.u32(j.samples);
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
  if (r.ok() && status > static_cast<uint8_t>(JobStatus::Unverified))
    r.fail("job.status: unknown status " + std::to_string(status));
  j.status = static_cast<JobStatus>(status);
  if (r.boolean("job.provider")) j.provider = r.fixed<32>("job.provider");
  j.created_height = r.u64("job.created_height");
  j.deadline_height = r.u64("job.deadline_height");
  j.accepted_height = r.u64("job.accepted_height");
  j.closed_height = r.u64("job.closed_height");
  j.samples = r.u32("job.samples");
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
      .boolean(v.tombstoned)
      .fixed(v.vrf_key)
      .take();
}

Result<Validator> decode_validator(ByteView in) {
  Reader r(in);
  Validator v;
  v.consensus_key = r.fixed<32>("validator.consensus_key");
  v.operator_address = r.fixed<32>("validator.operator_address");
  v.power = r.u64("validator.power");
  v.jailed = r.boolean("validator.jailed");
  v.tombstoned = r.boolean("validator.tombstoned");
  v.vrf_key = r.fixed<33>("validator.vrf_key");
  return finish(r, v);
}

Bytes encode(const Verifier& v) {
  return Writer()
      .fixed(v.owner)
      .u64(v.stake)
      .u64(v.registered_height)
      .u64(v.segments_assigned)
      .u64(v.segments_agreed)
      .u64(v.disputes_won)
      .u64(v.disputes_lost)
      .u64(v.active_assignments)
      .u64(v.activation_height)
      .u64(v.busy_until)
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
  v.disputes_won = r.u64("verifier.disputes_won");
  v.disputes_lost = r.u64("verifier.disputes_lost");
  v.active_assignments = r.u64("verifier.active_assignments");
  v.activation_height = r.u64("verifier.activation_height");
  v.busy_until = r.u64("verifier.busy_until");
  return finish(r, v);
}

Bytes encode(const DatasetEntry& d) {
  return Writer()
      .str(d.name)
      .fixed(d.train_images)
      .fixed(d.train_labels)
      .fixed(d.test_images)
      .fixed(d.test_labels)
      .take();
}

Result<DatasetEntry> decode_dataset(ByteView in) {
  Reader r(in);
  DatasetEntry d;
  d.name = r.str("dataset.name", 64);
  d.train_images = r.fixed<32>("dataset.train_images");
  d.train_labels = r.fixed<32>("dataset.train_labels");
  d.test_images = r.fixed<32>("dataset.test_images");
  d.test_labels = r.fixed<32>("dataset.test_labels");
  return finish(r, d);
}

Hash256 dataset_id(const DatasetEntry& d) {
  return tagged_hash("veritrain/dataset", encode(d));
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
  w.u64(p.commit_deadline).u64(p.probe_deadline).u64(p.reveal_deadline);
  write_opt(w, p.probe_seed);
  w.u32(static_cast<uint32_t>(p.assignments.size()));
  for (const Assignment& a : p.assignments) {
    w.u64(a.segment).fixed(a.verifier);
    write_opt(w, a.attest_commitment);
    w.boolean(a.revealed).fixed(a.revealed_end).fixed(a.revealed_probe);
    write_opt(w, a.provider_probe);
    w.u8(static_cast<uint8_t>(a.result));
  }
  w.boolean(p.judged);
  w.u32(static_cast<uint32_t>(p.disputes.size()));
  for (uint64_t id : p.disputes) w.u64(id);
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
  p.probe_deadline = r.u64("job_pol.probe_deadline");
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
    const uint8_t result = r.u8("assignment.result");
    if (r.ok() && result > static_cast<uint8_t>(AssignmentResult::disputed))
      r.fail("assignment.result: unknown value");
    a.result = static_cast<AssignmentResult>(result);
    p.assignments.push_back(a);
  }
  p.judged = r.boolean("job_pol.judged");
  const uint32_t d = r.u32("job_pol.disputes");
  // At most one availability and one bisection dispute per assignment.
  if (r.ok() && d > 2 * kMaxAssignments) r.fail("job_pol.disputes: too many");
  for (uint32_t i = 0; r.ok() && i < d; ++i) p.disputes.push_back(r.u64("job_pol.dispute"));
  return finish(r, p);
}

const char* assignment_result_name(AssignmentResult r) {
  switch (r) {
    case AssignmentResult::pending:
      return "pending";
    case AssignmentResult::agreed:
      return "agreed";
    case AssignmentResult::absent:
      return "absent";
    case AssignmentResult::disputed:
      return "disputed";
  }
  return "?";
}

const char* dispute_kind_name(DisputeKind k) {
  switch (k) {
    case DisputeKind::end:
      return "end";
    case DisputeKind::probe:
      return "probe";
    case DisputeKind::availability:
      return "availability";
  }
  return "?";
}

const char* dispute_loser_name(DisputeLoser l) {
  switch (l) {
    case DisputeLoser::open:
      return "open";
    case DisputeLoser::provider:
      return "provider";
    case DisputeLoser::challenger:
      return "challenger";
    case DisputeLoser::nobody:
      return "nobody";
  }
  return "?";
}

namespace {
constexpr size_t kMaxOutcome = 64;
constexpr size_t kMaxReason = 256;
}  // namespace

// The game travels in verifier::encode(Dispute) form; for availability disputes
// (no game) the three fields used are written directly.
Bytes encode(const DisputeRecord& d) {
  Writer w;
  w.u64(d.id).u64(d.job_id).u64(d.segment).u8(static_cast<uint8_t>(d.kind));
  w.fixed(d.provider).fixed(d.challenger).u64(d.opened_height);
  if (d.kind == DisputeKind::availability)
    w.u64(d.game.lo).fixed(d.game.lo_hash).u64(d.game.deadline);
  else
    w.bytes(verifier::encode(d.game));
  w.u8(static_cast<uint8_t>(d.loser)).str(d.outcome).u64(d.resolved_height);
  write_opt(w, d.referee_next);
  write_opt(w, d.checkpoint_blob);
  w.u8(d.failed_posts);
  return w.take();
}

Result<DisputeRecord> decode_dispute_record(ByteView in) {
  Reader r(in);
  DisputeRecord d;
  d.id = r.u64("dispute.id");
  d.job_id = r.u64("dispute.job_id");
  d.segment = r.u64("dispute.segment");
  const uint8_t kind = r.u8("dispute.kind");
  if (r.ok() && kind > static_cast<uint8_t>(DisputeKind::availability))
    r.fail("dispute.kind: unknown kind");
  d.kind = static_cast<DisputeKind>(kind);
  d.provider = r.fixed<32>("dispute.provider");
  d.challenger = r.fixed<32>("dispute.challenger");
  d.opened_height = r.u64("dispute.opened_height");
  if (r.ok() && d.kind == DisputeKind::availability) {
    d.game.lo = r.u64("dispute.step");
    d.game.lo_hash = r.fixed<32>("dispute.hash");
    d.game.deadline = r.u64("dispute.deadline");
  } else if (r.ok()) {
    Bytes game = r.bytes("dispute.game", 1024);
    if (r.ok()) {
      auto g = verifier::decode_dispute(game);
      if (!g)
        r.fail("dispute.game: " + g.error());
      else
        d.game = *g;
    }
  }
  const uint8_t loser = r.u8("dispute.loser");
  if (r.ok() && loser > static_cast<uint8_t>(DisputeLoser::nobody))
    r.fail("dispute.loser: unknown value");
  d.loser = static_cast<DisputeLoser>(loser);
  d.outcome = r.str("dispute.outcome", kMaxOutcome);
  d.resolved_height = r.u64("dispute.resolved_height");
  d.referee_next = read_opt(r, "dispute.referee_next");
  d.checkpoint_blob = read_opt(r, "dispute.checkpoint_blob");
  d.failed_posts = r.u8("dispute.failed_posts");
  if (r.ok() && d.failed_posts > 3) r.fail("dispute.failed_posts: unknown bits");
  return finish(r, d);
}

Bytes encode(const SlashRecord& s) {
  return Writer()
      .u64(s.id)
      .u64(s.height)
      .u64(s.job_id)
      .u64(s.dispute_id)
      .fixed(s.offender)
      .str(s.role)
      .u64(s.amount)
      .fixed(s.beneficiary)
      .u64(s.reward)
      .u64(s.paid_fees)
      .u64(s.burned)
      .str(s.reason)
      .take();
}

Result<SlashRecord> decode_slash_record(ByteView in) {
  Reader r(in);
  SlashRecord s;
  s.id = r.u64("slash.id");
  s.height = r.u64("slash.height");
  s.job_id = r.u64("slash.job_id");
  s.dispute_id = r.u64("slash.dispute_id");
  s.offender = r.fixed<32>("slash.offender");
  s.role = r.str("slash.role", kMaxOutcome);
  s.amount = r.u64("slash.amount");
  s.beneficiary = r.fixed<32>("slash.beneficiary");
  s.reward = r.u64("slash.reward");
  s.paid_fees = r.u64("slash.paid_fees");
  s.burned = r.u64("slash.burned");
  s.reason = r.str("slash.reason", kMaxReason);
  return finish(r, s);
}

}  // namespace vt::ledger
