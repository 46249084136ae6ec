// Why a transaction failed: one numeric code from one table, hashed into its
// receipt, plus text for people that is never hashed (docs/formats.md,
// "Receipt codes"). Codes are consensus: never renumber, only append.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace vt::ledger {

enum class TxCode : uint16_t {
  ok = 0,
  insufficient_balance = 1,  // the sender cannot pay what the message moves
  invalid_amount = 2,        // zero where a positive amount is required
  overflow = 3,              // a balance, stake or unbonding would pass 2^64-1
  not_found = 4,             // the job or dispute does not exist
  not_registered = 5,        // the sender is not a registered provider or verifier
  already_done = 6,          // registered, committed, revealed or requested before
  wrong_party = 7,           // the sender is not the party this message belongs to
  wrong_status = 8,          // the job or dispute is not in the state the message needs
  below_minimum = 9,         // stake, bond or payment below the chain's floor
  above_limit = 10,          // amount, size or count above what the rules allow
  outside_window = 11,       // the message's height window is not open (or closed)
  invalid_spec = 12,         // the job spec does not parse or breaks a trainer rule
  spec_too_costly = 13,      // referee step, checkpoint, commitment or replay beyond a bound
  unknown_dataset = 14,      // the spec names a data set the chain's registry lacks
  invalid_endpoint = 15,     // provider endpoint text
  malformed = 16,            // an embedded encoding (commitment, reveal, move) does not decode
  commitment_mismatch = 17,  // the commitment does not fit the job's spec
  reveal_rejected = 18,      // the reveal does not open the verifier's commitment
  move_rejected = 19,        // the dispute game refuses the move
  checkpoint_rejected = 20,  // a posted checkpoint is malformed or not the agreed state
  stake_bonded = 21,         // stake is bonded to assignments or disputes in progress
  not_sampled = 22,          // the segment was not sampled for the job
  no_pending_step = 23,      // the dispute is not at the step the message serves
};

// The identifier of a code ("insufficient_balance"), as RPC shows it.
const char* tx_code_name(TxCode c);

struct TxError {
  TxCode code = TxCode::ok;
  std::string reason;  // for people; not hashed
};

inline TxError fail(TxCode code, std::string reason) {
  return TxError{code, std::move(reason)};
}

// Success, or a coded failure. Returned by message handlers.
class [[nodiscard]] TxStatus {
 public:
  TxStatus() = default;
  TxStatus(TxError e) : error_(std::move(e)) {}  // NOLINT: implicit by design
  static TxStatus success() { return TxStatus(); }
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  TxCode code() const { return error_ ? error_->code : TxCode::ok; }
  const std::string& reason() const { return error_->reason; }
  TxError error() const { return *error_; }

 private:
  std::optional<TxError> error_;
};

// A value, or a coded failure.
template <class T>
class [[nodiscard]] TxResult {
 public:
  TxResult(T value) : v_(std::move(value)) {}  // NOLINT
  TxResult(TxError e) : v_(std::move(e)) {}    // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& operator*() { return std::get<T>(v_); }
  const T& operator*() const { return std::get<T>(v_); }
  T* operator->() { return &std::get<T>(v_); }
  const T* operator->() const { return &std::get<T>(v_); }
  TxError error() const { return std::get<TxError>(v_); }

 private:
  std::variant<T, TxError> v_;
};

}  // namespace vt::ledger
