// The client's Beast instantiation (HTTP only). Asynchronous operations on a private
// io_context give one deadline for the whole call; the API stays synchronous.
#include "rpc/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cassert>
#include <optional>

namespace vt::rpc {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

std::string CallError::describe() const {
  switch (kind) {
    case Kind::Transport:
      return "cannot reach node: " + message;
    case Kind::Http:
      return "node answered HTTP " + std::to_string(code) + ": " + message;
    case Kind::Rpc: {
      std::string out = "node error " + std::to_string(code) + ": " + message;
      if (!data.is_null())
        out += " (" + data.dump(-1, ' ', false, json::error_handler_t::replace) + ")";
      return out;
    }
    case Kind::Malformed:
      return "unexpected answer from node: " + message;
  }
  return message;
}

const json& CallResult::value() const {
  assert(ok_);
  return value_;
}

const CallError& CallResult::error() const {
  assert(!ok_);
  return error_;
}

RpcClient::RpcClient(std::string url, ClientOptions options)
    : url_(std::move(url)), options_(options) {
  constexpr std::string_view scheme = "http://";
  std::string_view rest(url_);
  if (rest.substr(0, scheme.size()) != scheme) {
    url_error_ = "URL must start with http:// (got '" + url_ + "')";
    return;
  }
  rest.remove_prefix(scheme.size());
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  target_ = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      url_error_ = "unclosed [ in URL '" + url_ + "'";
      return;
    }
    host_ = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        url_error_ = "bad port in URL '" + url_ + "'";
        return;
      }
      port = after.substr(1);
    }
  } else {
    std::size_t colon = authority.rfind(':');
    host_ = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  port_ = port.empty() ? "80" : std::string(port);
  bool digits = port_.size() <= 5;
  for (char c : port_) digits = digits && c >= '0' && c <= '9';
  if (host_.empty() || !digits || std::stoul(port_) > 65535) {
    url_error_ = "bad host or port in URL '" + url_ + "'";
  }
}

namespace {

// Runs resolve -> connect -> write -> read on io; the caller runs io with a deadline.
struct Exchange {
  Exchange(asio::io_context& io, std::size_t limit_) : limit(limit_), resolver(io), stream(io) {
    parser.body_limit(limit);
  }
  std::size_t limit;
  tcp::resolver resolver;
  beast::tcp_stream stream;
  http::request<http::string_body> request;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  beast::error_code error;
  std::string stage = "resolving";
  bool done = false;
};

void start(Exchange& x, const std::string& host, const std::string& port,
           std::chrono::milliseconds timeout) {
  x.resolver.async_resolve(
      host, port, [&x, timeout](beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) {
          x.error = ec;
          return;
        }
        x.stage = "connecting";
        x.stream.expires_after(timeout);
        x.stream.async_connect(results, [&x](beast::error_code ec, const tcp::endpoint&) {
          if (ec) {
            x.error = ec;
            return;
          }
          x.stage = "sending";
          http::async_write(x.stream, x.request, [&x](beast::error_code ec, std::size_t) {
            if (ec) {
              x.error = ec;
              return;
            }
            x.stage = "receiving";
            http::async_read_header(
                x.stream, x.buffer, x.parser, [&x](beast::error_code ec, std::size_t) {
                  // Beast 1.74 does not apply body_limit to a response's Content-Length: check
                  // here.
                  if (!ec) {
                    auto length = x.parser.content_length();
                    if (length && *length > x.limit) ec = http::error::body_limit;
                  }
                  if (ec) {
                    x.error = ec;
                    return;
                  }
                  http::async_read(
                      x.stream, x.buffer, x.parser, [&x](beast::error_code ec, std::size_t) {
                        x.error = ec;
                        x.done = !ec;
                        beast::error_code ignored;
                        x.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
                });
          });
        });
      });
}

}  // namespace

CallResult RpcClient::call(const std::string& method, const json& params) {
  if (!url_error_.empty()) return CallError{CallError::Kind::Transport, 0, url_error_, nullptr};
  const std::uint64_t id = next_id_++;
  json request = {{"jsonrpc", "2.0"}, {"method", method}, {"params", params}, {"id", id}};

  asio::io_context io;
  Exchange x(io, options_.response_limit);
  x.request.method(http::verb::post);
  x.request.target(target_);
  x.request.version(11);
  x.request.set(http::field::host, host_ + ":" + port_);
  x.request.set(http::field::content_type, "application/json");
  x.request.set(http::field::user_agent, "veritrain-rpc-client");
  x.request.keep_alive(false);
  x.request.body() = request.dump(-1, ' ', false, json::error_handler_t::replace);
  x.request.prepare_payload();
  start(x, host_, port_, options_.timeout);
  // The stream's own deadline covers connect..read; this bounds the resolve as well.
  io.run_for(options_.timeout + std::chrono::milliseconds(100));
  if (!x.done) {
    std::string why = x.error ? x.error.message() : "timed out";
    if (x.error == beast::error::timeout) why = "timed out";
    if (x.error == http::error::body_limit) why = "response larger than the client's limit";
    return CallError{CallError::Kind::Transport, 0,
                     why + " while " + x.stage + " " + host_ + ":" + port_, nullptr};
  }

  const auto& response = x.parser.get();
  const int status = static_cast<int>(response.result_int());
  json body = json::parse(response.body(), nullptr, /*allow_exceptions=*/false);
  const bool rpc_shaped = body.is_object() && body.contains("jsonrpc") && body["jsonrpc"] == "2.0";
  if (rpc_shaped && body.contains("error") && body["error"].is_object()) {
    // Also for 413/415 and the like: the server explains itself in JSON-RPC terms.
    const json& e = body["error"];
    int code = e.contains("code") && e["code"].is_number_integer() ? e["code"].get<int>() : 0;
    std::string message = e.contains("message") && e["message"].is_string()
                              ? e["message"].get<std::string>()
                              : std::string("(no message)");
    json data = e.contains("data") ? e["data"] : json(nullptr);
    return CallError{CallError::Kind::Rpc, code, std::move(message), std::move(data)};
  }
  if (status < 200 || status > 299) {
    std::string text = response.body().substr(0, 200);
    return CallError{CallError::Kind::Http, status, text.empty() ? "(empty body)" : text, nullptr};
  }
  if (!rpc_shaped || !body.contains("result")) {
    return CallError{CallError::Kind::Malformed, 0, "not a JSON-RPC response", nullptr};
  }
  if (body.value("id", json(nullptr)) != json(id)) {
    return CallError{CallError::Kind::Malformed, 0, "response id does not match the request",
                     nullptr};
  }
  return body["result"];
}

}  // namespace vt::rpc
