// Each state object's fields, listed once, in encoding order. The canonical
// binary encoding (encode/decode in objects.cpp), the RPC's JSON view and its
// JSON Schema (node/json_views.h) are all derived from these lists, so the
// three cannot drift apart. Pure, header-only templates.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "core/encoding.h"
#include "ledger/objects.h"

namespace vt::ledger {

// How a field reads in JSON (the binary form follows from the member's type).
enum class FieldKind {
  amount,            // u64 uvt: a decimal string (JSON numbers lose precision past 2^53)
  count,             // u64 or u32: a number
  address,           // 32 bytes: vt1... (bech32m)
  hex,               // a fixed-size byte array (hash, key): lowercase hex
  text,              // a string of at most max_bytes
  flag,              // a boolean
  job_status,        // JobStatus: its name
  optional_address,  // std::optional<Address>: vt1... or null
  // Stored records only (their JSON views are node/json_views.h ViewField lists):
  optional_hex,       // std::optional<Hash256>: a presence flag, then the hash
  assignment_result,  // AssignmentResult: one byte
  list,               // std::vector of u64 or of a listed object: a u32 count, then each
};

// `path` is "object.field": the field's JSON name after the dot, and the
// name a decoding error gives.
template <class T, class M>
struct Field {
  const char* path;
  M T::*member;
  FieldKind kind;
  size_t max_bytes = 0;  // text only
  size_t max_items = 0;  // list only: a longer list does not decode
  std::string_view name() const {
    std::string_view p(path);
    return p.substr(p.find('.') + 1);
  }
};

// ---- the lists ----
inline auto fields(std::type_identity<Account>) {
  return std::tuple{Field<Account, Amount>{"account.balance", &Account::balance, FieldKind::amount},
                    Field<Account, uint64_t>{"account.nonce", &Account::nonce, FieldKind::count}};
}

inline auto fields(std::type_identity<Provider>) {
  using P = Provider;
  return std::tuple{
      Field<P, Address>{"provider.address", &P::owner, FieldKind::address},
      Field<P, Amount>{"provider.stake", &P::stake, FieldKind::amount},
      Field<P, Amount>{"provider.locked", &P::locked, FieldKind::amount},
      Field<P, std::string>{"provider.endpoint", &P::endpoint, FieldKind::text, kMaxEndpointBytes},
      Field<P, uint64_t>{"provider.registered_height", &P::registered_height, FieldKind::count},
      Field<P, uint64_t>{"provider.jobs_accepted", &P::jobs_accepted, FieldKind::count},
      Field<P, uint64_t>{"provider.jobs_expired", &P::jobs_expired, FieldKind::count},
      Field<P, uint64_t>{"provider.jobs_settled", &P::jobs_settled, FieldKind::count},
      Field<P, uint64_t>{"provider.jobs_slashed", &P::jobs_slashed, FieldKind::count}};
}

inline auto fields(std::type_identity<Job>) {
  using J = Job;
  return std::tuple{
      Field<J, uint64_t>{"job.id", &J::id, FieldKind::count},
      Field<J, Address>{"job.client", &J::client, FieldKind::address},
      Field<J, Hash256>{"job.spec_hash", &J::spec_hash, FieldKind::hex},
      Field<J, Amount>{"job.payment", &J::payment, FieldKind::amount},
      Field<J, Amount>{"job.bond_required", &J::bond_required, FieldKind::amount},
      Field<J, JobStatus>{"job.status", &J::status, FieldKind::job_status},
      Field<J, std::optional<Address>>{"job.provider", &J::provider, FieldKind::optional_address},
      Field<J, uint64_t>{"job.created_height", &J::created_height, FieldKind::count},
      Field<J, uint64_t>{"job.deadline_height", &J::deadline_height, FieldKind::count},
      Field<J, uint64_t>{"job.accepted_height", &J::accepted_height, FieldKind::count},
      Field<J, uint64_t>{"job.closed_height", &J::closed_height, FieldKind::count},
      Field<J, uint32_t>{"job.samples", &J::samples, FieldKind::count}};
}

inline auto fields(std::type_identity<Unbonding>) {
  using U = Unbonding;
  return std::tuple{
      Field<U, Address>{"unbonding.owner", &U::owner, FieldKind::address},
      Field<U, Amount>{"unbonding.amount", &U::amount, FieldKind::amount},
      Field<U, uint64_t>{"unbonding.release_height", &U::release_height, FieldKind::count},
      Field<U, Ed25519Pubkey>{"unbonding.validator", &U::validator, FieldKind::hex}};
}

inline auto fields(std::type_identity<Validator>) {
  using V = Validator;
  return std::tuple{
      Field<V, Ed25519Pubkey>{"validator.consensus_key", &V::consensus_key, FieldKind::hex},
      Field<V, Address>{"validator.operator", &V::operator_address, FieldKind::address},
      Field<V, Amount>{"validator.power", &V::power, FieldKind::amount},
      Field<V, bool>{"validator.jailed", &V::jailed, FieldKind::flag},
      Field<V, bool>{"validator.tombstoned", &V::tombstoned, FieldKind::flag},
      Field<V, VrfPublicKey>{"validator.vrf_key", &V::vrf_key, FieldKind::hex}};
}

inline auto fields(std::type_identity<Verifier>) {
  using V = Verifier;
  return std::tuple{
      Field<V, Address>{"verifier.address", &V::owner, FieldKind::address},
      Field<V, Amount>{"verifier.stake", &V::stake, FieldKind::amount},
      Field<V, uint64_t>{"verifier.registered_height", &V::registered_height, FieldKind::count},
      Field<V, uint64_t>{"verifier.segments_assigned", &V::segments_assigned, FieldKind::count},
      Field<V, uint64_t>{"verifier.segments_agreed", &V::segments_agreed, FieldKind::count},
      Field<V, uint64_t>{"verifier.disputes_won", &V::disputes_won, FieldKind::count},
      Field<V, uint64_t>{"verifier.disputes_lost", &V::disputes_lost, FieldKind::count},
      Field<V, uint64_t>{"verifier.active_assignments", &V::active_assignments, FieldKind::count},
      Field<V, uint64_t>{"verifier.activation_height", &V::activation_height, FieldKind::count},
      Field<V, uint64_t>{"verifier.busy_until", &V::busy_until, FieldKind::count}};
}

// A slash: who lost what to whom, and why (SlashRecord).
inline auto fields(std::type_identity<SlashRecord>) {
  using S = SlashRecord;
  return std::tuple{
      Field<S, uint64_t>{"slash.id", &S::id, FieldKind::count},
      Field<S, uint64_t>{"slash.height", &S::height, FieldKind::count},
      Field<S, uint64_t>{"slash.job_id", &S::job_id, FieldKind::count},
      Field<S, uint64_t>{"slash.dispute_id", &S::dispute_id, FieldKind::count},
      Field<S, Address>{"slash.offender", &S::offender, FieldKind::address},
      Field<S, std::string>{"slash.role", &S::role, FieldKind::text, kMaxSlashRoleBytes},
      Field<S, Amount>{"slash.amount", &S::amount, FieldKind::amount},
      Field<S, Address>{"slash.beneficiary", &S::beneficiary, FieldKind::address},
      Field<S, Amount>{"slash.reward", &S::reward, FieldKind::amount},
      Field<S, Amount>{"slash.paid_fees", &S::paid_fees, FieldKind::amount},
      Field<S, Amount>{"slash.burned", &S::burned, FieldKind::amount},
      Field<S, std::string>{"slash.reason", &S::reason, FieldKind::text, kMaxSlashReasonBytes}};
}

// One committee seat of a job's proof-of-learning record.
inline auto fields(std::type_identity<Assignment>) {
  using A = Assignment;
  using OptHash = std::optional<Hash256>;
  return std::tuple{
      Field<A, uint64_t>{"assignment.segment", &A::segment, FieldKind::count},
      Field<A, Address>{"assignment.verifier", &A::verifier, FieldKind::address},
      Field<A, OptHash>{"assignment.attest_commitment", &A::attest_commitment,
                        FieldKind::optional_hex},
      Field<A, bool>{"assignment.revealed", &A::revealed, FieldKind::flag},
      Field<A, Hash256>{"assignment.revealed_end", &A::revealed_end, FieldKind::hex},
      Field<A, Hash256>{"assignment.revealed_probe", &A::revealed_probe, FieldKind::hex},
      Field<A, OptHash>{"assignment.provider_probe", &A::provider_probe, FieldKind::optional_hex},
      Field<A, AssignmentResult>{"assignment.result", &A::result, FieldKind::assignment_result}};
}

inline auto fields(std::type_identity<JobPol>) {
  using P = JobPol;
  return std::tuple{
      Field<P, uint64_t>{"job_pol.job_id", &P::job_id, FieldKind::count},
      Field<P, Hash256>{"job_pol.root", &P::root, FieldKind::hex},
      Field<P, Hash256>{"job_pol.manifest", &P::manifest, FieldKind::hex},
      Field<P, uint64_t>{"job_pol.commit_height", &P::commit_height, FieldKind::count},
      Field<P, uint64_t>{"job_pol.sample_height", &P::sample_height, FieldKind::count},
      Field<P, uint64_t>{"job_pol.commit_deadline", &P::commit_deadline, FieldKind::count},
      Field<P, uint64_t>{"job_pol.probe_deadline", &P::probe_deadline, FieldKind::count},
      Field<P, uint64_t>{"job_pol.reveal_deadline", &P::reveal_deadline, FieldKind::count},
      Field<P, std::optional<Hash256>>{"job_pol.probe_seed", &P::probe_seed,
                                       FieldKind::optional_hex},
      Field<P, std::vector<Assignment>>{"job_pol.assignments", &P::assignments, FieldKind::list, 0,
                                        kMaxAssignments},
      Field<P, bool>{"job_pol.judged", &P::judged, FieldKind::flag},
      // At most one availability and one bisection dispute per assignment.
      Field<P, std::vector<uint64_t>>{"job_pol.disputes", &P::disputes, FieldKind::list, 0,
                                      2 * kMaxAssignments}};
}

template <class M>
inline constexpr bool kIsVector = false;
template <class E>
inline constexpr bool kIsVector<std::vector<E>> = true;

// Calls fn(field) for each field of T, in encoding order.
template <class T, class Fn>
void for_each_field(Fn&& fn) {
  std::apply([&](const auto&... f) { (fn(f), ...); }, fields(std::type_identity<T>{}));
}

// ---- the binary encoding, derived ----
template <class T>
void write_fields(Writer& w, const T& obj) {
  for_each_field<T>([&](const auto& f) {
    const auto& v = obj.*(f.member);
    using M = std::decay_t<decltype(v)>;
    if constexpr (kIsVector<M>) {
      w.u32(static_cast<uint32_t>(v.size()));
      for (const auto& item : v) {
        if constexpr (std::is_same_v<std::decay_t<decltype(item)>, uint64_t>)
          w.u64(item);
        else
          write_fields(w, item);
      }
    } else if constexpr (std::is_same_v<M, uint64_t>)
      w.u64(v);
    else if constexpr (std::is_same_v<M, uint32_t>)
      w.u32(v);
    else if constexpr (std::is_same_v<M, bool>)
      w.boolean(v);
    else if constexpr (std::is_same_v<M, std::string>)
      w.str(v);
    else if constexpr (std::is_same_v<M, JobStatus> || std::is_same_v<M, AssignmentResult>)
      w.u8(static_cast<uint8_t>(v));
    else if constexpr (std::is_same_v<M, std::optional<Address>>) {  // also optional hashes
      w.boolean(v.has_value());
      if (v) w.fixed(*v);
    } else
      w.fixed(v);  // a fixed-size byte array
  });
}
template <class T>
Bytes encode_fields(const T& obj) {
  Writer w;
  write_fields(w, obj);
  return w.take();
}

// Reads every field; the Reader keeps the first failure, naming the field.
template <class T>
void decode_fields(Reader& r, T& obj) {
  for_each_field<T>([&](const auto& f) {
    auto& v = obj.*(f.member);
    using M = std::decay_t<decltype(v)>;
    if constexpr (kIsVector<M>) {
      v.clear();
      const uint32_t n = r.u32(f.path);
      if (r.ok() && n > f.max_items) r.fail(std::string(f.path) + ": too many");
      for (uint32_t i = 0; r.ok() && i < n; ++i) {
        typename M::value_type item{};
        if constexpr (std::is_same_v<typename M::value_type, uint64_t>)
          item = r.u64(f.path);
        else
          decode_fields(r, item);
        v.push_back(std::move(item));
      }
    } else if constexpr (std::is_same_v<M, uint64_t>)
      v = r.u64(f.path);
    else if constexpr (std::is_same_v<M, uint32_t>)
      v = r.u32(f.path);
    else if constexpr (std::is_same_v<M, bool>)
      v = r.boolean(f.path);
    else if constexpr (std::is_same_v<M, std::string>)
      v = r.str(f.path, f.max_bytes);
    else if constexpr (std::is_same_v<M, JobStatus>) {
      const uint8_t s = r.u8(f.path);
      if (r.ok() && s > static_cast<uint8_t>(JobStatus::Unverified))
        r.fail(std::string(f.path) + ": unknown status " + std::to_string(s));
      v = static_cast<JobStatus>(s);
    } else if constexpr (std::is_same_v<M, AssignmentResult>) {
      const uint8_t s = r.u8(f.path);
      if (r.ok() && s > static_cast<uint8_t>(AssignmentResult::disputed))
        r.fail(std::string(f.path) + ": unknown value");
      v = static_cast<AssignmentResult>(s);
    } else if constexpr (std::is_same_v<M, std::optional<Address>>) {
      v.reset();
      if (r.boolean(f.path)) v = r.fixed<32>(f.path);
    } else {
      v = r.fixed<std::tuple_size_v<M>>(f.path);
    }
  });
}

}  // namespace vt::ledger
