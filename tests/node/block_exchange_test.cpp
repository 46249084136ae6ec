// Block sync over the peer channel (node/p2p/block_exchange.h): a fresh store
// syncs a running node's real chain over P2P and reaches its state root; a
// peer that serves a tampered block or a forged commit is refused with the code.
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

TEST_CASE("block sync: a fresh store syncs a running node's chain and audits clean") {
  test::TempDir dir;
  test::run_node_to(dir, 6);
  // The node again, now serving its chain to peers (one more block at start,
  // then none for a long while, so the sync has an end).
  boost::asio::io_context io;
  node::NodeConfig c;
  c.data_dir = dir.path.string();
  c.rpc_port = 0;
  c.p2p_port = [] {
    boost::asio::io_context tmp;
    tcp::acceptor a(tmp, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
  }();
  c.block_interval_ms = 600'000;
  auto n = node::Node::open(io, c, test::test_genesis(), test::validator_key());
  REQUIRE(n.ok());
  REQUIRE(n.value()->start().ok());
  std::thread runner([&] { io.run(); });
  const std::string id = node_id(test::validator_key().pubkey());

  auto mine = fresh_store();
  node::ChainStore chain(*mine);
  uint64_t synced = 0;
  Hash256 synced_root{};
  {
    auto peer = dial(c.p2p_port, id);
    REQUIRE_MESSAGE(peer.ok(), peer.error());
    auto report = sync_blocks(peer.value(), chain, test::test_genesis(), nullptr, kLimits);
    REQUIRE_MESSAGE(report.ok(), report.error());
    CHECK(report->from_height == 0);
    CHECK(report->height >= 6);
    synced = report->height;
    synced_root = report->state_root;
  }
  boost::asio::post(io, [&] { n.value()->stop(); });
  runner.join();
  n.value().reset();
  auto audit = node::audit_chain(chain, test::test_genesis(), nullptr);
  REQUIRE_MESSAGE(audit.ok(), audit.error());
  CHECK(audit->blocks == synced);
  auto kv = node::open_rocksdb(dir.path.string());
  REQUIRE(kv.ok());
  node::ChainStore served(*kv.value());
  const ledger::Block theirs = served.block_at(synced).value().value();
  CHECK(chain.head().value()->block_hash == ledger::block_hash(theirs.header));
  CHECK(synced_root == theirs.header.state_root);
}

TEST_CASE("block sync: a peer serving a tampered block or a forged commit is refused") {
  test::TempDir dir;
  test::run_node_to(dir, 3);
  auto kv = node::open_rocksdb(dir.path.string());
  REQUIRE(kv.ok());
  node::ChainStore served(*kv.value());
  const ledger::Block real = served.block_at(1).value().value();
  const Bytes real_cert = served.commit_at(1).value().value();
  const auto set = ledger::consensus_validators(test::test_genesis().validators).value();

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
         c = ledger::encode(ledger::CommitCertificate{0, {{0, std::nullopt}}});
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
