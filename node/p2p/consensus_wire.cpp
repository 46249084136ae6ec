#include "node/p2p/consensus_wire.h"

#include "core/encoding.h"

namespace vt::node::p2p {

Bytes encode(const SignedProposal& p) {
  Writer w;
  ledger::write_signed_proposal(w, {p.proposal, p.sig});
  w.bytes(p.block);
  return w.take();
}

Result<SignedProposal> decode_signed_proposal(ByteView in, size_t max_block_bytes) {
  Reader r(in);
  const ledger::SignedProposal signed_fields = ledger::read_signed_proposal(r);
  SignedProposal p;
  p.proposal = signed_fields.proposal;
  p.sig = signed_fields.sig;
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
