// The only translation unit of the server that instantiates Beast (HTTP and WebSocket):
// keep it that way, Beast templates are the bulk of rpc/'s compile time.
#include "rpc/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cassert>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <set>

namespace vt::rpc {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;

namespace {

std::string dump(const json& j) {
  // replace: a handler may put invalid UTF-8 into a string; never throw while answering.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A connection the server can close on stop(), or to give its slot to a newcomer.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void close_now() = 0;
  // Since when it has waited for a request with nothing of one received yet
  // (an HTTP keep-alive connection between requests); nullopt while busy.
  virtual std::optional<std::chrono::steady_clock::time_point> idle_since() const = 0;
  virtual const asio::ip::address& client_address() const = 0;
};

}  // namespace

class WsSession;

struct ServerState {
  ServerState(asio::io_context& io_, const MethodTable& table_, ServerOptions options_)
      : io(io_), table(table_), options(options_), acceptor(io_) {}

  asio::io_context& io;
  const MethodTable& table;
  const ServerOptions options;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::map<std::string, GetHandler, std::less<>> gets;
  EventSource* events = nullptr;

  // Touched on the io thread only.
  bool stopped = false;
  std::size_t connections = 0;                           // live sessions, HTTP and WebSocket
  std::map<asio::ip::address, std::size_t> per_address;  // the same, by client address
  std::uint64_t next_connection = 1;
  std::uint64_t next_subscription = 1;
  std::map<std::uint64_t, std::weak_ptr<Connection>> live;
  std::map<std::uint64_t, std::weak_ptr<WsSession>> websockets;
};

namespace {

// Owns the bookkeeping every session shares: the count, the id, the stop() registry.
class Registered {
 public:
  Registered(std::shared_ptr<ServerState> state, asio::ip::address address)
      : state_(std::move(state)), id_(state_->next_connection++), address_(std::move(address)) {
    ++state_->connections;
    ++state_->per_address[address_];
  }
  ~Registered() {
    --state_->connections;
    if (auto held = state_->per_address.find(address_); --held->second == 0)
      state_->per_address.erase(held);
    state_->live.erase(id_);
    state_->websockets.erase(id_);
  }
  Registered(const Registered&) = delete;
  Registered& operator=(const Registered&) = delete;

 protected:
  std::shared_ptr<ServerState> state_;
  const std::uint64_t id_;
  const asio::ip::address address_;
};

asio::ip::address remote_address(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  return ec ? asio::ip::address() : peer.address();
}

}  // namespace

// One WebSocket client: requests in, responses and subscription events out through a
// bounded queue (a client that cannot keep up is dropped rather than buffered forever).
class WsSession : public Connection,
                  public SubscriptionSink,
                  public Registered,
                  public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket socket, std::shared_ptr<ServerState> state)
      : Registered(std::move(state), remote_address(socket)), ws_(std::move(socket)) {}

  void run(http::request<http::string_body> upgrade) {
    state_->live[id_] = weak_from_this();
    state_->websockets[id_] = weak_from_this();
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = std::chrono::seconds(120);  // with keep-alive pings at half
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(state_->options.body_limit);
    upgrade_ = std::move(upgrade);
    ws_.async_accept(upgrade_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

  void close_now() override { beast::get_lowest_layer(ws_).close(); }
  std::optional<std::chrono::steady_clock::time_point> idle_since() const override {
    return std::nullopt;  // a subscriber waits for events, not requests
  }
  const asio::ip::address& client_address() const override { return address_; }

  RpcOutcome subscribe(const std::string& topic, std::optional<std::uint64_t> from_height,
                       const json& filter) override {
    EventSource* source = state_->events;
    if (source == nullptr) return RpcError{kUnsupported, "this server has no topics", nullptr};
    if (subscriptions_.size() >= state_->options.max_subscriptions) {
      return RpcError{kLimitExceeded,
                      "too many subscriptions on this connection",
                      {{"limit", state_->options.max_subscriptions}}};
    }
    const std::uint64_t head = source->head_height();
    const std::uint64_t first = from_height.value_or(head + 1);
    const std::uint64_t max_lag = state_->options.ws_max_lag_blocks;
    if (first == 0 || first > head + 1) {
      return RpcError{kInvalidParams,
                      "Invalid params: from_height must be 1 to the next block (" +
                          std::to_string(head + 1) + ")",
                      {{"head", head}}};
    }
    if (head + 1 - first > max_lag) {
      return RpcError{kInvalidParams,
                      "Invalid params: from_height is more than " + std::to_string(max_lag) +
                          " blocks behind the head; catch up with chain_getBlockResults or "
                          "tx_search, then subscribe",
                      {{"head", head}, {"max_lag_blocks", max_lag}}};
    }
    EventSource::Opened opened = source->open(topic, filter);
    if (opened.error) return *opened.error;
    char id[24];
    std::snprintf(id, sizeof id, "%016llx",
                  static_cast<unsigned long long>(state_->next_subscription++));
    subscriptions_[id] = Subscription{std::move(opened.feed), first};
    // After the answer to this call is queued: post, so the events follow it.
    asio::post(state_->io, [self = shared_from_this()] { self->pump(); });
    return json(id);
  }

  RpcOutcome unsubscribe(const std::string& id) override {
    return json(subscriptions_.erase(id) == 1);
  }

  // Sends each subscription's events, block by block, up to the head, while
  // the queue has room; called on each new block and each finished write.
  void pump() {
    if (closed_ || state_->events == nullptr) return;
    const std::uint64_t head = state_->events->head_height();
    // Half the queue (messages and bytes) is for events; the rest is for answers.
    const std::size_t room = state_->options.ws_queue_limit / 2;
    const std::size_t room_bytes = state_->options.ws_queue_bytes / 2;
    for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
      Subscription& sub = it->second;
      if (head >= sub.next_height && head - sub.next_height >= state_->options.ws_max_lag_blocks) {
        return drop("slow consumer: subscription " + it->first + " is " +
                    std::to_string(head - sub.next_height + 1) + " blocks behind the head");
      }
      bool failed = false;
      while (sub.next_height <= head && queue_.size() < room && queued_bytes_ < room_bytes) {
        RpcOutcome events = sub.feed->events_at(sub.next_height);
        if (!events.ok()) {
          // The subscription ends with the reason; the connection stays.
          send(dump({{"jsonrpc", "2.0"},
                     {"method", "subscription"},
                     {"params",
                      {{"subscription", it->first},
                       {"error",
                        {{"code", events.error().code}, {"message", events.error().message}}}}}}));
          failed = true;
          break;
        }
        for (const json& event : events.result())
          send(dump({{"jsonrpc", "2.0"},
                     {"method", "subscription"},
                     {"params", {{"subscription", it->first}, {"result", event}}}}));
        sub.next_height += 1;
      }
      it = failed ? subscriptions_.erase(it) : std::next(it);
    }
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return;  // closed, timed out, too big (Beast sent close 1009) or stopped
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    CallContext context;
    context.subscriptions = this;
    json response = state_->table.handle(text, context);
    if (!response.is_discarded()) send(dump(response));
    if (!closed_) read();
  }

  void send(std::string message) {
    if (closed_) return;
    if (queue_.size() >= state_->options.ws_queue_limit)
      return drop("slow consumer: " + std::to_string(queue_.size()) + " messages unread");
    if (!queue_.empty() && queued_bytes_ + message.size() > state_->options.ws_queue_bytes)
      return drop("slow consumer: " + std::to_string(queued_bytes_) + " bytes unread");
    queued_bytes_ += message.size();
    queue_.push_back(std::move(message));
    if (queue_.size() == 1) write();
  }

  // Closes with a reason the client can read (close code 1008, policy): after
  // the write in progress, if any; queued messages are dropped.
  void drop(const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    subscriptions_.clear();
    if (queue_.size() > 1) queue_.resize(1);
    queued_bytes_ = queue_.empty() ? 0 : queue_.front().size();
    close_reason_ = websocket::close_reason(websocket::close_code::policy_error, reason);
    if (queue_.empty()) return send_close();
    // A client that reads nothing never lets that write finish: it is cut off.
    drop_timer_.expires_after(std::chrono::seconds(5));
    drop_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->close_now();
    });
  }

  void send_close() {
    ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) {});
  }

  void write() {
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) {
                        self->closed_ = true;
                        self->queue_.clear();
                        self->queued_bytes_ = 0;
                        return;
                      }
                      self->queued_bytes_ -= self->queue_.front().size();
                      self->queue_.pop_front();
                      if (!self->queue_.empty()) return self->write();
                      if (self->closed_) {  // drop() waited for this write
                        self->drop_timer_.cancel();
                        return self->send_close();
                      }
                      self->pump();
                    });
  }

  struct Subscription {
    std::unique_ptr<EventFeed> feed;
    std::uint64_t next_height = 0;  // the next block whose events to send
  };

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> upgrade_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;                      // front() is being written
  std::size_t queued_bytes_ = 0;                       // the sizes of queue_'s messages
  std::map<std::string, Subscription> subscriptions_;  // by id
  bool closed_ = false;  // no more sends: closing, or the socket failed
  websocket::close_reason close_reason_;
  asio::steady_timer drop_timer_{ws_.get_executor()};  // drop(): the last write's deadline
};

namespace {

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         beast::iequals(beast::string_view(text.data(), prefix.size()),
                        beast::string_view(prefix.data(), prefix.size()));
}

// One HTTP connection: keep-alive loop of read header, (100-continue), read body, answer.
class HttpSession : public Connection,
                    public Registered,
                    public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, std::shared_ptr<ServerState> state)
      : Registered(std::move(state), remote_address(socket)), stream_(std::move(socket)) {}

  void run() {
    state_->live[id_] = weak_from_this();
    read_header();
  }

  void close_now() override {
    waiting_since_.reset();  // closed: never picked again as the idlest
    stream_.close();
  }
  std::optional<std::chrono::steady_clock::time_point> idle_since() const override {
    if (!waiting_since_ || buffer_.size() != 0 || parser_->got_some()) return std::nullopt;
    return waiting_since_;
  }
  const asio::ip::address& client_address() const override { return address_; }

 private:
  using Response = http::response<http::string_body>;

  void read_header() {
    waiting_since_ = std::chrono::steady_clock::now();
    parser_.emplace();
    parser_->body_limit(state_->options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.header_limit));
    stream_.expires_after(state_->options.read_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    waiting_since_.reset();
    if (ec) return on_error(ec);
    auto& req = parser_->get();
    if (websocket::is_upgrade(req)) {
      if (req.target() != "/")
        return reply_text(http::status::not_found, "no WebSocket here\n", false);
      // The upgrade request has no body; hand the socket to a WebSocket session.
      stream_.expires_never();
      auto ws = std::make_shared<WsSession>(stream_.release_socket(), state_);
      ws->run(parser_->release());
      return;
    }
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      // curl asks before sending bodies over 1 KiB; answering saves it a 1 s wait.
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue),
                        [self = shared_from_this()](beast::error_code wec, std::size_t) {
                          if (wec) return;
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->on_error(ec);
                       self->on_request();
                     });
  }

  void on_error(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      RpcError error{
          kRequestTooLarge,
          "request body exceeds " + std::to_string(state_->options.body_limit) + " bytes",
          {{"limit", state_->options.body_limit}}};
      return reply_json(http::status::payload_too_large, error_response(nullptr, error), false);
    }
    if (ec == http::error::header_limit) {
      return reply_text(http::status::request_header_fields_too_large, "headers too large\n",
                        false);
    }
    if (ec.category() == beast::error_code(http::error::body_limit).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return reply_text(http::status::bad_request, "malformed HTTP\n", false);
    }
    // end of stream, timeout, reset, stop(): nothing to answer.
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  void on_request() {
    const auto& req = parser_->get();
    const bool keep_alive = req.keep_alive();
    std::string_view target(req.target().data(), req.target().size());
    std::string_view path = target.substr(0, target.find('?'));
    if (req.method() == http::verb::get) {
      auto route = state_->gets.find(path);
      if (route == state_->gets.end()) {
        return reply_text(http::status::not_found, "not found\n", keep_alive);
      }
      GetResponse got;
      try {
        got = route->second();
      } catch (const std::exception& e) {
        got = GetResponse{"text/plain", std::string("internal error: ") + e.what() + "\n", 500};
      }
      return reply(static_cast<http::status>(got.status), got.content_type, std::move(got.body),
                   keep_alive);
    }
    if (path != "/") return reply_text(http::status::not_found, "not found\n", keep_alive);
    if (req.method() == http::verb::options) {
      // A browser's CORS preflight: allowed origins may POST JSON.
      if (cors_origin().empty())
        return reply_text(http::status::forbidden, "origin not allowed (rpc.cors_origins)\n",
                          keep_alive);
      return reply(http::status::no_content, "", "", keep_alive);
    }
    if (req.method() != http::verb::post) {
      return reply_text(http::status::method_not_allowed, "JSON-RPC: POST / or WebSocket\n",
                        keep_alive);
    }
    std::string_view type(req[http::field::content_type].data(),
                          req[http::field::content_type].size());
    if (!starts_with_nocase(type, "application/json")) {
      RpcError error{kInvalidRequest, "Invalid Request: Content-Type must be application/json",
                     nullptr};
      return reply_json(http::status::unsupported_media_type, error_response(nullptr, error),
                        keep_alive);
    }
    json response = state_->table.handle(req.body());
    if (response.is_discarded()) return reply(http::status::no_content, "", "", keep_alive);
    reply_json(http::status::ok, response, keep_alive);
  }

  // The Access-Control-Allow-Origin this request gets: its Origin when that is
  // allowed ("*" when any is), else empty (no CORS headers).
  std::string cors_origin() const {
    if (!parser_ || !parser_->is_header_done()) return {};
    const auto& req = parser_->get();
    const auto found = req.find(http::field::origin);
    if (found == req.end()) return {};
    const std::string origin(found->value().data(), found->value().size());
    for (const std::string& allowed : state_->options.cors_origins) {
      if (allowed == "*") return "*";
      if (allowed == origin) return origin;
    }
    return {};
  }

  void reply_json(http::status status, const json& body, bool keep_alive) {
    reply(status, "application/json", dump(body), keep_alive);
  }

  void reply_text(http::status status, std::string text, bool keep_alive) {
    reply(status, "text/plain", std::move(text), keep_alive);
  }

  void reply(http::status status, std::string_view content_type, std::string body,
             bool keep_alive) {
    const unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    response_.emplace(status, version);
    response_->set(http::field::server, "veritrain");
    if (const std::string origin = cors_origin(); !origin.empty()) {
      response_->set(http::field::access_control_allow_origin, origin);
      response_->set(http::field::vary, "Origin");
      if (parser_ && parser_->get().method() == http::verb::options) {
        response_->set(http::field::access_control_allow_methods, "POST, GET, OPTIONS");
        response_->set(http::field::access_control_allow_headers, "Content-Type");
        response_->set(http::field::access_control_max_age, "600");
      }
    }
    if (!content_type.empty())
      response_->set(http::field::content_type,
                     beast::string_view(content_type.data(), content_type.size()));
    response_->body() = std::move(body);
    response_->keep_alive(keep_alive);
    response_->prepare_payload();
    stream_.expires_after(state_->options.read_timeout);
    http::async_write(stream_, *response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        if (ec) return self->stream_.close();
                        if (keep_alive) return self->read_header();
                        self->linger_close();
                      });
  }

  // Closing right after an error answer while the client is still sending makes the
  // kernel reset the connection, and the client may never read the answer (413 above
  // all). So: stop sending, drain what arrives for a moment, then close.
  void linger_close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(1));
    drain();
  }

  void drain() {
    drain_buffer_.resize(16 * 1024);
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > (16u << 20)) return self->stream_.close();
                              self->drain();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<Response> response_;
  std::string drain_buffer_;
  std::size_t drained_ = 0;
  std::optional<std::chrono::steady_clock::time_point> waiting_since_;  // in read_header
};

// Closes the connection idle the longest (only among `from`'s when given) so that
// a newcomer can have its slot; false when every candidate is busy.
bool close_longest_idle(ServerState& state, const asio::ip::address* from) {
  std::shared_ptr<Connection> oldest;
  std::chrono::steady_clock::time_point oldest_since{};
  for (const auto& [id, weak] : state.live) {
    auto connection = weak.lock();
    if (!connection || (from && connection->client_address() != *from)) continue;
    const auto since = connection->idle_since();
    if (since && (!oldest || *since < oldest_since)) {
      oldest = std::move(connection);
      oldest_since = *since;
    }
  }
  if (!oldest) return false;
  oldest->close_now();  // its session ends, and its count drops, once the read is cancelled
  return true;
}

// Empty when a connection from `address` may open now (perhaps by closing an
// idle one), else why not.
std::string admit(ServerState& state, const asio::ip::address& address) {
  const ServerOptions& o = state.options;
  const auto found = state.per_address.find(address);
  const std::size_t held = found == state.per_address.end() ? 0 : found->second;
  if (held >= o.max_connections_per_address) {
    if (close_longest_idle(state, &address)) return {};
    return "too many connections from your address (at most " +
           std::to_string(o.max_connections_per_address) + ")";
  }
  const std::size_t free = o.max_connections - std::min(state.connections, o.max_connections);
  if (free == 0) {
    if (close_longest_idle(state, nullptr)) return {};
    return "all " + std::to_string(o.max_connections) + " connection slots are busy";
  }
  if (held > 0 && free <= o.reserved_connections) {
    if (close_longest_idle(state, &address)) return {};
    return "the last " + std::to_string(o.reserved_connections) +
           " connection slots are kept for new clients; your address holds " + std::to_string(held);
  }
  return {};
}

void accept_loop(std::shared_ptr<ServerState> state) {
  state->acceptor.async_accept([state](beast::error_code ec, tcp::socket socket) {
    if (state->stopped || ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (const std::string refused = admit(*state, remote_address(socket)); !refused.empty()) {
        // Fresh socket, empty send buffer: this small blocking write cannot stall.
        const std::string busy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
            "Content-Length: " +
            std::to_string(refused.size() + 1) + "\r\nConnection: close\r\n\r\n" + refused + "\n";
        beast::error_code ignored;
        asio::write(socket, asio::buffer(busy), ignored);
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
      } else {
        std::make_shared<HttpSession>(std::move(socket), state)->run();
      }
    }
    // Errors such as EMFILE are transient: keep accepting.
    accept_loop(state);
  });
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, const MethodTable& table,
                       const tcp::endpoint& endpoint, ServerOptions options)
    : state_(std::make_shared<ServerState>(io, table, options)) {
  tcp::acceptor& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  state_->port = acceptor.local_endpoint().port();
  accept_loop(state_);
}

HttpServer::~HttpServer() {
  stop();
}

std::uint16_t HttpServer::port() const {
  return state_->port;
}

void HttpServer::add_get(std::string path, GetHandler handler) {
  assert(handler);
  state_->gets[std::move(path)] = std::move(handler);
}

std::size_t HttpServer::connections() const {
  return state_->connections;
}

std::size_t HttpServer::websocket_connections() const {
  return state_->websockets.size();
}

void HttpServer::set_event_source(EventSource& source) {
  state_->events = &source;
}

void HttpServer::notify_new_block() {
  asio::post(state_->io, [state = state_] {
    if (state->stopped) return;
    std::vector<std::shared_ptr<WsSession>> sessions;  // pumping may close one
    for (const auto& [id, weak] : state->websockets)
      if (auto session = weak.lock()) sessions.push_back(std::move(session));
    for (const auto& session : sessions) session->pump();
  });
}

void HttpServer::stop() {
  asio::dispatch(state_->io, [state = state_] {
    if (state->stopped) return;
    state->stopped = true;
    beast::error_code ignored;
    state->acceptor.close(ignored);
    // Copy first: closing may run destructors that erase from the map.
    std::vector<std::shared_ptr<Connection>> open;
    for (const auto& [id, weak] : state->live) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
    for (const auto& connection : open) connection->close_now();
  });
}

}  // namespace vt::rpc
