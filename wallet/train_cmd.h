// The `train`, `replay` and `spec-hash` subcommands of the veritrain CLI (kernels/
// trainer behind them). add_train_commands registers them on the caller's app;
// their callbacks run on the calling thread.
#pragma once

#include <CLI/CLI.hpp>

namespace vt {

// json_output: the global --json flag (read when a command runs).
void add_train_commands(CLI::App& app, const bool& json_output);

}  // namespace vt
