#include "ledger/commit.h"

#include <set>

#include "core/encoding.h"
#include "ledger/state_access.h"

namespace vt::ledger {

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

Result<consensus::ValidatorSet> consensus_validators(const std::vector<Validator>& vals) {
  std::vector<consensus::Validator> out;
  for (const auto& v : vals)
    if (!v.jailed && v.power > 0) out.push_back({v.consensus_key, v.power});
  if (out.empty()) return make_error("every validator is jailed: no one can sign a block");
  std::string why;
  auto set = consensus::ValidatorSet::create(out, &why);
  if (!set) return make_error("invalid validator set: " + why);
  return std::move(*set);
}

Result<consensus::ValidatorSet> validator_set_of(const StateReader& state) {
  return consensus_validators(read_validators(state));
}

Bytes encode(const consensus::ValidatorSet& set) {
  Writer w;
  w.u32(set.size());
  for (const consensus::Validator& v : set.validators()) w.fixed(v.key).u64(v.power);
  return w.take();
}

Result<consensus::ValidatorSet> decode_validator_set(ByteView in) {
  Reader r(in);
  const uint32_t n = r.u32("valset.count");
  if (r.ok() && n > consensus::ValidatorSet::kMaxValidators)
    return make_error("validator set of " + std::to_string(n) + " is too large");
  std::vector<consensus::Validator> vals;
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    consensus::Validator v;
    v.key = r.fixed<32>("valset.key");
    v.power = r.u64("valset.power");
    vals.push_back(v);
  }
  if (auto s = r.finish(); !s) return make_error("malformed validator set: " + s.error());
  std::string why;
  auto set = consensus::ValidatorSet::create(std::move(vals), &why);
  if (!set) return make_error("invalid validator set: " + why);
  return std::move(*set);
}

}  // namespace vt::ledger
