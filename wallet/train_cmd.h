// The `train`, `replay` and `spec-hash` subcommands of the veritrain CLI (kernels/
// trainer behind them). add_train_commands registers them on the caller's app;
// their callbacks run on the calling thread.
#pragma once

#include <CLI/CLI.hpp>

namespace vt {

void add_train_commands(CLI::App& app);

}  // namespace vt
