#include "ledger/outcomes.h"

#include <algorithm>
#include <cassert>

#include "core/encoding.h"
#include "ledger/state_access.h"

namespace vt::ledger {

namespace {

std::string addr(const Address& a) {
  return address_to_string(a);
}
std::string num(uint64_t v) {
  return std::to_string(v);
}

// amount * bps / 10000 without overflow: amount < 2^64, bps <= 10^4.
Amount share_bps(Amount amount, uint32_t bps) {
  return static_cast<Amount>(static_cast<unsigned __int128>(amount) * bps / 10000);
}

uint64_t take_id(Overlay& o, keys::Counter c) {
  const uint64_t id = read_counter(o, c);
  write_counter(o, c, id + 1);
  return id;
}

void burn(Overlay& o, Amount amount) {
  if (amount == 0) return;
  // Cannot overflow: everything ever burned was part of a u64 supply.
  write_counter(o, keys::kBurned, read_counter(o, keys::kBurned) + amount);
}

void record_slash(OutcomeContext& c, SlashRecord s) {
  s.id = take_id(c.o, keys::kNextSlashId);
  s.height = c.height;
  write_slash(c.o, s);
}

// Pays each agreeing verifier its fee from `budget` (in assignment order, as far
// as it goes) and returns what was paid.
Amount pay_agreeing_verifiers(OutcomeContext& c, const JobPol& pol, Amount budget) {
  Amount paid = 0;
  for (const Assignment& a : pol.assignments) {
    if (a.result != AssignmentResult::agreed) continue;
    const Amount fee = std::min(c.params.verifier_fee, budget - paid);
    paid += fee;
    add_balance(c.o, a.verifier, fee);
    Verifier v = read_verifier(c.o, a.verifier).value();
    v.segments_agreed += 1;
    write_verifier(c.o, v);
    c.events.push_back({"verifier_paid",
                        {{"job_id", num(pol.job_id)},
                         {"segment", num(a.segment)},
                         {"verifier", addr(a.verifier)},
                         {"fee", num(fee)}}});
  }
  return paid;
}

void slash_challenger(OutcomeContext& c, const DisputeRecord& d, const std::string& reason) {
  Verifier v = read_verifier(c.o, d.challenger).value();
  const Amount amount = std::min(v.stake, c.params.false_challenge_slash);
  const Amount reward = share_bps(amount, c.params.fraud_reward_bps);
  v.stake -= amount;
  v.disputes_lost += 1;
  write_verifier(c.o, v);
  add_balance(c.o, d.provider, reward);
  burn(c.o, amount - reward);
  SlashRecord s;
  s.job_id = d.job_id;
  s.dispute_id = d.id;
  s.offender = d.challenger;
  s.role = "verifier";
  s.amount = amount;
  s.beneficiary = d.provider;
  s.reward = reward;
  s.burned = amount - reward;
  s.reason = reason;
  record_slash(c, s);
  c.events.push_back({"verifier_slashed",
                      {{"job_id", num(d.job_id)},
                       {"dispute_id", num(d.id)},
                       {"verifier", addr(d.challenger)},
                       {"amount", num(amount)},
                       {"provider_reward", num(reward)},
                       {"burned", num(amount - reward)},
                       {"reason", reason}}});
}

}  // namespace

void add_balance(Overlay& o, const Address& who, Amount amount) {
  Account acc = read_account(o, who);
  acc.balance += amount;  // cannot overflow: total supply fits in u64
  write_account(o, who, acc);
}

void end_assignment(Overlay& o, const Address& verifier) {
  Verifier v = read_verifier(o, verifier).value();
  assert(v.active_assignments > 0);
  v.active_assignments -= 1;
  write_verifier(o, v);
}

DisputeRecord open_dispute_record(OutcomeContext& c, JobPol& pol, DisputeKind kind,
                                  uint64_t segment, const Address& provider,
                                  const Address& challenger, const verifier::Dispute& game) {
  DisputeRecord d;
  d.id = take_id(c.o, keys::kNextDisputeId);
  d.job_id = pol.job_id;
  d.segment = segment;
  d.kind = kind;
  d.provider = provider;
  d.challenger = challenger;
  d.opened_height = c.height;
  d.game = game;
  write_dispute(c.o, d);
  c.o.put(keys::dispute_work(d.game.deadline + 1, d.id), Bytes{});
  pol.disputes.push_back(d.id);
  Event e{"dispute_opened",
          {{"dispute_id", num(d.id)},
           {"job_id", num(d.job_id)},
           {"segment", num(segment)},
           {"kind", dispute_kind_name(kind)},
           {"provider", addr(provider)},
           {"challenger", addr(challenger)},
           {"deadline", num(d.game.deadline)}}};
  if (kind != DisputeKind::availability) {
    e.attrs.push_back({"lo", num(game.lo)});
    e.attrs.push_back({"hi", num(game.hi)});
    e.attrs.push_back({"provider_hi", to_hex(game.provider_hi)});
    e.attrs.push_back({"challenger_hi", to_hex(game.challenger_hi)});
  } else {
    e.attrs.push_back({"step", num(game.lo)});
    e.attrs.push_back({"state_hash", to_hex(game.lo_hash)});
  }
  c.events.push_back(std::move(e));
  return d;
}

uint32_t post_obligations_per_height(const Params& p) {
  return std::max<uint32_t>(1, p.max_posts_per_block / 3);
}

uint64_t reserve_post_deadline(Overlay& o, const Params& p, uint64_t earliest) {
  const uint32_t cap = post_obligations_per_height(p);
  for (uint64_t h = earliest;; ++h) {
    const Bytes key = keys::posts_due(h);
    uint32_t due = 0;
    if (auto v = o.get(key)) {
      Reader r(*v);
      due = r.u32("posts_due");
    }
    if (due < cap) {
      o.put(key, Writer().u32(due + 1).take());
      return h;
    }
  }
}

void update_dispute_game(Overlay& o, DisputeRecord& d, const verifier::Dispute& next) {
  o.erase(keys::dispute_work(d.game.deadline + 1, d.id));
  d.game = next;
  o.put(keys::dispute_work(d.game.deadline + 1, d.id), Bytes{});
  write_dispute(o, d);
}

Amount punish_double_signer(OutcomeContext& c, Validator v, uint64_t offence_height,
                            const char* reason) {
  const Amount from_stake = share_bps(v.power, c.params.double_sign_slash_bps);
  v.power -= from_stake;
  v.jailed = true;
  v.tombstoned = true;
  write_validator(c.o, v);
  // Stake unstaked at or after the offence was at stake when it signed twice.
  // Entries that matured are gone: max_evidence_age_blocks <= unbonding_blocks
  // (params.cpp) keeps every such entry here until its evidence is too old.
  std::vector<uint64_t> releases;  // ascending
  c.o.scan(keys::validator_unbonding_prefix(v.consensus_key), [&](const Bytes& k, const Bytes&) {
    Reader r(ByteView(k).subspan(1 + 32));
    releases.push_back(r.u64("release_height"));
    return true;
  });
  Amount from_unbonding = 0;
  for (uint64_t release : releases) {
    if (release - c.params.unbonding_blocks < offence_height) continue;  // left before it
    const Bytes key = keys::unbonding(release, v.operator_address, v.consensus_key);
    Unbonding u = decode_unbonding(c.o.get(key).value()).value();
    const Amount cut = share_bps(u.amount, c.params.double_sign_slash_bps);
    u.amount -= cut;
    from_unbonding += cut;  // at most the validator's whole former stake: no overflow
    c.o.put(key, encode(u));
  }
  const Amount amount = from_stake + from_unbonding;
  burn(c.o, amount);
  const std::string key = to_hex(v.consensus_key);
  c.events.push_back({"validator_slashed",
                      {{"validator", key},
                       {"reason", reason},
                       {"offence_height", num(offence_height)},
                       {"amount", num(amount)},
                       {"from_unbonding", num(from_unbonding)},
                       {"stake", num(v.power)}}});
  c.events.push_back({"validator_jailed", {{"validator", key}, {"reason", reason}}});
  return amount;
}

Amount slash_absent_verifier(OutcomeContext& c, uint64_t job_id, const Address& verifier) {
  Verifier v = read_verifier(c.o, verifier).value();
  const Amount amount = std::min(v.stake, c.params.absent_verifier_slash);
  if (amount == 0) return 0;
  v.stake -= amount;
  write_verifier(c.o, v);
  burn(c.o, amount);
  SlashRecord s;
  s.job_id = job_id;
  s.offender = verifier;
  s.role = "verifier";
  s.amount = amount;
  s.burned = amount;
  s.reason = "verifier_absent";
  record_slash(c, s);
  return amount;
}

void slash_provider(OutcomeContext& c, uint64_t job_id, uint64_t dispute_id,
                    const std::optional<Address>& rewarded, const std::string& reason) {
  Job j = read_job(c.o, job_id).value();
  if (j.status != JobStatus::Verifying) return;  // already slashed or settled
  const JobPol pol = read_job_pol(c.o, job_id).value();
  // Before judging every assignment is still in progress; the job ends here.
  if (!pol.judged)
    for (const Assignment& a : pol.assignments) end_assignment(c.o, a.verifier);
  Provider p = read_provider(c.o, *j.provider).value();
  const Amount bond = j.bond_required;  // locked <= stake, bond <= locked
  p.locked -= bond;
  p.stake -= bond;
  p.jobs_slashed += 1;
  write_provider(c.o, p);
  const Amount reward = rewarded ? share_bps(bond, c.params.fraud_reward_bps) : 0;
  if (rewarded) add_balance(c.o, *rewarded, reward);
  // The cheater pays for the verification it caused: agreeing verifiers' fees
  // come out of the slashed bond; the client gets its whole payment back.
  const Amount fees = pay_agreeing_verifiers(c, pol, bond - reward);
  const Amount burned = bond - reward - fees;
  burn(c.o, burned);
  add_balance(c.o, j.client, j.payment);
  j.status = JobStatus::Slashed;
  j.closed_height = c.height;
  write_job(c.o, j);
  SlashRecord s;
  s.job_id = job_id;
  s.dispute_id = dispute_id;
  s.offender = *j.provider;
  s.role = "provider";
  s.amount = bond;
  if (rewarded) s.beneficiary = *rewarded;
  s.reward = reward;
  s.paid_fees = fees;
  s.burned = burned;
  s.reason = reason;
  record_slash(c, s);
  c.events.push_back({"provider_slashed",
                      {{"job_id", num(job_id)},
                       {"dispute_id", num(dispute_id)},
                       {"provider", addr(*j.provider)},
                       {"bond", num(bond)},
                       {"challenger_reward", num(reward)},
                       {"verifier_fees", num(fees)},
                       {"burned", num(burned)},
                       {"reason", reason}}});
  c.events.push_back(
      {"job_refunded",
       {{"job_id", num(job_id)}, {"client", addr(j.client)}, {"refund", num(j.payment)}}});
  // Other disputes of the job no longer matter: nobody pays in them.
  for (uint64_t id : pol.disputes) {
    if (id == dispute_id) continue;
    DisputeRecord other = read_dispute(c.o, id).value();
    if (other.open()) resolve_dispute(c, other, DisputeLoser::nobody, "moot_provider_slashed");
  }
}

void resolve_dispute(OutcomeContext& c, DisputeRecord d, DisputeLoser loser,
                     const std::string& outcome, bool reward_winner) {
  c.o.erase(keys::dispute_work(d.game.deadline + 1, d.id));
  if (d.kind != DisputeKind::availability) end_assignment(c.o, d.challenger);
  d.loser = loser;
  d.outcome = outcome;
  d.resolved_height = c.height;
  write_dispute(c.o, d);
  c.events.push_back({"dispute_resolved",
                      {{"dispute_id", num(d.id)},
                       {"job_id", num(d.job_id)},
                       {"segment", num(d.segment)},
                       {"kind", dispute_kind_name(d.kind)},
                       {"loser", dispute_loser_name(loser)},
                       {"outcome", outcome}}});
  if (loser == DisputeLoser::provider) {
    Verifier v = read_verifier(c.o, d.challenger).value();
    v.disputes_won += 1;
    write_verifier(c.o, v);
    slash_provider(c, d.job_id, d.id,
                   reward_winner ? std::optional<Address>(d.challenger) : std::nullopt, outcome);
  } else if (loser == DisputeLoser::challenger) {
    slash_challenger(c, d, outcome);
  }
  close_if_done(c, d.job_id);
}

void settle_for_provider(OutcomeContext& c, Job& j, Amount to_provider) {
  Provider p = read_provider(c.o, *j.provider).value();
  p.locked -= j.bond_required;
  p.jobs_settled += 1;
  write_provider(c.o, p);
  add_balance(c.o, *j.provider, to_provider);
  j.status = JobStatus::Settled;
  j.closed_height = c.height;
  write_job(c.o, j);
}

void close_if_done(OutcomeContext& c, uint64_t job_id) {
  Job j = read_job(c.o, job_id).value();
  if (j.status != JobStatus::Verifying) return;
  const JobPol pol = read_job_pol(c.o, job_id).value();
  if (!pol.judged) return;
  for (uint64_t id : pol.disputes)
    if (read_dispute(c.o, id).value().open()) return;
  const Amount fee = c.params.verifier_fee;
  const Amount reserved = static_cast<Amount>(pol.assignments.size()) * fee;  // <= payment
  const Amount paid = pay_agreeing_verifiers(c, pol, reserved);
  // Absent verifiers and those who lost a dispute earn nothing: their fees go
  // back to the client.
  const Amount refund = reserved - paid;
  if (refund > 0) add_balance(c.o, j.client, refund);
  const Amount to_provider = j.payment - reserved;
  settle_for_provider(c, j, to_provider);
  uint64_t verified = 0;
  for (const Assignment& a : pol.assignments)
    if (a.result == AssignmentResult::agreed) ++verified;
  c.events.push_back({"job_settled",
                      {{"job_id", num(job_id)},
                       {"provider", addr(*j.provider)},
                       {"provider_paid", num(to_provider)},
                       {"verified_segments", num(verified)},
                       {"refund", num(refund)}}});
}

}  // namespace vt::ledger
