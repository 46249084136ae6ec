// libFuzzer target: arbitrary bytes as a transaction, a block, a signed vote,
// double-sign evidence, a dispute record, a dispute move, a run commitment, an
// attestation reveal and an inclusion proof (what peers and RPC clients can
// send, and what transactions carry). Decoders refuse with a
// reason or accept; what they accept re-encodes to exactly the input
// (canonical encodings: one byte string per value).
#include <cstdint>
#include <cstdlib>

#include "core/bytes.h"
#include "ledger/block.h"
#include "ledger/evidence.h"
#include "ledger/transaction.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"
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
  // Every accepted value re-encodes to exactly the input.
  const auto canonical = [&](const Bytes& out) {
    if (out.size() != size || !std::equal(out.begin(), out.end(), data)) std::abort();
  };
  if (auto b = ledger::decode_block(in, 1 << 20, 1000, 1 << 20))
    canonical(ledger::encode(b.value()));
  if (auto v = ledger::decode_signed_vote(in)) canonical(ledger::encode(v.value()));
  if (auto e = ledger::decode_evidence(in)) canonical(ledger::encode(e.value()));
  if (auto c = verifier::decode_commitment(in)) canonical(verifier::encode(c.value()));
  if (auto r = verifier::decode_reveal(in)) canonical(verifier::encode(r.value()));
  if (auto p = verifier::decode_inclusion_proof(in)) canonical(verifier::encode(p.value()));
  Address sender{};
  auto m = verifier::decode_move(in, sender);
  if (m) {
    const Bytes out = verifier::encode(m.value());
    if (out.size() != size || !std::equal(out.begin(), out.end(), data)) std::abort();
  }
  return 0;
}
