// RpcClient: a synchronous JSON-RPC 2.0 over HTTP client (the wallet CLI's link to a
// node). One TCP connection per call, one deadline per call. Not thread-safe: use one
// client per thread. No Beast in this header.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace vt::rpc {

struct ClientOptions {
  std::chrono::milliseconds timeout{10'000};  // resolve + connect + send + receive
  std::size_t response_limit = 64u << 20;     // bytes of response body accepted
};

struct CallError {
  enum class Kind {
    Transport,  // bad URL, cannot resolve/connect, reset, timeout: message says which
    Http,       // an HTTP error status without a JSON-RPC body; code = the status
    Rpc,        // the server's JSON-RPC error; code, message, data as sent
    Malformed,  // a 2xx answer that is not a JSON-RPC response to this call
  };
  Kind kind = Kind::Transport;
  int code = 0;
  std::string message;
  nlohmann::json data;

  // One line for a person, e.g. "node error -32602: Invalid params: ...".
  [[nodiscard]] std::string describe() const;
};

class [[nodiscard]] CallResult {
 public:
  CallResult(nlohmann::json value) : ok_(true), value_(std::move(value)) {}  // NOLINT
  CallResult(CallError error) : ok_(false), error_(std::move(error)) {}      // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const nlohmann::json& value() const;  // asserts ok()
  const CallError& error() const;       // asserts !ok()

 private:
  bool ok_;
  nlohmann::json value_;
  CallError error_;
};

class RpcClient {
 public:
  // url: http://host:port[/path] (port defaults to 80; IPv6 as [::1]). A bad URL is
  // reported by call() as a Transport error.
  explicit RpcClient(std::string url, ClientOptions options = {});

  // params: an object (by name) or an array (by position).
  CallResult call(const std::string& method,
                  const nlohmann::json& params = nlohmann::json::object());

  const std::string& url() const { return url_; }

 private:
  std::string url_;
  ClientOptions options_;
  std::string host_;
  std::string port_;
  std::string target_;
  std::string url_error_;  // non-empty when url_ did not parse
  std::uint64_t next_id_ = 1;
};

}  // namespace vt::rpc
