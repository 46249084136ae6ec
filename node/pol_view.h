// The JSON view of a job's proof-of-learning record (state_getJob's `pol`) and
// its schema, both derived from one field list per part (node/json_views.h
// ViewField). Pure functions over a state reader; thread-safe as the reader is.
#pragma once

#include <nlohmann/json.hpp>

#include "ledger/objects.h"
#include "ledger/state.h"

namespace vt::node {

// The record of a committed job at `height` (what `state` holds): the
// commitment, the heights of its windows, each sampled segment with its
// verifier and what was posted, the probe offsets once drawn, the phase a
// transaction sent now would meet, and after judging its disputes. Slashes are
// a scan and are listed at the head only (`at_head`; null otherwise). Null for
// a job not committed.
nlohmann::json pol_json(const ledger::StateReader& state, uint64_t height, bool at_head,
                        const ledger::Job& j);
// The schema of pol_json: one object, or null.
nlohmann::json pol_schema();

}  // namespace vt::node
