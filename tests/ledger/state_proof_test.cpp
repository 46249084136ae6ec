// Sparse-Merkle proofs of state keys: what each block stores (the tree nodes on
// the paths of the keys it changed) is enough to prove any key at any earlier
// height; proofs of present and absent keys verify against that height's root
// and every tampered proof is refused (ledger/state_proof.h, docs/state-root.md).
#include "ledger/state_proof.h"

#include <doctest/doctest.h>

#include <map>
#include <random>

#include "core/sha256.h"
#include "ledger/state.h"

using namespace vt;
using namespace vt::ledger;

namespace {

// Tree nodes by place, each place with its versions: what the node's
// Column::StateNodes holds, in memory.
struct VersionedNodes {
  std::map<std::pair<uint8_t, Hash256>, std::map<uint64_t, Bytes>> places;

  void add(uint64_t version, const std::vector<StateTree::NodeRecord>& nodes) {
    for (const auto& n : nodes) places[{n.depth, n.prefix}][version] = n.encoded;
  }
  TreeNodeSource at(uint64_t version) const {
    return [this, version](uint8_t depth, const Hash256& prefix) -> Result<std::optional<Bytes>> {
      auto it = places.find({depth, prefix});
      if (it == places.end()) return std::optional<Bytes>();
      auto v = it->second.upper_bound(version);
      if (v == it->second.begin()) return std::optional<Bytes>();
      return std::optional<Bytes>(std::prev(v)->second);
    };
  }
};

Bytes key_of(uint32_t n) {
  return Bytes{0x10, static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 8),
               static_cast<uint8_t>(n)};
}

Bytes value_of(uint32_t n, uint32_t version) {
  return Bytes{static_cast<uint8_t>(n), static_cast<uint8_t>(version), 0x55};
}

// A state of `n` keys (value_of(k, 1)) and its nodes stored at version 1.
struct StoredState {
  StateStore state;
  VersionedNodes nodes;
  Hash256 root{};
  explicit StoredState(uint32_t n) {
    ChangeSet changes;
    for (uint32_t k = 0; k < n; ++k) changes[key_of(k)] = value_of(k, 1);
    state.apply(changes);
    nodes.add(1, state.all_tree_nodes());
    root = state.root();
  }
};

StateProof prove(const VersionedNodes& nodes, uint64_t version, const Hash256& root,
                 const Bytes& key) {
  auto p = build_state_proof(nodes.at(version), root, sha256(key));
  REQUIRE_MESSAGE(p.ok(), p.error());
  return p.value();
}

}  // namespace

TEST_CASE("proofs at every past height from the nodes each block changed") {
  std::mt19937 rng(20261202);
  StateStore state;
  VersionedNodes nodes;
  std::vector<Hash256> roots;                     // by version
  std::vector<std::map<Bytes, Bytes>> snapshots;  // by version
  std::map<Bytes, Bytes> now;
  nodes.add(0, state.all_tree_nodes());
  roots.push_back(state.root());
  snapshots.push_back(now);
  for (uint32_t version = 1; version <= 40; ++version) {
    ChangeSet changes;
    const int n = static_cast<int>(rng() % 30) + 1;
    for (int i = 0; i < n; ++i) {
      const uint32_t k = rng() % 200;
      if (rng() % 4 == 0)
        changes[key_of(k)] = std::nullopt;
      else
        changes[key_of(k)] = value_of(k, version);
    }
    state.apply(changes);
    for (const auto& [k, v] : changes) {
      if (v)
        now[k] = *v;
      else
        now.erase(k);
    }
    nodes.add(version, state.tree_nodes_for(changes));
    roots.push_back(state.root());
    snapshots.push_back(now);
  }
  // Every key, present or not, at every height: the proof verifies with the
  // value it held then, and fails with any other.
  for (uint64_t version = 0; version < roots.size(); ++version) {
    for (uint32_t k = 0; k < 200; k += 3) {
      const Bytes key = key_of(k);
      const StateProof proof = prove(nodes, version, roots[version], key);
      auto it = snapshots[version].find(key);
      const std::optional<Bytes> held =
          it == snapshots[version].end() ? std::nullopt : std::optional<Bytes>(it->second);
      auto ok = verify_state_proof(roots[version], key, held, proof);
      CHECK_MESSAGE(ok.ok(), "version ", version, " key ", k, ": ", ok.error());
      CHECK(proven_value_hash(proof, sha256(key)) ==
            (held ? std::optional<Hash256>(sha256(*held)) : std::nullopt));
      CHECK_FALSE(verify_state_proof(roots[version], key, value_of(k, 99), proof).ok());
      if (held) CHECK_FALSE(verify_state_proof(roots[version], key, std::nullopt, proof).ok());
      if (version > 0 && roots[version] != roots[version - 1])
        CHECK_FALSE(verify_state_proof(roots[version - 1], key, held, proof).ok());
    }
  }
}

TEST_CASE("a tampered proof is refused") {
  const StoredState f(64);
  const VersionedNodes& nodes = f.nodes;
  const Hash256 root = f.root;
  const Bytes key = key_of(7);
  const Bytes value = value_of(7, 1);
  const StateProof good = prove(nodes, 1, root, key);
  REQUIRE(verify_state_proof(root, key, value, good).ok());
  REQUIRE(good.siblings.size() >= 3);
  REQUIRE(good.leaf.has_value());

  for (size_t d = 0; d < good.siblings.size(); ++d) {
    StateProof p = good;
    p.siblings[d][5] ^= 1;
    CHECK(verify_state_proof(root, key, value, p).error() ==
          "the proof does not lead to the state root");
  }
  {
    StateProof p = good;
    p.siblings.pop_back();
    CHECK_FALSE(verify_state_proof(root, key, value, p).ok());
  }
  {
    StateProof p = good;
    p.siblings.push_back(Hash256{});
    CHECK_FALSE(verify_state_proof(root, key, value, p).ok());
  }
  {
    StateProof p = good;  // "absent": drop the leaf
    p.leaf.reset();
    CHECK_FALSE(verify_state_proof(root, key, std::nullopt, p).ok());
  }
  {
    // Another key's valid proof does not prove this key absent or present.
    const StateProof other = prove(nodes, 1, root, key_of(8));
    CHECK_FALSE(verify_state_proof(root, key, std::nullopt, other).ok());
    CHECK_FALSE(verify_state_proof(root, key, value, other).ok());
  }
  {
    // A key that is absent: a valid non-inclusion proof, which cannot be turned
    // into an inclusion proof of any value.
    const Bytes missing = key_of(1000);
    const StateProof absent = prove(nodes, 1, root, missing);
    CHECK(verify_state_proof(root, missing, std::nullopt, absent).ok());
    CHECK(verify_state_proof(root, missing, value, absent).error() ==
          "the proof shows no value for this key");
  }
}

TEST_CASE("building a proof from a damaged source fails, naming the depth") {
  StoredState f(16);
  VersionedNodes& nodes = f.nodes;
  const Hash256 root = f.root;
  // A node whose bytes changed no longer has the hash its parent names.
  auto& first = nodes.places.begin()->second.begin()->second;
  first[10] ^= 1;
  auto p = build_state_proof(nodes.at(1), root, sha256(key_of(3)));
  REQUIRE_FALSE(p.ok());
  CHECK(p.error() == "state tree node at depth 0 has the wrong hash");
  // Nothing stored at all.
  VersionedNodes none;
  auto q = build_state_proof(none.at(1), root, sha256(key_of(3)));
  CHECK(q.error() == "state tree node missing at depth 0");
  // The empty tree proves every key absent with an empty proof.
  StateStore empty;
  auto e = build_state_proof(none.at(0), empty.root(), sha256(key_of(3)));
  REQUIRE(e.ok());
  CHECK(e.value().siblings.empty());
  CHECK(verify_state_proof(empty.root(), key_of(3), std::nullopt, e.value()).ok());
}
