// Receipts: what happened to an included transaction, with events for explorers.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "ledger/errors.h"
#include "ledger/objects.h"

namespace vt::ledger {

struct Event {
  std::string type;  // e.g. "transfer", "job_expired"
  std::vector<std::pair<std::string, std::string>> attrs;
  bool operator==(const Event&) const = default;
};

// A message that fails still pays its fee and uses its nonce; none of its other
// effects are kept.
// Only success, code, fee and events are consensus (receipt_hash); the reason
// is stored for people and may differ between builds.
struct Receipt {
  bool success = true;
  TxCode code = TxCode::ok;  // why the message failed (ledger/errors.h); ok on success
  std::string reason;        // the same for people, empty on success; never hashed
  Amount fee = 0;
  std::vector<Event> events;
  bool operator==(const Receipt&) const = default;
};

// The stored form: everything, the reason included.
Bytes encode(const Receipt& r);
Result<Receipt> decode_receipt(ByteView in);
Bytes encode_events(const std::vector<Event>& events);
Result<std::vector<Event>> decode_events(ByteView in);
// Over success, code, fee and events: what every validator must agree on.
Hash256 receipt_hash(const Receipt& r);

}  // namespace vt::ledger
