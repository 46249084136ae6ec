// Test-only: the parts of a job's proof-of-learning record the workers read,
// built by hand, for the unit tests of wallet/agent/.
#pragma once

#include <string>
#include <vector>

#include "wallet/agent/chain_view.h"

namespace vt::wallet::agent::test {

inline const std::string kMe = "vt1me", kOther = "vt1other";

// One sampled segment's seat: its verifier, whether it attested and revealed,
// and whether the provider posted its probe.
inline Seat seat(const std::string& verifier, bool attested, bool revealed, bool probed) {
  return Seat{verifier, attested, revealed, probed};
}

inline PolRecord pol(ledger::PolPhase phase, std::vector<Seat> seats) {
  return PolRecord{phase, std::move(seats)};
}

}  // namespace vt::wallet::agent::test
