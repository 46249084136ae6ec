#include "node/tx_index.h"

#include <cassert>
#include <set>

#include "core/bech32m.h"
#include "core/encoding.h"

namespace vt::node {

namespace {

// Index keys (Column::TxIndex): term || height (u64 BE) || index (u32 BE) -> tx hash.
// Terms are prefix-free, so one term's entries are one contiguous, ordered range.
constexpr uint8_t kTermAddress = 'a';  // 'a' || address (32)
constexpr uint8_t kTermJob = 'j';      // 'j' || job id (u64 BE)
constexpr uint8_t kTermEvent = 'e';    // 'e' || event type || 0x00 (types hold no zero byte)
constexpr uint8_t kTermAny = 't';      // 't': every transaction
constexpr size_t kPositionBytes = 12;
const Bytes kIndexedThroughKey = {'t', 'x', 'i', 'n', 'd', 'e', 'x'};  // Column::Meta
constexpr uint8_t kCursorVersion = 1;

Bytes address_term(const Address& a) {
  return Writer().u8(kTermAddress).fixed(a).take();
}
Bytes job_term(uint64_t id) {
  return Writer().u8(kTermJob).u64(id).take();
}
Bytes event_term(std::string_view type) {
  Bytes t = Writer().u8(kTermEvent).take();
  t.insert(t.end(), type.begin(), type.end());
  t.push_back(0);
  return t;
}
Bytes any_term() {
  return Bytes{kTermAny};
}

Bytes entry_key(const Bytes& term, const TxPosition& p) {
  Bytes k = term;
  Bytes pos = Writer().u64(p.height).u32(p.index).take();
  k.insert(k.end(), pos.begin(), pos.end());
  return k;
}

std::optional<uint64_t> parse_u64(const std::string& s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// Every term one transaction matches, each once.
std::set<Bytes> terms_of(const ledger::Transaction& tx, const ledger::Receipt& receipt) {
  std::set<Bytes> terms{any_term(), address_term(tx.sender)};
  // Failed transactions have no events: their messages still name the job and
  // the recipient, so a search by either finds the failed attempts too.
  std::visit(
      [&terms](const auto& m) {
        if constexpr (requires { m.job_id; }) terms.insert(job_term(m.job_id));
        if constexpr (requires { m.to; }) terms.insert(address_term(m.to));
      },
      tx.msg);
  for (const ledger::Event& e : receipt.events) {
    if (!e.type.empty() && e.type.size() <= kMaxEventTypeBytes &&
        e.type.find('\0') == std::string::npos)
      terms.insert(event_term(e.type));
    for (const auto& [key, value] : e.attrs) {
      if (key == "job_id") {
        if (auto id = parse_u64(value)) terms.insert(job_term(*id));
      } else if (value.size() == kAddressChars) {  // amounts and names are not worth a decode
        if (auto a = address_from_string(value)) terms.insert(address_term(a.value()));
      }
    }
  }
  return terms;
}

std::optional<TxPosition> position_of(ByteView key, const Bytes& term) {
  if (key.size() != term.size() + kPositionBytes ||
      !std::equal(term.begin(), term.end(), key.begin()))
    return std::nullopt;
  Reader r(key.subspan(term.size()));
  TxPosition p;
  p.height = r.u64("height");
  p.index = r.u32("index");
  return p;
}

bool before(const TxPosition& a, const TxPosition& b) {
  return a.height != b.height ? a.height < b.height : a.index < b.index;
}

}  // namespace

void add_tx_index_entries(const ledger::Block& block, const std::vector<ledger::Receipt>& receipts,
                          const std::vector<Hash256>& tx_hashes, WriteBatch& batch) {
  assert(receipts.size() == block.txs.size() && tx_hashes.size() == block.txs.size());
  const uint64_t height = block.header.height;
  for (uint32_t i = 0; i < block.txs.size(); ++i) {
    const Hash256& hash = tx_hashes[i];
    for (const Bytes& term : terms_of(block.txs[i], receipts[i]))
      batch.put(Column::TxIndex, entry_key(term, {height, i}), Bytes(hash.begin(), hash.end()));
  }
  batch.put(Column::Meta, kIndexedThroughKey, Writer().u64(height).take());
}

Result<std::optional<uint64_t>> tx_index_height(const KvStore& kv) {
  auto v = kv.get(Column::Meta, kIndexedThroughKey);
  if (!v) return v.take_error();
  if (!v.value()) return std::optional<uint64_t>();
  Reader r(**v);
  const uint64_t h = r.u64("txindex.height");
  if (auto s = r.finish(); !s) return make_error("corrupt tx index mark: " + s.error());
  return std::optional<uint64_t>(h);
}

Result<TxPage> search_txs(const KvStore& kv, const TxQuery& query, std::optional<TxPosition> start,
                          size_t limit) {
  if (limit == 0 || limit > kMaxTxSearchPage)
    return make_error("limit must be 1 to " + std::to_string(kMaxTxSearchPage));
  std::vector<Bytes> terms;  // the first is scanned, the others are looked up
  if (query.address) terms.push_back(address_term(*query.address));
  if (query.job) terms.push_back(job_term(*query.job));
  if (query.event) terms.push_back(event_term(*query.event));
  if (terms.empty()) terms.push_back(any_term());
  const Bytes& scanned = terms.front();

  const TxPosition lowest{query.from_height, 0};
  const TxPosition highest{query.to_height, UINT32_MAX};
  TxPosition from = query.newest_first ? highest : lowest;
  if (start) {
    if (query.newest_first ? before(*start, from) : before(from, *start)) from = *start;
  }

  TxPage page;
  size_t examined = 0;
  Status inner = Status::success();
  auto visit = [&](ByteView key, ByteView value) {
    auto p = position_of(key, scanned);
    if (!p) return false;  // past the term's range
    if (query.newest_first ? before(*p, lowest) : before(highest, *p)) return false;
    if (examined == kMaxExaminedPerPage) {
      page.next = *p;
      return false;
    }
    ++examined;
    for (size_t t = 1; t < terms.size(); ++t) {
      auto other = kv.get(Column::TxIndex, entry_key(terms[t], *p));
      if (!other) {
        inner = other.take_error();
        return false;
      }
      if (!other.value()) return true;
    }
    if (page.hits.size() == limit) {
      page.next = *p;
      return false;
    }
    if (value.size() != 32) {
      inner = make_error("corrupt tx index entry");
      return false;
    }
    TxHit hit{*p, {}};
    std::copy(value.begin(), value.end(), hit.hash.begin());
    page.hits.push_back(hit);
    return true;
  };
  if (before(highest, lowest)) return page;
  const Bytes first = entry_key(scanned, from);
  Status s = query.newest_first ? kv.scan_reverse(Column::TxIndex, first, visit)
                                : kv.scan(Column::TxIndex, first, visit);
  if (!s) return s.take_error();
  if (!inner) return inner.take_error();
  return page;
}

std::string encode_tx_cursor(const TxPosition& p) {
  return to_hex(Writer().u8(kCursorVersion).u64(p.height).u32(p.index).take());
}

Result<TxPosition> decode_tx_cursor(std::string_view cursor) {
  auto raw = from_hex(cursor);
  if (!raw || raw.value().size() != 1 + kPositionBytes || raw.value()[0] != kCursorVersion)
    return make_error("not a cursor this node returned");
  Reader r(raw.value());
  r.u8("version");
  TxPosition p;
  p.height = r.u64("height");
  p.index = r.u32("index");
  return p;
}

}  // namespace vt::node
