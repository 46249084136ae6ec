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

namespace {

const Bytes kFoldedKey = {'f', 'o', 'l', 'd', 'e', 'd'};  // Meta: the last fold height

size_t state_change_records(const node::KvStore& kv) {
  size_t n = 0;
  REQUIRE(kv.scan(node::Column::StateChanges, {}, [&](ByteView, ByteView) {
              ++n;
              return true;
            }).ok());
  return n;
}

// A RocksDB store in a temporary directory holding the test genesis; `state` is
// the genesis state and `prev` its hash.
struct GenesisStore {
  static std::unique_ptr<node::KvStore> open(const test::TempDir& dir) {
    auto opened = node::open_rocksdb(dir.path.string());
    REQUIRE(opened.ok());
    return std::move(opened).value();
  }

  test::TempDir dir;
  std::unique_ptr<node::KvStore> owned = open(dir);
  node::KvStore& kv = *owned;
  node::ChainStore chain{kv};
  ledger::StateStore state;
  Hash256 prev{};

  GenesisStore() {
    const ledger::Genesis g = test::test_genesis();
    state.apply(ledger::genesis_changes(g));
    REQUIRE(chain.init_genesis(g, state).ok());
    prev = chain.head().value()->block_hash;
  }
};

Hash256 reloaded_root(const node::ChainStore& chain) {
  ledger::StateStore reloaded;
  auto s = chain.load_state(reloaded);
  REQUIRE_MESSAGE(s.ok(), s.error());
  return reloaded.root();
}

}  // namespace

TEST_CASE_FIXTURE(
    GenesisStore,
    "state changes fold every 64th height; the state reloads the same at every height") {
  // A block's state changes are one record until a fold height writes them into
  // the state column, each key once. A reload lays the records over the folded
  // state, so it must give the blocks' root at every height, before and after
  // the folds at 64 and 128, with a key that is written, folded and deleted.
  const Bytes extra = {'z', 'z', '-', 't', 'e', 's', 't'};
  uint64_t nonce[5] = {};
  for (uint64_t h = 1; h <= 130; ++h) {
    const auto from = static_cast<uint8_t>(1 + h % 3), to = static_cast<uint8_t>(1 + (h + 1) % 3);
    auto [block, result] = make_block(
        state, h, prev, {transfer(from, to, h, nonce[from]++), transfer(to, 4, 1, nonce[to]++)});
    if (h == 60 || h == 100) {  // written before the fold at 64, deleted after it
      ledger::ChangeSet extra_change;
      extra_change.emplace(extra, h == 60 ? std::optional<Bytes>(Bytes{7}) : std::nullopt);
      state.apply(extra_change);
      result.changes.insert_or_assign(extra, extra_change.begin()->second);
    }
    REQUIRE(chain.commit_block(block, Bytes{1}, result, state).ok());
    prev = ledger::block_hash(block.header);
    CHECK(reloaded_root(chain) == state.root());
    CHECK(state_change_records(kv) == h % 64);  // a fold leaves no record behind
  }
  std::optional<Bytes> folded_state_value;
  REQUIRE(kv.scan(node::Column::State, extra, [&](ByteView k, ByteView v) {
              if (Bytes(k.begin(), k.end()) == extra)
                folded_state_value = Bytes(v.begin(), v.end());
              return false;
            }).ok());
  CHECK_FALSE(folded_state_value.has_value());  // the fold at 128 deleted it
}

TEST_CASE_FIXTURE(
    GenesisStore,
    "a store without a fold height (written before the folds) folds at its next block") {
  for (uint64_t h = 1; h <= 3; ++h) {
    // Before blocks 1 and 2, the store looks like one from before this format:
    // its state column holds the head's state and no fold height.
    if (h != 3) {
      node::WriteBatch old_format;
      old_format.erase(node::Column::Meta, kFoldedKey);
      REQUIRE(kv.write(old_format).ok());
      CHECK(reloaded_root(chain) == state.root());
    }
    auto [block, result] = make_block(state, h, prev, {transfer(2, 3, h, h - 1)});
    REQUIRE(chain.commit_block(block, Bytes{1}, result, state).ok());
    prev = ledger::block_hash(block.header);
    CHECK(state_change_records(kv) == (h == 3 ? 1u : 0u));
    CHECK(kv.get(node::Column::Meta, kFoldedKey).value().has_value());
    CHECK(reloaded_root(chain) == state.root());
  }
}

TEST_CASE_FIXTURE(
    GenesisStore,
    "a missing or damaged state-change record is an error at load, never another state") {
  for (uint64_t h = 1; h <= 6; ++h) {
    auto [block, result] = make_block(state, h, prev, {transfer(2, 3, h, h - 1)});
    REQUIRE(chain.commit_block(block, Bytes{1}, result, state).ok());
    prev = ledger::block_hash(block.header);
  }
  const Bytes height5 = Writer().u64(5).take(), height6 = Writer().u64(6).take();
  const Bytes record5 = kv.get(node::Column::StateChanges, height5).value().value();
  ledger::StateStore reloaded;

  node::WriteBatch damage;
  damage.put(node::Column::StateChanges, height5, Bytes(record5.begin(), record5.end() - 1));
  REQUIRE(kv.write(damage).ok());
  auto s = chain.load_state(reloaded);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().find("corrupt stored state changes") == 0);

  node::WriteBatch gap;
  gap.erase(node::Column::StateChanges, height5);
  REQUIRE(kv.write(gap).ok());
  s = chain.load_state(reloaded);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error() == "corrupt stored state changes: height 5 missing after the fold at height 0");

  node::WriteBatch short_of_head;  // record 5 back, 6 gone: the changes end below the head
  short_of_head.put(node::Column::StateChanges, height5, record5);
  short_of_head.erase(node::Column::StateChanges, height6);
  REQUIRE(kv.write(short_of_head).ok());
  s = chain.load_state(reloaded);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error() ==
        "corrupt store: its state changes end at height 5 but its head is at height 6");
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
