#include "rpc/method_table.h"

#include <cassert>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <exception>
#include <limits>
#include <stdexcept>

namespace vt::rpc {

using nlohmann::json;

const json& RpcOutcome::result() const {
  assert(ok_);
  return result_;
}

const RpcError& RpcOutcome::error() const {
  assert(!ok_);
  return error_;
}

namespace {

const char* type_name(ParamType type) {
  switch (type) {
    case ParamType::String:
      return "a string";
    case ParamType::Integer:
      return "a non-negative integer (64-bit)";
    case ParamType::Boolean:
      return "a boolean";
    case ParamType::Object:
      return "an object";
    case ParamType::Array:
      return "an array";
    case ParamType::Hex:
      return "a hex string (even length, no 0x)";
    case ParamType::Amount:
      return "a decimal string of a 64-bit unsigned amount";
    case ParamType::Any:
      return "any value";
  }
  return "?";
}

bool is_hex(const std::string& s) {
  if (s.size() % 2 != 0) return false;
  for (char c : s) {
    bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!digit) return false;
  }
  return true;
}

// Canonical decimal uint64: one spelling per value, so amounts hash and compare simply.
bool parse_amount(const std::string& s, std::uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool type_matches(ParamType type, const json& v) {
  switch (type) {
    case ParamType::String:
      return v.is_string();
    case ParamType::Integer:
      return v.is_number_unsigned();  // negatives parse as signed
    case ParamType::Boolean:
      return v.is_boolean();
    case ParamType::Object:
      return v.is_object();
    case ParamType::Array:
      return v.is_array();
    case ParamType::Hex:
      return v.is_string() && is_hex(v.get_ref<const std::string&>());
    case ParamType::Amount: {
      std::uint64_t ignored = 0;
      return v.is_string() && parse_amount(v.get_ref<const std::string&>(), ignored);
    }
    case ParamType::Any:
      return true;
  }
  return false;
}

bool valid_method_name(const std::string& name) {
  // namespace_method: lowercase namespace, one underscore, camelCase method.
  auto underscore = name.find('_');
  if (underscore == std::string::npos || underscore == 0 || underscore + 1 == name.size())
    return false;
  if (name.find('_', underscore + 1) != std::string::npos) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (i == underscore) continue;
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              (i > underscore && c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return name[0] >= 'a' && name[0] <= 'z';
}

// A name the client sent, as an error message quotes it: at most 64 bytes,
// so a megabyte-long method or parameter name is not echoed back whole.
std::string quoted_name(std::string_view name) {
  constexpr std::size_t kMax = 64;
  if (name.size() <= kMax) return std::string(name);
  return std::string(name.substr(0, kMax)) + "... (" + std::to_string(name.size()) + " bytes)";
}

RpcError invalid_params(std::string message) {
  return RpcError{kInvalidParams, "Invalid params: " + std::move(message), nullptr};
}

// Checks params against the spec and returns them as a name -> value object.
RpcOutcome validate_params(const MethodSpec& spec, const json& raw) {
  json named = json::object();
  if (raw.is_array()) {
    if (raw.size() > spec.params.size()) {
      return invalid_params("expected at most " + std::to_string(spec.params.size()) +
                            " positional params, got " + std::to_string(raw.size()));
    }
    for (std::size_t i = 0; i < raw.size(); ++i) named[spec.params[i].name] = raw[i];
  } else if (raw.is_object()) {
    for (const auto& [name, value] : raw.items()) {
      bool known = false;
      for (const auto& p : spec.params) known = known || p.name == name;
      if (!known) return invalid_params("unknown param '" + quoted_name(name) + "'");
      named[name] = value;
    }
  } else {
    assert(raw.is_null());  // the caller rejects other shapes as invalid requests
  }
  // null stands for "not given": lets positional callers skip an optional param.
  for (const auto& p : spec.params) {
    auto it = named.find(p.name);
    if (it != named.end() && it->is_null() && p.type != ParamType::Any) {
      named.erase(it);
      it = named.end();
    }
    if (it == named.end()) {
      if (p.required) return invalid_params("missing required param '" + p.name + "'");
      continue;
    }
    if (!type_matches(p.type, *it)) {
      return invalid_params("param '" + p.name + "' must be " + type_name(p.type));
    }
  }
  return named;
}

json id_or_null(const json& request) {
  if (!request.is_object()) return nullptr;
  auto it = request.find("id");
  if (it == request.end()) return nullptr;
  if (it->is_string() || it->is_number_integer() || it->is_null()) return *it;
  return nullptr;  // a fractional or huge number would not come back as sent
}

}  // namespace

json schema_of(ParamType type) {
  switch (type) {
    case ParamType::String:
      return {{"type", "string"}};
    case ParamType::Integer:
      return {{"type", "integer"},
              {"minimum", 0},
              {"maximum", std::numeric_limits<std::uint64_t>::max()}};
    case ParamType::Boolean:
      return {{"type", "boolean"}};
    case ParamType::Object:
      return {{"type", "object"}};
    case ParamType::Array:
      return {{"type", "array"}};
    case ParamType::Hex:
      return {{"type", "string"}, {"pattern", "^([0-9a-fA-F]{2})*$"}};
    case ParamType::Amount:
      return {{"type", "string"},
              {"pattern", "^(0|[1-9][0-9]{0,19})$"},
              {"description", "decimal uint64"}};
    case ParamType::Any:
      return json::object();  // the schema that accepts everything
  }
  return json::object();
}

json error_response(const json& id, const RpcError& error) {
  json err = {{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) err["data"] = error.data;
  return {{"jsonrpc", "2.0"}, {"error", std::move(err)}, {"id", id}};
}

std::size_t json_depth(std::string_view text, std::size_t limit) {
  return json_shape(text, limit, SIZE_MAX).depth;
}

JsonShape json_shape(std::string_view text, std::size_t max_depth, std::size_t max_values) {
  std::size_t depth = 0;
  JsonShape shape;
  shape.values = 1;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > shape.depth) shape.depth = depth;
      if (shape.depth > max_depth) return {max_depth + 1, shape.values};
      if (++shape.values > max_values) return shape;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',') {
      if (++shape.values > max_values) return shape;
    }
  }
  return shape;
}

bool Params::has(std::string_view name) const {
  return values_.find(name) != values_.end();
}

const json& Params::at(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    throw std::logic_error("handler read param '" + std::string(name) + "' that is absent");
  }
  return *it;
}

const std::string& Params::str(std::string_view name) const {
  const nlohmann::json& v = at(name);
  if (!v.is_string()) throw std::logic_error("param '" + std::string(name) + "' is no string");
  return v.get_ref<const std::string&>();
}

std::uint64_t Params::u64(std::string_view name) const {
  const nlohmann::json& v = at(name);
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  std::uint64_t out = 0;
  if (v.is_string() && parse_amount(v.get_ref<const std::string&>(), out)) return out;
  throw std::logic_error("param '" + std::string(name) + "' is no uint64");
}

bool Params::boolean(std::string_view name) const {
  const nlohmann::json& v = at(name);
  if (!v.is_boolean()) throw std::logic_error("param '" + std::string(name) + "' is no bool");
  return v.get<bool>();
}

const json& Params::json(std::string_view name) const {
  return at(name);
}

std::string Params::str_or(std::string_view name, std::string fallback) const {
  return has(name) ? str(name) : std::move(fallback);
}

std::uint64_t Params::u64_or(std::string_view name, std::uint64_t fallback) const {
  return has(name) ? u64(name) : fallback;
}

MethodTable::MethodTable(std::string title, std::string version, Limits limits)
    : title_(std::move(title)), version_(std::move(version)), limits_(limits) {
  add({"rpc_discover",
       "The OpenRPC 1.2 document of this server, generated from its method table.",
       {},
       "openrpcDocument",
       {{"type", "object"}},
       [this](const Params&) -> RpcOutcome { return openrpc(); }});
  add({"chain_subscribe",
       "Subscribe to a topic (WebSocket only); events arrive as 'subscription' notifications "
       "carrying the returned id, block by block in height order. from_height resumes: the "
       "events of every block from that height are sent first (at most ws_max_lag_blocks "
       "behind the head), then each new block's. Topics and filters: docs/rpc-protocol.md.",
       {{"topic", ParamType::String, true, "topic name, e.g. newBlocks"},
        {"from_height", ParamType::Integer, false,
         "first block whose events to send (default: the next block)"},
        {"filter", ParamType::Object, false,
         "topic-specific, e.g. {\"address\": \"vt1...\"} for txs"}},
       "subscriptionId",
       {{"type", "string"}},
       [](const Params& p) -> RpcOutcome {
         SubscriptionSink* sink = p.context().subscriptions;
         if (sink == nullptr) {
           return RpcError{kUnsupported, "subscriptions need a WebSocket connection", nullptr};
         }
         std::optional<std::uint64_t> from;
         if (p.has("from_height")) from = p.u64("from_height");
         return sink->subscribe(p.str("topic"), from,
                                p.has("filter") ? p.json("filter") : nlohmann::json::object());
       }});
  add({"chain_unsubscribe",
       "Cancel a subscription of this connection.",
       {{"subscription", ParamType::String, true, "id returned by chain_subscribe"}},
       "removed",
       {{"type", "boolean"}},
       [](const Params& p) -> RpcOutcome {
         SubscriptionSink* sink = p.context().subscriptions;
         if (sink == nullptr) {
           return RpcError{kUnsupported, "subscriptions need a WebSocket connection", nullptr};
         }
         return sink->unsubscribe(p.str("subscription"));
       }});
}

void MethodTable::add(MethodSpec spec) {
  if (!valid_method_name(spec.name)) {
    throw std::invalid_argument("method name '" + spec.name + "' is not namespace_method");
  }
  if (methods_.count(spec.name) != 0) {
    throw std::invalid_argument("method '" + spec.name + "' registered twice");
  }
  if (!spec.handler) throw std::invalid_argument("method '" + spec.name + "' has no handler");
  bool seen_optional = false;
  for (std::size_t i = 0; i < spec.params.size(); ++i) {
    const ParamSpec& p = spec.params[i];
    if (p.name.empty()) throw std::invalid_argument(spec.name + ": empty param name");
    for (std::size_t j = 0; j < i; ++j) {
      if (spec.params[j].name == p.name) {
        throw std::invalid_argument(spec.name + ": param '" + p.name + "' declared twice");
      }
    }
    // Positional calls can only leave out a tail, so optional params come last.
    if (p.required && seen_optional) {
      throw std::invalid_argument(spec.name + ": required param '" + p.name +
                                  "' after an optional one");
    }
    seen_optional = seen_optional || !p.required;
  }
  order_.push_back(spec.name);
  std::string name = spec.name;
  methods_.emplace(std::move(name), std::move(spec));
}

bool MethodTable::contains(std::string_view name) const {
  return methods_.find(name) != methods_.end();
}

json MethodTable::handle_one(const json& request, const CallContext& context) const {
  json id = id_or_null(request);
  auto invalid = [&](std::string why) {
    return error_response(id, {kInvalidRequest, "Invalid Request: " + std::move(why), nullptr});
  };
  if (!request.is_object()) return invalid("not an object");
  auto version = request.find("jsonrpc");
  if (version == request.end() || *version != "2.0") return invalid("jsonrpc must be \"2.0\"");
  auto method = request.find("method");
  if (method == request.end() || !method->is_string()) return invalid("method must be a string");
  auto id_it = request.find("id");
  if (id_it != request.end() &&
      !(id_it->is_string() || id_it->is_number_integer() || id_it->is_null())) {
    // JSON numbers past 2^64 (and fractions) cannot be echoed back exactly.
    return invalid(
        "id must be a string, null or an integer from -2^63 to 2^64-1 (send a larger number as "
        "a string)");
  }
  auto params_it = request.find("params");
  static const json no_params = nullptr;
  const json& raw_params = params_it == request.end() ? no_params : *params_it;
  if (!(raw_params.is_null() || raw_params.is_array() || raw_params.is_object())) {
    return invalid("params must be an array or an object");
  }
  // From here on the request is well formed; a notification gets no answer, even on error.
  const bool notification = id_it == request.end();

  const std::string& name = method->get_ref<const std::string&>();
  auto found = methods_.find(name);
  if (found == methods_.end()) {
    if (notification) return json(json::value_t::discarded);
    return error_response(id, {kMethodNotFound, "Method not found: " + quoted_name(name), nullptr});
  }
  const MethodSpec& spec = found->second;

  const auto started = std::chrono::steady_clock::now();
  RpcOutcome validated = validate_params(spec, raw_params);
  RpcOutcome outcome = json(nullptr);
  if (!validated.ok()) {
    outcome = validated;
  } else {
    try {
      Params params(validated.result(), context);
      outcome = spec.handler(params);
    } catch (const std::exception& e) {
      // A handler bug or an unexpected failure below it: report, do not crash the node.
      outcome = RpcError{kInternalError, "Internal error", {{"reason", e.what()}}};
    } catch (...) {
      outcome = RpcError{kInternalError, "Internal error", nullptr};
    }
  }
  if (observer_)
    observer_(name, outcome.ok(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (notification) return json(json::value_t::discarded);
  if (!outcome.ok()) return error_response(id, outcome.error());
  return {{"jsonrpc", "2.0"}, {"result", outcome.result()}, {"id", id}};
}

void MethodTable::set_batch_preparer(std::string_view method, BatchPreparer preparer) {
  if (!contains(method))
    throw std::invalid_argument("batch preparer for unknown method " + std::string(method));
  preparers_.insert_or_assign(std::string(method), std::move(preparer));
}

void MethodTable::prepare_batch(const json& batch) const {
  if (preparers_.empty()) return;
  std::map<std::string_view, std::vector<const json*>> by_method;
  static const json no_params = nullptr;
  for (const json& one : batch) {
    if (!one.is_object()) continue;
    auto method = one.find("method");
    if (method == one.end() || !method->is_string()) continue;
    const std::string& name = method->get_ref<const std::string&>();
    if (!preparers_.contains(name)) continue;
    auto params = one.find("params");
    by_method[name].push_back(params == one.end() ? &no_params : &*params);
  }
  for (const auto& [name, params] : by_method)
    if (params.size() >= 2) preparers_.find(name)->second(params);
}

json MethodTable::handle(std::string_view body, const CallContext& context) const {
  try {
    // Pre-scan so that a hostile 10k-deep body, or millions of tiny values,
    // costs one linear pass, not a tree built on the node's only thread.
    const JsonShape shape = json_shape(body, limits_.max_depth, limits_.max_values);
    if (shape.depth > limits_.max_depth) {
      return error_response(
          nullptr, {kInvalidRequest,
                    "Invalid Request: JSON nested deeper than " + std::to_string(limits_.max_depth),
                    {{"limit", limits_.max_depth}}});
    }
    if (shape.values > limits_.max_values) {
      return error_response(nullptr,
                            {kRequestTooLarge,
                             "Request too large: more than " + std::to_string(limits_.max_values) +
                                 " JSON values in one request",
                             {{"limit", limits_.max_values}}});
    }
    json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded()) {
      return error_response(nullptr, {kParseError, "Parse error: body is not valid JSON", nullptr});
    }
    if (!request.is_array()) return handle_one(request, context);
    if (request.empty()) {
      return error_response(nullptr, {kInvalidRequest, "Invalid Request: empty batch", nullptr});
    }
    if (request.size() > limits_.max_batch) {
      return error_response(
          nullptr, {kRequestTooLarge,
                    "batch of " + std::to_string(request.size()) +
                        " requests exceeds the limit of " + std::to_string(limits_.max_batch),
                    {{"limit", limits_.max_batch}}});
    }
    prepare_batch(request);
    json responses = json::array();
    for (const json& one : request) {
      json response = handle_one(one, context);
      if (!response.is_discarded()) responses.push_back(std::move(response));
    }
    if (responses.empty()) return json(json::value_t::discarded);
    return responses;
  } catch (const std::exception& e) {
    // Only allocation failure or a bug in this file gets here.
    return error_response(nullptr, {kInternalError, "Internal error", {{"reason", e.what()}}});
  }
}

json MethodTable::openrpc() const {
  json methods = json::array();
  for (const std::string& name : order_) {
    const MethodSpec& spec = methods_.at(name);
    json params = json::array();
    for (const ParamSpec& p : spec.params) {
      params.push_back({{"name", p.name},
                        {"description", p.description},
                        {"required", p.required},
                        {"schema", schema_of(p.type)}});
    }
    methods.push_back(
        {{"name", spec.name},
         {"summary", spec.summary},
         {"paramStructure", "either"},
         {"params", std::move(params)},
         {"result",
          {{"name", spec.result_name.empty() ? "result" : spec.result_name},
           {"schema", spec.result_schema.is_null() ? json::object() : spec.result_schema}}}});
  }
  return {{"openrpc", "1.2.6"},
          {"info", {{"title", title_}, {"version", version_}}},
          {"methods", std::move(methods)}};
}

}  // namespace vt::rpc
