#include "ledger/transaction.h"

#include <iterator>

#include "core/encoding.h"
#include "core/sha256.h"

namespace vt::ledger {

namespace {

constexpr size_t kMaxChainId = 64;
constexpr size_t kMaxSpecWire = 1 << 20;  // hard ceiling; genesis sets the real limit
// Hard ceilings; max_tx_bytes and max_checkpoints set the real limits.
constexpr size_t kMaxCommitmentWire = 32 * (size_t{1} << 20) + 256;
constexpr size_t kMaxRevealWire = 4 * 32 + 8 + 8 + 4 + 64 * 32;
constexpr size_t kMaxMoveWire = 64;
constexpr size_t kMaxCheckpointWire = 64 << 20;

struct MessageWriter {
  Writer& w;
  void operator()(const Transfer& m) { w.fixed(m.to).u64(m.amount); }
  void operator()(const ProviderRegister& m) { w.u64(m.stake).str(m.endpoint); }
  void operator()(const Stake& m) { w.u64(m.amount); }
  void operator()(const Unstake& m) { w.u64(m.amount); }
  void operator()(const JobSubmit& m) {
    w.str(m.spec_json).u64(m.payment).u64(m.bond).u64(m.deadline_blocks).u32(m.samples);
  }
  void operator()(const JobAccept& m) { w.u64(m.job_id); }
  void operator()(const JobCancel& m) { w.u64(m.job_id); }
  void operator()(const VerifierRegister& m) { w.u64(m.stake); }
  void operator()(const JobCommit& m) { w.u64(m.job_id).bytes(m.commitment).fixed(m.manifest); }
  void operator()(const AttestCommit& m) { w.u64(m.job_id).u64(m.segment).fixed(m.commitment); }
  void operator()(const AttestReveal& m) { w.u64(m.job_id).u64(m.segment).bytes(m.reveal); }
  void operator()(const VerifierStake& m) { w.u64(m.amount); }
  void operator()(const ProviderProbe& m) { w.u64(m.job_id).u64(m.segment).fixed(m.probe_leaf); }
  void operator()(const CheckpointRequest& m) { w.u64(m.job_id).u64(m.segment); }
  void operator()(const DisputeMove& m) { w.u64(m.dispute_id).bytes(m.move); }
  void operator()(const CheckpointPost& m) { w.u64(m.dispute_id).bytes(m.checkpoint); }
  void operator()(const VerifierUnstake& m) { w.u64(m.amount); }
  void operator()(const ValidatorRegister& m) {
    w.fixed(m.consensus_key).fixed(m.vrf_key).u64(m.stake).fixed(m.proof);
  }
  void operator()(const ValidatorStake& m) { w.fixed(m.consensus_key).u64(m.amount); }
  void operator()(const ValidatorUnstake& m) { w.fixed(m.consensus_key).u64(m.amount); }
  void operator()(const ValidatorUnjail& m) { w.fixed(m.consensus_key); }
};

void write_unsigned(Writer& w, const Transaction& tx) {
  w.str(tx.chain_id).fixed(tx.sender).u64(tx.nonce).u64(tx.fee);
  w.u8(static_cast<uint8_t>(tx.msg.index()));
  std::visit(MessageWriter{w}, tx.msg);
}

Message read_message(Reader& r) {
  uint8_t tag = r.u8("msg.type");
  switch (tag) {
    case 0: {
      Transfer m;
      m.to = r.fixed<32>("transfer.to");
      m.amount = r.u64("transfer.amount");
      return m;
    }
    case 1: {
      ProviderRegister m;
      m.stake = r.u64("provider_register.stake");
      m.endpoint = r.str("provider_register.endpoint", kMaxEndpointBytes);
      return m;
    }
    case 2:
      return Stake{r.u64("stake.amount")};
    case 3:
      return Unstake{r.u64("unstake.amount")};
    case 4: {
      JobSubmit m;
      m.spec_json = r.str("job_submit.spec", kMaxSpecWire);
      m.payment = r.u64("job_submit.payment");
      m.bond = r.u64("job_submit.bond");
      m.deadline_blocks = r.u64("job_submit.deadline_blocks");
      m.samples = r.u32("job_submit.samples");
      return m;
    }
    case 5:
      return JobAccept{r.u64("job_accept.job_id")};
    case 6:
      return JobCancel{r.u64("job_cancel.job_id")};
    case 7:
      return VerifierRegister{r.u64("verifier_register.stake")};
    case 8: {
      JobCommit m;
      m.job_id = r.u64("job_commit.job_id");
      m.commitment = r.bytes("job_commit.commitment", kMaxCommitmentWire);
      m.manifest = r.fixed<32>("job_commit.manifest");
      return m;
    }
    case 9: {
      AttestCommit m;
      m.job_id = r.u64("attest_commit.job_id");
      m.segment = r.u64("attest_commit.segment");
      m.commitment = r.fixed<32>("attest_commit.commitment");
      return m;
    }
    case 10: {
      AttestReveal m;
      m.job_id = r.u64("attest_reveal.job_id");
      m.segment = r.u64("attest_reveal.segment");
      m.reveal = r.bytes("attest_reveal.reveal", kMaxRevealWire);
      return m;
    }
    case 11: {
      ProviderProbe m;
      m.job_id = r.u64("provider_probe.job_id");
      m.segment = r.u64("provider_probe.segment");
      m.probe_leaf = r.fixed<32>("provider_probe.probe_leaf");
      return m;
    }
    case 12:
      return VerifierStake{r.u64("verifier_stake.amount")};
    case 13: {
      CheckpointRequest m;
      m.job_id = r.u64("checkpoint_request.job_id");
      m.segment = r.u64("checkpoint_request.segment");
      return m;
    }
    case 14: {
      DisputeMove m;
      m.dispute_id = r.u64("dispute_move.dispute_id");
      m.move = r.bytes("dispute_move.move", kMaxMoveWire);
      return m;
    }
    case 15: {
      CheckpointPost m;
      m.dispute_id = r.u64("checkpoint_post.dispute_id");
      m.checkpoint = r.bytes("checkpoint_post.checkpoint", kMaxCheckpointWire);
      return m;
    }
    case 16:
      return VerifierUnstake{r.u64("verifier_unstake.amount")};
    case 17: {
      ValidatorRegister m;
      m.consensus_key = r.fixed<32>("validator_register.consensus_key");
      m.vrf_key = r.fixed<33>("validator_register.vrf_key");
      m.stake = r.u64("validator_register.stake");
      m.proof = r.fixed<64>("validator_register.proof");
      return m;
    }
    case 18: {
      ValidatorStake m;
      m.consensus_key = r.fixed<32>("validator_stake.consensus_key");
      m.amount = r.u64("validator_stake.amount");
      return m;
    }
    case 19: {
      ValidatorUnstake m;
      m.consensus_key = r.fixed<32>("validator_unstake.consensus_key");
      m.amount = r.u64("validator_unstake.amount");
      return m;
    }
    case 20:
      return ValidatorUnjail{r.fixed<32>("validator_unjail.consensus_key")};
    default:
      if (r.ok()) r.fail("msg.type: unknown message type " + std::to_string(tag));
      return Transfer{};
  }
}

}  // namespace

const char* message_name(const Message& m) {
  static constexpr const char* kNames[] = {
      "transfer",         "provider_register",  "stake",           "unstake",
      "job_submit",       "job_accept",         "job_cancel",      "verifier_register",
      "job_commit",       "attest_commit",      "attest_reveal",   "provider_probe",
      "verifier_stake",   "checkpoint_request", "dispute_move",    "checkpoint_post",
      "verifier_unstake", "validator_register", "validator_stake", "validator_unstake",
      "validator_unjail"};
  static_assert(std::size(kNames) == std::variant_size_v<Message>);
  return kNames[m.index()];
}

Bytes validator_register_proof_bytes(std::string_view chain_id, const Address& operator_address,
                                     const VrfPublicKey& vrf_key) {
  const std::string_view tag = "veritrain/validator-register";
  Bytes out(tag.begin(), tag.end());
  out.push_back(0);
  const size_t n = std::min<size_t>(chain_id.size(), 0xffff);
  out.push_back(static_cast<uint8_t>(n >> 8));
  out.push_back(static_cast<uint8_t>(n));
  out.insert(out.end(), chain_id.begin(), chain_id.begin() + static_cast<std::ptrdiff_t>(n));
  out.insert(out.end(), operator_address.begin(), operator_address.end());
  out.insert(out.end(), vrf_key.begin(), vrf_key.end());
  return out;
}

Hash256 signing_hash(const Transaction& tx) {
  Writer w;
  write_unsigned(w, tx);
  return tagged_hash("veritrain/tx-sign", w.data());
}

Bytes encode(const Transaction& tx) {
  Writer w;
  write_unsigned(w, tx);
  w.fixed(tx.sig);
  return w.take();
}

Hash256 tx_hash(const Transaction& tx) {
  return tx_hash_of_encoding(encode(tx));
}

Hash256 tx_hash_of_encoding(ByteView encoded) {
  return tagged_hash("veritrain/tx", encoded);
}

void sign(Transaction& tx, const SchnorrKey& key) {
  tx.sender = key.pubkey();
  tx.sig = key.sign(signing_hash(tx));
}

bool signature_valid(const Transaction& tx) {
  Hash256 h = signing_hash(tx);
  return schnorr_verify(tx.sender, h, tx.sig);
}

Result<Transaction> decode_transaction(ByteView in, size_t max_bytes) {
  if (in.size() > max_bytes)
    return make_error("transaction is " + std::to_string(in.size()) + " bytes, the limit is " +
                      std::to_string(max_bytes));
  Reader r(in);
  Transaction tx;
  tx.chain_id = r.str("chain_id", kMaxChainId);
  tx.sender = r.fixed<32>("sender");
  tx.nonce = r.u64("nonce");
  tx.fee = r.u64("fee");
  tx.msg = read_message(r);
  tx.sig = r.fixed<64>("signature");
  if (auto s = r.finish(); !s) return make_error("malformed transaction: " + s.error());
  return tx;
}

}  // namespace vt::ledger
