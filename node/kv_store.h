// Storage interface of the node: ordered key-value column families with atomic
// batches. RocksDbStore is the real one; MemoryStore and FaultyStore serve tests.
// Implementations are safe to call from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace vt::node {

enum class Column : uint8_t {
  Meta = 0,     // "head", "genesis": chain position
  Blocks,       // block hash -> encoded block
  Heights,      // height (8 bytes BE) -> block hash
  Commits,      // height -> commit certificate (precommit signatures)
  Txs,          // tx hash -> height, index, receipt
  BlockEvents,  // height -> begin-block events
  State,        // ledger state key -> value
  AccountTxs,   // unused since 0.1.0 (replaced by TxIndex); kept so older databases open
  Consensus,    // the validator's last signed step (double-sign protection)
  Blobs,    // content-addressed blobs (checkpoints, models): hash -> size, hash || chunk -> bytes
  TxIndex,  // search term || height || index -> tx hash (node/tx_index.h)
  StateNodes,    // state tree node: depth || path prefix || height -> node (node/state_history.h)
  StateValues,   // SHA-256 of a state value -> the value (node/state_history.h)
  StateLog,      // height -> the tree places it wrote, for pruning (node/state_history.h)
  StateChanges,  // height -> the state changes of that block, not yet folded into State
  Count
};
const char* column_name(Column c);

struct BatchOp {
  Column column;
  Bytes key;
  std::optional<Bytes> value;  // nullopt = delete
};

// All or nothing: a store applies a batch entirely or not at all.
struct WriteBatch {
  std::vector<BatchOp> ops;
  void put(Column c, Bytes key, Bytes value) {
    ops.push_back({c, std::move(key), std::move(value)});
  }
  void erase(Column c, Bytes key) { ops.push_back({c, std::move(key), std::nullopt}); }
};

class KvStore {
 public:
  virtual ~KvStore() = default;
  [[nodiscard]] virtual Result<std::optional<Bytes>> get(Column c, ByteView key) const = 0;
  // Durable once this returns success (synced write-ahead log).
  [[nodiscard]] virtual Status write(const WriteBatch& batch) = 0;
  // Keys >= start in ascending order, while fn returns true.
  [[nodiscard]] virtual Status scan(
      Column c, ByteView start,
      const std::function<bool(ByteView key, ByteView value)>& fn) const = 0;
  // Keys <= start in descending order (newest first for height-keyed columns).
  [[nodiscard]] virtual Status scan_reverse(
      Column c, ByteView start,
      const std::function<bool(ByteView key, ByteView value)>& fn) const = 0;
};

// RocksDB on disk, one column family per Column.
Result<std::unique_ptr<KvStore>> open_rocksdb(const std::string& path);
std::unique_ptr<KvStore> make_memory_store();

}  // namespace vt::node
