#include "ledger/state_tree.h"

#include <cassert>

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

}  // namespace vt::ledger
