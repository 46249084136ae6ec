// Shared fixtures for node tests: a temporary directory, a small genesis with
// funded accounts and one validator, and a store that fails on command.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "core/bech32m.h"
#include "core/keys.h"
#include "core/merkle.h"
#include "ledger/block.h"
#include "ledger/executor.h"
#include "ledger/genesis.h"
#include "node/kv_store.h"

namespace vt::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vt-node-test-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

inline SchnorrKey account_key(uint8_t n) {
  std::array<uint8_t, 32> secret{};
  secret[31] = n;
  secret[0] = 0x42;
  return SchnorrKey::from_secret(secret).value();
}

inline Ed25519Key validator_key() {
  std::array<uint8_t, 32> seed{};
  seed.fill(7);
  return Ed25519Key::from_seed(seed);
}

inline ledger::Genesis test_genesis(int funded = 4) {
  ledger::Genesis g;
  g.genesis_time_ms = 1'700'000'000'000;
  auto& p = g.params;
  p.chain_id = "vt-test";
  p.min_fee = 10;
  p.min_provider_stake = 1000;
  p.unbonding_blocks = 1000;  // at least max_evidence_age_blocks (1000)
  p.min_job_deadline_blocks = 2;
  p.max_job_deadline_blocks = 1000;
  p.expiry_slash_bps = 1000;
  p.max_spec_bytes = 4096;
  p.max_tx_bytes = 1 << 19;
  p.max_block_txs = 100;
  p.max_block_bytes = 1 << 20;
  p.pol_samples = 8;
  p.pol_sample_delay_blocks = 2;
  p.pol_commit_window = 10;
  p.pol_reveal_window = 10;
  p.verifier_fee = 10;
  p.min_verifier_stake = 1000;
  p.max_referee_cost = 5'000'000'000;
  p.max_checkpoints = 4096;
  p.pol_dispute_window = 10;
  p.fraud_reward_bps = 5000;
  p.false_challenge_slash = 100;
  p.absent_verifier_slash = 10;
  p.fee_per_kib = 0;
  p.max_referee_state_bytes = 300000;  // three posts fit a 1 MiB block
  for (int i = 1; i <= funded; ++i)
    g.balances.push_back({account_key(static_cast<uint8_t>(i)).pubkey(), 1'000'000});
  g.validators.push_back({validator_key().pubkey(), account_key(1).pubkey(), 10, false, false,
                          vrf_public_key(vrf_secret_from_seed(validator_key().seed())).value()});
  return g;
}

// Executes `txs` as block `height` on `state` and returns the block with its result.
inline std::pair<ledger::Block, ledger::BlockResult> make_block(
    ledger::StateStore& state, uint64_t height, const Hash256& prev,
    std::vector<ledger::Transaction> txs) {
  ledger::BlockContext ctx{height, 1'700'000'000'000 + height, account_key(1).pubkey()};
  ledger::BlockExecutor exec(state, ctx);
  std::vector<Hash256> receipts;
  for (const auto& tx : txs)
    receipts.push_back(ledger::receipt_hash(exec.apply(tx, ledger::encode(tx).size()).value()));
  ledger::BlockResult result = std::move(exec).finish();
  state.apply(result.changes);
  ledger::Block b;
  b.header = {"vt-test",
              height,
              ctx.time_ms,
              prev,
              ledger::compute_tx_root(txs),
              state.root(),
              merkle_root(receipts),
              validator_key().pubkey()};
  b.txs = std::move(txs);
  return {b, result};
}

// A signed transaction of account `from` (account_key) with message `msg`.
inline ledger::Transaction signed_tx(uint8_t from, uint64_t nonce, ledger::Message msg) {
  ledger::Transaction tx;
  tx.chain_id = "vt-test";
  tx.nonce = nonce;
  tx.fee = 10;
  tx.msg = std::move(msg);
  ledger::sign(tx, account_key(from));
  return tx;
}

inline ledger::Transaction transfer(uint8_t from, uint8_t to, uint64_t amount, uint64_t nonce) {
  return signed_tx(from, nonce, ledger::Transfer{account_key(to).pubkey(), amount});
}

// Forwards to a real store until told to fail: then every write is refused and
// reaches nothing underneath, as a full or broken disk would behave.
class FaultyStore final : public node::KvStore {
 public:
  FaultyStore(std::unique_ptr<node::KvStore> inner, int writes_before_failure)
      : inner_(std::move(inner)), budget_(writes_before_failure) {}
  Result<std::optional<Bytes>> get(node::Column c, ByteView key) const override {
    return inner_->get(c, key);
  }
  Status write(const node::WriteBatch& batch) override {
    if (budget_-- <= 0) {
      ++failures;
      return make_error("injected write failure");
    }
    return inner_->write(batch);
  }
  Status scan(node::Column c, ByteView start,
              const std::function<bool(ByteView, ByteView)>& fn) const override {
    return inner_->scan(c, start, fn);
  }
  Status scan_reverse(node::Column c, ByteView start,
                      const std::function<bool(ByteView, ByteView)>& fn) const override {
    return inner_->scan_reverse(c, start, fn);
  }
  int failures = 0;

 private:
  std::unique_ptr<node::KvStore> inner_;
  int budget_;
};

}  // namespace vt::test
