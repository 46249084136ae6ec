#include "ledger/genesis.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "consensus/validator_set.h"
#include "core/decimal.h"
#include "core/encoding.h"
#include "core/sha256.h"
#include "core/vrf.h"
#include "ledger/state_access.h"

namespace vt::ledger {

namespace {

using nlohmann::json;

// Reads field `name` of `obj` as a u64 given as a decimal string (or a JSON integer).
Result<uint64_t> u64_field(const json& obj, const std::string& path, const char* name) {
  std::string where = path + name;
  if (!obj.contains(name)) return make_error(where + ": missing");
  const json& v = obj.at(name);
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (!v.is_string()) return make_error(where + ": must be a decimal string");
  auto n = parse_u64_decimal(v.get<std::string>());
  if (!n) return make_error(where + ": " + n.error());
  return n;
}

Result<std::string> string_field(const json& obj, const std::string& path, const char* name) {
  if (!obj.contains(name)) return make_error(path + name + ": missing");
  if (!obj.at(name).is_string()) return make_error(path + name + ": must be a string");
  return obj.at(name).get<std::string>();
}

#define TRY_ASSIGN(lhs, expr)        \
  do {                               \
    auto _r = (expr);                \
    if (!_r) return _r.take_error(); \
    lhs = std::move(_r).value();     \
  } while (0)

Result<Params> parse_params(const json& p, const std::string& chain_id) {
  if (!p.is_object()) return make_error("params: must be an object");
  const auto fields = param_fields();
  for (const auto& [k, v] : p.items())
    if (std::none_of(fields.begin(), fields.end(),
                     [&](const ParamField& f) { return k == f.name; }))
      return make_error("params." + k + ": unknown parameter");
  Params out;
  out.chain_id = chain_id;
  const std::string path = "params.";
  for (const ParamField& f : fields) {
    uint64_t v = 0;
    TRY_ASSIGN(v, u64_field(p, path, f.name));
    if (f.u64) {
      out.*f.u64 = v;
    } else {
      if (v > UINT32_MAX) return make_error(path + f.name + ": too large");
      out.*f.u32 = static_cast<uint32_t>(v);
    }
  }
  if (auto s = validate(out); !s)
    return make_error((s.error().rfind("chain_id", 0) == 0 ? "" : path) + s.error());
  return out;
}

}  // namespace

Result<Genesis> parse_genesis(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return make_error("genesis is not valid JSON");
  if (!doc.is_object()) return make_error("genesis must be a JSON object");
  static const std::set<std::string> known = {"chain_id", "genesis_time_ms", "params",
                                              "accounts", "validators",      "datasets"};
  for (const auto& [k, v] : doc.items())
    if (!known.count(k)) return make_error(k + ": unknown genesis field");
  Genesis g;
  std::string chain_id;
  TRY_ASSIGN(chain_id, string_field(doc, "", "chain_id"));
  TRY_ASSIGN(g.genesis_time_ms, u64_field(doc, "", "genesis_time_ms"));
  // Block times count up from here; near 2^64 they would wrap to before it.
  if (g.genesis_time_ms > kMaxGenesisTimeMs)
    return make_error("genesis_time_ms: must be at most " + std::to_string(kMaxGenesisTimeMs) +
                      " (9999-12-31T23:59:59.999Z)");
  if (!doc.contains("params")) return make_error("params: missing");
  TRY_ASSIGN(g.params, parse_params(doc["params"], chain_id));

  if (!doc.contains("accounts") || !doc["accounts"].is_array())
    return make_error("accounts: must be an array");
  Amount total = 0;
  std::set<Address> seen;
  for (size_t i = 0; i < doc["accounts"].size(); ++i) {
    const json& a = doc["accounts"][i];
    std::string path = "accounts[" + std::to_string(i) + "].";
    if (!a.is_object()) return make_error(path.substr(0, path.size() - 1) + ": must be an object");
    std::string text_addr;
    TRY_ASSIGN(text_addr, string_field(a, path, "address"));
    auto address = address_from_string(text_addr);
    if (!address) return make_error(path + "address: " + address.error());
    GenesisBalance b{address.value(), 0};
    TRY_ASSIGN(b.amount, u64_field(a, path, "balance"));
    if (!seen.insert(b.address).second) return make_error(path + "address: listed twice");
    if (add_overflows(total, b.amount))
      return make_error(path + "balance: total supply exceeds 2^64-1");
    total += b.amount;
    g.balances.push_back(b);
  }

  if (!doc.contains("validators") || !doc["validators"].is_array() || doc["validators"].empty())
    return make_error("validators: must be a non-empty array");
  std::set<Ed25519Pubkey> keys_seen;
  for (size_t i = 0; i < doc["validators"].size(); ++i) {
    const json& v = doc["validators"][i];
    std::string path = "validators[" + std::to_string(i) + "].";
    if (!v.is_object()) return make_error(path.substr(0, path.size() - 1) + ": must be an object");
    Validator val;
    std::string text;
    TRY_ASSIGN(text, string_field(v, path, "consensus_key"));
    auto key = hash_from_hex(text);
    if (!key) return make_error(path + "consensus_key: " + key.error());
    val.consensus_key = key.value();
    TRY_ASSIGN(text, string_field(v, path, "operator"));
    auto op = address_from_string(text);
    if (!op) return make_error(path + "operator: " + op.error());
    val.operator_address = op.value();
    TRY_ASSIGN(val.power, u64_field(v, path, "power"));
    TRY_ASSIGN(text, string_field(v, path, "vrf_key"));
    auto vrf = from_hex(text);
    if (!vrf || vrf->size() != val.vrf_key.size())
      return make_error(path + "vrf_key: expected 66 hex digits (a compressed P-256 point)");
    std::copy(vrf->begin(), vrf->end(), val.vrf_key.begin());
    // A key that cannot verify would stop the chain at this validator's first block.
    if (!vrf_key_valid(val.vrf_key)) return make_error(path + "vrf_key: not a point on P-256");
    if (val.power == 0) return make_error(path + "power: must be positive");
    if (add_overflows(total, val.power))
      return make_error(path + "power: total supply (balances and stakes) exceeds 2^64-1");
    total += val.power;
    if (!keys_seen.insert(val.consensus_key).second)
      return make_error(path + "consensus_key: listed twice");
    g.validators.push_back(val);
  }
  if (g.validators.size() > g.params.max_validators)
    return make_error("validators: " + std::to_string(g.validators.size()) +
                      " is more than params.max_validators");
  {
    unsigned __int128 power = 0;
    for (const auto& v : g.validators) power += v.power;
    if (power > consensus::ValidatorSet::kMaxTotalPower)
      return make_error("validators: total power (stake) above 2^60");
  }

  // The data-set registry: optional (a chain without one accepts no job).
  if (doc.contains("datasets")) {
    if (!doc["datasets"].is_array()) return make_error("datasets: must be an array");
    std::set<Hash256> ids;
    for (size_t i = 0; i < doc["datasets"].size(); ++i) {
      const json& d = doc["datasets"][i];
      const std::string path = "datasets[" + std::to_string(i) + "].";
      if (!d.is_object())
        return make_error(path.substr(0, path.size() - 1) + ": must be an object");
      for (const auto& [k, v] : d.items())
        if (k != "name" && k != "train_images_sha256" && k != "train_labels_sha256" &&
            k != "test_images_sha256" && k != "test_labels_sha256")
          return make_error(path + k + ": unknown field");
      DatasetEntry e;
      TRY_ASSIGN(e.name, string_field(d, path, "name"));
      if (e.name.empty() || e.name.size() > 64)
        return make_error(path + "name: must be 1 to 64 characters");
      struct File {
        const char* field;
        Hash256* dst;
      };
      for (File f : {File{"train_images_sha256", &e.train_images},
                     File{"train_labels_sha256", &e.train_labels},
                     File{"test_images_sha256", &e.test_images},
                     File{"test_labels_sha256", &e.test_labels}}) {
        std::string text;
        TRY_ASSIGN(text, string_field(d, path, f.field));
        auto h = hash_from_hex(text);
        if (!h) return make_error(path + f.field + ": " + h.error());
        *f.dst = h.value();
      }
      if (!ids.insert(dataset_id(e)).second) return make_error(path + "name: listed twice");
      g.datasets.push_back(e);
    }
  }
  return g;
}

#undef TRY_ASSIGN

ChangeSet genesis_changes(const Genesis& g) {
  StateStore empty;
  Overlay o(empty);
  write_params(o, g.params);
  o.put(keys::next_job_id(), Writer().u64(1).take());
  for (const auto& b : g.balances) write_account(o, b.address, Account{b.amount, 0});
  for (const auto& v : g.validators) write_validator(o, v);
  for (const auto& d : g.datasets) write_dataset(o, d);
  const Hash256 seed = genesis_seed(g);
  o.put(keys::randomness(), Bytes(seed.begin(), seed.end()));
  return o.take_changes();
}

Hash256 genesis_seed(const Genesis& g) {
  return tagged_hash("veritrain/genesis-seed",
                     Writer().str(g.params.chain_id).u64(g.genesis_time_ms).take());
}

Hash256 genesis_hash(const Genesis& g, const Hash256& state_root) {
  return tagged_hash(
      "veritrain/genesis",
      Writer().str(g.params.chain_id).u64(g.genesis_time_ms).fixed(state_root).take());
}

}  // namespace vt::ledger
