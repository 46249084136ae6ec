#include "ledger/evidence.h"

#include <string>

#include "core/sha256.h"

namespace vt::ledger {

void write_signed_vote(Writer& w, const SignedVote& v) {
  w.u8(static_cast<uint8_t>(v.vote.type)).u64(v.vote.height).u32(v.vote.round);
  w.boolean(v.vote.block.has_value());
  if (v.vote.block) w.fixed(*v.vote.block);
  w.u32(v.vote.validator_index).fixed(v.sig);
}

SignedVote read_signed_vote(Reader& r) {
  SignedVote v;
  const uint8_t type = r.u8("vote.type");
  if (r.ok() && type != static_cast<uint8_t>(consensus::VoteType::Prevote) &&
      type != static_cast<uint8_t>(consensus::VoteType::Precommit))
    r.fail("vote.type " + std::to_string(type) + " is neither prevote (1) nor precommit (2)");
  v.vote.type = static_cast<consensus::VoteType>(type);
  v.vote.height = r.u64("vote.height");
  v.vote.round = r.u32("vote.round");
  if (r.boolean("vote.has_block")) v.vote.block = r.fixed<32>("vote.block");
  v.vote.validator_index = r.u32("vote.validator_index");
  v.sig = r.fixed<64>("vote.sig");
  return v;
}

Bytes encode(const SignedVote& v) {
  Writer w;
  write_signed_vote(w, v);
  return w.take();
}

Result<SignedVote> decode_signed_vote(ByteView in) {
  Reader r(in);
  SignedVote v = read_signed_vote(r);
  if (auto s = r.finish(); !s) return make_error("malformed vote: " + s.error());
  return v;
}

Bytes encode(const DoubleSign& e) {
  Writer w;
  w.fixed(e.validator);
  write_signed_vote(w, e.a);
  write_signed_vote(w, e.b);
  return w.take();
}

Result<DoubleSign> decode_double_sign(ByteView in) {
  Reader r(in);
  DoubleSign e;
  e.validator = r.fixed<32>("evidence.validator");
  e.a = read_signed_vote(r);
  e.b = read_signed_vote(r);
  if (auto s = r.finish(); !s) return make_error("malformed evidence: " + s.error());
  return e;
}

Hash256 evidence_hash(const DoubleSign& e) {
  return tagged_hash("veritrain/evidence", encode(e));
}

Status check_double_sign(const DoubleSign& e, std::string_view chain_id) {
  const consensus::Vote& a = e.a.vote;
  const consensus::Vote& b = e.b.vote;
  if (a.validator_index != b.validator_index || a.height != b.height || a.round != b.round ||
      a.type != b.type)
    return make_error("the two votes are not one validator's at one height, round and type");
  if (a.block == b.block) return make_error("the two votes agree: no double signing");
  if (!ed25519_verify(e.validator, consensus::sign_bytes(a, chain_id), e.a.sig))
    return make_error("the first vote's signature is not validator " + to_hex(e.validator) + "'s");
  if (!ed25519_verify(e.validator, consensus::sign_bytes(b, chain_id), e.b.sig))
    return make_error("the second vote's signature is not validator " + to_hex(e.validator) + "'s");
  return Status::success();
}

}  // namespace vt::ledger
