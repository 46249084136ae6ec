// Temporary stand-alone front end for the train/replay/spec-hash commands, used
// by the CLI tests until wallet/main.cpp (the `veritrain` binary) calls
// add_train_commands itself.
#include <CLI/CLI.hpp>

#include "wallet/train_cmd.h"

int main(int argc, char** argv) {
  CLI::App app{"veritrain training commands"};
  app.require_subcommand(1);
  vt::add_train_commands(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
