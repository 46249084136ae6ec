#include "ledger/evidence.h"

#include <string>

#include "core/sha256.h"

namespace vt::ledger {

namespace {

constexpr uint8_t kDoubleVote = 1;
constexpr uint8_t kDoubleProposal = 2;

}  // namespace

void write_signed_proposal(Writer& w, const SignedProposal& p) {
  w.u64(p.proposal.height).u32(p.proposal.round).fixed(p.proposal.block);
  w.u32(static_cast<uint32_t>(p.proposal.pol_round)).u32(p.proposal.proposer_index).fixed(p.sig);
}

SignedProposal read_signed_proposal(Reader& r) {
  SignedProposal p;
  p.proposal.height = r.u64("proposal.height");
  p.proposal.round = r.u32("proposal.round");
  p.proposal.block = r.fixed<32>("proposal.block");
  p.proposal.pol_round = static_cast<int32_t>(r.u32("proposal.pol_round"));
  p.proposal.proposer_index = r.u32("proposal.proposer_index");
  p.sig = r.fixed<64>("proposal.sig");
  return p;
}

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

Bytes encode(const Evidence& e) {
  Writer w;
  if (const auto* d = std::get_if<DoubleSign>(&e)) {
    w.u8(kDoubleVote).fixed(d->validator);
    write_signed_vote(w, d->a);
    write_signed_vote(w, d->b);
  } else {
    const auto& p = std::get<DoubleProposal>(e);
    w.u8(kDoubleProposal).fixed(p.validator);
    write_signed_proposal(w, p.a);
    write_signed_proposal(w, p.b);
  }
  return w.take();
}

Result<Evidence> decode_evidence(ByteView in) {
  Reader r(in);
  Evidence out;
  const uint8_t kind = r.u8("evidence.kind");
  if (r.ok() && kind == kDoubleVote) {
    DoubleSign e;
    e.validator = r.fixed<32>("evidence.validator");
    e.a = read_signed_vote(r);
    e.b = read_signed_vote(r);
    out = e;
  } else if (r.ok() && kind == kDoubleProposal) {
    DoubleProposal e;
    e.validator = r.fixed<32>("evidence.validator");
    e.a = read_signed_proposal(r);
    e.b = read_signed_proposal(r);
    out = e;
  } else if (r.ok()) {
    r.fail("evidence.kind " + std::to_string(kind) +
           " is neither a double vote (1) nor a double proposal (2)");
  }
  if (auto s = r.finish(); !s) return make_error("malformed evidence: " + s.error());
  return out;
}

Hash256 evidence_hash(const Evidence& e) {
  return tagged_hash("veritrain/evidence", encode(e));
}

const Ed25519Pubkey& offender(const Evidence& e) {
  return std::visit([](const auto& x) -> const Ed25519Pubkey& { return x.validator; }, e);
}

uint64_t offence_height(const Evidence& e) {
  if (const auto* d = std::get_if<DoubleSign>(&e)) return d->a.vote.height;
  return std::get<DoubleProposal>(e).a.proposal.height;
}

uint32_t offence_round(const Evidence& e) {
  if (const auto* d = std::get_if<DoubleSign>(&e)) return d->a.vote.round;
  return std::get<DoubleProposal>(e).a.proposal.round;
}

const char* offence_name(const Evidence& e) {
  if (const auto* d = std::get_if<DoubleSign>(&e))
    return d->a.vote.type == consensus::VoteType::Prevote ? "prevote" : "precommit";
  return "proposal";
}

Status check_equivocation(const Evidence& e, std::string_view chain_id) {
  const Ed25519Pubkey& key = offender(e);
  auto signed_by = [&](const auto& message, const Ed25519Sig& sig) {
    return ed25519_verify(key, consensus::sign_bytes(message, chain_id), sig);
  };
  if (const auto* d = std::get_if<DoubleSign>(&e)) {
    const consensus::Vote& a = d->a.vote;
    const consensus::Vote& b = d->b.vote;
    if (a.validator_index != b.validator_index || a.height != b.height || a.round != b.round ||
        a.type != b.type)
      return make_error("the two votes are not one validator's at one height, round and type");
    if (a.block == b.block) return make_error("the two votes agree: no double signing");
    if (!signed_by(a, d->a.sig))
      return make_error("the first vote's signature is not validator " + to_hex(key) + "'s");
    if (!signed_by(b, d->b.sig))
      return make_error("the second vote's signature is not validator " + to_hex(key) + "'s");
    return Status::success();
  }
  const auto& p = std::get<DoubleProposal>(e);
  const consensus::Proposal& a = p.a.proposal;
  const consensus::Proposal& b = p.b.proposal;
  if (a.proposer_index != b.proposer_index || a.height != b.height || a.round != b.round)
    return make_error("the two proposals are not one proposer's at one height and round");
  if (a == b) return make_error("the two proposals agree: no double signing");
  if (!signed_by(a, p.a.sig))
    return make_error("the first proposal's signature is not validator " + to_hex(key) + "'s");
  if (!signed_by(b, p.b.sig))
    return make_error("the second proposal's signature is not validator " + to_hex(key) + "'s");
  return Status::success();
}

}  // namespace vt::ledger
