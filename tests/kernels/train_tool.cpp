// Stand-alone front end for the train/replay/spec-hash commands, for builds
// without wallet/ (scripts/gpu-check's kernels-only build); otherwise the CLI
// tests run the real `veritrain` binary.
#include <CLI/CLI.hpp>

#include "wallet/train_cmd.h"

int main(int argc, char** argv) {
  CLI::App app{"veritrain training commands"};
  app.require_subcommand(1);
  bool json_output = false;
  app.add_flag("--json", json_output, "Machine-readable output");
  vt::add_train_commands(app, json_output);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
