#include "wallet/agent/chain_view.h"

#include <stdexcept>

#include "core/decimal.h"

namespace vt::wallet::agent {
namespace {

using nlohmann::json;

// Inside a decoder a bad field throws this; the decoder returns it as an Error.
struct BadField : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const json& field(const json& o, const char* name) {
  if (!o.is_object()) throw BadField("is not an object");
  auto it = o.find(name);
  if (it == o.end()) throw BadField(std::string("has no `") + name + "`");
  return *it;
}
std::string text(const json& o, const char* name) {
  const json& v = field(o, name);
  if (!v.is_string()) throw BadField(std::string("`") + name + "` is not a string");
  return v.get<std::string>();
}
uint64_t number(const json& o, const char* name) {
  const json& v = field(o, name);
  // Parsed text gives unsigned numbers; a json built in code may hold a signed one.
  const bool non_negative =
      v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
  if (!non_negative) throw BadField(std::string("`") + name + "` is not a non-negative integer");
  return v.get<uint64_t>();
}
bool flag(const json& o, const char* name) {
  const json& v = field(o, name);
  if (!v.is_boolean()) throw BadField(std::string("`") + name + "` is not a boolean");
  return v.get<bool>();
}
// A hash that is null until set.
bool set(const json& o, const char* name) {
  const json& v = field(o, name);
  if (!v.is_null() && !v.is_string())
    throw BadField(std::string("`") + name + "` is neither a string nor null");
  return v.is_string();
}

PolRecord pol_of(const json& o) {
  PolRecord p;
  const std::string phase = text(o, "phase");
  const auto known = ledger::pol_phase_from_name(phase);
  if (!known) throw BadField("`phase` '" + phase + "' is not one this build knows");
  p.phase = *known;
  const json& segments = field(o, "segments");
  if (!segments.is_array()) throw BadField("`segments` is not an array");
  for (const json& s : segments)
    p.seats.push_back(Seat{text(s, "verifier"), set(s, "attest_commitment"), flag(s, "revealed"),
                           set(s, "provider_probe")});
  return p;
}

template <typename T, typename Decode>
Result<T> decoded(const char* what, Decode decode) {
  try {
    return decode();
  } catch (const BadField& e) {
    return make_error(std::string("the node's ") + what + " " + e.what());
  }
}

}  // namespace

Result<PolRecord> decode_pol(const json& pol) {
  return decoded<PolRecord>("proof-of-learning record", [&] { return pol_of(pol); });
}

Result<JobInfo> decode_job(const json& job) {
  return decoded<JobInfo>("job", [&] {
    JobInfo j;
    j.id = number(job, "id");
    const std::string status = text(job, "status");
    const auto known = ledger::job_status_from_name(status);
    if (!known) throw BadField("`status` '" + status + "' is not one this build knows");
    j.status = *known;
    j.client = text(job, "client");
    const json& provider = field(job, "provider");
    if (!provider.is_null()) j.provider = text(job, "provider");
    const auto payment = parse_u64_decimal(text(job, "payment"));
    if (!payment) throw BadField("`payment` " + payment.error());
    j.payment = payment.value();
    if (auto it = job.find("spec"); it != job.end() && !it->is_null()) {
      if (!it->is_object()) throw BadField("`spec` is not an object");
      j.spec = *it;
    }
    if (auto it = job.find("pol"); it != job.end() && !it->is_null()) j.pol = pol_of(*it);
    return j;
  });
}

Result<DisputeInfo> decode_dispute(const json& dispute) {
  return decoded<DisputeInfo>("dispute", [&] {
    return DisputeInfo{number(dispute, "id"), number(dispute, "job_id"), text(dispute, "provider"),
                       text(dispute, "challenger")};
  });
}

}  // namespace vt::wallet::agent
