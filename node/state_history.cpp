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

void add_state_history(uint64_t height, const std::vector<ledger::StateTree::NodeRecord>& nodes,
                       const ledger::ChangeSet& changes, WriteBatch& batch) {
  for (const auto& n : nodes)
    batch.put(Column::StateNodes, node_key(n.depth, n.prefix, height), n.encoded);
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
