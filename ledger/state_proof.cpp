#include "ledger/state_proof.h"

#include <algorithm>

#include "core/sha256.h"

namespace vt::ledger {

namespace {

constexpr size_t kNodeBytes = 65;
constexpr uint8_t kLeafTag = 0x00;
constexpr uint8_t kInnerTag = 0x01;

int bit_at(const Hash256& path, size_t depth) {
  return path[depth / 8] >> (7 - depth % 8) & 1;
}

Hash256 node_hash(uint8_t tag, const Hash256& a, const Hash256& b) {
  uint8_t buf[kNodeBytes];
  buf[0] = tag;
  std::copy(a.begin(), a.end(), buf + 1);
  std::copy(b.begin(), b.end(), buf + 33);
  return sha256(ByteView(buf, sizeof buf));
}

Hash256 slice32(const Bytes& b, size_t at) {
  Hash256 h;
  std::copy(b.begin() + static_cast<std::ptrdiff_t>(at),
            b.begin() + static_cast<std::ptrdiff_t>(at + 32), h.begin());
  return h;
}

bool same_prefix(const Hash256& a, const Hash256& b, size_t bits) {
  for (size_t d = 0; d < bits; ++d)
    if (bit_at(a, d) != bit_at(b, d)) return false;
  return true;
}

}  // namespace

Result<StateProof> build_state_proof(const TreeNodeSource& nodes, const Hash256& root,
                                     const Hash256& path) {
  StateProof proof;
  const Hash256 empty{};
  Hash256 expected = root;
  Hash256 prefix{};
  for (size_t depth = 0; expected != empty; ++depth) {
    if (depth > 256) return make_error("state tree deeper than 256 levels");
    auto got = nodes(static_cast<uint8_t>(depth), prefix);
    if (!got) return got.take_error();
    const std::string where = " at depth " + std::to_string(depth);
    if (!got.value()) return make_error("state tree node missing" + where);
    const Bytes& node = *got.value();
    if (node.size() != kNodeBytes || (node[0] != kLeafTag && node[0] != kInnerTag))
      return make_error("malformed state tree node" + where);
    if (sha256(node) != expected)
      return make_error("state tree node" + where + " has the wrong hash");
    if (node[0] == kLeafTag) {
      proof.leaf = StateProof::Leaf{slice32(node, 1), slice32(node, 33)};
      return proof;
    }
    if (depth == 256) return make_error("inner state tree node at depth 256");
    const int b = bit_at(path, depth);
    const Hash256 left = slice32(node, 1), right = slice32(node, 33);
    proof.siblings.push_back(b ? left : right);
    expected = b ? right : left;
    if (b) prefix[depth / 8] |= static_cast<uint8_t>(0x80 >> (depth % 8));
  }
  return proof;  // ended in an empty subtree
}

std::optional<Hash256> proven_value_hash(const StateProof& proof, const Hash256& path) {
  if (proof.leaf && proof.leaf->path == path) return proof.leaf->value_hash;
  return std::nullopt;
}

Status verify_state_proof(const Hash256& root, ByteView key, const std::optional<Bytes>& value,
                          const StateProof& proof) {
  const Hash256 path = sha256(key);
  const size_t depth = proof.siblings.size();
  if (depth > 256) return make_error("proof longer than 256 levels");
  const std::optional<Hash256> shown = proven_value_hash(proof, path);
  if (value && shown != sha256(*value))
    return make_error(shown ? "the proof shows another value for this key"
                            : "the proof shows no value for this key");
  if (!value && shown) return make_error("the proof shows a value for this key");
  if (proof.leaf && !same_prefix(proof.leaf->path, path, depth))
    return make_error("the proof's leaf is not on the key's path");
  Hash256 h =
      proof.leaf ? node_hash(kLeafTag, proof.leaf->path, proof.leaf->value_hash) : Hash256{};
  for (size_t d = depth; d-- > 0;)
    h = bit_at(path, d) ? node_hash(kInnerTag, proof.siblings[d], h)
                        : node_hash(kInnerTag, h, proof.siblings[d]);
  if (h != root) return make_error("the proof does not lead to the state root");
  return Status::success();
}

}  // namespace vt::ledger
