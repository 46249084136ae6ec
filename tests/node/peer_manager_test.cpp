// The peer manager (node/p2p/peer_manager.h) over real loopback sockets:
// persistent peers connect and reconnect after a restart, messages flow both
// ways through the drained queue, and peers that send oversized or unknown
// messages, flood, or arrive when the slots are full are disconnected and
// refused, while well-behaved peers stay connected.
#include "node/p2p/peer_manager.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <thread>

#include "node/p2p/secret_channel.h"

using namespace vt;
using namespace vt::node::p2p;
using boost::asio::ip::tcp;

namespace {

Ed25519Key key_of(uint8_t n) {
  std::array<uint8_t, 32> seed{};
  seed.fill(n);
  return Ed25519Key::from_seed(seed);
}

const MessageLimits kLimits{1 << 20, 1 << 16, 10};

PeerManagerConfig config_with(std::vector<PeerAddress> peers = {}) {
  PeerManagerConfig c;
  c.limits = kLimits;
  c.persistent_peers = std::move(peers);
  c.backoff_min = std::chrono::milliseconds(50);
  c.backoff_max = std::chrono::milliseconds(200);
  return c;
}

std::unique_ptr<PeerManager> start(const PeerManagerConfig& c, const Ed25519Key& key) {
  auto pm = PeerManager::start(c, key, [] {});
  REQUIRE_MESSAGE(pm.ok(), pm.error());
  return std::move(pm).value();
}

bool eventually(const std::function<bool()>& cond, int ms = 10'000) {
  for (int waited = 0; waited < ms; waited += 10) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

// The next message (not a connect notice) drained from pm, or nullopt.
std::optional<Inbound> next_message(PeerManager& pm) {
  std::optional<Inbound> got;
  eventually([&] {
    for (auto& in : pm.drain(1))
      if (in.message) got = std::move(in);
    return got.has_value();
  });
  return got;
}

// A raw client: connects and runs the handshake as `key`.
Result<SecretStream> dial(uint16_t port, const Ed25519Key& key, const Ed25519Key& server) {
  static boost::asio::io_context io;
  tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return make_error(ec.message());
  return SecretStream::establish(std::move(s), key, node_id(server.pubkey()),
                                 std::chrono::milliseconds(3000));
}

// True when the server ends the connection (the receive fails) within 5 s.
bool dropped(SecretStream& s) {
  s.set_timeout(std::chrono::milliseconds(5000));
  for (int i = 0; i < 100; ++i) {
    auto m = s.receive(kLimits);
    if (!m) return m.error().find("timed out") == std::string::npos;
  }
  return false;
}

}  // namespace

TEST_CASE("peers: persistent peers connect, exchange messages and reconnect after a restart") {
  const Ed25519Key ka = key_of(1), kb = key_of(2);
  auto b = start(config_with(), kb);
  auto a = start(config_with({{node_id(kb.pubkey()), "127.0.0.1", b->port()}}), ka);
  REQUIRE(eventually([&] { return a->peer_count() == 1 && b->peer_count() == 1; }));
  CHECK(a->peers()[0].outbound);
  CHECK_FALSE(b->peers()[0].outbound);

  a->broadcast({MessageType::tx, Bytes{1, 2, 3}});
  auto got = next_message(*b);
  REQUIRE(got);
  CHECK(got->peer == node_id(ka.pubkey()));
  CHECK(got->message->type == MessageType::tx);
  CHECK(got->message->payload == Bytes{1, 2, 3});
  b->send(node_id(ka.pubkey()), {MessageType::vote, Bytes(100, 9)});
  auto back = next_message(*a);
  REQUIRE(back);
  CHECK(back->message->payload == Bytes(100, 9));

  // B goes away; A notices and keeps dialing with backoff until B is back.
  const uint16_t port = b->port();
  b.reset();
  REQUIRE(eventually([&] { return a->peer_count() == 0; }));
  PeerManagerConfig again = config_with();
  again.listen_port = port;
  b = start(again, kb);
  REQUIRE(eventually([&] { return a->peer_count() == 1 && b->peer_count() == 1; }));
  a->broadcast({MessageType::tx, Bytes{4}});
  auto after = next_message(*b);
  REQUIRE(after);
  CHECK(after->message->payload == Bytes{4});
}

TEST_CASE("peers: an oversized or unknown message gets the peer disconnected and refused") {
  const Ed25519Key server = key_of(1), bad = key_of(3), good = key_of(4);
  PeerManagerConfig config = config_with();
  config.ban_for = std::chrono::milliseconds(3000);  // long enough for a loaded machine
  auto pm = start(config, server);
  auto honest = dial(pm->port(), good, server);
  REQUIRE_MESSAGE(honest.ok(), honest.error());

  auto s = dial(pm->port(), bad, server);
  REQUIRE_MESSAGE(s.ok(), s.error());
  REQUIRE(eventually([&] { return pm->peer_count() == 2; }));
  REQUIRE(s->send({MessageType::tx, Bytes((1 << 16) + 1, 7)}).ok());  // one byte over
  CHECK(dropped(s.value()));
  REQUIRE(eventually([&] { return pm->peer_count() == 1; }));
  // The same key comes back: the handshake completes, then it is shown the door.
  auto again = dial(pm->port(), bad, server);
  if (again.ok()) CHECK(dropped(again.value()));
  CHECK(eventually([&] { return pm->refused() >= 1; }));
  // Once the ban has run out it is a peer like any other again.
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  auto back = dial(pm->port(), bad, server);
  REQUIRE_MESSAGE(back.ok(), back.error());
  REQUIRE(back->send({MessageType::ping, {}}).ok());
  back->set_timeout(std::chrono::milliseconds(5000));
  auto pong = back->receive(kLimits);
  REQUIRE(pong.ok());
  CHECK(pong->type == MessageType::pong);
  back->close();
  REQUIRE(eventually([&] { return pm->peer_count() == 1; }));

  // A message type the protocol does not have.
  const Ed25519Key other = key_of(5);
  auto u = dial(pm->port(), other, server);
  REQUIRE_MESSAGE(u.ok(), u.error());
  REQUIRE(u->send({static_cast<MessageType>(99), Bytes{1}}).ok());
  CHECK(dropped(u.value()));

  // The honest peer is still connected and heard.
  REQUIRE(honest->send({MessageType::tx, Bytes{42}}).ok());
  std::optional<Inbound> got;
  REQUIRE(eventually([&] {
    for (auto& in : pm->drain(64))
      if (in.message && in.message->payload == Bytes{42}) got = std::move(in);
    return got.has_value();
  }));
  CHECK(got->peer == node_id(good.pubkey()));
  CHECK(pm->peer_count() == 1);
}

TEST_CASE("peers: a flooding peer is cut off; slots beyond max_peers are refused") {
  const Ed25519Key server = key_of(1);
  PeerManagerConfig c = config_with();
  c.max_messages_per_second = 200;  // bursts of 400
  c.max_peers = 2;
  auto pm = start(c, server);
  auto flood = dial(pm->port(), key_of(6), server);
  REQUIRE_MESSAGE(flood.ok(), flood.error());
  bool send_failed = false;
  for (int i = 0; i < 5000 && !send_failed; ++i)
    send_failed = !flood->send({MessageType::tx, Bytes{1}}).ok();
  CHECK((send_failed || dropped(flood.value())));
  REQUIRE(eventually([&] { return pm->peer_count() == 0; }));

  auto p1 = dial(pm->port(), key_of(7), server);
  auto p2 = dial(pm->port(), key_of(8), server);
  REQUIRE(p1.ok());
  REQUIRE(p2.ok());
  REQUIRE(eventually([&] { return pm->peer_count() == 2; }));
  auto p3 = dial(pm->port(), key_of(9), server);
  if (p3.ok()) CHECK(dropped(p3.value()));
  CHECK(pm->peer_count() == 2);
}

TEST_CASE("peers: addresses parse as NODE_ID@HOST:PORT and nothing else") {
  auto a = parse_peer_address("0123456789abcdef0123456789abcdef01234567@127.0.0.1:26656");
  REQUIRE(a.ok());
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 26656);
  CHECK(to_string(*a) == "0123456789abcdef0123456789abcdef01234567@127.0.0.1:26656");
  CHECK_FALSE(parse_peer_address("127.0.0.1:26656").ok());
  CHECK_FALSE(parse_peer_address("xyz@127.0.0.1:26656").ok());
  CHECK_FALSE(parse_peer_address("0123456789abcdef0123456789abcdef01234567@127.0.0.1:0").ok());
  CHECK_FALSE(parse_peer_address("0123456789abcdef0123456789abcdef01234567@127.0.0.1:70000").ok());
}
