// Chain parameters fixed at genesis and committed to by the state root.
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "ledger/objects.h"

namespace vt::ledger {

struct Params {
  std::string chain_id;
  Amount min_fee = 0;             // per transaction, paid to the block's proposer
  Amount min_provider_stake = 0;  // to register and to accept jobs
  uint64_t unbonding_blocks = 0;  // unstaked amounts stay slashable this long
  uint64_t min_job_deadline_blocks = 0;
  uint64_t max_job_deadline_blocks = 0;
  uint32_t expiry_slash_bps = 0;  // share of the bond (in 1/10000) an undelivering provider loses
  uint32_t max_spec_bytes = 0;    // job spec JSON size limit
  uint32_t max_tx_bytes = 0;
  uint32_t max_block_txs = 0;
  uint32_t max_block_bytes = 0;
  bool operator==(const Params&) const = default;
};

Bytes encode(const Params&);
Result<Params> decode_params(ByteView);
// Checks the relations between fields; names the first offending one.
Status validate(const Params&);

}  // namespace vt::ledger
