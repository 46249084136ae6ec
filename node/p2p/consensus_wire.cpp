#include "node/p2p/consensus_wire.h"

#include "core/encoding.h"

namespace vt::node::p2p {

namespace {

void write_vote(Writer& w, const SignedVote& v) {
  w.u8(static_cast<uint8_t>(v.vote.type)).u64(v.vote.height).u32(v.vote.round);
  w.boolean(v.vote.block.has_value());
  if (v.vote.block) w.fixed(*v.vote.block);
  w.u32(v.vote.validator_index).fixed(v.sig);
}

SignedVote read_vote(Reader& r) {
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

}  // namespace

Bytes encode(const SignedVote& v) {
  Writer w;
  write_vote(w, v);
  return w.take();
}

Result<SignedVote> decode_signed_vote(ByteView in) {
  Reader r(in);
  SignedVote v = read_vote(r);
  if (auto s = r.finish(); !s) return make_error("malformed vote: " + s.error());
  return v;
}

Bytes encode(const SignedProposal& p) {
  Writer w;
  w.u64(p.proposal.height).u32(p.proposal.round).fixed(p.proposal.block);
  w.u32(static_cast<uint32_t>(p.proposal.pol_round)).u32(p.proposal.proposer_index);
  w.fixed(p.sig).bytes(p.block);
  return w.take();
}

Result<SignedProposal> decode_signed_proposal(ByteView in, size_t max_block_bytes) {
  Reader r(in);
  SignedProposal p;
  p.proposal.height = r.u64("proposal.height");
  p.proposal.round = r.u32("proposal.round");
  p.proposal.block = r.fixed<32>("proposal.block");
  p.proposal.pol_round = static_cast<int32_t>(r.u32("proposal.pol_round"));
  p.proposal.proposer_index = r.u32("proposal.proposer_index");
  p.sig = r.fixed<64>("proposal.sig");
  p.block = r.bytes("proposal.block_bytes", max_block_bytes);
  if (auto s = r.finish(); !s) return make_error("malformed proposal: " + s.error());
  return p;
}

Bytes encode(const DoubleSignEvidence& e) {
  Writer w;
  write_vote(w, e.a);
  write_vote(w, e.b);
  return w.take();
}

Result<DoubleSignEvidence> decode_evidence(ByteView in) {
  Reader r(in);
  DoubleSignEvidence e;
  e.a = read_vote(r);
  e.b = read_vote(r);
  if (auto s = r.finish(); !s) return make_error("malformed evidence: " + s.error());
  return e;
}

Status check_signature(const SignedVote& v, const consensus::ValidatorSet& set,
                       std::string_view chain_id) {
  if (v.vote.validator_index >= set.size())
    return make_error("vote from validator index " + std::to_string(v.vote.validator_index) +
                      ", the set has " + std::to_string(set.size()));
  if (!ed25519_verify(set.at(v.vote.validator_index).key, consensus::sign_bytes(v.vote, chain_id),
                      v.sig))
    return make_error("the vote's signature is not validator " +
                      std::to_string(v.vote.validator_index) + "'s");
  return Status::success();
}

Status check_signature(const SignedProposal& p, const consensus::ValidatorSet& set,
                       std::string_view chain_id) {
  if (p.proposal.proposer_index >= set.size())
    return make_error("proposal from validator index " + std::to_string(p.proposal.proposer_index) +
                      ", the set has " + std::to_string(set.size()));
  if (!ed25519_verify(set.at(p.proposal.proposer_index).key,
                      consensus::sign_bytes(p.proposal, chain_id), p.sig))
    return make_error("the proposal's signature is not validator " +
                      std::to_string(p.proposal.proposer_index) + "'s");
  return Status::success();
}

Status check_evidence(const DoubleSignEvidence& e, const consensus::ValidatorSet& set,
                      std::string_view chain_id) {
  const consensus::Vote& a = e.a.vote;
  const consensus::Vote& b = e.b.vote;
  if (a.validator_index != b.validator_index || a.height != b.height || a.round != b.round ||
      a.type != b.type)
    return make_error("evidence votes are not from one validator at one height, round and step");
  if (a.block == b.block) return make_error("evidence votes agree: no double signing");
  if (auto s = check_signature(e.a, set, chain_id); !s) return s;
  return check_signature(e.b, set, chain_id);
}

}  // namespace vt::node::p2p
