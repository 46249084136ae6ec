#include "ledger/state.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "core/sha256.h"

namespace vt::ledger {

namespace {
bool has_prefix(const Bytes& key, ByteView prefix) {
  return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}
}  // namespace

bool BytesLess::operator()(ByteView a, ByteView b) const noexcept {
  const size_t common = std::min(a.size(), b.size());
  const int c = common == 0 ? 0 : std::memcmp(a.data(), b.data(), common);
  return c != 0 ? c < 0 : a.size() < b.size();
}

std::optional<Bytes> StateStore::get(ByteView key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void StateStore::scan(ByteView prefix,
                      const std::function<bool(const Bytes&, const Bytes&)>& fn) const {
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && has_prefix(it->first, prefix); ++it)
    if (!fn(it->first, it->second)) return;
}

std::vector<StateTree::NodeRecord> StateStore::tree_nodes_for(const ChangeSet& changes) {
  tree_.root();
  std::vector<Hash256> paths;
  paths.reserve(changes.size());
  for (const auto& [key, value] : changes) paths.push_back(sha256(key));
  return tree_.nodes_on_paths(paths);
}

std::vector<StateTree::NodeRecord> StateStore::all_tree_nodes() {
  tree_.root();
  return tree_.all_nodes();
}

void StateStore::apply(const ChangeSet& changes) {
  for (const auto& [key, value] : changes) {
    Hash256 hk = sha256(key);
    if (value) {
      entries_.insert_or_assign(key, *value);
      tree_.put(hk, sha256(*value));
    } else {
      if (auto it = entries_.find(key); it != entries_.end()) entries_.erase(it);
      tree_.erase(hk);
    }
  }
}

ChangeSet StateStore::undo_for(const ChangeSet& changes) const {
  ChangeSet undo;
  for (const auto& [key, value] : changes) {
    auto it = entries_.find(key);
    undo[key] = it == entries_.end() ? std::nullopt : std::optional<Bytes>(it->second);
  }
  return undo;
}

namespace {

// `changes` laid over `base`: ours win, a nullopt value hides the key.
std::optional<Bytes> get_through(const StateReader& base, const ChangeSet& changes, ByteView key) {
  auto it = changes.find(key);
  if (it != changes.end()) return it->second;
  return base.get(key);
}

void scan_through(const StateReader& base, const ChangeSet& changes, ByteView prefix,
                  const std::function<bool(const Bytes&, const Bytes&)>& fn) {
  // Merge the base's entries with the changes in key order; the changes win.
  std::map<Bytes, Bytes> merged;
  base.scan(prefix, [&](const Bytes& k, const Bytes& v) {
    merged.emplace(k, v);
    return true;
  });
  for (auto it = changes.lower_bound(prefix); it != changes.end() && has_prefix(it->first, prefix);
       ++it) {
    if (it->second)
      merged[it->first] = *it->second;
    else
      merged.erase(it->first);
  }
  for (const auto& [k, v] : merged)
    if (!fn(k, v)) return;
}

}  // namespace

std::optional<Bytes> LayeredView::get(ByteView key) const {
  const ChangeSet* layer = layer_();
  return layer ? get_through(base_, *layer, key) : base_.get(key);
}

void LayeredView::scan(ByteView prefix,
                       const std::function<bool(const Bytes&, const Bytes&)>& fn) const {
  if (const ChangeSet* layer = layer_())
    scan_through(base_, *layer, prefix, fn);
  else
    base_.scan(prefix, fn);
}

std::optional<Bytes> Overlay::get(ByteView key) const {
  return get_through(base_, changes_, key);
}

void Overlay::scan(ByteView prefix,
                   const std::function<bool(const Bytes&, const Bytes&)>& fn) const {
  scan_through(base_, changes_, prefix, fn);
}

ChangeSet Overlay::take_changes() {
  ChangeSet out = std::move(changes_);
  changes_.clear();  // a moved-from map's contents are unspecified
  return out;
}

void Overlay::commit_into(Overlay& parent) {
  assert(&base_ == &parent);
  while (!changes_.empty()) {  // each node handed over whole: its key is not copied
    auto node = changes_.extract(changes_.begin());
    parent.changes_.insert_or_assign(std::move(node.key()), std::move(node.mapped()));
  }
}

}  // namespace vt::ledger
