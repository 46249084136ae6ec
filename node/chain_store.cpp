#include "node/chain_store.h"

#include "core/encoding.h"
#include "ledger/receipt.h"
#include "ledger/state_access.h"
#include "node/state_history.h"
#include "node/tx_index.h"

namespace vt::node {

namespace {

constexpr size_t kMaxBlockBytes = 64 << 20;  // decoding ceiling for stored blocks
const Bytes kHeadKey = {'h', 'e', 'a', 'd'};

Bytes height_key(uint64_t h) {
  return Writer().u64(h).take();
}

Bytes encode_head(const ChainHead& h) {
  return Writer().u64(h.height).fixed(h.block_hash).fixed(h.state_root).u64(h.time_ms).take();
}

Result<ChainHead> decode_head(ByteView in) {
  Reader r(in);
  ChainHead h;
  h.height = r.u64("head.height");
  h.block_hash = r.fixed<32>("head.block_hash");
  h.state_root = r.fixed<32>("head.state_root");
  h.time_ms = r.u64("head.time_ms");
  if (auto s = r.finish(); !s) return make_error("corrupt chain head: " + s.error());
  return h;
}

// Meta "valset" || u64 height: the validator records in force from that height
// (written when a block changes them), for chain_getValidators at a past height.
const Bytes kValidatorsPrefix = {'v', 'a', 'l', 's', 'e', 't'};
Bytes validators_key(uint64_t height) {
  Bytes k = kValidatorsPrefix;
  const Bytes h = height_key(height);
  k.insert(k.end(), h.begin(), h.end());
  return k;
}

bool is_validator_key(const Bytes& k) {
  return !k.empty() && k[0] == ledger::keys::kValidator;
}

// The validator records `state` holds (in key order), as validators_key stores them.
Bytes validator_records(const ledger::StateStore& state) {
  std::vector<Bytes> records;
  state.scan(ledger::keys::prefix(ledger::keys::kValidator), [&](const Bytes&, const Bytes& v) {
    records.push_back(v);
    return true;
  });
  Writer w;
  w.u32(static_cast<uint32_t>(records.size()));
  for (const Bytes& v : records) w.bytes(v);
  return w.take();
}

// Column::State is the state as of the last fold height (Meta "folded", absent:
// 0); Column::StateChanges holds each later block's changes. Writing a block's
// changes as one value and folding them every kFoldEvery heights, each key once
// with its latest value, puts far fewer keys into RocksDB's memtable than a key
// per change per block: at 4,000 transfers/s the memtable inserts were 8 % of a
// validator's CPU, and most of a block's state keys are accounts that send again
// within seconds.
constexpr uint64_t kFoldEvery = 64;
const Bytes kFoldedKey = {'f', 'o', 'l', 'd', 'e', 'd'};

// u32 count | count x (key | u8 present | [value]), keys in order.
Bytes encode_changes(const ledger::ChangeSet& changes) {
  Writer w;
  w.u32(static_cast<uint32_t>(changes.size()));
  for (const auto& [k, v] : changes) {
    w.bytes(k).u8(v ? 1 : 0);
    if (v) w.bytes(*v);
  }
  return w.take();
}

// Lays the changes encoded in `in` over `into`.
Status apply_encoded_changes(ByteView in, ledger::ChangeSet& into) {
  Reader r(in);
  const uint32_t n = r.u32("changes.count");
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    Bytes k = r.bytes("changes.key", kMaxBlockBytes);
    const uint8_t present = r.u8("changes.present");
    if (present > 1) return make_error("corrupt stored state changes: a bad presence flag");
    if (present)
      into.insert_or_assign(std::move(k), r.bytes("changes.value", kMaxBlockBytes));
    else
      into.insert_or_assign(std::move(k), std::nullopt);
  }
  if (auto s = r.finish(); !s) return make_error("corrupt stored state changes: " + s.error());
  return Status::success();
}

// The fold height; nullopt for a store written before state changes were kept
// apart, whose Column::State is the head's state.
Result<std::optional<uint64_t>> folded_height(const KvStore& kv) {
  auto v = kv.get(Column::Meta, kFoldedKey);
  if (!v) return v.take_error();
  if (!v.value()) return std::optional<uint64_t>();
  Reader r(**v);
  const uint64_t h = r.u64("folded");
  if (auto s = r.finish(); !s) return make_error("corrupt fold height: " + s.error());
  return std::optional<uint64_t>(h);
}

// Lays the changes of every block after the fold height over `into`, in height
// order: what Column::State lacks. Returns the last height laid; the heights
// must follow one another from the fold height up, or the store is corrupt.
Result<uint64_t> add_unfolded_changes(const KvStore& kv, uint64_t folded, ledger::ChangeSet& into) {
  uint64_t through = folded;
  Status bad = Status::success();
  auto s = kv.scan(Column::StateChanges, height_key(folded + 1), [&](ByteView k, ByteView v) {
    Reader r(k);
    const uint64_t h = r.u64("height");
    if (!r.finish().ok() || h != through + 1) {
      bad = make_error("corrupt stored state changes: height " + std::to_string(through + 1) +
                       " missing after the fold at height " + std::to_string(folded));
      return false;
    }
    bad = apply_encoded_changes(v, into);
    through = h;
    return bad.ok();
  });
  if (!s) return s.take_error();
  if (!bad) return bad.take_error();
  return through;
}

}  // namespace

Result<std::optional<ChainHead>> ChainStore::head() const {
  auto v = kv_.get(Column::Meta, kHeadKey);
  if (!v) return v.take_error();
  if (!v.value()) return std::optional<ChainHead>();
  auto h = decode_head(**v);
  if (!h) return h.take_error();
  return std::optional<ChainHead>(h.value());
}

Status ChainStore::init_genesis_if_empty(const ledger::Genesis& g) {
  auto existing = head();
  if (!existing) return existing.take_error();
  if (existing.value()) return Status::success();
  ledger::StateStore fresh;
  fresh.apply(ledger::genesis_changes(g));
  return init_genesis(g, fresh);
}

Status ChainStore::init_genesis(const ledger::Genesis& g, ledger::StateStore& state) {
  auto existing = head();
  if (!existing) return existing.take_error();
  if (existing.value()) return make_error("the store already holds a chain");
  WriteBatch batch;
  ledger::ChangeSet changes;
  state.scan({}, [&](const Bytes& k, const Bytes& v) {
    changes.emplace(k, v);
    return true;
  });
  for (const auto& [k, v] : changes) batch.put(Column::State, k, *v);
  const Hash256 state_root = state.root();
  ChainHead h{0, ledger::genesis_hash(g, state_root), state_root, g.genesis_time_ms};
  batch.put(Column::Meta, kHeadKey, encode_head(h));
  if (indexes_.state_history) {
    add_state_history(0, state.all_tree_nodes(), changes, batch, true);
    add_state_history_start(0, batch);
  }
  if (indexes_.tx_index) add_tx_index_entries(ledger::Block{}, {}, {}, batch);  // through genesis
  batch.put(Column::Meta, validators_key(1), validator_records(state));
  batch.put(Column::Meta, kFoldedKey, height_key(0));
  return kv_.write(batch);
}

Status ChainStore::commit_block(const ledger::Block& block, const Bytes& commit,
                                const ledger::BlockResult& result, ledger::StateStore& state) {
  const auto& hdr = block.header;
  if (result.receipts.size() != block.txs.size() || result.tx_hashes.size() != block.txs.size())
    return make_error("block " + std::to_string(hdr.height) + " has " +
                      std::to_string(block.txs.size()) + " transactions but its result has " +
                      std::to_string(result.receipts.size()) + " receipts and " +
                      std::to_string(result.tx_hashes.size()) + " hashes");
  Hash256 hash = ledger::block_hash(hdr);
  WriteBatch batch;
  batch.put(Column::Blocks, Bytes(hash.begin(), hash.end()), ledger::encode(block));
  batch.put(Column::Heights, height_key(hdr.height), Bytes(hash.begin(), hash.end()));
  batch.put(Column::Commits, height_key(hdr.height), commit);
  batch.put(Column::BlockEvents, height_key(hdr.height),
            ledger::encode_events(result.begin_events));
  for (uint32_t i = 0; i < block.txs.size(); ++i) {
    const auto& tx = block.txs[i];
    const Hash256& th = result.tx_hashes[i];  // the executor's tx_hash(tx)
    batch.put(Column::Txs, Bytes(th.begin(), th.end()),
              Writer()
                  .u64(hdr.height)
                  .u32(i)
                  .bytes(ledger::encode(tx))
                  .bytes(ledger::encode(result.receipts[i]))
                  .take());
  }
  if (indexes_.tx_index) add_tx_index_entries(block, result.receipts, result.tx_hashes, batch);
  if (indexes_.state_history) {
    add_state_history(hdr.height, state.tree_nodes_for(result.changes), result.changes, batch);
    if (auto s = prune_state_history_for(hdr.height, batch); !s) return s;
  }
  auto folded = folded_height(kv_);
  if (!folded) return folded.take_error();
  if (folded.value() && hdr.height % kFoldEvery != 0) {
    batch.put(Column::StateChanges, height_key(hdr.height), encode_changes(result.changes));
  } else {  // fold (a store from before the fold height was kept folds at once)
    ledger::ChangeSet fold;
    if (folded.value()) {
      auto through = add_unfolded_changes(kv_, *folded.value(), fold);
      if (!through) return through.take_error();
      if (through.value() + 1 != hdr.height)
        return make_error("block " + std::to_string(hdr.height) + " does not follow the stored " +
                          "state changes, which end at height " + std::to_string(through.value()));
      for (uint64_t h = *folded.value() + 1; h < hdr.height; ++h)
        batch.erase(Column::StateChanges, height_key(h));
    }
    for (const auto& [k, v] : result.changes) fold.insert_or_assign(k, v);
    for (const auto& [k, v] : fold) {
      if (v)
        batch.put(Column::State, k, *v);
      else
        batch.erase(Column::State, k);
    }
    batch.put(Column::Meta, kFoldedKey, height_key(hdr.height));
  }
  batch.put(Column::Meta, kHeadKey,
            encode_head(ChainHead{hdr.height, hash, hdr.state_root, hdr.time_ms}));
  if (std::any_of(result.changes.begin(), result.changes.end(),
                  [](const auto& c) { return is_validator_key(c.first); }))
    batch.put(Column::Meta, validators_key(hdr.height + 1), validator_records(state));
  return kv_.write(batch);
}

Result<std::optional<std::vector<ledger::Validator>>> ChainStore::validators_at(
    uint64_t height) const {
  std::optional<Bytes> found;
  auto s = kv_.scan_reverse(Column::Meta, validators_key(height), [&](ByteView k, ByteView v) {
    if (k.size() == kValidatorsPrefix.size() + 8 &&
        std::equal(kValidatorsPrefix.begin(), kValidatorsPrefix.end(), k.begin()))
      found = Bytes(v.begin(), v.end());
    return false;
  });
  if (!s) return s.take_error();
  if (!found) return std::optional<std::vector<ledger::Validator>>();
  Reader r(*found);
  std::vector<ledger::Validator> out;
  const uint32_t n = r.u32("validators.count");
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    Bytes raw = r.bytes("validators.record", 1024);
    if (!r.ok()) break;
    auto v = ledger::decode_validator(raw);
    if (!v) return make_error("corrupt validator record at height " + std::to_string(height));
    out.push_back(v.value());
  }
  if (auto st = r.finish(); !st) return make_error("corrupt validator set: " + st.error());
  return std::optional<std::vector<ledger::Validator>>(std::move(out));
}

Status ChainStore::load_state(ledger::StateStore& state) const {
  ledger::ChangeSet all;
  auto s = kv_.scan(Column::State, {}, [&](ByteView k, ByteView v) {
    all.emplace(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
    return true;
  });
  if (!s) return s;
  auto folded = folded_height(kv_);
  if (!folded) return folded.take_error();
  if (folded.value()) {
    auto through = add_unfolded_changes(kv_, *folded.value(), all);
    if (!through) return through.take_error();
    auto h = head();
    if (!h) return h.take_error();
    if (h.value() && h.value()->height != through.value())
      return make_error("corrupt store: its state changes end at height " +
                        std::to_string(through.value()) + " but its head is at height " +
                        std::to_string(h.value()->height));
  }
  // Deletions over the folded state are absences, not changes.
  std::erase_if(all, [](const auto& kv) { return !kv.second; });
  state.apply(all);
  return Status::success();
}

Result<std::optional<ledger::Block>> ChainStore::block_by_hash(const Hash256& hash) const {
  auto v = kv_.get(Column::Blocks, hash);
  if (!v) return v.take_error();
  if (!v.value()) return std::optional<ledger::Block>();
  auto b = ledger::decode_block(**v, kMaxBlockBytes, SIZE_MAX, kMaxBlockBytes);
  if (!b) return make_error("corrupt stored block: " + b.error());
  return std::optional<ledger::Block>(std::move(b).value());
}

Result<std::optional<ledger::Block>> ChainStore::block_at(uint64_t height) const {
  auto v = kv_.get(Column::Heights, height_key(height));
  if (!v) return v.take_error();
  if (!v.value() || v.value()->size() != 32) return std::optional<ledger::Block>();
  Hash256 hash;
  std::copy(v.value()->begin(), v.value()->end(), hash.begin());
  return block_by_hash(hash);
}

Result<std::optional<Bytes>> ChainStore::commit_at(uint64_t height) const {
  return kv_.get(Column::Commits, height_key(height));
}

Result<std::optional<std::vector<ledger::Event>>> ChainStore::block_events(uint64_t height) const {
  auto v = kv_.get(Column::BlockEvents, height_key(height));
  if (!v) return v.take_error();
  if (!v.value()) return std::optional<std::vector<ledger::Event>>();
  auto e = ledger::decode_events(**v);
  if (!e) return make_error("corrupt stored events: " + e.error());
  return std::optional<std::vector<ledger::Event>>(std::move(e).value());
}

Result<std::optional<TxRecord>> ChainStore::tx(const Hash256& hash) const {
  auto v = kv_.get(Column::Txs, hash);
  if (!v) return v.take_error();
  if (!v.value()) return std::optional<TxRecord>();
  Reader r(**v);
  TxRecord rec;
  rec.height = r.u64("txrecord.height");
  rec.index = r.u32("txrecord.index");
  Bytes raw_tx = r.bytes("txrecord.tx", kMaxBlockBytes);
  Bytes raw_receipt = r.bytes("txrecord.receipt", kMaxBlockBytes);
  if (auto s = r.finish(); !s) return make_error("corrupt tx record: " + s.error());
  auto tx = ledger::decode_transaction(raw_tx, kMaxBlockBytes);
  auto rc = ledger::decode_receipt(raw_receipt);
  if (!tx || !rc) return make_error("corrupt tx record");
  rec.tx = std::move(tx).value();
  rec.receipt = std::move(rc).value();
  return std::optional<TxRecord>(std::move(rec));
}

Result<std::vector<Hash256>> ChainStore::account_txs(const Address& a, size_t limit) const {
  std::vector<Hash256> out;
  TxQuery query;
  query.address = a;
  std::optional<TxPosition> at;
  do {
    auto page = search_txs(kv_, query, at, std::min(limit - out.size(), kMaxTxSearchPage));
    if (!page) return page.take_error();
    for (const TxHit& hit : page.value().hits) out.push_back(hit.hash);
    at = page.value().next;
  } while (at && out.size() < limit);
  return out;
}

Status ChainStore::prune_state_history_for(uint64_t height, WriteBatch& batch) {
  const uint64_t keep = indexes_.state_history_blocks;
  if (keep == 0 || height < keep) return Status::success();
  auto span = state_history_span(kv_);
  if (!span) return span.take_error();
  if (!span.value()) return Status::success();
  const uint64_t wanted = height - keep + 1;  // heights wanted..height are kept
  const uint64_t start = span.value()->start;
  if (wanted <= start) return Status::success();
  // A node whose setting just shrank catches up a bounded step per block, so a
  // commit never waits on a long prune.
  constexpr uint64_t kMaxHeightsPerBlock = 64;
  return prune_state_history(kv_, start, std::min(wanted, start + kMaxHeightsPerBlock), batch);
}

Status ChainStore::complete_indexes(ledger::StateStore& state) {
  auto h = head();
  if (!h) return h.take_error();
  if (!h.value()) return make_error("complete_indexes: the store holds no chain");
  const uint64_t height = h.value()->height;
  auto history = state_history_span(kv_);
  if (!history) return history.take_error();
  if (indexes_.state_history && (!history.value() || history.value()->through != height)) {
    WriteBatch batch;
    ledger::ChangeSet all;
    state.scan({}, [&](const Bytes& k, const Bytes& v) {
      all.emplace(k, v);
      return true;
    });
    add_state_history(height, state.all_tree_nodes(), all, batch, true);
    add_state_history_start(height, batch);
    if (auto s = kv_.write(batch); !s) return s;
  }
  if (!indexes_.tx_index) return Status::success();
  auto indexed = tx_index_height(kv_);
  if (!indexed) return indexed.take_error();
  for (uint64_t at = indexed.value() ? *indexed.value() + 1 : 1; at <= height; ++at) {
    auto block = block_at(at);
    if (!block) return block.take_error();
    if (!block.value())
      return make_error("block " + std::to_string(at) + " missing from the store");
    std::vector<ledger::Receipt> receipts;
    std::vector<Hash256> hashes;
    for (const auto& tx : block.value()->txs) {
      hashes.push_back(ledger::tx_hash(tx));
      auto rec = this->tx(hashes.back());
      if (!rec) return rec.take_error();
      if (!rec.value())
        return make_error("a transaction of block " + std::to_string(at) + " is missing");
      receipts.push_back(std::move(rec.value()->receipt));
    }
    WriteBatch batch;
    add_tx_index_entries(*block.value(), receipts, hashes, batch);
    if (auto s = kv_.write(batch); !s) return s;
  }
  return Status::success();
}

Result<uint64_t> ChainStore::earliest_state_height() const {
  if (!indexes_.state_history)
    return make_error("this node keeps no state history (config.toml [storage] state_history)");
  auto span = state_history_span(kv_);
  if (!span) return span.take_error();
  if (!span.value()) return make_error("this database keeps no state history yet");
  return span.value()->start;
}

}  // namespace vt::node
