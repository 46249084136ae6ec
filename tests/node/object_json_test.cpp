// A state object's JSON view and its JSON Schema come from the one field list
// that also gives its binary encoding (ledger/object_fields.h): every field of
// the view is declared, required and of the declared type, and the encoding
// round-trips. A small checker of the schema subset the RPC uses stands in for
// a full validator here; tests/e2e validates real results with python3-jsonschema.
#include <doctest/doctest.h>

#include <string_view>

#include "node/json_views.h"

using namespace vt;
using nlohmann::json;

namespace {

bool all_of(const std::string& s, std::string_view allowed) {
  return s.find_first_not_of(allowed) == std::string::npos;
}

// The patterns the RPC's schemas use, read by hand (std::regex trips a false
// -Wmaybe-uninitialized of GCC 12 under the sanitizers); any other pattern is
// an error, so a new one cannot pass unchecked.
bool matches(const std::string& s, const std::string& pattern) {
  if (pattern == "^(0|[1-9][0-9]*)$")
    return !s.empty() && all_of(s, "0123456789") && (s == "0" || s[0] != '0');
  if (pattern == "^vt1[02-9ac-hj-np-z]+$")
    return s.size() > 3 && s.rfind("vt1", 0) == 0 &&
           all_of(s.substr(3), "qpzry9x8gf2tvdw0s3jn54khce6mua7l");
  for (size_t n : {64, 66})
    if (pattern == "^[0-9a-f]{" + std::to_string(n) + "}$")
      return s.size() == n && all_of(s, "0123456789abcdef");
  FAIL("a schema pattern this checker does not know: ", pattern);
  return false;
}

// type (one or a list), pattern, enum, maxLength, minimum, required,
// properties, additionalProperties: false.
std::string violation(const json& value, const json& schema, const std::string& at) {
  if (schema.contains("type")) {
    const json types = schema["type"].is_array() ? schema["type"] : json::array({schema["type"]});
    bool ok = false;
    for (const auto& t : types) {
      const std::string name = t.get<std::string>();
      ok = ok || (name == "string" && value.is_string()) ||
           (name == "integer" && value.is_number_integer()) ||
           (name == "boolean" && value.is_boolean()) || (name == "null" && value.is_null()) ||
           (name == "object" && value.is_object()) || (name == "array" && value.is_array());
    }
    if (!ok) return at + ": " + value.dump() + " is not " + schema["type"].dump();
  }
  if (value.is_string()) {
    const std::string s = value.get<std::string>();
    if (schema.contains("pattern") && !matches(s, schema["pattern"].get<std::string>()))
      return at + ": " + s + " does not match " + schema["pattern"].get<std::string>();
    if (schema.contains("maxLength") && s.size() > schema["maxLength"].get<size_t>())
      return at + ": longer than " + schema["maxLength"].dump();
  }
  if (schema.contains("enum") &&
      std::find(schema["enum"].begin(), schema["enum"].end(), value) == schema["enum"].end())
    return at + ": " + value.dump() + " is not one of " + schema["enum"].dump();
  if (schema.contains("minimum") && value.is_number() && value.get<double>() < schema["minimum"])
    return at + ": below the minimum";
  if (value.is_object() && schema.contains("properties")) {
    for (const auto& r : schema["required"])
      if (!value.contains(r.get<std::string>())) return at + ": missing " + r.dump();
    for (const auto& [k, v] : value.items()) {
      if (!schema["properties"].contains(k)) return at + ": undeclared field " + k;
      if (auto why = violation(v, schema["properties"][k], at + "." + k); !why.empty()) return why;
    }
  }
  return "";
}

template <class T>
void check_view(const T& obj, size_t field_count) {
  const json view = node::object_json(obj);
  const json schema = node::object_schema<T>();
  CHECK(view.size() == field_count);
  CHECK(schema["properties"].size() == field_count);
  CHECK(schema["required"].size() == field_count);
  CHECK(schema["additionalProperties"] == false);
  CHECK_MESSAGE(violation(view, schema, "$").empty(), violation(view, schema, "$"));
}

std::array<uint8_t, 32> key_of(uint8_t n) {
  return SchnorrKey::from_secret(std::array<uint8_t, 32>{n, 1, 2, 3}).value().pubkey();
}

}  // namespace

TEST_CASE("each object's JSON view matches the schema derived from the same field list") {
  ledger::Job job;
  job.id = 3;
  job.client = key_of(1);
  job.spec_hash.fill(0xab);
  job.payment = 18'000'000'000'000'000'000u;  // past 2^53: a string, exact
  job.status = ledger::JobStatus::Verifying;
  job.samples = 8;
  check_view(job, 12);
  CHECK(node::object_json(job)["payment"] == "18000000000000000000");
  CHECK(node::object_json(job)["provider"].is_null());
  CHECK(node::object_json(job)["status"] == "verifying");
  job.provider = key_of(2);
  check_view(job, 12);
  CHECK(node::object_json(job)["provider"] == address_to_string(key_of(2)));
  check_view(ledger::Provider{key_of(3), 10, 4, "https://p.example", 3, 2, 1, 0, 0}, 9);
  ledger::Verifier verifier{};
  verifier.owner = key_of(4);
  verifier.busy_until = 99;
  check_view(verifier, 10);
  ledger::Validator validator{};
  validator.operator_address = key_of(5);
  validator.vrf_key[0] = 2;
  check_view(validator, 6);
  CHECK(node::object_json(validator)["vrf_key"].get<std::string>().size() == 66);
  check_view(ledger::Unbonding{key_of(6), 5, 7, {}}, 4);
  check_view(ledger::Account{5, 1}, 2);
}

TEST_CASE("the checker refuses what a drifted view would show") {
  const json schema = node::object_schema<ledger::Provider>();
  json view = node::object_json(ledger::Provider{key_of(3), 10, 4, "e", 3, 2, 1, 0, 0});
  REQUIRE(violation(view, schema, "$").empty());
  json extra = view;
  extra["reputation"] = 1;
  CHECK(violation(extra, schema, "$") == "$: undeclared field reputation");
  json missing = view;
  missing.erase("locked");
  CHECK(violation(missing, schema, "$") == "$: missing \"locked\"");
  json number = view;
  number["stake"] = 10;  // an amount must be a decimal string
  CHECK_FALSE(violation(number, schema, "$").empty());
  json hex_address = view;
  hex_address["address"] = to_hex(key_of(3));
  CHECK_FALSE(violation(hex_address, schema, "$").empty());
}
