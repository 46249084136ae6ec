// The state machine: executes a block's transactions against the committed state.
// Pure and deterministic: no clocks, no I/O; the block's height, time and
// proposer come in as a BlockContext. One BlockExecutor per block, single-owner.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/validator_set.h"
#include "core/result.h"
#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "ledger/commit.h"
#include "ledger/evidence.h"
#include "ledger/params.h"
#include "ledger/receipt.h"
#include "ledger/signature_cache.h"
#include "ledger/state.h"
#include "ledger/transaction.h"

namespace vt::ledger {

// Where block execution finds a job's data set for the referee step. The node
// loads data sets once at start; the ledger does no I/O. A validator without a
// job's data set cannot execute that job's referee step and stops rather than
// decide differently from the others (validators must hold the data sets the
// genesis allows; docs/proof-of-learning.md).
class DatasetSource {
 public:
  virtual ~DatasetSource() = default;
  // The data set whose file hashes the spec names, or why it is unavailable.
  virtual Result<const kernels::Dataset*> dataset_for(const kernels::JobSpec& spec) const = 0;
};

struct BlockContext {
  uint64_t height = 0;
  uint64_t time_ms = 0;
  Address fee_recipient{};  // the proposer's operator account
  // This block's randomness (ledger/randomness.h: the proposer's VRF output,
  // checked by the caller with block_randomness). The sampling and probe seeds
  // are drawn from it; begin_block stores it for the next block's alpha.
  Hash256 randomness{};
  const DatasetSource* datasets = nullptr;  // needed only by checkpoint_post's referee step
  SignatureCache* signatures = nullptr;     // verified signatures (may be null)
};

struct BlockResult {
  // Expiries, unbonding releases and evidence punishments at the block's start.
  std::vector<Event> begin_events;
  std::vector<Receipt> receipts;   // one per transaction, in block order
  std::vector<Hash256> tx_hashes;  // tx_hash of each transaction, beside its receipt
  ChangeSet changes;               // everything the block writes
};

// A canonical job spec: the stored document and its hash.
struct CanonicalSpec {
  std::string json;
  Hash256 hash{};
};
// Checks a job spec document with the trainer's rules (kernels/job_spec.h) and
// returns its canonical form and hash (SHA-256 of the canonical JSON).
Result<CanonicalSpec> canonical_job_spec(std::string_view json, size_t max_bytes);

// m for a job: the genesis pol_samples or the job's larger request (0: none),
// and every segment when the job has fewer. The least bond job_submit accepts
// is verifier::min_bond(payment, m).
uint64_t job_samples(const Params& p, const kernels::JobSpec& spec, uint32_t requested);

// The least fee a transaction of `encoded_size` bytes must pay: min_fee, plus
// fee_per_kib for every KiB (or part) beyond kFeeFreeBytes; saturates.
Amount minimum_fee(const Params& params, size_t encoded_size);

// check_transaction's error for a signature that does not verify. Unlike its
// other errors it does not depend on the state: whoever relays such a
// transaction did not check it.
inline constexpr std::string_view kInvalidSignature = "invalid signature";

// Checks that can reject a transaction before it reaches a block: size, chain
// id, fee, signature, nonce (must equal the account's next nonce unless
// allow_future_nonce) and that the sender can pay the fee.
// A signature found in `signatures` is not checked again; one that checks is
// added to it.
Status check_transaction(const StateReader& state, const Params& params, const Transaction& tx,
                         size_t encoded_size, bool allow_future_nonce,
                         SignatureCache* signatures = nullptr);
// The same for a caller that already holds tx_hash(tx) as `hash` (hashing the
// transaction again was 3 % of a loaded validator's CPU). The signature cache
// trusts `hash`: it must be tx_hash(tx), or tx_hash_of_encoding of the bytes
// `tx` was decoded from.
Status check_transaction(const StateReader& state, const Params& params, const Transaction& tx,
                         size_t encoded_size, bool allow_future_nonce, SignatureCache* signatures,
                         const Hash256& hash);

// What check_transaction verifies of `tx` (hash: its tx_hash): the sender's key,
// the signing hash and the signature, for SignatureCache::verify_batch.
SignatureCache::Pending pending_signature(const Transaction& tx, const Hash256& hash);

// Executes one transaction on `state` as a block at ctx.height would: the
// admission checks (an error: nothing changes), then the fee and nonce, then
// its message (a failed receipt keeps only the fee and nonce). The block's own
// limits (max_posts_per_block) are BlockExecutor's. Mempool admission runs it
// on the node's check state, so a transaction that would fail is refused
// before it costs a fee.
Result<Receipt> execute_transaction(Overlay& state, const Params& params, const BlockContext& ctx,
                                    const Transaction& tx, size_t encoded_size);
// The same with tx_hash(tx) already known (see check_transaction).
Result<Receipt> execute_transaction(Overlay& state, const Params& params, const BlockContext& ctx,
                                    const Transaction& tx, size_t encoded_size,
                                    const Hash256& hash);

// 1 if `sender` is the dispute's provider, 2 if its challenger, else 0 (the
// bit DisputeRecord::failed_posts keeps for it).
uint8_t post_party_bit(const DisputeRecord& d, const Address& sender);

// Whether block `height` may punish this double signing: the votes check, the
// offence is below `height` and at most max_evidence_age_blocks old, and the
// signer is a validator not yet tombstoned. Returns that validator.
Result<Validator> check_evidence(const StateReader& state, const Params& params, uint64_t height,
                                 const Evidence& e);

class BlockExecutor {
 public:
  // Runs the block's start (unbonding releases, job expiries) right away.
  BlockExecutor(const StateReader& committed, const BlockContext& ctx);
  // Admission failure (bad signature, nonce, fee...): error, nothing changes and the
  // transaction must not be in the block. Otherwise its receipt.
  Result<Receipt> apply(const Transaction& tx, size_t encoded_size);
  // The same with tx_hash(tx) already known (see check_transaction).
  Result<Receipt> apply(const Transaction& tx, size_t encoded_size, const Hash256& hash);
  // Double-sign evidence (ledger/evidence.h), before any transaction: if
  // check_evidence passes, the signer is punished (punish_double_signer; events
  // in begin_events). Refused: nothing changes and the evidence must not be in
  // the block.
  Status apply_evidence(const Evidence& e);
  // The block's last commit (ledger/liveness.h), first of all: checks the
  // precommits for the parent `parent_hash`, counts missed blocks and records
  // who signs this block. Refused: nothing changes and the block is invalid.
  Status apply_last_commit(const Hash256& parent_hash, const CommitCertificate& last_commit);
  const Params& params() const { return params_; }
  BlockResult finish() &&;

 private:
  void begin_block();
  void run_pol_work(uint64_t job_id);
  void wait_for_verifiers(Job& j, JobPol& pol);
  void schedule_assignments(Job& j, JobPol& pol, const kernels::JobSpec& spec,
                            const std::vector<uint64_t>& sampled,
                            const std::vector<std::vector<Address>>& committees);
  void judge_reveals(Job& j, JobPol& pol);
  void run_dispute_deadline(uint64_t dispute_id);
  BlockContext ctx_;
  Params params_;
  Overlay block_;
  BlockResult result_;
  // The set that signs this block: validator_set_of the state before it (an
  // error when no validator is active).
  Result<consensus::ValidatorSet> signers_;
  bool body_started_ = false;    // evidence or a transaction applied
  uint32_t posts_in_block_ = 0;  // checkpoint_post transactions admitted (max_posts_per_block)
};

}  // namespace vt::ledger
