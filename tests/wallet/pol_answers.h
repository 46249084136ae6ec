// Test-only: the parts of state_getJob's `pol` the workers read, built by hand,
// for the unit tests of wallet/agent/.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vt::wallet::agent::test {

inline const std::string kMe = "vt1me", kOther = "vt1other";

// One sampled segment's seat: its verifier, whether it attested and revealed,
// and whether the provider posted its probe.
inline nlohmann::json seat(const std::string& verifier, bool attested, bool revealed, bool probed) {
  using nlohmann::json;
  return {{"verifier", verifier},
          {"attest_commitment", attested ? json(std::string(64, 'a')) : json(nullptr)},
          {"revealed", revealed},
          {"provider_probe", probed ? json(std::string(64, 'b')) : json(nullptr)}};
}

inline nlohmann::json pol(const std::string& phase, nlohmann::json segments) {
  return {{"phase", phase}, {"segments", std::move(segments)}};
}

}  // namespace vt::wallet::agent::test
