// The chain on disk: blocks, their commits, transactions with receipts, the
// ledger state and explorer indexes, over a KvStore. Each block is committed
// with exactly one atomic batch, so a crash never leaves half a block.
// Single-threaded use.
#pragma once

#include <optional>

#include "ledger/block.h"
#include "ledger/executor.h"
#include "ledger/genesis.h"
#include "ledger/state.h"
#include "node/kv_store.h"

namespace vt::node {

struct ChainHead {
  uint64_t height = 0;   // 0 = genesis only
  Hash256 block_hash{};  // genesis hash at height 0
  Hash256 state_root{};
  uint64_t time_ms = 0;
};

struct TxRecord {
  uint64_t height = 0;
  uint32_t index = 0;
  ledger::Transaction tx;
  ledger::Receipt receipt;
};

// What a node keeps beyond consensus needs, for explorers (config.toml [storage]).
// A validator may turn both off: its blocks and state are the same either way.
struct ChainIndexes {
  bool tx_index = true;       // tx_search, account history, the txs topic
  bool state_history = true;  // state queries at past heights, proofs
  // Heights of state history kept: the last this many (at least 1), older ones
  // pruned as blocks commit; 0 keeps every height.
  uint64_t state_history_blocks = 0;
};

class ChainStore {
 public:
  explicit ChainStore(KvStore& kv, ChainIndexes indexes = {}) : kv_(kv), indexes_(indexes) {}
  const ChainIndexes& indexes() const { return indexes_; }

  [[nodiscard]] Result<std::optional<ChainHead>> head() const;
  // Writes the genesis state and head when the store is empty; nothing when it
  // already holds a chain (which must then be this genesis's: the node checks).
  [[nodiscard]] Status init_genesis_if_empty(const ledger::Genesis& g);
  // Writes the genesis state (`state` holds exactly it) and head, once, for an empty store.
  [[nodiscard]] Status init_genesis(const ledger::Genesis& g, ledger::StateStore& state);
  // One batch: block, height index, commit, txs + receipts, state changes, the
  // transaction index, the state history (tree nodes the block changed, read from
  // `state`, which holds the state after the block) and the head. The state
  // changes are kept as one record per block and folded into the state column,
  // each key once, every 64th height (and the first block a store from before
  // this format commits).
  [[nodiscard]] Status commit_block(const ledger::Block& block, const Bytes& commit,
                                    const ledger::BlockResult& result, ledger::StateStore& state);
  // At start, for the indexes that are on: indexes every block the transaction
  // index lacks (a database from before it, or run with it off), and, when
  // the state history does not reach the head, snapshots `state` (the head's)
  // as its new first height. Nothing when both are complete.
  [[nodiscard]] Status complete_indexes(ledger::StateStore& state);
  // The first height whose state can be read and proven (HistoricalState); an
  // error when the node keeps no state history.
  [[nodiscard]] Result<uint64_t> earliest_state_height() const;
  const KvStore& kv() const { return kv_; }
  // The validator records in force at `height` (as the state after height-1
  // held them); nullopt for a database written before these were kept.
  [[nodiscard]] Result<std::optional<std::vector<ledger::Validator>>> validators_at(
      uint64_t height) const;
  // Loads the whole persisted state into memory (at start-up): the folded state
  // and the blocks' changes since. An error when those do not reach the head.
  [[nodiscard]] Status load_state(ledger::StateStore& state) const;

  [[nodiscard]] Result<std::optional<ledger::Block>> block_at(uint64_t height) const;
  [[nodiscard]] Result<std::optional<ledger::Block>> block_by_hash(const Hash256& hash) const;
  [[nodiscard]] Result<std::optional<Bytes>> commit_at(uint64_t height) const;
  [[nodiscard]] Result<std::optional<std::vector<ledger::Event>>> block_events(
      uint64_t height) const;
  [[nodiscard]] Result<std::optional<TxRecord>> tx(const Hash256& hash) const;
  // Transactions that name the account (sender, recipient or an event
  // attribute), newest first, at most `limit`.
  [[nodiscard]] Result<std::vector<Hash256>> account_txs(const Address& a, size_t limit) const;

 private:
  // With state_history_blocks set: the prune that committing `height` brings.
  [[nodiscard]] Status prune_state_history_for(uint64_t height, WriteBatch& batch);

  KvStore& kv_;
  ChainIndexes indexes_;
};

}  // namespace vt::node
