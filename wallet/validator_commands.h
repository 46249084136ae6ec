// `veritrain validator ...`: register a node's consensus key as a validator,
// add or withdraw its stake, unjail it, and list the set. The sender (--from)
// is the operator. Single-threaded CLI code; errors are thrown as CliError.
#pragma once

#include <CLI/CLI.hpp>

#include "wallet/cli_context.h"

namespace vt::wallet {

void add_validator_commands(CLI::App& app, Globals& g);

}  // namespace vt::wallet
