#include "node/p2p/consensus_wire.h"

#include "core/encoding.h"

namespace vt::node::p2p {

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

}  // namespace vt::node::p2p
