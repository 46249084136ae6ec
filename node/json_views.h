// JSON renderings of ledger objects for the RPC and logs: amounts as decimal
// strings, hashes as hex, addresses as vt1... Pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "core/bech32m.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "ledger/object_fields.h"
#include "ledger/objects.h"
#include "ledger/params.h"
#include "ledger/receipt.h"
#include "ledger/transaction.h"

namespace vt::node {

nlohmann::json to_json(const ledger::Account& a, const Address& address);
nlohmann::json to_json(const ledger::Provider& p);
nlohmann::json to_json(const ledger::Job& j);
nlohmann::json to_json(const ledger::DisputeRecord& d);
nlohmann::json to_json(const ledger::SlashRecord& s);
nlohmann::json to_json(const ledger::Params& p);
nlohmann::json to_json(const ledger::Transaction& tx);
nlohmann::json to_json(const ledger::Receipt& r);
nlohmann::json to_json(const std::vector<ledger::Event>& events);
nlohmann::json to_json(const ledger::BlockHeader& h);
// The genesis in the genesis.json format (genesis/README.md): every number a
// decimal string but the time, so ledger::parse_genesis reads it back equal.
nlohmann::json to_json(const ledger::Genesis& g);

// ---- JSON Schemas of results (rpc_discover; tests/e2e validates every result) ----
// An object of exactly these fields, every one required, no other allowed.
nlohmann::json schema_object(std::initializer_list<std::pair<const char*, nlohmann::json>> props);
nlohmann::json schema_object(const nlohmann::json& properties);  // {name: schema}
extern const nlohmann::json kString;
extern const nlohmann::json kInteger;  // >= 0
extern const nlohmann::json kAmount;   // uvt as a decimal string
extern const nlohmann::json kAddress;  // vt1...

// JSON that is a hash in hex, or null.
nlohmann::json hex_or_null(const std::optional<Hash256>& h);
extern const nlohmann::json kHash;        // 64 hex digits
extern const nlohmann::json kHashOrNull;  // 64 hex digits or null
extern const nlohmann::json kIntegerOrNull;

// ---- a view of a composite record, from one list of its fields ----
// Records with nested or derived parts (a dispute's game, a job's
// proof-of-learning record) are shown through a list of fields, each with its
// name, its schema and how it is read from the source: view_json and
// view_schema derive the JSON and its schema from that one list, so the two
// cannot drift. (Plain state objects use ledger/object_fields.h, below.)
template <class S>
struct ViewField {
  const char* name;
  nlohmann::json schema;
  nlohmann::json (*get)(const S&);
};
template <class S>
nlohmann::json view_json(const std::vector<ViewField<S>>& fields, const S& source,
                         nlohmann::json out = nlohmann::json::object()) {
  for (const ViewField<S>& f : fields) out[f.name] = f.get(source);
  return out;
}
// The properties {name: schema} of a field list, added to `props`.
template <class S>
nlohmann::json view_properties(const std::vector<ViewField<S>>& fields,
                               nlohmann::json props = nlohmann::json::object()) {
  for (const ViewField<S>& f : fields) props[f.name] = f.schema;
  return props;
}

// The schemas of to_json(DisputeRecord) (one of two shapes: an availability
// dispute, or a bisection) and of to_json(SlashRecord), from their field lists.
nlohmann::json dispute_schema();
nlohmann::json slash_schema();

// ---- a state object's JSON view and schema, from its field list ----
// (ledger/object_fields.h: the same list gives its binary encoding.)
template <class T>
nlohmann::json object_json(const T& obj) {
  nlohmann::json out = nlohmann::json::object();
  ledger::for_each_field<T>([&](const auto& f) {
    const auto& v = obj.*(f.member);
    using M = std::decay_t<decltype(v)>;
    static_assert(!ledger::kIsVector<M> && !std::is_same_v<M, ledger::AssignmentResult>,
                  "records with lists (JobPol) are shown through ViewField lists");
    nlohmann::json& slot = out[std::string(f.name())];
    if constexpr (std::is_same_v<M, uint64_t> || std::is_same_v<M, uint32_t>)
      slot = f.kind == ledger::FieldKind::amount ? nlohmann::json(std::to_string(v))
                                                 : nlohmann::json(v);
    else if constexpr (std::is_same_v<M, bool> || std::is_same_v<M, std::string>)
      slot = v;
    else if constexpr (std::is_same_v<M, ledger::JobStatus>)
      slot = ledger::job_status_name(v);
    else if constexpr (std::is_same_v<M, std::optional<Address>>)  // also optional hashes
      slot = !v                                              ? nlohmann::json(nullptr)
             : f.kind == ledger::FieldKind::optional_address ? nlohmann::json(address_to_string(*v))
                                                             : nlohmann::json(to_hex(*v));
    else if constexpr (std::is_same_v<M, Address>)  // also hashes and keys: kind decides
      slot = f.kind == ledger::FieldKind::address ? address_to_string(v) : to_hex(v);
    else
      slot = to_hex(v);  // another fixed-size array (a VRF key)
  });
  return out;
}

// The schema of object_json(T), plus `extra` fields the RPC adds.
template <class T>
nlohmann::json object_schema(
    std::initializer_list<std::pair<const char*, nlohmann::json>> extra = {}) {
  nlohmann::json props = nlohmann::json::object();
  ledger::for_each_field<T>([&](const auto& f) {
    using M = std::decay_t<decltype(std::declval<const T&>().*(f.member))>;
    nlohmann::json s;
    switch (f.kind) {
      case ledger::FieldKind::amount:
        s = kAmount;
        break;
      case ledger::FieldKind::count:
        s = kInteger;
        break;
      case ledger::FieldKind::address:
        s = kAddress;
        break;
      case ledger::FieldKind::text:
        s = {{"type", "string"}, {"maxLength", f.max_bytes}};
        break;
      case ledger::FieldKind::flag:
        s = {{"type", "boolean"}};
        break;
      case ledger::FieldKind::job_status: {
        nlohmann::json names = nlohmann::json::array();
        for (uint8_t i = 0; i <= static_cast<uint8_t>(ledger::JobStatus::Unverified); ++i)
          names.push_back(ledger::job_status_name(static_cast<ledger::JobStatus>(i)));
        s = {{"type", "string"}, {"enum", names}};
        break;
      }
      case ledger::FieldKind::optional_address:
        s = {{"type", {"string", "null"}}, {"pattern", kAddress["pattern"]}};
        break;
      case ledger::FieldKind::optional_hex:
        s = kHashOrNull;
        break;
      case ledger::FieldKind::assignment_result:
      case ledger::FieldKind::list:
        break;  // not in any object shown this way (object_json refuses them)
      case ledger::FieldKind::hex:
        if constexpr (requires { std::tuple_size<M>::value; })
          s = {{"type", "string"},
               {"pattern", "^[0-9a-f]{" + std::to_string(2 * std::tuple_size_v<M>) + "}$"}};
        break;
    }
    props[std::string(f.name())] = s;
  });
  for (const auto& [name, s] : extra) props[name] = s;
  return schema_object(props);
}

}  // namespace vt::node
