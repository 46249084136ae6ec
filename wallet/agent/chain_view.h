// The parts of the node's answers that the workers read, as typed values. Each
// answer is decoded once, at the edge (the CLI's JSON-RPC reader), and a field
// that is missing or of the wrong type is an error naming it. The decisions in
// worker_plan.h then branch on enums and numbers, not on strings. Plain values
// and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ledger/objects.h"
#include "ledger/pol_queries.h"

namespace vt::wallet::agent {

// One sampled segment's seat in a job's proof of learning.
struct Seat {
  std::string verifier;          // vt1... address
  bool attested = false;         // its attestation commitment is on chain
  bool revealed = false;         // and revealed
  bool provider_probed = false;  // the provider's probe for this segment is on chain
  bool operator==(const Seat&) const = default;
};

// A committed job's proof-of-learning record (state_getJob's `pol`).
struct PolRecord {
  ledger::PolPhase phase = ledger::PolPhase::closed;
  std::vector<Seat> seats;  // in the chain's assignment order
  bool operator==(const PolRecord&) const = default;
};

// A job (state_getJob, or an entry of state_listJobs, which carries no spec and no pol).
struct JobInfo {
  uint64_t id = 0;
  ledger::JobStatus status = ledger::JobStatus::Open;
  std::string client;                  // vt1... address
  std::string provider;                // empty while open
  uint64_t payment = 0;                // base units
  std::optional<nlohmann::json> spec;  // the spec document, when the answer carries it
  std::optional<PolRecord> pol;        // once committed, when the answer carries it
};

// An open dispute a worker answers (an entry of state_listDisputes).
struct DisputeInfo {
  uint64_t id = 0;
  uint64_t job_id = 0;
  std::string provider, challenger;  // vt1... addresses
};

[[nodiscard]] Result<PolRecord> decode_pol(const nlohmann::json& pol);
[[nodiscard]] Result<JobInfo> decode_job(const nlohmann::json& job);
[[nodiscard]] Result<DisputeInfo> decode_dispute(const nlohmann::json& dispute);

}  // namespace vt::wallet::agent
