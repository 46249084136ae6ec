#include "ledger/errors.h"

namespace vt::ledger {

const char* tx_code_name(TxCode c) {
  switch (c) {
    case TxCode::ok:
      return "ok";
    case TxCode::insufficient_balance:
      return "insufficient_balance";
    case TxCode::invalid_amount:
      return "invalid_amount";
    case TxCode::overflow:
      return "overflow";
    case TxCode::not_found:
      return "not_found";
    case TxCode::not_registered:
      return "not_registered";
    case TxCode::already_done:
      return "already_done";
    case TxCode::wrong_party:
      return "wrong_party";
    case TxCode::wrong_status:
      return "wrong_status";
    case TxCode::below_minimum:
      return "below_minimum";
    case TxCode::above_limit:
      return "above_limit";
    case TxCode::outside_window:
      return "outside_window";
    case TxCode::invalid_spec:
      return "invalid_spec";
    case TxCode::spec_too_costly:
      return "spec_too_costly";
    case TxCode::unknown_dataset:
      return "unknown_dataset";
    case TxCode::invalid_endpoint:
      return "invalid_endpoint";
    case TxCode::malformed:
      return "malformed";
    case TxCode::commitment_mismatch:
      return "commitment_mismatch";
    case TxCode::reveal_rejected:
      return "reveal_rejected";
    case TxCode::move_rejected:
      return "move_rejected";
    case TxCode::checkpoint_rejected:
      return "checkpoint_rejected";
    case TxCode::stake_bonded:
      return "stake_bonded";
    case TxCode::not_sampled:
      return "not_sampled";
    case TxCode::no_pending_step:
      return "no_pending_step";
  }
  return "unknown";
}

}  // namespace vt::ledger
