#include "ledger/executor.h"

#include "core/encoding.h"
#include "core/sha256.h"
#include "kernels/job_spec.h"
#include "ledger/state_access.h"

namespace vt::ledger {

namespace {

std::string addr(const Address& a) {
  return address_to_string(a);
}
std::string num(uint64_t v) {
  return std::to_string(v);
}

// Everything a message handler needs. Writes go to `o`, a per-transaction
// overlay that is dropped if the handler returns an error.
struct MsgContext {
  Overlay& o;
  const Transaction& tx;
  const BlockContext& block;
  const Params& params;
  std::vector<Event>& events;
};

Status debit(Overlay& o, const Address& who, Amount amount, const char* what) {
  Account acc = read_account(o, who);
  if (acc.balance < amount)
    return make_error("insufficient balance for " + std::string(what) + ": have " +
                      num(acc.balance) + ", need " + num(amount));
  acc.balance -= amount;
  write_account(o, who, acc);
  return Status::success();
}

Status credit(Overlay& o, const Address& who, Amount amount) {
  Account acc = read_account(o, who);
  if (add_overflows(acc.balance, amount)) return make_error("recipient balance would overflow");
  acc.balance += amount;
  write_account(o, who, acc);
  return Status::success();
}

Status run(MsgContext& c, const Transfer& m) {
  if (m.amount == 0) return make_error("transfer amount must be positive");
  if (auto s = debit(c.o, c.tx.sender, m.amount, "transfer"); !s) return s;
  if (auto s = credit(c.o, m.to, m.amount); !s) return s;
  c.events.push_back(
      {"transfer", {{"from", addr(c.tx.sender)}, {"to", addr(m.to)}, {"amount", num(m.amount)}}});
  return Status::success();
}

Status valid_endpoint(const std::string& e) {
  if (e.empty() || e.size() > 256) return make_error("endpoint must be 1 to 256 characters");
  for (char ch : e)
    if (ch < 0x21 || ch > 0x7e)
      return make_error("endpoint must be printable ASCII without spaces");
  return Status::success();
}

Status run(MsgContext& c, const ProviderRegister& m) {
  if (read_provider(c.o, c.tx.sender)) return make_error("sender is already a registered provider");
  if (m.stake < c.params.min_provider_stake)
    return make_error("stake " + num(m.stake) + " is below the minimum provider stake " +
                      num(c.params.min_provider_stake));
  if (auto s = valid_endpoint(m.endpoint); !s) return s;
  if (auto s = debit(c.o, c.tx.sender, m.stake, "provider stake"); !s) return s;
  Provider p;
  p.owner = c.tx.sender;
  p.stake = m.stake;
  p.endpoint = m.endpoint;
  p.registered_height = c.block.height;
  write_provider(c.o, p);
  c.events.push_back(
      {"provider_registered", {{"provider", addr(p.owner)}, {"stake", num(m.stake)}}});
  return Status::success();
}

Status run(MsgContext& c, const Stake& m) {
  auto p = read_provider(c.o, c.tx.sender);
  if (!p) return make_error("sender is not a registered provider");
  if (m.amount == 0) return make_error("stake amount must be positive");
  if (add_overflows(p->stake, m.amount)) return make_error("stake would overflow");
  if (auto s = debit(c.o, c.tx.sender, m.amount, "stake"); !s) return s;
  p->stake += m.amount;
  write_provider(c.o, *p);
  c.events.push_back({"staked", {{"provider", addr(p->owner)}, {"amount", num(m.amount)}}});
  return Status::success();
}

Status run(MsgContext& c, const Unstake& m) {
  auto p = read_provider(c.o, c.tx.sender);
  if (!p) return make_error("sender is not a registered provider");
  if (m.amount == 0) return make_error("unstake amount must be positive");
  Amount free = p->stake - p->locked;
  if (m.amount > free)
    return make_error("unstake amount " + num(m.amount) + " exceeds the unlocked stake " +
                      num(free) + " (bonds of accepted jobs stay locked)");
  uint64_t release = c.block.height + c.params.unbonding_blocks;
  Bytes key = keys::unbonding(release, p->owner);
  Unbonding u{p->owner, 0, release};
  if (auto v = c.o.get(key)) u = decode_unbonding(*v).value();
  if (add_overflows(u.amount, m.amount)) return make_error("unbonding amount would overflow");
  u.amount += m.amount;
  c.o.put(key, encode(u));
  p->stake -= m.amount;
  write_provider(c.o, *p);
  c.events.push_back({"unstaked",
                      {{"provider", addr(p->owner)},
                       {"amount", num(m.amount)},
                       {"release_height", num(release)}}});
  return Status::success();
}

Status run(MsgContext& c, const JobSubmit& m) {
  auto spec = canonical_job_spec(m.spec_json, c.params.max_spec_bytes);
  if (!spec) return make_error("invalid job spec: " + spec.error());
  if (m.payment == 0) return make_error("job payment must be positive");
  if (m.deadline_blocks < c.params.min_job_deadline_blocks ||
      m.deadline_blocks > c.params.max_job_deadline_blocks)
    return make_error("deadline_blocks " + num(m.deadline_blocks) + " is outside [" +
                      num(c.params.min_job_deadline_blocks) + ", " +
                      num(c.params.max_job_deadline_blocks) + "]");
  if (auto s = debit(c.o, c.tx.sender, m.payment, "job payment"); !s) return s;
  Job j;
  j.id = read_next_job_id(c.o);
  j.client = c.tx.sender;
  j.spec_hash = spec->hash;
  j.payment = m.payment;
  j.bond_required = m.bond;
  j.status = JobStatus::Open;
  j.created_height = c.block.height;
  j.deadline_height = c.block.height + m.deadline_blocks;
  write_job(c.o, j);
  c.o.put(keys::next_job_id(), Writer().u64(j.id + 1).take());
  c.o.put(keys::spec(spec->hash), Bytes(spec->json.begin(), spec->json.end()));
  c.o.put(keys::job_expiry(j.deadline_height + 1, j.id), Bytes{});
  c.events.push_back({"job_submitted",
                      {{"job_id", num(j.id)},
                       {"client", addr(j.client)},
                       {"spec_hash", to_hex(j.spec_hash)},
                       {"payment", num(j.payment)},
                       {"bond", num(j.bond_required)},
                       {"deadline_height", num(j.deadline_height)}}});
  return Status::success();
}

Status run(MsgContext& c, const JobAccept& m) {
  auto j = read_job(c.o, m.job_id);
  if (!j) return make_error("job " + num(m.job_id) + " does not exist");
  if (j->status != JobStatus::Open)
    return make_error("job " + num(m.job_id) + " is " + job_status_name(j->status) + ", not open");
  auto p = read_provider(c.o, c.tx.sender);
  if (!p) return make_error("sender is not a registered provider");
  if (j->client == c.tx.sender) return make_error("a client cannot accept its own job");
  if (p->stake < c.params.min_provider_stake)
    return make_error("provider stake " + num(p->stake) + " is below the minimum " +
                      num(c.params.min_provider_stake));
  Amount free = p->stake - p->locked;
  if (free < j->bond_required)
    return make_error("unlocked stake " + num(free) + " is less than the required bond " +
                      num(j->bond_required));
  p->locked += j->bond_required;
  p->jobs_accepted += 1;
  j->status = JobStatus::Accepted;
  j->provider = p->owner;
  j->accepted_height = c.block.height;
  write_provider(c.o, *p);
  write_job(c.o, *j);
  c.events.push_back(
      {"job_accepted",
       {{"job_id", num(j->id)}, {"provider", addr(p->owner)}, {"bond", num(j->bond_required)}}});
  return Status::success();
}

Status run(MsgContext& c, const JobCancel& m) {
  auto j = read_job(c.o, m.job_id);
  if (!j) return make_error("job " + num(m.job_id) + " does not exist");
  if (j->client != c.tx.sender) return make_error("only the job's client can cancel it");
  if (j->status != JobStatus::Open)
    return make_error("job " + num(m.job_id) + " is " + job_status_name(j->status) +
                      "; only open jobs can be cancelled");
  if (auto s = credit(c.o, j->client, j->payment); !s) return s;
  c.o.erase(keys::job_expiry(j->deadline_height + 1, j->id));
  j->status = JobStatus::Cancelled;
  j->closed_height = c.block.height;
  write_job(c.o, *j);
  c.events.push_back({"job_cancelled", {{"job_id", num(j->id)}, {"refund", num(j->payment)}}});
  return Status::success();
}

}  // namespace

Result<CanonicalSpec> canonical_job_spec(std::string_view json, size_t max_bytes) {
  if (json.size() > max_bytes)
    return make_error("spec is " + num(json.size()) + " bytes, the limit is " + num(max_bytes));
  // The trainer's own rules: a spec the ledger stores is one a provider can run.
  auto spec = kernels::parse_job_spec(json);
  if (!spec) return make_error(spec.error);
  CanonicalSpec out;
  out.json = kernels::canonical_json(spec.value);
  out.hash = kernels::spec_hash(spec.value);
  return out;
}

Status check_transaction(const StateReader& state, const Params& params, const Transaction& tx,
                         size_t encoded_size, bool allow_future_nonce) {
  if (encoded_size > params.max_tx_bytes)
    return make_error("transaction is " + num(encoded_size) + " bytes, the limit is " +
                      num(params.max_tx_bytes));
  if (tx.chain_id != params.chain_id)
    return make_error("wrong chain id '" + tx.chain_id + "', this chain is '" + params.chain_id +
                      "'");
  if (tx.fee < params.min_fee)
    return make_error("fee " + num(tx.fee) + " is below the minimum fee " + num(params.min_fee));
  Account acc = read_account(state, tx.sender);
  if (tx.nonce < acc.nonce)
    return make_error("nonce " + num(tx.nonce) + " was already used; the account's next nonce is " +
                      num(acc.nonce));
  if (tx.nonce > acc.nonce && !allow_future_nonce)
    return make_error("nonce " + num(tx.nonce) + " leaves a gap; the account's next nonce is " +
                      num(acc.nonce));
  if (acc.balance < tx.fee)
    return make_error("insufficient balance for the fee: have " + num(acc.balance) + ", need " +
                      num(tx.fee));
  if (!signature_valid(tx)) return make_error("invalid signature");
  return Status::success();
}

BlockExecutor::BlockExecutor(const StateReader& committed, const BlockContext& ctx)
    : ctx_(ctx), params_(read_params(committed)), block_(committed) {
  begin_block();
}

void BlockExecutor::begin_block() {
  // Unbonded stake matures.
  std::vector<Unbonding> matured;
  block_.scan(keys::unbonding_prefix(ctx_.height), [&](const Bytes&, const Bytes& v) {
    matured.push_back(decode_unbonding(v).value());
    return true;
  });
  for (const Unbonding& u : matured) {
    block_.erase(keys::unbonding(u.release_height, u.owner));
    Account acc = read_account(block_, u.owner);
    acc.balance += u.amount;  // cannot overflow: total supply fits in u64
    write_account(block_, u.owner, acc);
    result_.begin_events.push_back(
        {"unbonded", {{"owner", addr(u.owner)}, {"amount", num(u.amount)}}});
  }
  // Jobs past their deadline expire: the client gets the escrow back; a provider
  // that accepted and did not deliver loses expiry_slash_bps of its bond to the client.
  std::vector<uint64_t> expiring;
  block_.scan(keys::job_expiry_prefix(ctx_.height), [&](const Bytes& k, const Bytes&) {
    Reader r(ByteView(k).subspan(9));
    expiring.push_back(r.u64("job_id"));
    return true;
  });
  for (uint64_t id : expiring) {
    block_.erase(keys::job_expiry(ctx_.height, id));
    Job j = read_job(block_, id).value();
    if (j.status != JobStatus::Open && j.status != JobStatus::Accepted) continue;
    Amount refund = j.payment;
    Amount slashed = 0;
    if (j.status == JobStatus::Accepted) {
      Provider p = read_provider(block_, *j.provider).value();
      // bond * bps / 10000 without overflow: bond < 2^64, bps <= 10^4.
      slashed = static_cast<Amount>(static_cast<unsigned __int128>(j.bond_required) *
                                    params_.expiry_slash_bps / 10000);
      p.locked -= j.bond_required;
      p.stake -= slashed;
      p.jobs_expired += 1;
      write_provider(block_, p);
      refund += slashed;
    }
    Account acc = read_account(block_, j.client);
    acc.balance += refund;
    write_account(block_, j.client, acc);
    j.status = JobStatus::Expired;
    j.closed_height = ctx_.height;
    write_job(block_, j);
    result_.begin_events.push_back(
        {"job_expired",
         {{"job_id", num(id)}, {"refund", num(refund)}, {"provider_slashed", num(slashed)}}});
  }
}

Result<Receipt> BlockExecutor::apply(const Transaction& tx, size_t encoded_size) {
  if (auto s = check_transaction(block_, params_, tx, encoded_size, false); !s)
    return s.take_error();
  // The fee and the nonce are kept whatever the message does.
  Account acc = read_account(block_, tx.sender);
  acc.balance -= tx.fee;
  acc.nonce += 1;
  write_account(block_, tx.sender, acc);
  Account proposer = read_account(block_, ctx_.fee_recipient);
  proposer.balance += tx.fee;
  write_account(block_, ctx_.fee_recipient, proposer);

  Receipt receipt;
  receipt.fee = tx.fee;
  Overlay tx_overlay(static_cast<const StateReader&>(block_));  // on block_, not a copy of it
  MsgContext c{tx_overlay, tx, ctx_, params_, receipt.events};
  Status s = std::visit([&](const auto& m) { return run(c, m); }, tx.msg);
  if (s) {
    tx_overlay.commit_into(block_);
  } else {
    receipt.success = false;
    receipt.reason = s.error();
    receipt.events.clear();
  }
  result_.receipts.push_back(receipt);
  return receipt;
}

BlockResult BlockExecutor::finish() && {
  result_.changes = block_.take_changes();
  return std::move(result_);
}

}  // namespace vt::ledger
