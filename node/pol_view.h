// The JSON view of a job's proof-of-learning record (state_getJob's `pol`) and
// its schema, both derived from one field list per part (node/json_views.h
// ViewField). The record itself is ledger::pol_view's; this only serializes it.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "ledger/pol_queries.h"

namespace vt::node {

// The JSON of a job's record (ledger::pol_view), or null for a job not committed.
nlohmann::json pol_json(const std::optional<ledger::PolView>& view);
// The schema of pol_json: one object, or null.
nlohmann::json pol_schema();

}  // namespace vt::node
