// Each block's randomness: the proposer's ECVRF-P256 output (RFC 9381, core/vrf.h)
// over the chain id, the height and the previous block's randomness. Only the
// proposer can compute it and it has exactly one value, so a proposer can
// withhold its block but cannot choose the outcome. Sampling and probes draw
// from it (docs/proof-of-learning.md, "Randomness"). Pure functions.
#pragma once

#include <string>

#include "core/bytes.h"
#include "core/keys.h"
#include "core/result.h"
#include "core/vrf.h"
#include "ledger/state.h"

namespace vt::ledger {

// alpha = "veritrain/vrf" | chain_id | u64 height | previous randomness.
Bytes vrf_alpha(const std::string& chain_id, uint64_t height, const Hash256& previous);

// The randomness of block `height` whose proposer is `proposer` and whose header
// carries `proof`, checked against the state before the block (the validator's
// declared VRF key and the previous randomness); or why the block must be refused.
Result<Hash256> block_randomness(const StateReader& state, uint64_t height,
                                 const Ed25519Pubkey& proposer, const VrfProof& proof);

}  // namespace vt::ledger
