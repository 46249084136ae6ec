#include "ledger/objects.h"

#include "core/encoding.h"
#include "core/sha256.h"
#include "ledger/object_fields.h"

namespace vt::ledger {

namespace {

template <class T>
Result<T> finish(const Reader& r, T value) {
  if (auto s = r.finish(); !s) return s.take_error();
  return value;
}

// An object whose field list (object_fields.h) is its whole encoding.
template <class T>
Result<T> decode_object(ByteView in) {
  Reader r(in);
  T value;
  decode_fields(r, value);
  return finish(r, value);
}
}  // namespace

static_assert(static_cast<std::size_t>(JobStatus::Unverified) + 1 == kJobStatusCount,
              "kJobStatusCount must follow JobStatus");

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
  for (std::size_t i = 0; i < kJobStatusCount; ++i)
    if (name == job_status_name(static_cast<JobStatus>(i))) return static_cast<JobStatus>(i);
  return std::nullopt;
}

Bytes encode(const Account& a) {
  return encode_fields(a);
}

Result<Account> decode_account(ByteView in) {
  return decode_object<Account>(in);
}

Bytes encode(const Provider& p) {
  return encode_fields(p);
}

Result<Provider> decode_provider(ByteView in) {
  Reader r(in);
  Provider p;
  decode_fields(r, p);
  if (r.ok() && p.locked > p.stake) r.fail("provider.locked exceeds provider.stake");
  return finish(r, p);
}

Bytes encode(const Job& j) {
  return encode_fields(j);
}

Result<Job> decode_job(ByteView in) {
  return decode_object<Job>(in);
}

Bytes encode(const Unbonding& u) {
  return encode_fields(u);
}

Result<Unbonding> decode_unbonding(ByteView in) {
  return decode_object<Unbonding>(in);
}

Bytes encode(const Validator& v) {
  return encode_fields(v);
}

Result<Validator> decode_validator(ByteView in) {
  return decode_object<Validator>(in);
}

Bytes encode(const Verifier& v) {
  return encode_fields(v);
}

Result<Verifier> decode_verifier(ByteView in) {
  return decode_object<Verifier>(in);
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
  return encode_fields(p);
}

Result<JobPol> decode_job_pol(ByteView in) {
  return decode_object<JobPol>(in);
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
  return encode_fields(s);
}

Result<SlashRecord> decode_slash_record(ByteView in) {
  return decode_object<SlashRecord>(in);
}

}  // namespace vt::ledger
