#include "node/chain_audit.h"

#include <set>

#include "core/encoding.h"
#include "ledger/state_access.h"

namespace vt::node {

Bytes encode(const CommitCertificate& c) {
  Writer w;
  w.u32(c.round).u32(static_cast<uint32_t>(c.sigs.size()));
  for (const CommitSig& s : c.sigs) {
    w.u32(s.validator_index).boolean(s.sig.has_value());
    if (s.sig) w.fixed(*s.sig);
  }
  return w.take();
}

Result<CommitCertificate> decode_commit_certificate(ByteView in, size_t max_sigs) {
  Reader r(in);
  CommitCertificate c;
  c.round = r.u32("commit.round");
  const uint32_t n = r.u32("commit.count");
  if (r.ok() && n > max_sigs)
    return make_error("commit certificate has " + std::to_string(n) + " signatures, at most " +
                      std::to_string(max_sigs) + " validators");
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    CommitSig s;
    s.validator_index = r.u32("commit.validator_index");
    if (r.boolean("commit.has_sig")) s.sig = r.fixed<64>("commit.sig");
    c.sigs.push_back(s);
  }
  if (auto s = r.finish(); !s) return make_error("malformed commit certificate: " + s.error());
  return c;
}

const char* commit_code_name(CommitCode c) {
  switch (c) {
    case CommitCode::ok:
      return "ok";
    case CommitCode::unknown_validator:
      return "unknown_validator";
    case CommitCode::duplicate_validator:
      return "duplicate_validator";
    case CommitCode::bad_signature:
      return "bad_signature";
    case CommitCode::not_enough_power:
      return "not_enough_power";
  }
  return "unknown";
}

CommitVerdict verify_commit(const consensus::ValidatorSet& set, std::string_view chain_id,
                            uint64_t height, const consensus::BlockId& block,
                            const CommitCertificate& cert) {
  std::set<uint32_t> seen;
  uint64_t power = 0;
  for (const CommitSig& s : cert.sigs) {
    if (s.validator_index >= set.size())
      return {CommitCode::unknown_validator,
              "validator index " + std::to_string(s.validator_index) + " is not in the set of " +
                  std::to_string(set.size())};
    if (!seen.insert(s.validator_index).second)
      return {CommitCode::duplicate_validator,
              "validator " + std::to_string(s.validator_index) + " appears twice"};
    if (!s.sig) continue;  // seen but not signed for us: counts for nothing
    consensus::Vote v;
    v.type = consensus::VoteType::Precommit;
    v.height = height;
    v.round = cert.round;
    v.block = block;
    v.validator_index = s.validator_index;
    const auto bytes = consensus::sign_bytes(v, chain_id);
    if (!ed25519_verify(set.at(s.validator_index).key, ByteView(bytes.data(), bytes.size()),
                        *s.sig))
      return {CommitCode::bad_signature, "validator " + std::to_string(s.validator_index) +
                                             "'s signature is not its precommit for block " +
                                             to_hex(block) + " at height " +
                                             std::to_string(height)};
    power += set.power(s.validator_index);
  }
  if (power < set.quorum_power())
    return {CommitCode::not_enough_power, "signatures hold power " + std::to_string(power) +
                                              " of " + std::to_string(set.total_power()) +
                                              ", a commit needs " +
                                              std::to_string(set.quorum_power())};
  return {};
}

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
    const CommitCertificate& cert, const consensus::ValidatorSet& set, std::string_view chain_id,
    const ledger::DatasetSource* datasets) {
  const Ed25519Pubkey expected =
      committed_block_proposer(set, block.header.height, cert.round, block.header.proposer)
          .value_or(set.at(set.proposer(block.header.height, cert.round)).key);
  ledger::BlockVerdict v =
      ledger::check_block(state, parent, block, expected, UINT64_MAX, datasets);
  if (v.code != ledger::BlockCode::ok)
    return make_error(std::string(ledger::block_code_name(v.code)) + ": " + v.reason);
  const Hash256 id = ledger::block_hash(block.header);
  CommitVerdict c = verify_commit(set, chain_id, block.header.height, id, cert);
  if (c.code != CommitCode::ok) {
    state.apply(v.executed.undo);
    return make_error(std::string("commit ") + commit_code_name(c.code) + ": " + c.reason);
  }
  return std::move(v.executed);
}

Result<consensus::ValidatorSet> consensus_validators(const std::vector<ledger::Validator>& vals) {
  std::vector<consensus::Validator> out;
  for (const auto& v : vals)
    if (!v.jailed && v.power > 0) out.push_back({v.consensus_key, v.power});
  if (out.empty()) return make_error("every validator is jailed: no one can sign a block");
  std::string why;
  auto set = consensus::ValidatorSet::create(out, &why);
  if (!set) return make_error("invalid validator set: " + why);
  return std::move(*set);
}

Result<consensus::ValidatorSet> validator_set_of(const ledger::StateReader& state) {
  return consensus_validators(ledger::read_validators(state));
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
  for (uint64_t h = 1; h <= top; ++h) {
    const std::string at = "block " + std::to_string(h) + ": ";
    auto block = chain.block_at(h);
    if (!block) return block.take_error();
    if (!block.value()) return make_error(at + "missing from the database");
    auto raw_cert = chain.commit_at(h);
    if (!raw_cert) return raw_cert.take_error();
    if (!raw_cert.value()) return make_error(at + "its commit is missing");
    auto set = validator_set_of(state);  // block h's signers: the set after block h-1
    if (!set) return make_error(at + set.error());
    auto cert = decode_commit_certificate(**raw_cert, set->size());
    if (!cert) return make_error(at + cert.error());
    auto executed = check_committed_block(state, parent, **block, *cert, *set,
                                          genesis.params.chain_id, datasets);
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
