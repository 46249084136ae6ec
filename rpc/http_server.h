// HttpServer: serves a MethodTable over HTTP/1.1 (POST /) and WebSocket (upgrade on /,
// same port) on the caller's io_context, plus extra GET routes and pub/sub topics.
// Run the io_context on ONE thread: handlers and GET routes are called there. publish()
// and stop() may be called from any thread. The io_context must outlive the HttpServer,
// and the table must outlive every io.run() that serves it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rpc/method_table.h"

namespace vt::rpc {

struct ServerState;  // shared with the sessions, which may outlive the HttpServer object

struct ServerOptions {
  std::size_t body_limit = 1 << 20;                // bytes; over it: HTTP 413 + -32005
  std::size_t header_limit = 16 * 1024;            // bytes; over it: HTTP 431
  std::chrono::milliseconds read_timeout{15'000};  // one request (or keep-alive idle)
  // Connection slots (HTTP + WebSocket). When none is free, the keep-alive
  // connection idle the longest is closed for the newcomer; with none idle, 503.
  std::size_t max_connections = 256;
  std::size_t max_connections_per_address = 32;  // from one client IP address
  // The last slots go only to an address that holds no connection yet, so a few
  // clients cannot keep every new one out.
  std::size_t reserved_connections = 32;
  std::size_t ws_queue_limit = 1024;      // queued messages before a slow client is dropped
  std::size_t ws_queue_bytes = 16 << 20;  // and queued bytes: a client that sends and never
                                          // reads cannot pin more than this
  std::size_t max_subscriptions = 64;     // per WebSocket connection
  // How far behind the head a subscription may be: from_height further back is
  // refused, and a client that reads so slowly that it falls further behind is
  // dropped with that reason (WebSocket close 1008).
  std::uint64_t ws_max_lag_blocks = 1000;
  // Browser origins allowed to call the RPC from another site (CORS), exactly
  // as a browser sends them ("https://explorer.example"), or "*" for any.
  // Empty: no CORS headers, so browsers keep other sites' pages out.
  std::vector<std::string> cors_origins;
};

// What a GET route answers.
struct GetResponse {
  std::string content_type;
  std::string body;
  int status = 200;
};
using GetHandler = std::function<GetResponse()>;

class HttpServer {
 public:
  // Binds and listens immediately (throws boost::system::system_error if it cannot);
  // serving starts when io runs. Port 0 picks a free port: see port().
  HttpServer(boost::asio::io_context& io, const MethodTable& table,
             const boost::asio::ip::tcp::endpoint& endpoint, ServerOptions options = {});
  ~HttpServer();  // stops (see stop())
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;

  // Register before io runs. GET <path> (exact match, query string ignored).
  void add_get(std::string path, GetHandler handler);
  // Open connections, all and WebSocket only. On the io thread (GET handlers run there).
  std::size_t connections() const;
  std::size_t websocket_connections() const;
  // What chain_subscribe subscribes to. Register before io runs; the source
  // must outlive the server and is only called on the io thread.
  void set_event_source(EventSource& source);

  // A block committed: every subscription that is caught up gets its events as
  // {"jsonrpc":"2.0","method":"subscription","params":{"subscription":id,
  // "result":event}}. Any thread.
  void notify_new_block();

  // Closes the acceptor and every connection; io.run() returns once they are gone.
  // Any thread; idempotent.
  void stop();

 private:
  std::shared_ptr<ServerState> state_;
};

}  // namespace vt::rpc
