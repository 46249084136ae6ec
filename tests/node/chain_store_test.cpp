#include "node/chain_store.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "core/encoding.h"
#include "core/merkle.h"
#include "ledger/executor.h"
#include "ledger/state_access.h"
#include "tests/node/test_chain.h"

using namespace vt;

using test::make_block;
using test::transfer;

TEST_CASE("commit, reopen: same head, state root, blocks, receipts and indexes") {
  test::TempDir dir;
  ledger::Genesis g = test::test_genesis();
  Hash256 head_hash{}, root{};
  Hash256 tx2{};
  {
    auto kv = node::open_rocksdb(dir.path.string());
    REQUIRE(kv.ok());
    node::ChainStore chain(*kv.value());
    ledger::StateStore state;
    auto changes = ledger::genesis_changes(g);
    state.apply(changes);
    REQUIRE(chain.init_genesis(g, state).ok());
    CHECK_FALSE(chain.init_genesis(g, state).ok());  // never twice
    Hash256 prev = chain.head().value()->block_hash;
    for (uint64_t h = 1; h <= 3; ++h) {
      auto [block, result] = make_block(state, h, prev, {transfer(2, 3, 100 * h, h - 1)});
      REQUIRE(chain.commit_block(block, Bytes{1, 2, 3}, result, state).ok());
      prev = ledger::block_hash(block.header);
      if (h == 2) tx2 = ledger::tx_hash(block.txs[0]);
    }
    head_hash = prev;
    root = state.root();
  }
  auto kv = node::open_rocksdb(dir.path.string());
  REQUIRE(kv.ok());
  node::ChainStore chain(*kv.value());
  auto head = chain.head().value().value();
  CHECK(head.height == 3);
  CHECK(head.block_hash == head_hash);
  CHECK(head.state_root == root);
  ledger::StateStore state;
  REQUIRE(chain.load_state(state).ok());
  CHECK(state.root() == root);
  CHECK(ledger::read_account(state, test::account_key(3).pubkey()).balance == 1'000'000 + 600);
  auto b2 = chain.block_at(2).value();
  REQUIRE(b2.has_value());
  CHECK(ledger::tx_hash(b2->txs[0]) == tx2);
  auto rec = chain.tx(tx2).value();
  REQUIRE(rec.has_value());
  CHECK(rec->height == 2);
  CHECK(rec->receipt.success);
  CHECK(chain.commit_at(2).value().value() == Bytes{1, 2, 3});
  auto history = chain.account_txs(test::account_key(3).pubkey(), 10).value();
  REQUIRE(history.size() == 3);
  CHECK(history[1] == tx2);  // newest first
  CHECK(chain.account_txs(test::account_key(3).pubkey(), 2).value().size() == 2);
  CHECK_FALSE(chain.block_at(4).value().has_value());
}

TEST_CASE("a failed batch leaves nothing behind") {
  test::TempDir dir;
  ledger::Genesis g = test::test_genesis();
  ledger::StateStore state;
  auto changes = ledger::genesis_changes(g);
  state.apply(changes);
  Hash256 genesis_root = state.root();
  {
    auto kv = node::open_rocksdb(dir.path.string());
    REQUIRE(kv.ok());
    test::FaultyStore faulty(std::move(kv).value(), 1);  // genesis succeeds, the block fails
    node::ChainStore chain(faulty);
    REQUIRE(chain.init_genesis(g, state).ok());
    auto [block, result] =
        make_block(state, 1, chain.head().value()->block_hash, {transfer(2, 3, 5, 0)});
    // A result that does not match its block is refused before anything is written.
    ledger::BlockResult no_hashes = result;
    no_hashes.tx_hashes.clear();
    auto refused = chain.commit_block(block, {}, no_hashes, state);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error() ==
          "block 1 has 1 transactions but its result has 1 receipts and 0 hashes");
    CHECK(faulty.failures == 0);
    auto s = chain.commit_block(block, {}, result, state);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error() == "injected write failure");
    CHECK(faulty.failures == 1);
  }
  auto kv = node::open_rocksdb(dir.path.string());
  REQUIRE(kv.ok());
  node::ChainStore chain(*kv.value());
  CHECK(chain.head().value()->height == 0);
  CHECK_FALSE(chain.block_at(1).value().has_value());
  ledger::StateStore reloaded;
  REQUIRE(chain.load_state(reloaded).ok());
  CHECK(reloaded.root() == genesis_root);
}

TEST_CASE("opening a path that is not a database directory fails with a reason") {
  test::TempDir dir;
  auto file = dir.path / "plainfile";
  FILE* f = fopen(file.c_str(), "w");
  fputs("x", f);
  fclose(f);
  auto kv = node::open_rocksdb(file.string());
  REQUIRE_FALSE(kv.ok());
  CHECK(kv.error().find("cannot open database") != std::string::npos);
}

TEST_CASE("restarts do not pile up RocksDB's info logs or small files") {
  // Measured at 6ee0b67: 748 restarts left 737 LOG.old files and 2,121 tiny SSTs.
  // Each open flushes the replayed log into one small file per column family it
  // touched; growing keys (heights) are moved down whole, never merged.
  test::TempDir dir;
  const std::vector<node::Column> columns = {node::Column::Heights, node::Column::Blocks,
                                             node::Column::StateLog, node::Column::TxIndex};
  constexpr uint64_t kRestarts = 40;
  for (uint64_t round = 0; round < kRestarts; ++round) {
    auto kv = node::open_rocksdb(dir.path.string());
    REQUIRE(kv.ok());
    node::WriteBatch batch;
    for (node::Column c : columns)
      batch.put(c, Writer().u64(round).take(), Bytes(100, uint8_t(round)));
    REQUIRE(kv.value()->write(batch).ok());
  }
  std::size_t log_old = 0, sst = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("LOG.old", 0) == 0) ++log_old;
    if (entry.path().extension() == ".sst") ++sst;
  }
  CHECK(log_old <= 5);
  // At most 9 files per column written (more than 8 are merged at open).
  CHECK(sst <= 9 * columns.size());
  // Nothing lost on the way.
  auto kv = node::open_rocksdb(dir.path.string());
  REQUIRE(kv.ok());
  for (node::Column c : columns) {
    uint64_t seen = 0;
    REQUIRE(kv.value()
                ->scan(c, {},
                       [&](ByteView key, ByteView value) {
                         CHECK(Bytes(key.begin(), key.end()) == Writer().u64(seen).take());
                         CHECK(value.size() == 100);
                         ++seen;
                         return true;
                       })
                .ok());
    CHECK(seen == kRestarts);
  }
}
