// The explorer's indexes, written in each block's batch: tx_search's
// transaction index (node/tx_index.h) and the state history that serves state
// at past heights with proofs (node/state_history.h). Both are checked against
// what the test computes from the blocks themselves, and both are rebuilt for
// a database written without them.
#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <set>

#include "core/encoding.h"
#include "core/sha256.h"
#include "ledger/state_access.h"
#include "node/chain_store.h"
#include "node/state_history.h"
#include "node/tx_index.h"
#include "tests/node/test_chain.h"

using namespace vt;

namespace {

Bytes as_bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// Passes everything through but the writes an older node version did not make:
// the transaction index, the state history and their marks.
class OldVersionStore final : public node::KvStore {
 public:
  explicit OldVersionStore(node::KvStore& inner) : inner_(inner) {}
  Result<std::optional<Bytes>> get(node::Column c, ByteView key) const override {
    return inner_.get(c, key);
  }
  Status write(const node::WriteBatch& batch) override {
    node::WriteBatch kept;
    for (const auto& op : batch.ops) {
      const bool index =
          op.column == node::Column::TxIndex || op.column == node::Column::StateNodes ||
          op.column == node::Column::StateValues || op.column == node::Column::StateLog ||
          (op.column == node::Column::Meta &&
           (op.key == as_bytes("txindex") || op.key == as_bytes("statehist")));
      if (!index) kept.ops.push_back(op);
    }
    return inner_.write(kept);
  }
  Status scan(node::Column c, ByteView start,
              const std::function<bool(ByteView, ByteView)>& fn) const override {
    return inner_.scan(c, start, fn);
  }
  Status scan_reverse(node::Column c, ByteView start,
                      const std::function<bool(ByteView, ByteView)>& fn) const override {
    return inner_.scan_reverse(c, start, fn);
  }

 private:
  node::KvStore& inner_;
};

struct Committed {
  uint64_t height;
  uint32_t index;
  ledger::Transaction tx;
  ledger::Receipt receipt;
};

// Twelve blocks of transfers among accounts 1-4, a failing job_cancel of job 7
// from account 2 every third block, and an empty block; every transaction and
// every state snapshot kept for the checks.
struct Chain {
  std::unique_ptr<node::KvStore> kv = node::make_memory_store();
  std::unique_ptr<OldVersionStore> old;
  std::unique_ptr<node::ChainStore> chain;
  ledger::StateStore state;
  std::vector<Committed> txs;  // in chain order
  std::vector<Hash256> roots;  // by height
  std::vector<std::map<Bytes, Bytes>> snapshots;

  // indexes_at(h): what the node kept while committing block h (a node that
  // ran with [storage] options off for a while).
  // `on`: where the chain is written (an in-memory store when null).
  explicit Chain(bool old_version = false,
                 std::function<node::ChainIndexes(uint64_t)> indexes_at = nullptr,
                 std::unique_ptr<node::KvStore> on = nullptr) {
    if (on) kv = std::move(on);
    if (old_version) old = std::make_unique<OldVersionStore>(*kv);
    node::KvStore& store = old ? static_cast<node::KvStore&>(*old) : *kv;
    // Before block h: a new ChainStore whenever the options change, completing
    // the indexes as the node does at start.
    std::optional<node::ChainIndexes> current;
    auto open = [&](uint64_t h) {
      const node::ChainIndexes want = indexes_at ? indexes_at(h) : node::ChainIndexes{};
      if (current && current->tx_index == want.tx_index &&
          current->state_history == want.state_history &&
          current->state_history_blocks == want.state_history_blocks)
        return;
      chain = std::make_unique<node::ChainStore>(store, want);
      if (current) REQUIRE(chain->complete_indexes(state).ok());
      current = want;
    };
    open(0);
    const ledger::Genesis g = test::test_genesis();
    state.apply(ledger::genesis_changes(g));
    REQUIRE(chain->init_genesis(g, state).ok());
    snapshot();
    Hash256 prev = chain->head().value()->block_hash;
    uint64_t nonce[5] = {};
    for (uint64_t h = 1; h <= 12; ++h) {
      std::vector<ledger::Transaction> block_txs;
      if (h != 6) {
        const uint8_t from = static_cast<uint8_t>(1 + h % 4),
                      to = static_cast<uint8_t>(1 + (h + 1) % 4);
        block_txs.push_back(test::transfer(from, to, 100 + h, nonce[from]++));
        block_txs.push_back(test::transfer(to, 4, 7, nonce[to]++));
        if (h % 3 == 0) block_txs.push_back(test::signed_tx(2, nonce[2]++, ledger::JobCancel{7}));
      }
      open(h);
      auto [block, result] = test::make_block(state, h, prev, block_txs);
      REQUIRE(chain->commit_block(block, Bytes{1}, result, state).ok());
      for (uint32_t i = 0; i < block.txs.size(); ++i)
        txs.push_back({h, i, block.txs[i], result.receipts[i]});
      prev = ledger::block_hash(block.header);
      snapshot();
    }
  }
  void snapshot() {
    roots.push_back(state.root());
    std::map<Bytes, Bytes> all;
    state.scan({}, [&](const Bytes& k, const Bytes& v) {
      all.emplace(k, v);
      return true;
    });
    snapshots.push_back(std::move(all));
  }
};

bool names(const Committed& c, const Address& a) {
  if (c.tx.sender == a) return true;
  if (auto* t = std::get_if<ledger::Transfer>(&c.tx.msg); t && t->to == a) return true;
  for (const auto& e : c.receipt.events)
    for (const auto& [k, v] : e.attrs)
      if (v == address_to_string(a)) return true;
  return false;
}

bool has_event(const Committed& c, const std::string& type) {
  for (const auto& e : c.receipt.events)
    if (e.type == type) return true;
  return false;
}

// The expected answer, straight from the committed transactions.
std::vector<Hash256> expected(const Chain& c, const node::TxQuery& q) {
  std::vector<Hash256> out;
  for (const Committed& t : c.txs) {
    if (t.height < q.from_height || t.height > q.to_height) continue;
    if (q.address && !names(t, *q.address)) continue;
    if (q.job) {
      auto* cancel = std::get_if<ledger::JobCancel>(&t.tx.msg);
      if (!cancel || cancel->job_id != *q.job) continue;
    }
    if (q.event && !has_event(t, *q.event)) continue;
    out.push_back(ledger::tx_hash(t.tx));
  }
  if (q.newest_first) std::reverse(out.begin(), out.end());
  return out;
}

// Every page of the search, following next, with `limit` per page.
std::vector<Hash256> all_pages(const node::KvStore& kv, const node::TxQuery& q, size_t limit) {
  std::vector<Hash256> out;
  std::optional<node::TxPosition> at;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 1000);
    auto page = node::search_txs(kv, q, at, limit);
    REQUIRE_MESSAGE(page.ok(), page.error());
    CHECK(page.value().hits.size() <= limit);
    for (const auto& hit : page.value().hits) out.push_back(hit.hash);
    if (!page.value().next) break;
    CHECK(page.value().hits.size() == limit);  // the scan budget is far away here
    // Through the opaque cursor, as a client would.
    auto cursor = node::decode_tx_cursor(node::encode_tx_cursor(*page.value().next));
    REQUIRE(cursor.ok());
    at = cursor.value();
  }
  return out;
}

std::vector<node::TxQuery> queries() {
  std::vector<node::TxQuery> qs;
  for (bool newest : {true, false}) {
    for (uint8_t n = 1; n <= 4; ++n) {
      node::TxQuery q;
      q.address = test::account_key(n).pubkey();
      q.newest_first = newest;
      qs.push_back(q);
      q.event = "transfer";  // AND: the address in a successful transfer
      qs.push_back(q);
      q.from_height = 3;
      q.to_height = 8;
      qs.push_back(q);
    }
    node::TxQuery job;
    job.job = 7;
    job.newest_first = newest;
    qs.push_back(job);
    job.address = test::account_key(2).pubkey();
    qs.push_back(job);
    job.address = test::account_key(3).pubkey();  // never cancels: nothing
    qs.push_back(job);
    node::TxQuery any;
    any.newest_first = newest;
    qs.push_back(any);
    any.from_height = 6;
    any.to_height = 6;  // the empty block
    qs.push_back(any);
    any.from_height = 5;
    any.to_height = 9;
    qs.push_back(any);
    node::TxQuery ev;
    ev.event = "transfer";
    ev.newest_first = newest;
    qs.push_back(ev);
    ev.event = "job_settled";  // no such event in this chain
    qs.push_back(ev);
  }
  return qs;
}

void check_searches(const Chain& c, const node::KvStore& kv) {
  for (const auto& q : queries()) {
    const auto want = expected(c, q);
    for (size_t limit : {size_t{1}, size_t{2}, size_t{5}, node::kMaxTxSearchPage})
      CHECK(all_pages(kv, q, limit) == want);
  }
}

}  // namespace

TEST_CASE("tx_search: every query, every page size, against the committed transactions") {
  Chain c;
  REQUIRE(c.txs.size() == 25);
  check_searches(c, *c.kv);
  // Failed transactions are found by what their message names.
  node::TxQuery job;
  job.job = 7;
  const auto cancels = all_pages(*c.kv, job, 10);
  CHECK(cancels.size() == 3);
  for (const auto& t : c.txs)
    if (std::holds_alternative<ledger::JobCancel>(t.tx.msg)) CHECK_FALSE(t.receipt.success);
  // Account history is the address search.
  CHECK(c.chain->account_txs(test::account_key(4).pubkey(), 500).value() ==
        expected(c, node::TxQuery{test::account_key(4).pubkey(), {}, {}, 0, UINT64_MAX, true}));
}

TEST_CASE("tx_search refuses what it cannot answer whole") {
  Chain c;
  node::TxQuery q;
  CHECK(node::search_txs(*c.kv, q, std::nullopt, 0).error() == "limit must be 1 to 100");
  CHECK(node::search_txs(*c.kv, q, std::nullopt, 101).error() == "limit must be 1 to 100");
  for (const char* bad :
       {"", "zz", "01", "02000000000000000100000000", "0100000000000000010000000000"})
    CHECK(node::decode_tx_cursor(bad).error() == "not a cursor this node returned");
  // A cursor outside the range is clamped to it, not an error.
  q.from_height = 2;
  q.to_height = 3;
  auto page = node::search_txs(*c.kv, q, node::TxPosition{100, 0}, 100);
  REQUIRE(page.ok());
  CHECK(page.value().hits.size() == 5);
  CHECK(page.value().hits.front().at == node::TxPosition{3, 2});
}

TEST_CASE("indexes on RocksDB: the same searches and past states as computed from the blocks") {
  // The other cases use the in-memory store; this one writes each block's
  // batch through RocksDB (node/rocksdb_store.cpp sizes it up front) and reads
  // every index back from there.
  test::TempDir dir;
  auto disk = node::open_rocksdb((dir.path / "db").string());
  REQUIRE_MESSAGE(disk.ok(), disk.error());
  Chain c(false, nullptr, std::move(disk.value()));
  check_searches(c, *c.kv);
  for (uint64_t h = 0; h <= 12; ++h) {
    node::HistoricalState past(*c.kv, h, c.roots[h]);
    for (const auto& [key, value] : c.snapshots[h]) CHECK(past.get(key) == value);
    CHECK(past.error().empty());
  }
}

TEST_CASE("state history: every key at every height, with proofs against that height's root") {
  Chain c;
  CHECK(c.chain->earliest_state_height().value() == 0);
  for (uint64_t h = 0; h <= 12; ++h) {
    node::HistoricalState past(*c.kv, h, c.roots[h]);
    std::set<Bytes> keys;
    for (const auto& [k, v] : c.snapshots[h]) keys.insert(k);
    for (uint8_t n = 1; n <= 6; ++n)
      keys.insert(ledger::keys::account(test::account_key(n).pubkey()));
    for (const Bytes& key : keys) {
      auto it = c.snapshots[h].find(key);
      const std::optional<Bytes> want =
          it == c.snapshots[h].end() ? std::nullopt : std::optional<Bytes>(it->second);
      CHECK(past.get(key) == want);
      auto proven = past.prove(key);
      REQUIRE_MESSAGE(proven.ok(), proven.error());
      CHECK(proven.value().value == want);
      CHECK(ledger::verify_state_proof(c.roots[h], key, want, proven.value().proof).ok());
    }
    CHECK(past.error().empty());
    bool visited = false;
    past.scan({}, [&](const Bytes&, const Bytes&) { return visited = true; });
    CHECK_FALSE(visited);
    CHECK(past.error() ==
          "lists are served at the head only (height " + std::to_string(h) + " asked)");
  }
  // A wrong root (another height's) is caught while reading, not believed.
  node::HistoricalState wrong(*c.kv, 5, c.roots[4]);
  CHECK_FALSE(wrong.get(ledger::keys::account(test::account_key(1).pubkey())).has_value());
  CHECK(wrong.error() == "state at height 5: state tree node at depth 0 has the wrong hash");
}

// Checks every key of every height from `first` on against the snapshots,
// with proofs, and that the store holds no record that only earlier heights
// need: per tree place at most one record at or below `first`, and no log of
// a height at or below it.
void check_pruned_history(const Chain& c, uint64_t first) {
  CHECK(c.chain->earliest_state_height().value() == first);
  for (uint64_t h = first; h <= 12; ++h) {
    node::HistoricalState past(*c.kv, h, c.roots[h]);
    for (const auto& [k, v] : c.snapshots[h]) {
      auto proven = past.prove(k);
      REQUIRE_MESSAGE(proven.ok(), proven.error());
      CHECK(proven.value().value == v);
      CHECK(ledger::verify_state_proof(c.roots[h], k, v, proven.value().proof).ok());
    }
  }
  std::map<Bytes, int> old_records;  // place -> records at or below `first`
  size_t records = 0;
  REQUIRE(c.kv->scan(node::Column::StateNodes, {},
                     [&](ByteView k, ByteView) {
                       ++records;
                       Reader r(k.subspan(33));
                       if (r.u64("height") <= first)
                         ++old_records[Bytes(k.begin(), k.begin() + 33)];
                       return true;
                     })
              .ok());
  for (const auto& [place, n] : old_records) CHECK_MESSAGE(n == 1, to_hex(place));
  REQUIRE(c.kv->scan(node::Column::StateLog, {},
                     [&](ByteView k, ByteView) {
                       CHECK(Reader(k).u64("height") > first);
                       return true;
                     })
              .ok());
  MESSAGE("state node records kept: " << records);
}

size_t state_node_records(const node::KvStore& kv) {
  size_t n = 0;
  REQUIRE(
      kv.scan(node::Column::StateNodes, {}, [&](ByteView, ByteView) { return ++n, true; }).ok());
  return n;
}

TEST_CASE("state history pruned to the last N heights: those proven, nothing older kept") {
  const Chain all;
  const Chain pruned(false, [](uint64_t) { return node::ChainIndexes{true, true, 4}; });
  check_pruned_history(pruned, 12 - 4 + 1);
  CHECK(state_node_records(*pruned.kv) < state_node_records(*all.kv));
  // A height below the first kept one is no longer there to read: the node's
  // RPC refuses it by earliest_state_height, and the store does not make one up.
  node::HistoricalState gone(*pruned.kv, 2, pruned.roots[2]);
  bool refused = false;
  for (const auto& [k, v] : pruned.snapshots[2]) refused |= !gone.prove(k).ok();
  CHECK(refused);
  check_searches(pruned, *pruned.kv);  // the transaction index is not pruned

  // Every height kept until block 8; from block 9 only the last 2: the node
  // catches up in one step (up to 64 heights a block), then moves one a block.
  const Chain shrunk(false, [](uint64_t h) {
    return node::ChainIndexes{true, true, h <= 8 ? uint64_t{0} : uint64_t{2}};
  });
  check_pruned_history(shrunk, 12 - 2 + 1);
}

TEST_CASE("a database written without the indexes gets them on start") {
  Chain old(true);
  CHECK_FALSE(node::tx_index_height(*old.kv).value().has_value());
  CHECK_FALSE(node::state_history_span(*old.kv).value().has_value());
  CHECK_FALSE(old.chain->earliest_state_height().ok());
  node::ChainStore reopened(*old.kv);
  REQUIRE(reopened.complete_indexes(old.state).ok());
  CHECK(node::tx_index_height(*old.kv).value() == std::optional<uint64_t>(12));
  CHECK(reopened.earliest_state_height().value() == 12);
  check_searches(old, *old.kv);
  node::HistoricalState head(*old.kv, 12, old.roots[12]);
  for (const auto& [k, v] : old.snapshots[12]) CHECK(head.get(k) == v);
  // Idempotent: a second start changes nothing.
  REQUIRE(reopened.complete_indexes(old.state).ok());
  CHECK(reopened.earliest_state_height().value() == 12);
}

TEST_CASE("indexes off for a while: back on, the index is completed and the history restarts") {
  // Both off for blocks 7 to 9, as a validator might run for a while; the
  // node restarts with them on before block 10.
  Chain c(false, [](uint64_t h) {
    const bool on = h < 7 || h > 9;
    return node::ChainIndexes{on, on};
  });
  check_searches(c, *c.kv);  // the gap was indexed at the restart
  auto span = node::state_history_span(*c.kv).value();
  REQUIRE(span.has_value());
  CHECK(span->start == 9);  // the snapshot at the restart's head
  CHECK(span->through == 12);
  CHECK(c.chain->earliest_state_height().value() == 9);
  for (uint64_t h = 9; h <= 12; ++h) {
    node::HistoricalState at(*c.kv, h, c.roots[h]);
    for (const auto& [k, v] : c.snapshots[h]) CHECK(at.get(k) == v);
  }
  // With them off, the store says so instead of answering.
  node::ChainStore off(*c.kv, node::ChainIndexes{false, false});
  CHECK(off.earliest_state_height().error() ==
        "this node keeps no state history (config.toml [storage] state_history)");
}

TEST_CASE("with the indexes off nothing of them is written") {
  Chain c(false, [](uint64_t) { return node::ChainIndexes{false, false}; });
  bool any = false;
  for (auto col : {node::Column::TxIndex, node::Column::StateNodes, node::Column::StateValues,
                   node::Column::StateLog}) {
    REQUIRE(c.kv->scan(col, {}, [&](ByteView, ByteView) { return !(any = true); }).ok());
  }
  CHECK_FALSE(any);
  CHECK_FALSE(node::tx_index_height(*c.kv).value().has_value());
  CHECK_FALSE(node::state_history_span(*c.kv).value().has_value());
}
