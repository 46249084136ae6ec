#include "node/p2p/peer_manager.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>

#include "core/decimal.h"

namespace vt::node::p2p {

namespace {

using boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kHandshakeTimeout{5'000};
constexpr std::chrono::milliseconds kConnectTimeout{3'000};
// A connection with nothing to send pings this often, and one that hears
// nothing (not even a ping) for kReadTimeout is dead.
constexpr std::chrono::milliseconds kPingEvery{5'000};
constexpr std::chrono::milliseconds kReadTimeout{30'000};
constexpr size_t kMaxPendingHandshakes = 16;

// A TCP connect that gives up after `timeout` (Asio's blocking connect waits
// for the kernel's own, minutes-long, timeout).
Result<tcp::socket> connect_within(boost::asio::io_context& io, const std::string& host,
                                   uint16_t port, std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return make_error("'" + host + "' is not an IP address");
  const tcp::endpoint ep(address, port);
  tcp::socket s(io);
  s.open(ep.protocol(), ec);
  if (!ec) s.non_blocking(true, ec);
  if (ec) return make_error("socket: " + ec.message());
  if (::connect(s.native_handle(), ep.data(), static_cast<socklen_t>(ep.size())) != 0) {
    if (errno != EINPROGRESS) return make_error(std::string("connect: ") + std::strerror(errno));
    pollfd p{s.native_handle(), POLLOUT, 0};
    const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n <= 0) return make_error("connect: timed out");
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(s.native_handle(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return make_error(std::string("connect: ") + std::strerror(err));
  }
  return s;
}

// Errors that end a connection without anyone misbehaving.
bool is_benign(const std::string& why) {
  return why.find("closed") != std::string::npos || why.find("timed out") != std::string::npos ||
         why.rfind("read:", 0) == 0 || why.rfind("write:", 0) == 0;
}

}  // namespace

Result<PeerAddress> parse_peer_address(std::string_view spec) {
  const auto at = spec.find('@');
  const auto colon = spec.rfind(':');
  if (at == std::string_view::npos || colon == std::string_view::npos || colon < at)
    return make_error("peer '" + std::string(spec) + "' is not NODE_ID@HOST:PORT");
  PeerAddress a;
  a.id = std::string(spec.substr(0, at));
  a.host = std::string(spec.substr(at + 1, colon - at - 1));
  if (a.id.size() != 40 || a.id.find_first_not_of("0123456789abcdef") != std::string::npos)
    return make_error("peer '" + std::string(spec) +
                      "': the node id is not 40 lowercase hex digits");
  auto port = parse_u64_decimal(std::string(spec.substr(colon + 1)));
  if (!port.ok() || *port == 0 || *port > 65535)
    return make_error("peer '" + std::string(spec) + "' has an invalid port");
  a.port = static_cast<uint16_t>(*port);
  return a;
}

std::string to_string(const PeerAddress& a) {
  return a.id + "@" + a.host + ":" + std::to_string(a.port);
}

struct PeerManager::Connection {
  Connection(SecretStream s, std::string addr, bool out)
      : stream(std::move(s)), address(std::move(addr)), outbound(out) {}
  const std::string& id() const { return stream.peer().id; }

  SecretStream stream;
  const std::string address;
  const bool outbound;
  std::mutex mu;  // guards queue, queued_bytes, closing
  std::condition_variable cv;
  std::deque<Message> queue;
  size_t queued_bytes = 0;
  bool closing = false;
  std::thread reader, writer;
  std::atomic<bool> reader_done{false}, writer_done{false};
  std::atomic<uint64_t> sent{0}, received{0};
};

Result<std::unique_ptr<PeerManager>> PeerManager::start(PeerManagerConfig config,
                                                        const Ed25519Key& identity,
                                                        std::function<void()> wake) {
  std::unique_ptr<PeerManager> pm(new PeerManager(std::move(config), identity, std::move(wake)));
  try {
    pm->acceptor_.emplace(pm->io_,
                          tcp::endpoint(boost::asio::ip::make_address(pm->config_.listen_host),
                                        pm->config_.listen_port));
    pm->acceptor_->non_blocking(true);
    pm->port_ = pm->acceptor_->local_endpoint().port();
  } catch (const std::exception& e) {
    return make_error("cannot listen for peers on " + pm->config_.listen_host + ":" +
                      std::to_string(pm->config_.listen_port) + ": " + e.what());
  }
  for (const auto& p : pm->config_.persistent_peers) pm->dial_[p.id] = DialState{};
  pm->accept_thread_ = std::thread([raw = pm.get()] { raw->accept_loop(); });
  pm->maintain_thread_ = std::thread([raw = pm.get()] { raw->maintain_loop(); });
  return pm;
}

PeerManager::PeerManager(PeerManagerConfig config, const Ed25519Key& identity,
                         std::function<void()> wake)
    : config_(std::move(config)),
      identity_(identity),
      self_id_(node_id(identity.pubkey())),
      wake_(std::move(wake)) {}

PeerManager::~PeerManager() {
  stop();
}

void PeerManager::stop() {
  if (stopping_.exchange(true)) return;
  inbound_space_.notify_all();
  if (accept_thread_.joinable()) accept_thread_.join();
  if (maintain_thread_.joinable()) maintain_thread_.join();
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard l(mu_);
    for (auto& [id, c] : peers_) open.push_back(c);
  }
  for (auto& c : open) close(c, "the node is stopping");
  std::vector<Worker> workers;
  std::vector<std::shared_ptr<Connection>> closed;
  {
    std::lock_guard l(mu_);
    workers.swap(workers_);
    closed.swap(closed_);
  }
  for (auto& w : workers) w.thread.join();
  for (auto& c : closed) {
    if (c->reader.joinable()) c->reader.join();
    if (c->writer.joinable()) c->writer.join();
  }
}

void PeerManager::spawn(std::function<void()> fn) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::lock_guard l(mu_);
  workers_.push_back(Worker{std::thread([fn = std::move(fn), done] {
                              fn();
                              *done = true;
                            }),
                            done});
}

bool PeerManager::is_persistent(const std::string& id) const {
  for (const auto& p : config_.persistent_peers)
    if (p.id == id) return true;
  return false;
}

bool PeerManager::banned(const std::string& id) {
  std::lock_guard l(mu_);
  auto it = banned_.find(id);
  return it != banned_.end() && Clock::now() < it->second;
}

void PeerManager::accept_loop() {
  while (!stopping_) {
    // Poll so that stop() is noticed within 100 ms.
    pollfd p{acceptor_->native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    tcp::socket socket(io_);
    boost::system::error_code ec;
    acceptor_->accept(socket, ec);
    if (ec) continue;
    std::string address = socket.remote_endpoint(ec).address().to_string(ec) + ":" +
                          std::to_string(socket.remote_endpoint(ec).port());
    {
      // Handshakes run on their own threads; a crowd of half-open ones is
      // refused rather than given a thread each.
      std::lock_guard l(mu_);
      if (pending_handshakes_ >= kMaxPendingHandshakes) {
        ++refused_;
        continue;
      }
      ++pending_handshakes_;
    }
    auto shared = std::make_shared<tcp::socket>(std::move(socket));
    spawn([this, shared, address] { handshake_inbound(std::move(*shared), address); });
  }
}

void PeerManager::handshake_inbound(tcp::socket socket, std::string address) {
  auto stream =
      SecretStream::establish(std::move(socket), identity_, std::nullopt, kHandshakeTimeout);
  {
    std::lock_guard l(mu_);
    --pending_handshakes_;
  }
  if (!stream) {
    spdlog::debug("p2p: handshake with {} failed: {}", address, stream.error());
    return;
  }
  const std::string id = stream->peer().id;
  bool full = false;
  {
    std::lock_guard l(mu_);
    full = !is_persistent(id) && peers_.size() >= config_.max_peers && !peers_.contains(id);
  }
  if (banned(id) || full) {
    ++refused_;
    spdlog::debug("p2p: refused {} from {}: {}", id, address, full ? "peer slots full" : "banned");
    stream->close();
    return;
  }
  add_connection(std::move(stream).value(), std::move(address), false);
}

void PeerManager::dial(PeerAddress target) {
  auto fail = [&](const std::string& why) {
    std::lock_guard l(mu_);
    DialState& d = dial_[target.id];
    d.dialing = false;
    d.backoff = std::clamp(d.backoff * 2, config_.backoff_min, config_.backoff_max);
    d.next_try = Clock::now() + d.backoff;
    spdlog::debug("p2p: cannot reach {}: {} (next try in {} ms)", to_string(target), why,
                  d.backoff.count());
  };
  auto socket = connect_within(io_, target.host, target.port, kConnectTimeout);
  if (!socket) return fail(socket.error());
  auto stream =
      SecretStream::establish(std::move(socket).value(), identity_, target.id, kHandshakeTimeout);
  if (!stream) return fail(stream.error());
  {
    std::lock_guard l(mu_);
    DialState& d = dial_[target.id];
    d.dialing = false;
    d.backoff = std::chrono::milliseconds(0);
  }
  add_connection(std::move(stream).value(), target.host + ":" + std::to_string(target.port), true);
}

void PeerManager::maintain_loop() {
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::vector<Worker> finished;
    std::vector<std::shared_ptr<Connection>> dead;
    std::vector<PeerAddress> to_dial;
    {
      std::lock_guard l(mu_);
      const auto now = Clock::now();
      std::erase_if(workers_, [&](Worker& w) {
        if (!*w.done) return false;
        finished.push_back(std::move(w));
        return true;
      });
      std::erase_if(closed_, [&](const std::shared_ptr<Connection>& c) {
        if (!c->reader_done || !c->writer_done) return false;
        dead.push_back(c);
        return true;
      });
      std::erase_if(banned_, [&](const auto& b) { return b.second <= now; });
      for (const auto& p : config_.persistent_peers) {
        DialState& d = dial_[p.id];
        if (peers_.contains(p.id) || d.dialing || now < d.next_try || banned_.contains(p.id))
          continue;
        d.dialing = true;
        to_dial.push_back(p);
      }
    }
    for (auto& w : finished) w.thread.join();
    for (auto& c : dead) {
      c->reader.join();
      c->writer.join();
    }
    for (auto& p : to_dial) spawn([this, p] { dial(p); });
  }
}

void PeerManager::add_connection(SecretStream stream, std::string address, bool outbound) {
  auto c = std::make_shared<Connection>(std::move(stream), std::move(address), outbound);
  const std::string id = c->id();
  if (id == self_id_) {  // a peer list that names this node itself
    c->stream.close();
    return;
  }
  std::shared_ptr<Connection> replaced;
  {
    std::lock_guard l(mu_);
    if (stopping_) {
      c->stream.close();
      return;
    }
    auto it = peers_.find(id);
    if (it != peers_.end()) {
      // Both sides dialed each other at once: both keep the connection that the
      // node with the smaller id dialed. Same direction twice: the peer
      // restarted, so the new connection replaces the old one.
      const bool keep_new =
          c->outbound != it->second->outbound ? c->outbound == (self_id_ < id) : true;
      if (!keep_new) {
        c->stream.close();
        return;
      }
      replaced = it->second;
      it->second = c;
    } else {
      peers_[id] = c;
    }
    c->stream.set_timeout(kReadTimeout);
    c->reader = std::thread([this, c] { read_loop(c); });
    c->writer = std::thread([this, c] { write_loop(c); });
  }
  if (replaced) close(replaced, "replaced by a newer connection");
  spdlog::info("p2p: connected to {} ({}, {})", id, c->address, outbound ? "outbound" : "inbound");
  push_inbound(Inbound{id, std::nullopt}, 0);
}

void PeerManager::read_loop(std::shared_ptr<Connection> c) {
  // Token bucket: max_messages_per_second, bursts of two seconds' worth.
  const double rate = config_.max_messages_per_second;
  double tokens = 2 * rate;
  auto last = Clock::now();
  while (!stopping_) {
    auto m = c->stream.receive(config_.limits);
    if (!m) {
      bool closing;
      {
        std::lock_guard l(c->mu);
        closing = c->closing;
      }
      if (closing || is_benign(m.error()))
        close(c, m.error());
      else
        punish(c->id(), m.error());
      break;
    }
    ++c->received;
    const auto now = Clock::now();
    tokens = std::min(2 * rate, tokens + rate * std::chrono::duration<double>(now - last).count());
    last = now;
    if (tokens < 1) {
      punish(c->id(), "flooding: more than " + std::to_string(config_.max_messages_per_second) +
                          " messages per second");
      break;
    }
    tokens -= 1;
    if (m->type == MessageType::ping) {
      send(c->id(), Message{MessageType::pong, {}});
      continue;
    }
    if (m->type == MessageType::pong) continue;
    const size_t bytes = m->payload.size() + 64;
    push_inbound(Inbound{c->id(), std::move(m).value()}, bytes);
  }
  c->reader_done = true;
}

void PeerManager::write_loop(std::shared_ptr<Connection> c) {
  for (;;) {
    Message m;
    {
      std::unique_lock l(c->mu);
      c->cv.wait_for(l, kPingEvery, [&] { return c->closing || !c->queue.empty(); });
      if (c->closing) break;
      if (c->queue.empty()) {
        m = Message{MessageType::ping, {}};
      } else {
        m = std::move(c->queue.front());
        c->queue.pop_front();
        c->queued_bytes -= m.payload.size() + 1;
      }
    }
    if (auto s = c->stream.send(m); !s) {
      close(c, "send: " + s.error());
      break;
    }
    ++c->sent;
  }
  c->writer_done = true;
}

void PeerManager::close(const std::shared_ptr<Connection>& c, const std::string& why) {
  {
    std::lock_guard l(c->mu);
    if (c->closing) return;
    c->closing = true;
    c->queue.clear();
    c->queued_bytes = 0;
  }
  c->cv.notify_all();
  c->stream.shutdown();
  {
    std::lock_guard l(mu_);
    auto it = peers_.find(c->id());
    if (it != peers_.end() && it->second == c) peers_.erase(it);
    closed_.push_back(c);
  }
  if (!stopping_) spdlog::info("p2p: disconnected from {}: {}", c->id(), why);
}

void PeerManager::push_inbound(Inbound item, size_t bytes) {
  bool was_empty = false;
  {
    std::unique_lock l(inbound_mu_);
    // Wait for the node to catch up; a lone oversized item still goes in.
    inbound_space_.wait(l, [&] {
      return stopping_ || inbound_.empty() || inbound_bytes_ + bytes <= config_.max_inbound_bytes;
    });
    if (stopping_) return;
    was_empty = inbound_.empty();
    inbound_.emplace_back(std::move(item), bytes);
    inbound_bytes_ += bytes;
  }
  if (was_empty) wake_();
}

std::vector<Inbound> PeerManager::drain(size_t max) {
  std::vector<Inbound> out;
  {
    std::lock_guard l(inbound_mu_);
    while (!inbound_.empty() && out.size() < max) {
      inbound_bytes_ -= inbound_.front().second;
      out.push_back(std::move(inbound_.front().first));
      inbound_.pop_front();
    }
  }
  inbound_space_.notify_all();
  return out;
}

void PeerManager::send(const std::string& peer, const Message& m) {
  std::shared_ptr<Connection> c;
  {
    std::lock_guard l(mu_);
    auto it = peers_.find(peer);
    if (it == peers_.end()) return;
    c = it->second;
  }
  bool overflow = false;
  {
    std::lock_guard l(c->mu);
    if (c->closing) return;
    const size_t bytes = m.payload.size() + 1;
    if (c->queued_bytes + bytes > config_.max_send_queue_bytes) {
      overflow = true;
    } else {
      c->queue.push_back(m);
      c->queued_bytes += bytes;
    }
  }
  if (overflow) return close(c, "too slow: its send queue is full");
  c->cv.notify_one();
}

void PeerManager::broadcast(const Message& m, const std::string& except) {
  std::vector<std::string> ids;
  {
    std::lock_guard l(mu_);
    for (const auto& [id, c] : peers_)
      if (id != except) ids.push_back(id);
  }
  for (const auto& id : ids) send(id, m);
}

void PeerManager::punish(const std::string& peer, const std::string& why) {
  std::shared_ptr<Connection> c;
  {
    std::lock_guard l(mu_);
    banned_[peer] = Clock::now() + config_.ban_for;
    if (auto it = peers_.find(peer); it != peers_.end()) c = it->second;
  }
  spdlog::warn("p2p: peer {} misbehaved ({}); refused for {} s", peer, why,
               config_.ban_for.count() / 1000);
  if (c) close(c, "misbehaved: " + why);
}

std::vector<PeerInfo> PeerManager::peers() const {
  std::lock_guard l(mu_);
  std::vector<PeerInfo> out;
  for (const auto& [id, c] : peers_)
    out.push_back(PeerInfo{id, c->address, c->outbound, c->sent, c->received});
  return out;
}

size_t PeerManager::peer_count() const {
  std::lock_guard l(mu_);
  return peers_.size();
}

}  // namespace vt::node::p2p
