// Block sync over the peer channel (node/p2p/block_exchange.h): a fresh store
// syncs a node's real chain from a BlockServer and reaches its state root; a
// peer that serves a tampered block is refused with the block's code; a peer
// that misbehaves is kept away for a while.
#include "node/p2p/block_exchange.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <thread>

#include "core/encoding.h"
#include "node/chain_audit.h"
#include "node/node.h"
#include "tests/node/running_node.h"

using namespace vt;
using namespace vt::node::p2p;
using boost::asio::ip::tcp;

namespace {

// A store holding only the test genesis.
std::unique_ptr<node::KvStore> fresh_store() {
  auto kv = node::make_memory_store();
  REQUIRE(node::ChainStore(*kv).init_genesis_if_empty(test::test_genesis()).ok());
  return kv;
}

Ed25519Key client_key() {
  std::array<uint8_t, 32> seed{};
  seed.fill(0x33);
  return Ed25519Key::from_seed(seed);
}

const MessageLimits kLimits{1 << 20, 1 << 19, 10};
constexpr std::chrono::milliseconds kTimeout{5000};

Result<SecretStream> dial(uint16_t port, const std::string& expect) {
  static boost::asio::io_context io;
  tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return make_error(ec.message());
  return SecretStream::establish(std::move(s), client_key(), expect, kTimeout);
}

}  // namespace

TEST_CASE("block sync: a fresh store syncs a node's chain from a block server and audits clean") {
  test::TempDir dir;
  test::run_node_to(dir, 6);
  auto kv = node::open_rocksdb(dir.path.string());
  REQUIRE(kv.ok());
  node::ChainStore served(*kv.value());
  const auto head = served.head().value().value();
  // Bans last 3 s: long enough that a loaded machine re-dials inside it.
  auto server = BlockServer::start("127.0.0.1", 0, test::validator_key(), served, kLimits,
                                   std::chrono::seconds(3));
  REQUIRE_MESSAGE(server.ok(), server.error());
  const std::string id = node_id(test::validator_key().pubkey());

  auto mine = fresh_store();
  node::ChainStore chain(*mine);
  const auto set = node::consensus_validators(test::test_genesis().validators).value();
  {
    auto peer = dial(server.value()->port(), id);
    REQUIRE_MESSAGE(peer.ok(), peer.error());
    auto report = sync_blocks(peer.value(), chain, test::test_genesis(), nullptr, kLimits);
    REQUIRE_MESSAGE(report.ok(), report.error());
    CHECK(report->from_height == 0);
    CHECK(report->height == head.height);
    CHECK(report->state_root == head.state_root);
  }
  CHECK(chain.head().value()->block_hash == head.block_hash);
  auto audit = node::audit_chain(chain, test::test_genesis(), nullptr);
  REQUIRE_MESSAGE(audit.ok(), audit.error());
  CHECK(audit->blocks == head.height);

  // A peer that sends what the server does not answer is kept away for a while.
  {
    auto rude = dial(server.value()->port(), id);
    REQUIRE(rude.ok());
    REQUIRE(rude->send({MessageType::tx, Bytes(10, 1)}).ok());
    CHECK_FALSE(rude->receive(kLimits).ok());  // dropped
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(dial(server.value()->port(), id).ok());  // banned: closed at once
  CHECK(server.value()->refused() >= 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  auto back = dial(server.value()->port(), id);  // the ban has run out
  REQUIRE_MESSAGE(back.ok(), back.error());
  REQUIRE(back->send({MessageType::ping, {}}).ok());
  CHECK(back->receive(kLimits).value().type == MessageType::pong);
  server.value()->stop();
}

TEST_CASE("block sync: a peer serving a tampered block or a forged commit is refused") {
  test::TempDir dir;
  test::run_node_to(dir, 3);
  auto kv = node::open_rocksdb(dir.path.string());
  REQUIRE(kv.ok());
  node::ChainStore served(*kv.value());
  const ledger::Block real = served.block_at(1).value().value();
  const Bytes real_cert = served.commit_at(1).value().value();
  const auto set = node::consensus_validators(test::test_genesis().validators).value();

  struct Case {
    const char* what;
    std::function<void(ledger::Block&, Bytes&)> change;
    const char* words;
  };
  const std::vector<Case> cases = {
      {"state root", [](ledger::Block& b, Bytes&) { b.header.state_root[0] ^= 1; },
       "block 1 refused: state_root_mismatch"},
      {"time", [](ledger::Block& b, Bytes&) { b.header.time_ms = 1; },
       "block 1 refused: time_not_after_parent"},
      {"commit signature", [](ledger::Block&, Bytes& c) { c[c.size() - 1] ^= 1; },
       "block 1 refused: commit bad_signature"},
      {"no signature",
       [](ledger::Block&, Bytes& c) {
         c = node::encode(node::CommitCertificate{0, {{0, std::nullopt}}});
       },
       "block 1 refused: commit not_enough_power"},
  };
  for (const Case& k : cases) {
    CAPTURE(k.what);
    ledger::Block block = real;
    Bytes cert = real_cert;
    k.change(block, cert);
    // A fake peer with the validator's key that answers with the tampered block.
    boost::asio::io_context io;
    tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    std::thread peer([&] {
      tcp::socket s(io);
      acceptor.accept(s);
      auto st =
          SecretStream::establish(std::move(s), test::validator_key(), std::nullopt, kTimeout);
      if (!st) return;
      auto req = st->receive(kLimits);
      if (!req) return;
      Writer w;
      w.u64(1).boolean(true).bytes(ledger::encode(block)).bytes(cert);
      (void)st->send({MessageType::block, w.take()});
      (void)st->receive(kLimits);  // wait for the client to hang up
    });
    auto mine = fresh_store();
    node::ChainStore chain(*mine);
    {
      auto stream = dial(acceptor.local_endpoint().port(), node_id(test::validator_key().pubkey()));
      REQUIRE(stream.ok());
      auto report = sync_blocks(stream.value(), chain, test::test_genesis(), nullptr, kLimits);
      REQUIRE_FALSE(report.ok());
      CHECK_MESSAGE(report.error().find(k.words) != std::string::npos, report.error());
      stream->close();
    }
    peer.join();
    CHECK(chain.head().value()->height == 0);  // nothing of the bad block was stored
  }
}
