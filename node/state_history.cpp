#include "node/state_history.h"

#include "core/encoding.h"
#include "core/sha256.h"

namespace vt::node {

namespace {

// Column::Meta: the first and the last height with a complete tree.
const Bytes kStartKey = {'s', 't', 'a', 't', 'e', 'h', 'i', 's', 't'};
const Bytes kThroughKey = {'s', 't', 'a', 't', 'e', 'h', 'i', 's', 't', '_', 't', 'o'};

Result<std::optional<uint64_t>> read_height(const KvStore& kv, const Bytes& key) {
  auto v = kv.get(Column::Meta, key);
  if (!v) return v.take_error();
  if (!v.value()) return std::optional<uint64_t>();
  Reader r(**v);
  const uint64_t h = r.u64("statehist.height");
  if (auto s = r.finish(); !s) return make_error("corrupt state history mark: " + s.error());
  return std::optional<uint64_t>(h);
}

// Column::StateNodes key: depth (u8) || prefix (32) || height (u64 BE).
Bytes node_key(uint8_t depth, const Hash256& prefix, uint64_t height) {
  return Writer().u8(depth).fixed(prefix).u64(height).take();
}

}  // namespace

// Column::StateLog: height (u64 BE) -> places, each depth (u8) || prefix (32).
constexpr size_t kPlaceBytes = 33;

void add_state_history(uint64_t height, const std::vector<ledger::StateTree::NodeRecord>& nodes,
                       const ledger::ChangeSet& changes, WriteBatch& batch, bool snapshot) {
  Writer places;
  for (const auto& n : nodes) {
    batch.put(Column::StateNodes, node_key(n.depth, n.prefix, height), n.encoded);
    if (!snapshot) places.u8(n.depth).fixed(n.prefix);
  }
  // A snapshot's records have nothing older to supersede.
  if (!snapshot) batch.put(Column::StateLog, Writer().u64(height).take(), places.take());
  for (const auto& [key, value] : changes) {
    if (!value) continue;
    const Hash256 h = sha256(*value);
    batch.put(Column::StateValues, Bytes(h.begin(), h.end()), *value);
  }
  batch.put(Column::Meta, kThroughKey, Writer().u64(height).take());
}

void add_state_history_start(uint64_t height, WriteBatch& batch) {
  batch.put(Column::Meta, kStartKey, Writer().u64(height).take());
}

Status prune_state_history(const KvStore& kv, uint64_t start, uint64_t new_start,
                           WriteBatch& batch) {
  for (uint64_t h = start + 1; h <= new_start; ++h) {
    const Bytes log_key = Writer().u64(h).take();
    auto places = kv.get(Column::StateLog, log_key);
    if (!places) return places.take_error();
    if (!places.value()) continue;  // a height with no log (the history restarted above it)
    const Bytes& list = *places.value();
    if (list.size() % kPlaceBytes != 0)
      return make_error("corrupt state history log at height " + std::to_string(h));
    for (size_t at = 0; at < list.size(); at += kPlaceBytes) {
      const uint8_t depth = list[at];
      Hash256 prefix;
      std::copy(list.begin() + at + 1, list.begin() + at + kPlaceBytes, prefix.begin());
      // The place's record before h served heights up to h - 1 only.
      const Bytes from = node_key(depth, prefix, h - 1);
      auto s = kv.scan_reverse(Column::StateNodes, from, [&](ByteView k, ByteView) {
        if (k.size() == from.size() && std::equal(from.begin(), from.begin() + 33, k.begin()))
          batch.erase(Column::StateNodes, Bytes(k.begin(), k.end()));
        return false;
      });
      if (!s) return s;
    }
    batch.erase(Column::StateLog, log_key);
  }
  add_state_history_start(new_start, batch);
  return Status::success();
}

Result<std::optional<StateHistorySpan>> state_history_span(const KvStore& kv) {
  auto start = read_height(kv, kStartKey);
  if (!start) return start.take_error();
  auto through = read_height(kv, kThroughKey);
  if (!through) return through.take_error();
  if (!start.value() || !through.value()) return std::optional<StateHistorySpan>();
  return std::optional<StateHistorySpan>(StateHistorySpan{*start.value(), *through.value()});
}

Result<HistoricalState::Proven> HistoricalState::prove(ByteView key) const {
  auto nodes = [this](uint8_t depth, const Hash256& prefix) -> Result<std::optional<Bytes>> {
    std::optional<Bytes> found;
    const Bytes start = node_key(depth, prefix, height_);
    auto s = kv_.scan_reverse(Column::StateNodes, start, [&](ByteView k, ByteView v) {
      if (k.size() == start.size() && std::equal(start.begin(), start.begin() + 33, k.begin()))
        found = Bytes(v.begin(), v.end());
      return false;
    });
    if (!s) return s.take_error();
    return found;
  };
  const Hash256 path = sha256(key);
  auto proof = ledger::build_state_proof(nodes, root_, path);
  if (!proof)
    return make_error("state at height " + std::to_string(height_) + ": " + proof.error());
  Proven out{std::move(proof).value(), std::nullopt};
  if (auto vh = ledger::proven_value_hash(out.proof, path)) {
    auto v = kv_.get(Column::StateValues, *vh);
    if (!v) return v.take_error();
    if (!v.value() || sha256(*v.value()) != *vh)
      return make_error("state value " + to_hex(*vh) + " missing or damaged in the store");
    out.value = std::move(*v.value());
  }
  return out;
}

std::optional<Bytes> HistoricalState::get(ByteView key) const {
  auto p = prove(key);
  if (!p) {
    error_ = p.error();
    return std::nullopt;
  }
  return std::move(p.value().value);
}

void HistoricalState::scan(ByteView, const std::function<bool(const Bytes&, const Bytes&)>&) const {
  error_ = "lists are served at the head only (height " + std::to_string(height_) + " asked)";
}

}  // namespace vt::node
