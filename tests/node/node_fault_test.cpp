#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <fstream>

#include "ledger/state.h"
#include "node/chain_store.h"
#include "node/node.h"
#include "node/p2p/peer_manager.h"
#include "node/p2p/secret_channel.h"
#include "node/signing_state_file.h"
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
  // The failure hit while committing the next block, after this validator had
  // precommitted it: its signing state holds that lock, and the block's copy.
  node::SigningStateFile signing(dir.path / "signing_state.json");
  const consensus::SignedState before = signing.load().value().value();
  CHECK(before.height == height_at_failure + 1);
  REQUIRE(before.locked_block.has_value());
  CHECK(signing.load_locked_block().value().has_value());
  // And the node carries on from there, committing the very block it was
  // locked on: its own precommit, signed again identically, is that block's
  // commit (a lone validator's quorum). It never signs a conflicting one.
  boost::asio::io_context io;
  auto n = node::Node::open(io, fast_config(dir), test::test_genesis(), test::validator_key());
  REQUIRE(n.ok());
  REQUIRE(n.value()->start().ok());
  run_until(io, *n.value(), 10000, [&] { return n.value()->head().height > height_at_failure; });
  REQUIRE(n.value()->head().height > height_at_failure);
  const ledger::Block next = n.value()->chain().block_at(height_at_failure + 1).value().value();
  CHECK(ledger::block_hash(next.header) == *before.locked_block);
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
  // The same chain id with edited balances, fees or time is another chain too:
  // caught by the genesis hash, at height 0 and once blocks exist.
  for (int edit = 0; edit < 3; ++edit) {
    CAPTURE(edit);
    ledger::Genesis edited = test::test_genesis();
    if (edit == 0) edited.balances.at(0).amount += 1;
    if (edit == 1) edited.params.min_fee += 1;
    if (edit == 2) edited.genesis_time_ms += 1;
    auto e = node::Node::open(io, fast_config(dir), edited, test::validator_key());
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().find("genesis.json is not the genesis of the chain in the database") !=
          std::string::npos);
  }
  {
    auto running =
        node::Node::open(io, fast_config(dir), test::test_genesis(), test::validator_key());
    REQUIRE(running.ok());
    REQUIRE(running.value()->start().ok());
    run_until(io, *running.value(), 10000, [&] { return running.value()->head().height >= 2; });
    REQUIRE(running.value()->head().height >= 2);
  }
  ledger::Genesis later = test::test_genesis();
  later.genesis_time_ms += 1;
  auto after_blocks = node::Node::open(io, fast_config(dir), later, test::validator_key());
  REQUIRE_FALSE(after_blocks.ok());
  CHECK(after_blocks.error().find("it was edited after the chain began") != std::string::npos);

  test::TempDir dir2;
  std::array<uint8_t, 32> seed{};
  seed.fill(9);
  auto stranger =
      node::Node::open(io, fast_config(dir2), test::test_genesis(), Ed25519Key::from_seed(seed));
  REQUIRE_FALSE(stranger.ok());
  CHECK(stranger.error().find("is not in the validator set") != std::string::npos);

  // With peers to follow, the same key runs as a full node that signs nothing.
  node::NodeConfig follower = fast_config(dir2);
  follower.p2p_port = 0;
  follower.persistent_peers.push_back(
      node::p2p::parse_peer_address(node::p2p::node_id(test::validator_key().pubkey()) +
                                    "@127.0.0.1:1")
          .value());
  auto full = node::Node::open(io, follower, test::test_genesis(), Ed25519Key::from_seed(seed));
  REQUIRE(full.ok());
  CHECK_FALSE(full.value()->is_validator());
}

namespace {

// A node with its database in dir/data and its signing state in dir/signing_state.json.
node::NodeConfig split_config(const test::TempDir& dir) {
  node::NodeConfig c = fast_config(dir);
  c.data_dir = (dir.path / "data").string();
  c.signing_state_file = (dir.path / "signing_state.json").string();
  return c;
}

uint64_t run_to(const node::NodeConfig& c, uint64_t height) {
  boost::asio::io_context io;
  auto n = node::Node::open(io, c, test::test_genesis(), test::validator_key());
  REQUIRE_MESSAGE(n.ok(), n.error());
  REQUIRE(n.value()->start().ok());
  run_until(io, *n.value(), 10000, [&] { return n.value()->head().height >= height; });
  return n.value()->head().height;
}

}  // namespace

TEST_CASE("signing state: its own fsynced file, refused when corrupt, round-trips exactly") {
  test::TempDir dir;
  node::SigningStateFile f(dir.path / "s.json");
  CHECK_FALSE(f.load().value().has_value());  // a new validator
  consensus::SignedState s;
  s.empty = false;
  s.height = 18446744073709551615ull;
  s.round = 7;
  s.step = consensus::Step::Precommit;
  s.block = consensus::BlockId{};
  s.block->fill(0xab);
  s.pol_round = 3;
  REQUIRE(f.save(s).ok());
  CHECK(f.load().value() == s);
  s.block.reset();
  s.step = consensus::Step::Prevote;
  REQUIRE(f.save(s).ok());
  CHECK(f.load().value() == s);
  // The lock travels with it; a file from before locks were kept loads without one.
  s.locked_round = 5;
  s.locked_block = consensus::BlockId{};
  s.locked_block->fill(0xcd);
  REQUIRE(f.save(s).ok());
  CHECK(f.load().value() == s);
  std::ofstream(dir.path / "s.json", std::ios::trunc)
      << "{\"height\":\"4\",\"round\":2,\"step\":\"prevote\",\"block\":null,\"pol_round\":-1}";
  CHECK(f.load().value()->locked_round == -1);
  CHECK_FALSE(f.load().value()->locked_block);
  REQUIRE(f.save(s).ok());
  CHECK_FALSE(f.load_locked_block().value().has_value());
  REQUIRE(f.save_locked_block(Bytes{1, 2, 3}).ok());
  CHECK(f.load_locked_block().value() == Bytes{1, 2, 3});
  CHECK_FALSE(std::filesystem::exists(dir.path / "s.json.tmp"));
  for (const char* bad : {"", "{", "[]", "{\"height\": \"1\"}",
                          "{\"height\":\"x\",\"round\":0,\"step\":\"prevote\",\"block\":null,"
                          "\"pol_round\":-1}",
                          "{\"height\":\"1\",\"round\":0,\"step\":\"vote\",\"block\":null,"
                          "\"pol_round\":-1}",
                          "{\"height\":\"1\",\"round\":0,\"step\":\"prevote\",\"block\":\"ab\","
                          "\"pol_round\":-1}",
                          // a lock from a later round than the record, or half a lock
                          "{\"height\":\"1\",\"round\":0,\"step\":\"prevote\",\"block\":null,"
                          "\"pol_round\":-1,\"locked_round\":3,\"locked_block\":null}",
                          "{\"height\":\"1\",\"round\":2,\"step\":\"prevote\",\"block\":null,"
                          "\"pol_round\":-1,\"locked_round\":1,\"locked_block\":null}"}) {
    CAPTURE(bad);
    std::ofstream(dir.path / "s.json", std::ios::trunc) << bad;
    auto r = f.load();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("is corrupt") != std::string::npos);
  }
}

TEST_CASE("a database restored from an old copy cannot make the validator sign again") {
  test::TempDir dir;
  const node::NodeConfig c = split_config(dir);
  const uint64_t early = run_to(c, 3);
  REQUIRE(early >= 3);
  // The operator keeps a copy of the database at this height ...
  std::filesystem::copy(dir.path / "data", dir.path / "data-old",
                        std::filesystem::copy_options::recursive);
  // ... the validator signs on for a few heights ...
  const uint64_t later = run_to(c, early + 4);
  REQUIRE(later >= early + 4);
  // ... and the copy comes back (a restore, or a log that lost its tail).
  std::filesystem::remove_all(dir.path / "data");
  std::filesystem::rename(dir.path / "data-old", dir.path / "data");
  boost::asio::io_context io;
  auto n = node::Node::open(io, c, test::test_genesis(), test::validator_key());
  REQUIRE_FALSE(n.ok());
  CHECK_MESSAGE(
      n.error().find("its database ends at height " + std::to_string(early)) != std::string::npos,
      n.error());
  CHECK(n.error().find("will not sign") != std::string::npos);
}

TEST_CASE("a damaged RocksDB write-ahead log is an error at open, not a rollback") {
  for (const std::string damage : {"bit flip", "truncated"}) {
    CAPTURE(damage);
    test::TempDir dir;
    const node::NodeConfig c = split_config(dir);
    REQUIRE(run_to(c, 5) >= 5);
    // Blocks are small: they are all still in the log (no memtable flush yet).
    std::filesystem::path log;
    for (const auto& e : std::filesystem::directory_iterator(dir.path / "data"))
      if (e.path().extension() == ".log" && std::filesystem::file_size(e.path()) > 1000)
        log = e.path();
    REQUIRE_FALSE(log.empty());
    const auto size = std::filesystem::file_size(log);
    if (damage == "bit flip") {
      std::fstream f(log, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(size / 2));
      char ch = 0;
      f.read(&ch, 1);
      ch = static_cast<char>(ch ^ 0x10);
      f.seekp(static_cast<std::streamoff>(size / 2));
      f.write(&ch, 1);
    } else {
      std::filesystem::resize_file(log, size - 100);
    }
    boost::asio::io_context io;
    auto n = node::Node::open(io, c, test::test_genesis(), test::validator_key());
    REQUIRE_FALSE(n.ok());
    CHECK_MESSAGE(n.error().find("cannot open database") != std::string::npos, n.error());
  }
}
