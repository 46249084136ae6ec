// libFuzzer target: arbitrary bytes as a transaction, a dispute record and a
// dispute move (what peers and RPC clients can send). Decoders refuse with a
// reason or accept; what they accept re-encodes to exactly the input
// (canonical encodings: one byte string per value).
#include <cstdint>
#include <cstdlib>

#include "core/bytes.h"
#include "ledger/transaction.h"
#include "verifier/dispute.h"

using namespace vt;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in(data, size);
  auto tx = ledger::decode_transaction(in, 1 << 20);
  if (tx) {
    const Bytes out = ledger::encode(tx.value());
    if (out.size() != size || !std::equal(out.begin(), out.end(), data)) std::abort();
  } else if (tx.error().empty()) {
    std::abort();
  }
  auto d = verifier::decode_dispute(in);
  if (d) {
    const Bytes out = verifier::encode(d.value());
    if (out.size() != size || !std::equal(out.begin(), out.end(), data)) std::abort();
  }
  Address sender{};
  auto m = verifier::decode_move(in, sender);
  if (m) {
    const Bytes out = verifier::encode(m.value());
    if (out.size() != size || !std::equal(out.begin(), out.end(), data)) std::abort();
  }
  return 0;
}
