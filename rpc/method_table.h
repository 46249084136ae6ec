// MethodTable: the JSON-RPC 2.0 dispatcher (parse, validate, batch, call, answer) and the
// OpenRPC document generated from it. Register every method before serving; after that
// handle() and openrpc() only read the table, so concurrent calls are safe if handlers are.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vt::rpc {

// Error codes: the JSON-RPC 2.0 standard ones, then the project's own (-32000..-32099 is
// the range the spec leaves to servers). docs/rpc-protocol.md lists them for clients.
enum ErrorCode : int {
  kParseError = -32700,      // the body is not JSON
  kInvalidRequest = -32600,  // JSON, but not a JSON-RPC request (or nested too deeply)
  kMethodNotFound = -32601,
  kInvalidParams = -32602,  // the message names the parameter
  kInternalError = -32603,  // a handler failed; never a client mistake
  kTxRejected = -32001,     // the ledger or mempool refused a transaction; data.reason
  kMempoolFull = -32002,
  kNotFound = -32004,         // the block/tx/account/job asked for does not exist
  kRequestTooLarge = -32005,  // body over the byte limit, or batch over the count limit
  kLimitExceeded = -32006,    // a per-connection limit (e.g. subscriptions) was hit
  kUnsupported = -32007,      // not available on this transport (subscribe over HTTP)
};

struct RpcError {
  int code = kInternalError;
  std::string message;
  nlohmann::json data;  // null when there is nothing to add
};
// The errors handlers return most, with the reason and no data.
inline RpcError invalid(std::string why) {
  return RpcError{kInvalidParams, std::move(why), nullptr};
}
inline RpcError not_found(std::string why) {
  return RpcError{kNotFound, std::move(why), nullptr};
}
inline RpcError internal(std::string why) {
  return RpcError{kInternalError, std::move(why), nullptr};
}

// A handler's answer: a result or an error. Implicit from both so handlers can
// `return nlohmann::json{...};` or `return RpcError{kNotFound, "no such block", {}};`.
class [[nodiscard]] RpcOutcome {
 public:
  RpcOutcome(nlohmann::json result) : ok_(true), result_(std::move(result)) {}  // NOLINT
  RpcOutcome(RpcError error) : ok_(false), error_(std::move(error)) {}          // NOLINT

  bool ok() const { return ok_; }
  const nlohmann::json& result() const;  // asserts ok()
  const RpcError& error() const;         // asserts !ok()

 private:
  bool ok_;
  nlohmann::json result_;
  RpcError error_;
};

enum class ParamType {
  String,
  Integer,  // JSON number, integral, 0..2^64-1
  Boolean,
  Object,
  Array,
  Hex,     // string of hex digits, no 0x, even length (bytes)
  Amount,  // decimal string of a uint64, e.g. "1000"; no sign, no leading zeros
  Any,
};

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Any;
  bool required = true;
  std::string description;
};

// The JSON Schema a ParamType is documented with in rpc_discover.
[[nodiscard]] nlohmann::json schema_of(ParamType type);

// One subscription's events, block by block (opened by an EventSource).
class EventFeed {
 public:
  virtual ~EventFeed() = default;
  // The events of block `height`, in order: a JSON array, maybe empty; or an error.
  virtual RpcOutcome events_at(std::uint64_t height) = 0;
};

// The topics a server can push: the node's. A subscription reads blocks from
// it in height order, from the height it asked for up to the head, then each
// block as it commits; so a client that reconnects resumes where it stopped.
class EventSource {
 public:
  virtual ~EventSource() = default;
  virtual std::vector<std::string> topics() const = 0;
  virtual std::uint64_t head_height() const = 0;
  struct Opened {
    std::unique_ptr<EventFeed> feed;  // null when error is set
    std::optional<RpcError> error;    // unknown topic, bad filter
  };
  // Opens `topic` with its filter (an object; topic-specific, e.g. a tx query).
  virtual Opened open(const std::string& topic, const nlohmann::json& filter) = 0;
};

// Implemented by a transport connection that can push notifications (the WebSocket
// session); the built-in chain_subscribe / chain_unsubscribe methods call it.
class SubscriptionSink {
 public:
  virtual ~SubscriptionSink() = default;
  // Result: the subscription id (a JSON string), or an error (unknown topic,
  // bad filter, from_height out of range, limit). from_height: the first
  // block whose events to send (nullopt: the next block to commit).
  virtual RpcOutcome subscribe(const std::string& topic, std::optional<std::uint64_t> from_height,
                               const nlohmann::json& filter) = 0;
  // Result: true if the id was this connection's subscription, false otherwise.
  virtual RpcOutcome unsubscribe(const std::string& id) = 0;
};

// Who is calling: handed to handlers through Params. Defaults describe plain HTTP.
struct CallContext {
  SubscriptionSink* subscriptions = nullptr;  // null: this transport cannot push
};

// Validated parameters of one call, by name. Accessors for undeclared or absent
// parameters throw std::logic_error (a handler bug; the table answers -32603).
class Params {
 public:
  Params(nlohmann::json values, const CallContext& context)
      : values_(std::move(values)), context_(context) {}

  bool has(std::string_view name) const;
  const std::string& str(std::string_view name) const;  // String or Hex
  std::uint64_t u64(std::string_view name) const;       // Integer or Amount
  bool boolean(std::string_view name) const;
  const nlohmann::json& json(std::string_view name) const;  // any type, as sent
  // Optional parameters with a fallback.
  std::string str_or(std::string_view name, std::string fallback) const;
  std::uint64_t u64_or(std::string_view name, std::uint64_t fallback) const;

  const nlohmann::json& all() const { return values_; }  // object: name -> value
  const CallContext& context() const { return context_; }

 private:
  const nlohmann::json& at(std::string_view name) const;
  nlohmann::json values_;
  const CallContext& context_;
};

using Handler = std::function<RpcOutcome(const Params&)>;

struct MethodSpec {
  std::string name;               // namespace_method, e.g. chain_getBlock
  std::string summary;            // one line for rpc_discover
  std::vector<ParamSpec> params;  // positional calls use this order
  std::string result_name;
  nlohmann::json result_schema;  // JSON Schema of the result
  Handler handler;
};

struct Limits {
  std::size_t max_depth = 64;   // JSON nesting of a request body
  std::size_t max_batch = 100;  // requests in one batch
  // JSON values in a request body (each becomes a node of the parsed tree). A
  // transaction or blob chunk is one hex string; 16 MiB of "[{},{},...]" would
  // be five million nodes, seconds of the node's one thread and hundreds of MB.
  std::size_t max_values = 100'000;
};

class MethodTable {
 public:
  // title/version go into the OpenRPC info block. Registers rpc_discover,
  // chain_subscribe and chain_unsubscribe.
  explicit MethodTable(std::string title = "veritrain", std::string version = "0.1.0",
                       Limits limits = {});
  MethodTable(const MethodTable&) = delete;  // handlers of built-ins point at this
  MethodTable& operator=(const MethodTable&) = delete;

  // Throws std::invalid_argument on a bad name (not namespace_method), a duplicate
  // method or parameter, a required parameter after an optional one, or no handler.
  void add(MethodSpec spec);
  bool contains(std::string_view name) const;

  // Optional, for a registered method: before a batch is answered, called once
  // with the raw `params` of every request in it that names the method (null
  // where absent), when there are two or more. Each request is then validated
  // and handled alone as usual: a preparer may only prepare work (tx_submit
  // checks the batch's signatures together), never change an answer, and must
  // not throw. Throws std::invalid_argument for a method not registered.
  using BatchPreparer = std::function<void(const std::vector<const nlohmann::json*>& params)>;
  void set_batch_preparer(std::string_view method, BatchPreparer preparer);

  // One HTTP body or WebSocket message in, the JSON-RPC answer out: an object, an
  // array (batch), or a discarded value when nothing must be sent (notifications only).
  // Never throws (handler exceptions become -32603).
  [[nodiscard]] nlohmann::json handle(std::string_view body, const CallContext& context = {}) const;

  // The OpenRPC 1.2 document describing every registered method.
  [[nodiscard]] nlohmann::json openrpc() const;

  const Limits& limits() const { return limits_; }

  // Registered method names, in registration order.
  const std::vector<std::string>& method_names() const { return order_; }
  // Told of every call to a registered method once answered: its name, whether
  // it succeeded and how long validation and the handler took (for metrics).
  // Set before serving; it runs on the calling thread.
  using CallObserver = std::function<void(const std::string& method, bool ok, double seconds)>;
  void set_call_observer(CallObserver observer) { observer_ = std::move(observer); }

 private:
  nlohmann::json handle_one(const nlohmann::json& request, const CallContext& context) const;
  // Calls each method's prepare_batch with its requests' params.
  void prepare_batch(const nlohmann::json& batch) const;

  std::string title_;
  std::string version_;
  Limits limits_;
  std::map<std::string, MethodSpec, std::less<>> methods_;
  std::vector<std::string> order_;  // registration order, for the document
  std::map<std::string, BatchPreparer, std::less<>> preparers_;
  CallObserver observer_;
};

// Builds an error response object (id may be null).
[[nodiscard]] nlohmann::json error_response(const nlohmann::json& id, const RpcError& error);

// Deepest [ / { nesting in text, ignoring brackets inside strings; stops counting
// once limit is passed (returns limit + 1). Linear, no recursion.
[[nodiscard]] std::size_t json_depth(std::string_view text, std::size_t limit);

// The shape of a JSON text in one linear pass, brackets and commas inside
// strings ignored: the deepest nesting and an upper bound on its values (each
// container, plus one per comma, plus one). Stops once either limit is passed.
struct JsonShape {
  std::size_t depth = 0;
  std::size_t values = 0;
};
[[nodiscard]] JsonShape json_shape(std::string_view text, std::size_t max_depth,
                                   std::size_t max_values);

}  // namespace vt::rpc
