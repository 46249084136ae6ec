// The transaction index behind tx_search: for each committed transaction, one
// entry per term it matches (an address as sender or in any event attribute, a
// job id, an event type, and "any"), written in the block's own batch. Pure
// functions over a KvStore; single-threaded use, like ChainStore.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/block.h"
#include "ledger/executor.h"
#include "node/kv_store.h"

namespace vt::node {

// The conditions of one search; all that are set must hold (AND).
struct TxQuery {
  std::optional<Address> address;    // sender, transfer recipient, or any event attribute
  std::optional<uint64_t> job;       // the message's job_id or any event's job_id
  std::optional<std::string> event;  // a receipt event type, e.g. "job_settled"
  uint64_t from_height = 0;          // inclusive
  uint64_t to_height = UINT64_MAX;   // inclusive
  bool newest_first = true;
};

// Where a page starts: the position of the first transaction to examine.
struct TxPosition {
  uint64_t height = 0;
  uint32_t index = 0;
  bool operator==(const TxPosition&) const = default;
};

struct TxHit {
  TxPosition at;
  Hash256 hash{};
};

struct TxPage {
  std::vector<TxHit> hits;
  // Where the next page starts; nullopt when the search is exhausted. A page
  // can hold fewer than `limit` hits and still have a next position when it
  // stopped after examining kMaxExaminedPerPage entries.
  std::optional<TxPosition> next;
};

inline constexpr size_t kMaxTxSearchPage = 100;        // more per page is refused
inline constexpr size_t kMaxExaminedPerPage = 20'000;  // index entries read per call
inline constexpr size_t kMaxEventTypeBytes = 64;

// Adds the index entries of one block (its transactions, their receipts and
// their hashes, as BlockResult keeps them) and the "indexed through" mark to batch.
void add_tx_index_entries(const ledger::Block& block, const std::vector<ledger::Receipt>& receipts,
                          const std::vector<Hash256>& tx_hashes, WriteBatch& batch);

// The height the index covers (every block up to it is indexed); nullopt when
// the store has no index yet (a database written before it existed).
[[nodiscard]] Result<std::optional<uint64_t>> tx_index_height(const KvStore& kv);

// One page of matches in the order the query asks, starting at `start` (the
// first position of the order when nullopt). 1 <= limit <= kMaxTxSearchPage.
[[nodiscard]] Result<TxPage> search_txs(const KvStore& kv, const TxQuery& query,
                                        std::optional<TxPosition> start, size_t limit);

// Opaque cursor text for a position, and back (an error names what is wrong).
std::string encode_tx_cursor(const TxPosition& p);
[[nodiscard]] Result<TxPosition> decode_tx_cursor(std::string_view cursor);

}  // namespace vt::node
