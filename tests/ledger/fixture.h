// Shared fixture for the ledger tests: a small genesis (funded accounts from fixed
// secrets, one validator whose operator collects the fees), a StateStore holding
// it, and helpers that sign transactions and execute blocks the way the node does.
#pragma once

#include <doctest/doctest.h>

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/keys.h"
#include "ledger/commit.h"
#include "ledger/executor.h"
#include "ledger/genesis.h"
#include "ledger/state.h"
#include "ledger/state_access.h"
#include "ledger/transaction.h"

namespace vt::ledger::test {

inline bool mentions(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A deterministic key: secret = 31 zero bytes then n (n > 0).
SchnorrKey key_of(uint8_t n);

// The fixture's genesis parameters (small numbers so every edge is reachable).
Params test_params();
inline constexpr Amount kFunded = 1'000'000;   // each funded account's genesis balance
inline constexpr Amount kValidatorStake = 10;  // the one genesis validator's power (stake)
// Every uvt of the genesis: four funded accounts and the validator's stake.
inline constexpr Amount kGenesisSupply = 4 * kFunded + kValidatorStake;

// kernels/specs/tiny.json, spelled with other spacing and key order than its canonical form.
inline const std::string kTinySpec =
    R"({"steps": 20, "seed": 7, "checkpoint_interval": 5, "batch_size": 16,
  "model": {"type": "mlp", "layers": [784, 32, 10], "activation": "relu"},
  "optimizer": {"type": "sgd", "lr": "0.05", "momentum": "0.9", "weight_decay": "0.0001"},
  "dataset": {"name": "fashion-mnist",
    "train_images_sha256": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train_labels_sha256": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "test_images_sha256": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "test_labels_sha256": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"}})";
// The genesis registry entry of the Fashion-MNIST files kTinySpec names.
inline const std::string kFashionMnistRegistryEntry =
    R"({"name": "fashion-mnist",
    "train_images_sha256": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train_labels_sha256": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "test_images_sha256": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "test_labels_sha256": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"})";
// An Ed25519 or VRF seed: byte 0 is n, the rest zero (seed 7 is the fixture
// genesis's validator).
inline std::array<uint8_t, 32> seed_of(uint8_t n) {
  std::array<uint8_t, 32> s{};
  s[0] = n;
  return s;
}

// The last commit a proposer puts in the block after `parent_height`: the
// round-0 precommits for `parent_hash` of each key (by Ed25519 seed_of) that is
// in the set `state` records as the parent's signers; empty at height 0.
CommitCertificate sign_last_commit(const StateReader& state, uint64_t parent_height,
                                   const Hash256& parent_hash,
                                   const std::vector<uint8_t>& signer_seeds = {7});

// A genesis document: accounts key_of(1..4) funded with kFunded, one validator
// (operator key_of(100), unfunded, receives the fees).
std::string genesis_json();

struct BlockRun {
  uint64_t height = 0;
  std::vector<Result<Receipt>>
      results;  // one per submitted transaction (admission error or receipt)
  std::vector<Event> begin_events;
  ChangeSet changes;
  Hash256 root_before{};
  Hash256 root_after{};
};

class Chain {
 public:
  Chain();
  explicit Chain(const std::string& genesis_document);

  Params params;
  StateStore state;
  uint64_t height = 0;                      // last executed height (0 = genesis)
  Address proposer{};                       // fee recipient
  const DatasetSource* datasets = nullptr;  // for the referee step (checkpoint_post)
  SchnorrKey alice, bob, carol, dave;
  SchnorrKey eve;  // never funded

  // A signed transaction; nonce defaults to the sender's next nonce in the
  // committed state, fee to the minimum.
  Transaction tx(const SchnorrKey& from, Message msg, std::optional<uint64_t> nonce = std::nullopt,
                 std::optional<Amount> fee = std::nullopt) const;
  // Executes one block at height+1 (or at `at`, which must be greater) and applies it.
  BlockRun block(const std::vector<Transaction>& txs, std::optional<uint64_t> at = std::nullopt);
  // Empty blocks until `target` has been executed.
  std::vector<Event> advance_to(uint64_t target);
  // One transaction in its own block; it must pass admission.
  Receipt exec(const Transaction& t);
  // One transaction in its own block; it must fail admission. Returns the reason.
  std::string reject(const Transaction& t);

  Account account(const SchnorrKey& k) const { return read_account(state, k.pubkey()); }
  Account account(const Address& a) const { return read_account(state, a); }
  std::optional<Provider> provider(const SchnorrKey& k) const {
    return read_provider(state, k.pubkey());
  }
  std::optional<Job> job(uint64_t id) const { return read_job(state, id); }
  std::map<Bytes, Bytes> snapshot() const;
  // balances + provider and verifier stakes + escrow of live jobs + unbondings
  // + everything burned by slashing
  unsigned __int128 total_supply() const;
};

// The keys whose values differ between two snapshots (added, removed or changed).
std::set<Bytes> changed_keys(const std::map<Bytes, Bytes>& a, const std::map<Bytes, Bytes>& b);
const Event* find_event(const std::vector<Event>& events, const std::string& type);
std::string attr(const Event& e, const std::string& key);

}  // namespace vt::ledger::test
