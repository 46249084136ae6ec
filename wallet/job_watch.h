// `veritrain job watch ID`: follows a job live until it is closed and its
// disputes resolved, printing each change of status or proof-of-learning phase,
// each transaction that names the job (tx_search) and each dispute move. Polls
// the node; single-threaded CLI code, errors thrown as CliError.
#pragma once

#include <CLI/CLI.hpp>

#include "wallet/cli_context.h"

namespace vt::wallet {

void add_job_watch(CLI::App& job, Globals& g);

// True when nothing more can happen to the job: a closed status and every
// dispute resolved (state_getJob's result).
bool job_finished(const json& job);

}  // namespace vt::wallet
