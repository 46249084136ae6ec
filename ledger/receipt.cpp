#include "ledger/receipt.h"

#include "core/encoding.h"
#include "core/sha256.h"

namespace vt::ledger {

namespace {
constexpr size_t kMaxEvents = 1024;
constexpr size_t kMaxText = 4096;

void write_events(Writer& w, const std::vector<Event>& events) {
  w.u32(static_cast<uint32_t>(events.size()));
  for (const Event& e : events) {
    w.str(e.type).u32(static_cast<uint32_t>(e.attrs.size()));
    for (const auto& [k, v] : e.attrs) w.str(k).str(v);
  }
}

std::vector<Event> read_events(Reader& r) {
  std::vector<Event> out;
  uint32_t n = r.u32("events.count");
  if (n > kMaxEvents) r.fail("events.count: too many events");
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    Event e;
    e.type = r.str("event.type", kMaxText);
    uint32_t m = r.u32("event.attr_count");
    if (m > kMaxEvents) r.fail("event.attr_count: too many attributes");
    for (uint32_t j = 0; j < m && r.ok(); ++j) {
      std::string k = r.str("event.key", kMaxText);
      std::string v = r.str("event.value", kMaxText);
      e.attrs.emplace_back(std::move(k), std::move(v));
    }
    out.push_back(std::move(e));
  }
  return out;
}
}  // namespace

Bytes encode(const Receipt& rc) {
  Writer w;
  w.boolean(rc.success).u32(static_cast<uint32_t>(rc.code)).str(rc.reason).u64(rc.fee);
  write_events(w, rc.events);
  return w.take();
}

Result<Receipt> decode_receipt(ByteView in) {
  Reader r(in);
  Receipt rc;
  rc.success = r.boolean("receipt.success");
  rc.code = static_cast<TxCode>(r.u32("receipt.code"));
  rc.reason = r.str("receipt.reason", kMaxText);
  rc.fee = r.u64("receipt.fee");
  rc.events = read_events(r);
  if (auto s = r.finish(); !s) return s.take_error();
  return rc;
}

Bytes encode_events(const std::vector<Event>& events) {
  Writer w;
  write_events(w, events);
  return w.take();
}

Result<std::vector<Event>> decode_events(ByteView in) {
  Reader r(in);
  auto events = read_events(r);
  if (auto s = r.finish(); !s) return s.take_error();
  return events;
}

Hash256 receipt_hash(const Receipt& r) {
  Writer w;
  w.boolean(r.success).u32(static_cast<uint32_t>(r.code)).u64(r.fee);
  write_events(w, r.events);
  return tagged_hash("veritrain/receipt", w.data());
}

}  // namespace vt::ledger
