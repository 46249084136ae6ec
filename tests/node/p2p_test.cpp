// The encrypted peer channel (node/p2p): the handshake proves each side's node
// key, a relay that swaps the ephemeral keys is caught, a peer claiming a key
// it cannot sign with is refused, frames that are altered, replayed or
// reordered do not open, and over real loopback sockets messages round-trip
// while oversized, unknown, garbage and silent peers are dropped with a reason.
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <functional>
#include <thread>

#include "node/p2p/secret_channel.h"
#include "node/p2p/secret_stream.h"

using namespace vt;
using namespace vt::node::p2p;
using boost::asio::ip::tcp;

namespace {

Ed25519Key key_of(uint8_t n) {
  std::array<uint8_t, 32> seed{};
  seed.fill(n);
  return Ed25519Key::from_seed(seed);
}

uint32_t length_of(const Bytes& frame) {
  return (uint32_t{frame[0]} << 24) | (uint32_t{frame[1]} << 16) | (uint32_t{frame[2]} << 8) |
         uint32_t{frame[3]};
}
ByteView body_of(const Bytes& frame) {
  return ByteView(frame.data() + kLengthBytes, frame.size() - kLengthBytes);
}
ByteView view(const std::array<uint8_t, kHelloBytes>& a) {
  return ByteView(a.data(), a.size());
}

// Runs both handshakes to the end in memory.
void connect(Handshake& a, Handshake& b, Result<PeerIdentity>* a_sees,
             Result<PeerIdentity>* b_sees) {
  REQUIRE(a.on_hello(view(b.hello())).ok());
  REQUIRE(b.on_hello(view(a.hello())).ok());
  const Bytes fa = a.auth_frame().value(), fb = b.auth_frame().value();
  *a_sees = a.on_auth(length_of(fb), body_of(fb));
  *b_sees = b.on_auth(length_of(fa), body_of(fa));
}

const MessageLimits kLimits{1 << 20, 1 << 16, 10};

}  // namespace

TEST_CASE("p2p: the handshake proves both node keys and the channel carries frames both ways") {
  const Ed25519Key ka = key_of(1), kb = key_of(2);
  Handshake a(ka), b(kb, node_id(ka.pubkey()));  // b dials a as a persistent peer
  Result<PeerIdentity> a_sees = make_error("unset"), b_sees = make_error("unset");
  connect(a, b, &a_sees, &b_sees);
  REQUIRE_MESSAGE(a_sees.ok(), a_sees.error());
  REQUIRE_MESSAGE(b_sees.ok(), b_sees.error());
  CHECK(a_sees->key == kb.pubkey());
  CHECK(b_sees->key == ka.pubkey());
  CHECK(a_sees->id == node_id(kb.pubkey()));
  CHECK(a_sees->id.size() == 40);
  CHECK(a.challenge() == b.challenge());

  SecretChannel& ca = a.channel();
  SecretChannel& cb = b.channel();
  for (int i = 0; i < 5; ++i) {
    const Bytes msg(static_cast<size_t>(100 * i), static_cast<uint8_t>(i));
    const Bytes f = ca.seal(msg).value();
    CHECK(f.size() == kLengthBytes + msg.size() + kTagBytes);
    CHECK(cb.open(length_of(f), body_of(f)).value() == msg);
    const Bytes back = cb.seal(msg).value();
    CHECK(ca.open(length_of(back), body_of(back)).value() == msg);
  }
  // The two directions use different keys: a frame cannot be reflected back.
  const Bytes f = ca.seal(Bytes{1, 2, 3}).value();
  CHECK_FALSE(ca.open(length_of(f), body_of(f)).ok());
  REQUIRE(cb.open(length_of(f), body_of(f)).ok());
  // Replayed: the receiver's counter moved on.
  CHECK_FALSE(cb.open(length_of(f), body_of(f)).ok());
  // Altered (any byte, the length included) or reordered frames do not open.
  const Bytes f1 = ca.seal(Bytes{4, 5, 6}).value();
  const Bytes f2 = ca.seal(Bytes{7, 8, 9}).value();
  CHECK_FALSE(cb.open(length_of(f2), body_of(f2)).ok());  // f1 skipped
  Bytes bent = f1;
  bent[kLengthBytes + 1] ^= 1;
  CHECK_FALSE(cb.open(length_of(bent), body_of(bent)).ok());
  CHECK(cb.open(length_of(f1), body_of(f1)).value() == Bytes{4, 5, 6});
  CHECK(cb.open(length_of(f2), body_of(f2)).value() == Bytes{7, 8, 9});
  // Frame limits: refused before anything is allocated or decrypted.
  CHECK_FALSE(SecretChannel::check_frame_length(kMaxFramePlaintext + kTagBytes + 1).ok());
  CHECK_FALSE(SecretChannel::check_frame_length(kTagBytes - 1).ok());
  CHECK_FALSE(ca.seal(Bytes(kMaxFramePlaintext + 1)).ok());
}

TEST_CASE("p2p: a relay that swaps the ephemeral keys cannot pass one side's proof to the other") {
  const Ed25519Key ka = key_of(1), kb = key_of(2), km = key_of(3);
  // The relay runs one handshake with A (pretending to be B) and one with B.
  Handshake a(ka), m_to_a(km), m_to_b(km), b(kb);
  REQUIRE(a.on_hello(view(m_to_a.hello())).ok());
  REQUIRE(m_to_a.on_hello(view(a.hello())).ok());
  REQUIRE(m_to_b.on_hello(view(b.hello())).ok());
  REQUIRE(b.on_hello(view(m_to_b.hello())).ok());
  CHECK(m_to_a.challenge() != m_to_b.challenge());
  // It opens A's proof on one leg and re-seals it, unchanged, on the other.
  const Bytes fa = a.auth_frame().value();
  auto opened = m_to_a.channel().open(length_of(fa), body_of(fa));
  REQUIRE(opened.ok());
  const Bytes forwarded = m_to_b.channel().seal(*opened).value();
  auto b_sees = b.on_auth(length_of(forwarded), body_of(forwarded));
  REQUIRE_FALSE(b_sees.ok());
  CHECK_MESSAGE(b_sees.error().find("cannot prove the key it claims") != std::string::npos,
                b_sees.error());
}

TEST_CASE(
    "p2p: a peer that claims a key it cannot sign with, or is not the expected one, is refused") {
  const Ed25519Key ka = key_of(1), kb = key_of(2), other = key_of(4);
  SUBCASE("claims kb's key, signs with another") {
    Handshake a(ka), b(kb);
    REQUIRE(a.on_hello(view(b.hello())).ok());
    REQUIRE(b.on_hello(view(a.hello())).ok());
    Bytes claim(96);
    std::memcpy(claim.data(), kb.pubkey().data(), 32);
    const Ed25519Sig sig = other.sign(auth_signing_bytes(b.challenge()));
    std::memcpy(claim.data() + 32, sig.data(), 64);
    const Bytes forged = b.channel().seal(claim).value();
    auto seen = a.on_auth(length_of(forged), body_of(forged));
    REQUIRE_FALSE(seen.ok());
    CHECK(seen.error().find("cannot prove the key it claims") != std::string::npos);
  }
  SUBCASE("a persistent peer's id is checked") {
    Handshake a(ka, node_id(other.pubkey())), b(kb);
    Result<PeerIdentity> a_sees = make_error("unset"), b_sees = make_error("unset");
    connect(a, b, &a_sees, &b_sees);
    REQUIRE_FALSE(a_sees.ok());
    CHECK(a_sees.error().find("expected node " + node_id(other.pubkey())) != std::string::npos);
    CHECK(b_sees.ok());
  }
  SUBCASE("low-order keys, reflections and malformed hellos") {
    Handshake a(ka);
    std::array<uint8_t, kHelloBytes> zero{};
    CHECK(a.on_hello(view(zero)).error().find("low order") != std::string::npos);
    Handshake c(ka);
    CHECK(c.on_hello(view(c.hello())).error().find("reflection") != std::string::npos);
    Handshake d(ka);
    CHECK_FALSE(d.on_hello(ByteView(zero.data(), 31)).ok());
    CHECK_FALSE(d.auth_frame().ok());  // no keys yet
  }
}

namespace {

// A loopback listener; `serve` runs on its own thread with the accepted socket.
struct Listener {
  boost::asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)};
  std::thread thread;
  void serve(std::function<void(tcp::socket)> fn) {
    thread = std::thread([this, fn] {
      tcp::socket s(io);
      acceptor.accept(s);
      fn(std::move(s));
    });
  }
  tcp::socket dial() {
    tcp::socket s(io);
    s.connect(acceptor.local_endpoint());
    return s;
  }
  ~Listener() {
    if (thread.joinable()) thread.join();
  }
};

constexpr std::chrono::milliseconds kTimeout{5000};

}  // namespace

TEST_CASE("p2p: two nodes on loopback exchange typed messages; bad ones are refused") {
  const Ed25519Key server_key = key_of(1), client_key = key_of(2);
  Listener l;
  std::string server_error;
  std::vector<Message> server_got;
  l.serve([&](tcp::socket s) {
    auto st = SecretStream::establish(std::move(s), server_key, std::nullopt, kTimeout);
    if (!st) {
      server_error = st.error();
      return;
    }
    for (;;) {
      auto m = st->receive(kLimits);
      if (!m) {
        server_error = m.error();
        return;
      }
      server_got.push_back(*m);
      if (m->type == MessageType::ping) (void)st->send({MessageType::pong, {}});
    }
  });
  auto client =
      SecretStream::establish(l.dial(), client_key, node_id(server_key.pubkey()), kTimeout);
  REQUIRE_MESSAGE(client.ok(), client.error());
  CHECK(client->peer().key == server_key.pubkey());
  REQUIRE(client->send({MessageType::ping, {}}).ok());
  auto pong = client->receive(kLimits);
  REQUIRE_MESSAGE(pong.ok(), pong.error());
  CHECK(pong->type == MessageType::pong);
  REQUIRE(client->send({MessageType::tx, Bytes(1 << 16, 7)}).ok());  // exactly the limit
  // One byte over the transaction limit: the server drops the connection.
  REQUIRE(client->send({MessageType::tx, Bytes((1 << 16) + 1, 7)}).ok());
  l.thread.join();
  REQUIRE(server_got.size() == 2);
  CHECK(server_got[1].payload.size() == (1u << 16));
  CHECK_MESSAGE(
      server_error.find("tx message of 65537 bytes is above its limit 65536") != std::string::npos,
      server_error);
  // Types outside the table are refused too.
  CHECK(decode_message(Bytes{99}, kLimits).error().find("unknown message type 99") !=
        std::string::npos);
  CHECK_FALSE(decode_message(Bytes{}, kLimits).ok());
  CHECK_FALSE(decode_message(Bytes{static_cast<uint8_t>(MessageType::ping), 0}, kLimits).ok());
}

TEST_CASE("p2p: garbage, oversized frames, wrong keys and silent peers end the handshake") {
  const Ed25519Key server_key = key_of(1);
  SUBCASE("a huge length prefix is refused without allocating it") {
    Listener l;
    std::string why;
    l.serve([&](tcp::socket s) {
      auto st = SecretStream::establish(std::move(s), server_key, std::nullopt, kTimeout);
      why = st.ok() ? "" : st.error();
    });
    tcp::socket raw = l.dial();
    Bytes junk(kHelloBytes, 9);                         // some X25519 key
    junk.insert(junk.end(), {0xff, 0xff, 0xff, 0xff});  // a 4 GiB frame
    boost::asio::write(raw, boost::asio::buffer(junk));
    l.thread.join();
    CHECK_MESSAGE(why.find("frame length 4294967295 is outside") != std::string::npos, why);
  }
  SUBCASE("a peer that says nothing times out") {
    Listener l;
    std::string why;
    l.serve([&](tcp::socket s) {
      auto st = SecretStream::establish(std::move(s), server_key, std::nullopt,
                                        std::chrono::milliseconds(200));
      why = st.ok() ? "" : st.error();
    });
    tcp::socket raw = l.dial();
    const auto start = std::chrono::steady_clock::now();
    l.thread.join();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
    CHECK_MESSAGE(why.find("timed out") != std::string::npos, why);
  }
  SUBCASE("the client expects another node") {
    Listener l;
    l.serve([&](tcp::socket s) {
      (void)SecretStream::establish(std::move(s), server_key, std::nullopt, kTimeout);
    });
    auto c = SecretStream::establish(l.dial(), key_of(2), node_id(key_of(5).pubkey()), kTimeout);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().find("expected node") != std::string::npos);
  }
}
