#include "node/chain_audit.h"

#include <set>

#include "core/encoding.h"
#include "ledger/state_access.h"

namespace vt::node {

std::optional<Ed25519Pubkey> committed_block_proposer(const consensus::ValidatorSet& set,
                                                      uint64_t height, uint32_t commit_round,
                                                      const Ed25519Pubkey& header_proposer) {
  // A round's proposer is a cheap lookup and rounds never reach kMaxRound.
  for (uint32_t r = 0; r <= commit_round && r <= consensus::kMaxRound; ++r)
    if (set.at(set.proposer(height, r)).key == header_proposer) return header_proposer;
  return std::nullopt;
}

Result<ledger::ExecutedBlock> check_committed_block(
    ledger::StateStore& state, const ledger::ParentBlock& parent, const ledger::Block& block,
    const ledger::CommitCertificate& cert, const consensus::ValidatorSet& set,
    std::string_view chain_id, const ledger::DatasetSource* datasets,
    ledger::SignatureCache* signatures) {
  const Ed25519Pubkey expected =
      committed_block_proposer(set, block.header.height, cert.round, block.header.proposer)
          .value_or(set.at(set.proposer(block.header.height, cert.round)).key);
  ledger::BlockVerdict v =
      ledger::check_block(state, parent, block, expected, UINT64_MAX, datasets, signatures);
  if (v.code != ledger::BlockCode::ok)
    return make_error(std::string(ledger::block_code_name(v.code)) + ": " + v.reason);
  const Hash256 id = ledger::block_hash(block.header);
  ledger::CommitVerdict c = ledger::verify_commit(set, chain_id, block.header.height, id, cert);
  if (c.code != ledger::CommitCode::ok) {
    state.apply(v.executed.undo);
    return make_error(std::string("commit ") + ledger::commit_code_name(c.code) + ": " + c.reason);
  }
  return std::move(v.executed);
}

Result<AuditReport> audit_chain(const ChainStore& chain, const ledger::Genesis& genesis,
                                const ledger::DatasetSource* datasets) {
  auto head = chain.head();
  if (!head) return head.take_error();
  if (!head.value()) return make_error("the database holds no chain");
  ledger::StateStore state;
  const ledger::ChangeSet changes = ledger::genesis_changes(genesis);
  state.apply(changes);
  ledger::ParentBlock parent{0, ledger::genesis_hash(genesis, state.root()),
                             genesis.genesis_time_ms};
  const uint64_t top = head.value()->height;
  ledger::SignatureCache signatures(kReplaySignatureCacheSize);
  for (uint64_t h = 1; h <= top; ++h) {
    const std::string at = "block " + std::to_string(h) + ": ";
    auto block = chain.block_at(h);
    if (!block) return block.take_error();
    if (!block.value()) return make_error(at + "missing from the database");
    auto raw_cert = chain.commit_at(h);
    if (!raw_cert) return raw_cert.take_error();
    if (!raw_cert.value()) return make_error(at + "its commit is missing");
    auto set = ledger::validator_set_of(state);  // block h's signers: the set after block h-1
    if (!set) return make_error(at + set.error());
    auto cert = ledger::decode_commit_certificate(**raw_cert, set->size());
    if (!cert) return make_error(at + cert.error());
    auto executed = check_committed_block(state, parent, **block, *cert, *set,
                                          genesis.params.chain_id, datasets, &signatures);
    if (!executed) return make_error(at + executed.error());
    const Hash256 id = ledger::block_hash((*block)->header);
    parent = {h, id, (*block)->header.time_ms};
  }
  if (state.root() != head.value()->state_root)
    return make_error("the replayed state root " + to_hex(state.root()) +
                      " is not the stored head's " + to_hex(head.value()->state_root));
  return AuditReport{top, state.root()};
}

}  // namespace vt::node
