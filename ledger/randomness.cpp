#include "ledger/randomness.h"

#include "core/encoding.h"
#include "ledger/state_access.h"

namespace vt::ledger {

Bytes vrf_alpha(const std::string& chain_id, uint64_t height, const Hash256& previous) {
  return Writer().str("veritrain/vrf").str(chain_id).u64(height).fixed(previous).take();
}

Result<Hash256> block_randomness(const StateReader& state, uint64_t height,
                                 const Ed25519Pubkey& proposer, const VrfProof& proof) {
  auto v = state.get(keys::validator(proposer));
  if (!v) return make_error("block randomness: the proposer is not a validator");
  auto validator = decode_validator(*v);
  if (!validator) return make_error("block randomness: " + validator.error());
  const Params params = read_params(state);
  auto beta = vrf_verify(validator->vrf_key, proof,
                         vrf_alpha(params.chain_id, height, read_randomness(state)));
  if (!beta) return make_error("block randomness: " + beta.error());
  return beta;
}

}  // namespace vt::ledger
