#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ledger/state.h"
#include "node/chain_store.h"
#include "node/node.h"
#include "tests/node/test_chain.h"

using namespace vt;

namespace {

node::NodeConfig fast_config(const test::TempDir& dir) {
  node::NodeConfig c;
  c.data_dir = dir.path.string();
  c.rpc_port = 0;
  c.block_interval_ms = 10;
  return c;
}

// Runs io until the node stops by itself, `done` holds, or `ms` pass; then stops the node.
void run_until(boost::asio::io_context& io, node::Node& n, int ms, std::function<bool()> done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  boost::asio::steady_timer t(io);
  std::function<void()> poll = [&] {
    t.expires_after(std::chrono::milliseconds(20));
    t.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      if (done() || std::chrono::steady_clock::now() > deadline)
        n.stop();
      else
        poll();
    });
  };
  poll();
  io.run();
  io.restart();
}

}  // namespace

TEST_CASE("a node whose disk fails mid-run stops and restarts at a consistent head") {
  test::TempDir dir;
  uint64_t height_at_failure = 0;
  {
    boost::asio::io_context io;
    auto kv = node::open_rocksdb(dir.path.string());
    REQUIRE(kv.ok());
    // Genesis + a few blocks (each block: three signing records and one commit), then failure.
    auto faulty = std::make_unique<test::FaultyStore>(std::move(kv).value(), 23);
    test::FaultyStore* probe = faulty.get();
    auto n = node::Node::open_with_store(io, fast_config(dir), test::test_genesis(),
                                         test::validator_key(), std::move(faulty));
    REQUIRE(n.ok());
    REQUIRE(n.value()->start().ok());
    run_until(io, *n.value(), 5000, [] { return false; });
    CHECK(probe->failures >= 1);  // it stopped because of the failure, not the timer
    height_at_failure = n.value()->head().height;
    CHECK(height_at_failure >= 4);
  }
  // What is on disk is whole: the head's state root is the stored state's root.
  {
    auto kv = node::open_rocksdb(dir.path.string());
    REQUIRE(kv.ok());
    node::ChainStore chain(*kv.value());
    auto head = chain.head().value().value();
    CHECK(head.height == height_at_failure);
    ledger::StateStore state;
    REQUIRE(chain.load_state(state).ok());
    CHECK(state.root() == head.state_root);
    CHECK(chain.block_at(head.height).value().has_value());
    CHECK_FALSE(chain.block_at(head.height + 1).value().has_value());
  }
  // And the node carries on from there. If the failure hit after a signature was
  // recorded for the next height, that round is lost (the node never signs twice)
  // and the chain moves on after the round's timeouts, a few seconds.
  boost::asio::io_context io;
  auto n = node::Node::open(io, fast_config(dir), test::test_genesis(), test::validator_key());
  REQUIRE(n.ok());
  REQUIRE(n.value()->start().ok());
  run_until(io, *n.value(), 10000, [&] { return n.value()->head().height > height_at_failure; });
  CHECK(n.value()->head().height > height_at_failure);
}

TEST_CASE("a node refuses a database of another chain and a key outside the validator set") {
  test::TempDir dir;
  {
    boost::asio::io_context io;
    auto n = node::Node::open(io, fast_config(dir), test::test_genesis(), test::validator_key());
    REQUIRE(n.ok());
  }
  boost::asio::io_context io;
  ledger::Genesis other = test::test_genesis();
  other.params.chain_id = "another-chain";
  auto n = node::Node::open(io, fast_config(dir), other, test::validator_key());
  REQUIRE_FALSE(n.ok());
  CHECK(n.error().find("another-chain") != std::string::npos);

  test::TempDir dir2;
  std::array<uint8_t, 32> seed{};
  seed.fill(9);
  auto stranger =
      node::Node::open(io, fast_config(dir2), test::test_genesis(), Ed25519Key::from_seed(seed));
  REQUIRE_FALSE(stranger.ok());
  CHECK(stranger.error().find("not in the genesis validator set") != std::string::npos);
}
