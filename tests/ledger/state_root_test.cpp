// The state root: changes exactly when the state does; the StateTree's root is a
// function of the key set alone and equals a naive recursive computation of the
// documented hash (state_tree.h, docs/state-root.md).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>

#include "core/sha256.h"
#include "ledger/state_tree.h"
#include "tests/ledger/fixture.h"

using namespace vt;
using namespace vt::ledger;
using namespace vt::ledger::test;

namespace {

// --- The reference, written from the documented definition, not from the code ---
// Empty: 32 zero bytes. A subtree holding exactly one key is that key's leaf:
// SHA-256(0x00 || key || value). A subtree holding two or more keys at depth d
// splits on bit d of the key (most significant bit of byte 0 first) and hashes
// SHA-256(0x01 || left || right), an empty side counting as 32 zero bytes.
Hash256 ref_hash(uint8_t tag, const Hash256& a, const Hash256& b) {
  Bytes buf;
  buf.push_back(tag);
  buf.insert(buf.end(), a.begin(), a.end());
  buf.insert(buf.end(), b.begin(), b.end());
  return sha256(buf);
}

bool bit(const Hash256& k, unsigned d) {
  return (k[d / 8] >> (7 - d % 8)) & 1;
}

using Items = std::vector<std::pair<Hash256, Hash256>>;  // sorted by key

Hash256 ref_root(Items::const_iterator begin, Items::const_iterator end, unsigned depth) {
  if (begin == end) return Hash256{};
  if (end - begin == 1) return ref_hash(0x00, begin->first, begin->second);
  REQUIRE(depth < 256);
  // Sorted keys: those with bit `depth` = 0 come first.
  auto mid =
      std::partition_point(begin, end, [&](const auto& kv) { return !bit(kv.first, depth); });
  return ref_hash(0x01, ref_root(begin, mid, depth + 1), ref_root(mid, end, depth + 1));
}

Hash256 ref_root(const std::map<Hash256, Hash256>& m) {
  Items items(m.begin(), m.end());
  return ref_root(items.cbegin(), items.cend(), 0);
}

Hash256 random_hash(std::mt19937_64& rng) {
  Hash256 h;
  for (auto& b : h) b = static_cast<uint8_t>(rng());
  return h;
}

}  // namespace

TEST_CASE("StateTree: the empty tree's root is zero, also after erasing everything") {
  StateTree t;
  CHECK(is_zero(t.root()));
  CHECK(t.size() == 0);
  Hash256 k{}, v{};
  k[0] = 1;
  v[0] = 2;
  t.put(k, v);
  CHECK(t.root() == ref_hash(0x00, k, v));  // a single key: the root is its leaf
  t.erase(k);
  CHECK(is_zero(t.root()));
  CHECK(t.size() == 0);
  t.erase(k);  // erasing an absent key is a no-op
  CHECK(is_zero(t.root()));
}

TEST_CASE("StateTree: equals the naive recursive definition over random sets, with deletes") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    StateTree t;
    std::map<Hash256, Hash256> m;
    std::vector<Hash256> live;
    const int ops = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < ops; ++i) {
      const unsigned what = rng() % 10;
      if (what < 5 || live.empty()) {  // insert a new key
        Hash256 k = random_hash(rng), v = random_hash(rng);
        t.put(k, v);
        if (!m.count(k)) live.push_back(k);
        m[k] = v;
      } else if (what < 7) {  // overwrite
        Hash256 k = live[rng() % live.size()], v = random_hash(rng);
        t.put(k, v);
        m[k] = v;
      } else {  // erase
        size_t idx = rng() % live.size();
        t.erase(live[idx]);
        m.erase(live[idx]);
        live.erase(live.begin() + static_cast<long>(idx));
      }
      // Roots taken mid-way exercise the incremental (dirty-path) rehashing.
      if (rng() % 4 == 0) REQUIRE(t.root() == ref_root(m));
      REQUIRE(t.size() == m.size());
    }
    REQUIRE(t.root() == ref_root(m));
  }
}

TEST_CASE("StateTree: keys with long common prefixes (deep paths) match the reference") {
  std::mt19937_64 rng(11);
  StateTree t;
  std::map<Hash256, Hash256> m;
  Hash256 base = random_hash(rng);
  // Keys differing from `base` only in bit d, for several depths, including the last bit.
  for (unsigned d : {255u, 254u, 200u, 128u, 9u, 8u, 7u, 1u, 0u}) {
    Hash256 k = base;
    k[d / 8] ^= static_cast<uint8_t>(0x80 >> (d % 8));
    m[k] = random_hash(rng);
    t.put(k, m[k]);
    REQUIRE(t.root() == ref_root(m));
  }
  m[base] = random_hash(rng);
  t.put(base, m[base]);
  CHECK(t.root() == ref_root(m));
  // Remove them again in another order; the tree must collapse back.
  for (unsigned d : {0u, 255u, 9u, 254u, 1u}) {
    Hash256 k = base;
    k[d / 8] ^= static_cast<uint8_t>(0x80 >> (d % 8));
    m.erase(k);
    t.erase(k);
    REQUIRE(t.root() == ref_root(m));
  }
}

TEST_CASE("StateTree: insertion order does not matter") {
  std::mt19937_64 rng(3);
  std::vector<std::pair<Hash256, Hash256>> kv;
  for (int i = 0; i < 500; ++i) kv.emplace_back(random_hash(rng), random_hash(rng));
  StateTree a;
  for (auto& [k, v] : kv) a.put(k, v);
  const Hash256 root = a.root();
  for (int round = 0; round < 5; ++round) {
    std::shuffle(kv.begin(), kv.end(), rng);
    StateTree b;
    for (size_t i = 0; i < kv.size(); ++i) {
      b.put(kv[i].first, kv[i].second);
      if (i % 97 == 0) (void)b.root();  // interleaved roots must not change the result
    }
    CHECK(b.root() == root);
  }
  // Built with extra keys that are then erased: same root.
  StateTree c;
  std::vector<Hash256> extra;
  for (size_t i = 0; i < kv.size(); ++i) {
    c.put(kv[i].first, kv[i].second);
    extra.push_back(random_hash(rng));
    c.put(extra.back(), random_hash(rng));
  }
  (void)c.root();
  for (auto& k : extra) c.erase(k);
  CHECK(c.root() == root);
  CHECK(c.size() == kv.size());
}

TEST_CASE("StateTree: erasing back to a previous set gives the previous root") {
  std::mt19937_64 rng(5);
  StateTree t;
  for (int i = 0; i < 200; ++i) t.put(random_hash(rng), random_hash(rng));
  const Hash256 r0 = t.root();
  std::vector<Hash256> added;
  for (int i = 0; i < 50; ++i) {
    added.push_back(random_hash(rng));
    t.put(added.back(), random_hash(rng));
  }
  const Hash256 r1 = t.root();
  CHECK(r1 != r0);
  for (auto& k : added) t.erase(k);
  CHECK(t.root() == r0);
  // An overwrite and its undo.
  Hash256 k = random_hash(rng), v1 = random_hash(rng), v2 = random_hash(rng);
  t.put(k, v1);
  const Hash256 r2 = t.root();
  t.put(k, v2);
  CHECK(t.root() != r2);
  t.put(k, v1);
  CHECK(t.root() == r2);
}

TEST_CASE("StateStore: its root is the tree of sha256(key) -> sha256(value) over its entries") {
  Chain c;
  c.exec(c.tx(c.alice, JobSubmit{kTinySpec, 100, 25, 5}));
  c.exec(c.tx(c.carol, ProviderRegister{1000, "e"}));
  std::map<Hash256, Hash256> m;
  for (const auto& [k, v] : c.snapshot()) m[sha256(k)] = sha256(v);
  CHECK(c.state.root() == ref_root(m));
  CHECK(c.state.size() == m.size());
}

TEST_CASE("state root changes exactly when the state changes") {
  Chain c;
  const Hash256 genesis_root = c.state.root();
  CHECK_FALSE(is_zero(genesis_root));

  // An empty block with nothing to expire or release changes only the stored
  // randomness (the fixture's stands in for the proposer's VRF output).
  auto only_randomness = [](const BlockRun& b) {
    const Bytes expect(b.root_before.begin(), b.root_before.end());
    return b.changes.size() == 1 && b.changes.count(keys::randomness()) == 1 &&
           b.changes.at(keys::randomness()) == std::optional<Bytes>(expect);
  };
  BlockRun empty = c.block({});
  CHECK(only_randomness(empty));
  CHECK(empty.root_after != genesis_root);
  // A block of only rejected transactions: the same, nothing else.
  Transaction bad = c.tx(c.alice, Transfer{c.bob.pubkey(), 1}, 5);
  BlockRun rejected = c.block({bad});
  CHECK(only_randomness(rejected));
  // Writing the same randomness again gives the same root: the root is a
  // function of the state alone.
  StateStore copy;
  copy.apply(genesis_changes(parse_genesis(genesis_json()).value()));
  copy.apply(empty.changes);
  CHECK(copy.root() == empty.root_after);

  // A transfer changes it.
  BlockRun t = c.block({c.tx(c.alice, Transfer{c.bob.pubkey(), 1})});
  CHECK(t.root_after != t.root_before);
  // A failed transaction still changes it (fee and nonce).
  BlockRun f = c.block({c.tx(c.alice, Transfer{c.bob.pubkey(), UINT64_MAX})});
  REQUIRE(f.results[0].ok());
  CHECK_FALSE(f.results[0]->success);
  CHECK(f.root_after != f.root_before);

  // Writing the same values again is not a change.
  const Hash256 r = c.state.root();
  ChangeSet same;
  for (const auto& [k, v] : c.snapshot()) same[k] = v;
  c.state.apply(same);
  CHECK(c.state.root() == r);
  // One byte of one value is.
  ChangeSet one;
  Bytes acc = *c.state.get(keys::account(c.bob.pubkey()));
  acc.back() ^= 1;
  one[keys::account(c.bob.pubkey())] = acc;
  c.state.apply(one);
  CHECK(c.state.root() != r);
  acc.back() ^= 1;
  one[keys::account(c.bob.pubkey())] = acc;
  c.state.apply(one);
  CHECK(c.state.root() == r);
  // Erasing an absent key is not a change; adding one is.
  ChangeSet absent;
  absent[Bytes{0x7f, 1}] = std::nullopt;
  c.state.apply(absent);
  CHECK(c.state.root() == r);
  ChangeSet add;
  add[Bytes{0x7f, 1}] = Bytes{};
  c.state.apply(add);
  CHECK(c.state.root() != r);

  // Two chains fed the same blocks agree; one differing transaction and they diverge
  // at that height.
  Chain x, y;
  x.block({x.tx(x.alice, Transfer{x.bob.pubkey(), 10})});
  y.block({y.tx(y.alice, Transfer{y.bob.pubkey(), 10})});
  CHECK(x.state.root() == y.state.root());
  x.block({x.tx(x.alice, Transfer{x.bob.pubkey(), 10})});
  y.block({y.tx(y.alice, Transfer{y.bob.pubkey(), 11})});
  CHECK(x.state.root() != y.state.root());
}

TEST_CASE(
    "state root: the same block applied in different ChangeSet groupings gives the same root") {
  // Executing two blocks, or the same writes merged into one apply, reaches the same state.
  Chain a, b;
  BlockRun r1 = a.block({a.tx(a.alice, Transfer{a.bob.pubkey(), 5})});
  BlockRun r2 = a.block({a.tx(a.bob, Transfer{a.carol.pubkey(), 7})});
  ChangeSet merged = r1.changes;
  for (const auto& [k, v] : r2.changes) merged[k] = v;
  b.state.apply(merged);
  CHECK(a.state.root() == b.state.root());
}

TEST_CASE("Overlay: buffered writes read through, merge in scans, commit or drop whole") {
  StateStore s;
  auto k = [](uint8_t x) { return Bytes{0x50, x}; };
  auto v = [](uint8_t x) { return Bytes{x}; };
  ChangeSet init;
  init[k(1)] = v(1);
  init[k(2)] = v(2);
  init[k(3)] = v(3);
  init[Bytes{0x51}] = v(9);  // outside the scanned prefix
  s.apply(init);
  const Hash256 r0 = s.root();

  Overlay block(s);
  block.put(k(2), v(20));
  block.erase(k(3));
  block.put(k(4), v(4));
  // An overlay on an overlay: pass it as a StateReader (Overlay's copy constructor
  // would copy the writes instead of layering on them).
  const StateReader& block_reader = block;
  Overlay tx(block_reader);
  CHECK(tx.get(k(2)) == v(20));
  CHECK_FALSE(tx.get(k(3)));
  tx.put(k(1), v(10));
  tx.erase(k(4));
  CHECK(block.get(k(1)) == v(1));  // not visible below until committed
  std::vector<std::pair<Bytes, Bytes>> seen;
  tx.scan(Bytes{0x50}, [&](const Bytes& key, const Bytes& val) {
    seen.emplace_back(key, val);
    return true;
  });
  CHECK(seen == std::vector<std::pair<Bytes, Bytes>>{{k(1), v(10)}, {k(2), v(20)}});
  tx.commit_into(block);
  CHECK(tx.changes().empty());
  CHECK(block.get(k(1)) == v(10));
  CHECK_FALSE(block.get(k(4)));
  {
    Overlay dropped(block_reader);
    dropped.put(k(7), v(7));
  }
  CHECK_FALSE(block.get(k(7)));
  // The store is untouched until the block's changes are applied.
  CHECK(s.root() == r0);
  CHECK(s.get(k(1)) == v(1));
  s.apply(block.take_changes());
  CHECK(s.get(k(1)) == v(10));
  CHECK(s.get(k(2)) == v(20));
  CHECK_FALSE(s.get(k(3)));
  CHECK_FALSE(s.get(k(4)));
  CHECK(s.size() == 3);
  CHECK(s.root() != r0);
}

TEST_CASE("BytesLess orders byte strings as std::less<Bytes> does") {
  std::mt19937 rng(7);
  std::vector<Bytes> keys = {{}, {0x00}, {0x00, 0x00}, {0x7f}, {0x80}, {0xff}, {0xff, 0x00}};
  for (int i = 0; i < 200; ++i) {
    Bytes k(rng() % 5);
    for (auto& b : k) b = static_cast<uint8_t>(rng() % 3 == 0 ? 0xff : rng());
    keys.push_back(k);
  }
  BytesLess less;
  for (const Bytes& a : keys)
    for (const Bytes& b : keys) CHECK(less(a, b) == std::less<Bytes>()(a, b));
}

// The store and the overlays find keys by view (BytesLess) and hand changes
// over node by node; checked against plain std::maps through random writes,
// deletions, nested overlays' commits and applies.
TEST_CASE("StateStore and Overlay reads agree with a plain map through random changes") {
  std::mt19937 rng(11);
  // Keys that share long prefixes (a tag and zero high bytes), as state keys do.
  auto key = [](uint32_t i) {
    Bytes k = {0x6a, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    if (i % 3 == 0) k.push_back(0x01);  // one key a prefix of another
    return k;
  };
  auto value = [&rng]() { return Bytes(1 + rng() % 40, static_cast<uint8_t>(rng())); };
  auto read = [](const std::map<Bytes, Bytes>& m, const Bytes& k) -> std::optional<Bytes> {
    auto it = m.find(k);
    return it == m.end() ? std::nullopt : std::optional<Bytes>(it->second);
  };
  StateStore store;
  std::map<Bytes, Bytes> model;
  for (int round = 0; round < 6; ++round) {
    Overlay block(store);
    const StateReader& block_reader = block;
    std::map<Bytes, Bytes> block_model = model;
    for (int t = 0; t < 40; ++t) {  // transactions, each its own overlay, most committed
      Overlay tx(block_reader);
      std::map<Bytes, Bytes> tx_model = block_model;
      const int writes = 1 + static_cast<int>(rng() % (t % 7 == 0 ? 60 : 4));
      for (int w = 0; w < writes; ++w) {
        const Bytes k = key(rng() % 300);
        if (rng() % 4 == 0) {
          tx.erase(k);
          tx_model.erase(k);
        } else {
          Bytes v = value();
          tx.put(k, v);
          tx_model[k] = v;
        }
        const Bytes probe = key(rng() % 300);
        REQUIRE(tx.get(probe) == read(tx_model, probe));
      }
      if (rng() % 5 != 0) {
        tx.commit_into(block);
        block_model = tx_model;
      }
      for (uint32_t i = 0; i < 300; i += 7) REQUIRE(block.get(key(i)) == read(block_model, key(i)));
    }
    store.apply(block.take_changes());
    model = block_model;
    REQUIRE(store.size() == model.size());
    for (uint32_t i = 0; i < 300; ++i) REQUIRE(store.get(key(i)) == read(model, key(i)));
    std::map<Bytes, Bytes> scanned;
    store.scan({}, [&](const Bytes& k, const Bytes& v) {
      scanned.emplace(k, v);
      return true;
    });
    REQUIRE(scanned == model);
  }
}

namespace vt::ledger::test {

TEST_CASE("LayeredView: the base read through a layer that may change between reads") {
  StateStore base;
  base.apply({{Bytes{1, 1}, Bytes{10}}, {Bytes{1, 2}, Bytes{20}}, {Bytes{2, 1}, Bytes{30}}});
  const ChangeSet* layer = nullptr;
  LayeredView view(base, [&] { return layer; });
  auto keys = [&](Bytes prefix) {
    std::vector<std::pair<Bytes, Bytes>> out;
    view.scan(prefix, [&](const Bytes& k, const Bytes& v) {
      out.emplace_back(k, v);
      return true;
    });
    return out;
  };
  CHECK(view.get(Bytes{1, 1}) == Bytes{10});
  CHECK(keys(Bytes{1}).size() == 2);
  // A speculative block's undo: 1/1 changed back, 1/2 removed, 1/3 restored.
  const ChangeSet undo{
      {Bytes{1, 1}, Bytes{11}}, {Bytes{1, 2}, std::nullopt}, {Bytes{1, 3}, Bytes{40}}};
  layer = &undo;
  CHECK(view.get(Bytes{1, 1}) == Bytes{11});
  CHECK_FALSE(view.get(Bytes{1, 2}).has_value());
  CHECK(view.get(Bytes{2, 1}) == Bytes{30});  // untouched keys read through
  const auto seen = keys(Bytes{1});
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == std::pair{Bytes{1, 1}, Bytes{11}});
  CHECK(seen[1] == std::pair{Bytes{1, 3}, Bytes{40}});
  layer = nullptr;  // the speculation is gone: the base again
  CHECK(view.get(Bytes{1, 2}) == Bytes{20});
}

}  // namespace vt::ledger::test
