// `veritrain verify-proof`: checks a node's sparse-Merkle proof of an account or
// a job against the state root of the block header at that height, and that the
// proven bytes say what the node's JSON says. Single-threaded CLI code; errors
// are thrown as CliError.
#pragma once

#include <CLI/CLI.hpp>

#include "ledger/state_proof.h"
#include "wallet/cli_context.h"

namespace vt::wallet {

void add_proof_commands(CLI::App& app, Globals& g);

// The proof object of state_getAccount / state_getJob (`prove: true`), parsed:
// the key, the value (nullopt: absent) and the proof. Throws CliError naming
// the malformed field.
struct ParsedProof {
  uint64_t height = 0;
  Hash256 state_root{};
  Bytes key;
  std::optional<Bytes> value;
  ledger::StateProof proof;
};
ParsedProof parse_proof(const json& proof);

}  // namespace vt::wallet
