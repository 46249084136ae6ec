// How a verifying job ends: settlement, dispute records and their resolution,
// and slashing. Internal to ledger/ (used by the executor); pure functions over
// an Overlay, no I/O. The rules are in docs/proof-of-learning.md ("On chain:
// disputes"); every effect is reported as an event.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/objects.h"
#include "ledger/params.h"
#include "ledger/receipt.h"
#include "ledger/state.h"

namespace vt::ledger {

// Where outcomes write and report: a transaction's overlay and receipt events,
// or the block's overlay and begin-block events.
struct OutcomeContext {
  Overlay& o;
  const Params& params;
  uint64_t height = 0;
  std::vector<Event>& events;
};

void add_balance(Overlay& o, const Address& who, Amount amount);

// Evidence of double signing (`reason`: "double_sign" for two votes,
// "double_proposal" for two proposals) at `offence_height` by a validator that
// is not tombstoned: double_sign_slash_bps of its stake is burned, and as much
// of each of its unbonding entries that started at or after the offence (stake
// that was bonded when it signed twice), and it is jailed for good
// (tombstoned), leaving the set from the next height. Events validator_slashed
// (with the part taken from unbonding) and validator_jailed. Returns the
// amount burned.
Amount punish_double_signer(OutcomeContext& c, Validator v, uint64_t offence_height,
                            const char* reason);

// One of the verifier's assignments (or the dispute it led to) is over.
void end_assignment(Overlay& o, const Address& verifier);

// A new dispute record with the next id: writes it and its deadline work entry,
// appends its id to pol.disputes (the caller writes pol).
DisputeRecord open_dispute_record(OutcomeContext& c, JobPol& pol, DisputeKind kind,
                                  uint64_t segment, const Address& provider,
                                  const Address& challenger, const verifier::Dispute& game);

// Posting obligations (a checkpoint the provider must post by a deadline) per
// height: each may take three posts (one failed try per party, then the
// accepted one) of the max_posts_per_block a block holds.
uint32_t post_obligations_per_height(const Params& p);
// The first height >= earliest at which fewer than post_obligations_per_height
// obligations fall due; reserves it. So every obligation can be served whatever
// others open: a deadline the block budget cannot serve moves instead.
uint64_t reserve_post_deadline(Overlay& o, const Params& p, uint64_t earliest);

// Replaces a dispute's game state (after a move), moving its deadline entry.
void update_dispute_game(Overlay& o, DisputeRecord& d, const verifier::Dispute& next);

// Ends a dispute. loser == provider: the provider's bond is slashed (the
// challenger rewarded unless `reward_winner` is false), the client refunded,
// the job Slashed and its other disputes moot. loser == challenger: the
// challenger's verifier stake is slashed (false_challenge_slash), the provider
// rewarded. nobody: no one pays. Then the job settles if nothing is left open.
void resolve_dispute(OutcomeContext& c, DisputeRecord d, DisputeLoser loser,
                     const std::string& outcome, bool reward_winner = true);

// Slashes the provider of a verifying job (see resolve_dispute). `rewarded`
// gets fraud_reward_bps of the bond; dispute_id 0 when no dispute record exists
// (e.g. the provider never revealed its probe).
void slash_provider(OutcomeContext& c, uint64_t job_id, uint64_t dispute_id,
                    const std::optional<Address>& rewarded, const std::string& reason);

// An assigned verifier that did not commit or reveal: min(stake,
// absent_verifier_slash) of its stake is burned (its fee goes back to the
// client at settlement). Called once per verifier per job, however many of the
// job's segments it left: one job cannot burn a stake many times. Returns the amount.
Amount slash_absent_verifier(OutcomeContext& c, uint64_t job_id, const Address& verifier);

// Settles a judged job whose disputes are all resolved: agreeing verifiers paid,
// the other verifiers' fees back to the client, the rest to the provider.
void close_if_done(OutcomeContext& c, uint64_t job_id);

// Closes a job for the provider: `to_provider` paid, its bond unlocked.
void settle_for_provider(OutcomeContext& c, Job& j, Amount to_provider);

}  // namespace vt::ledger
