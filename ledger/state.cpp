#include "ledger/state.h"

#include <algorithm>
#include <cassert>

#include "core/sha256.h"

namespace vt::ledger {

namespace {
bool has_prefix(const Bytes& key, ByteView prefix) {
  return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}
}  // namespace

std::optional<Bytes> StateStore::get(ByteView key) const {
  auto it = entries_.find(Bytes(key.begin(), key.end()));
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void StateStore::scan(ByteView prefix,
                      const std::function<bool(const Bytes&, const Bytes&)>& fn) const {
  for (auto it = entries_.lower_bound(Bytes(prefix.begin(), prefix.end()));
       it != entries_.end() && has_prefix(it->first, prefix); ++it)
    if (!fn(it->first, it->second)) return;
}

void StateStore::apply(const ChangeSet& changes) {
  for (const auto& [key, value] : changes) {
    Hash256 hk = sha256(key);
    if (value) {
      entries_[key] = *value;
      tree_.put(hk, sha256(*value));
    } else {
      entries_.erase(key);
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

std::optional<Bytes> Overlay::get(ByteView key) const {
  auto it = changes_.find(Bytes(key.begin(), key.end()));
  if (it != changes_.end()) return it->second;
  return base_.get(key);
}

void Overlay::scan(ByteView prefix,
                   const std::function<bool(const Bytes&, const Bytes&)>& fn) const {
  // Merge the base's entries with ours in key order; ours win.
  std::map<Bytes, Bytes> merged;
  base_.scan(prefix, [&](const Bytes& k, const Bytes& v) {
    merged.emplace(k, v);
    return true;
  });
  for (auto it = changes_.lower_bound(Bytes(prefix.begin(), prefix.end()));
       it != changes_.end() && has_prefix(it->first, prefix); ++it) {
    if (it->second)
      merged[it->first] = *it->second;
    else
      merged.erase(it->first);
  }
  for (const auto& [k, v] : merged)
    if (!fn(k, v)) return;
}

void Overlay::commit_into(Overlay& parent) {
  assert(&base_ == &parent);
  for (auto& [key, value] : changes_) parent.changes_[key] = std::move(value);
  changes_.clear();
}

}  // namespace vt::ledger
