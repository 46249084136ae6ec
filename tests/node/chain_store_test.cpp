#include "node/chain_store.h"

#include <doctest/doctest.h>

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
