#include "ledger/state_tree.h"

#include <algorithm>
#include <cassert>
#include <map>

#include "core/sha256.h"

namespace vt::ledger {

struct StateTree::Node {
  bool leaf = false;
  Hash256 key{};    // leaves only
  Hash256 value{};  // leaves only
  std::unique_ptr<Node> child[2];
  Hash256 hash{};
  bool dirty = true;
};

namespace {

using NodePtr = std::unique_ptr<StateTree::Node>;

int bit_at(const Hash256& key, unsigned depth) {
  return key[depth / 8] >> (7 - depth % 8) & 1;
}

Hash256 leaf_hash(const Hash256& key, const Hash256& value) {
  uint8_t buf[65];
  buf[0] = 0x00;
  std::copy(key.begin(), key.end(), buf + 1);
  std::copy(value.begin(), value.end(), buf + 33);
  return sha256(ByteView(buf, sizeof buf));
}

Hash256 inner_hash(const Hash256& left, const Hash256& right) {
  uint8_t buf[65];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  return sha256(ByteView(buf, sizeof buf));
}

}  // namespace

StateTree::StateTree() = default;
StateTree::~StateTree() = default;

// Returns true if a new key was added.
static bool insert(NodePtr& node, unsigned depth, const Hash256& key, const Hash256& value) {
  using Node = StateTree::Node;
  if (!node) {
    node = std::make_unique<Node>();
    node->leaf = true;
    node->key = key;
    node->value = value;
    return true;
  }
  node->dirty = true;
  if (node->leaf) {
    if (node->key == key) {
      node->value = value;
      return false;
    }
    // Two keys share this subtree now: the leaf becomes an inner node and both
    // keys go down until their bits differ.
    assert(depth < 256);
    auto old = std::make_unique<Node>();
    old->leaf = true;
    old->key = node->key;
    old->value = node->value;
    node->leaf = false;
    int b = bit_at(old->key, depth);
    node->child[b] = std::move(old);
  }
  return insert(node->child[bit_at(key, depth)], depth + 1, key, value);
}

// Returns true if the key was present.
static bool remove(NodePtr& node, unsigned depth, const Hash256& key) {
  if (!node) return false;
  if (node->leaf) {
    if (node->key != key) return false;
    node.reset();
    return true;
  }
  if (!remove(node->child[bit_at(key, depth)], depth + 1, key)) return false;
  node->dirty = true;
  // An inner node left with a single leaf below it collapses into that leaf,
  // keeping the shape a function of the key set alone.
  NodePtr& l = node->child[0];
  NodePtr& r = node->child[1];
  if (!l && r && r->leaf)
    node = std::move(r);
  else if (!r && l && l->leaf)
    node = std::move(l);
  return true;
}

static Hash256 rehash(StateTree::Node* node) {
  if (!node) return Hash256{};
  if (!node->dirty) return node->hash;
  node->hash = node->leaf ? leaf_hash(node->key, node->value)
                          : inner_hash(rehash(node->child[0].get()), rehash(node->child[1].get()));
  node->dirty = false;
  return node->hash;
}

void StateTree::put(const Hash256& key, const Hash256& value) {
  if (insert(root_, 0, key, value)) ++size_;
}

void StateTree::erase(const Hash256& key) {
  if (remove(root_, 0, key)) --size_;
}

Hash256 StateTree::root() {
  return rehash(root_.get());
}

namespace {

StateTree::NodeRecord record_of(const StateTree::Node& n, unsigned depth, const Hash256& prefix) {
  assert(!n.dirty);
  StateTree::NodeRecord r{static_cast<uint8_t>(depth), prefix, {}};
  r.encoded.reserve(65);
  auto append = [&r](const Hash256& h) { r.encoded.insert(r.encoded.end(), h.begin(), h.end()); };
  if (n.leaf) {
    r.encoded.push_back(0x00);
    append(n.key);
    append(n.value);
  } else {
    r.encoded.push_back(0x01);
    append(n.child[0] ? n.child[0]->hash : Hash256{});
    append(n.child[1] ? n.child[1]->hash : Hash256{});
  }
  return r;
}

void set_bit(Hash256& path, unsigned depth, int bit) {
  if (bit) path[depth / 8] |= static_cast<uint8_t>(0x80 >> (depth % 8));
}

void collect(const StateTree::Node* n, unsigned depth, Hash256 prefix,
             std::vector<StateTree::NodeRecord>& out) {
  if (!n) return;
  out.push_back(record_of(*n, depth, prefix));
  if (n->leaf) return;
  for (int b = 0; b < 2; ++b) {
    Hash256 child_prefix = prefix;
    set_bit(child_prefix, depth, b);
    collect(n->child[b].get(), depth + 1, child_prefix, out);
  }
}

}  // namespace

std::vector<StateTree::NodeRecord> StateTree::nodes_on_paths(
    const std::vector<Hash256>& paths) const {
  // Every node on each path changed, and so did a leaf beside a path: a new key
  // pushes the leaf it splits one level down, beside the new key's path (the
  // only node that moves down; a removal moves a leaf up, onto the path).
  std::map<std::pair<unsigned, Hash256>, NodeRecord> found;  // by place: each once
  auto emit = [&found](const Node& n, unsigned depth, const Hash256& prefix) {
    if (found.count({depth, prefix}) == 0)
      found.emplace(std::pair{depth, prefix}, record_of(n, depth, prefix));
  };
  for (const Hash256& path : paths) {
    const Node* n = root_.get();
    Hash256 prefix{};
    for (unsigned depth = 0; n; ++depth) {
      emit(*n, depth, prefix);
      if (n->leaf) break;
      const int b = bit_at(path, depth);
      if (const Node* beside = n->child[1 - b].get(); beside && beside->leaf) {
        Hash256 beside_prefix = prefix;
        set_bit(beside_prefix, depth, 1 - b);
        emit(*beside, depth + 1, beside_prefix);
      }
      set_bit(prefix, depth, b);
      n = n->child[b].get();
    }
  }
  std::vector<NodeRecord> out;
  out.reserve(found.size());
  for (auto& [place, record] : found) out.push_back(std::move(record));
  return out;
}

std::vector<StateTree::NodeRecord> StateTree::all_nodes() const {
  std::vector<NodeRecord> out;
  collect(root_.get(), 0, Hash256{}, out);
  return out;
}

}  // namespace vt::ledger
