// The proof-of-learning actions of providers and verifiers (commit, probes,
// attestations, reveals, dispute moves and checkpoints, the final model), used
// both by one-shot CLI commands and by the long-running `provider run` and
// `verifier run` workers. Single-threaded; errors are thrown as CliError.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "wallet/cli_context.h"

namespace vt::wallet {

// Uploads DIR's checkpoints and manifest as blobs and posts the job_commit.
void commit_run(const Globals& g, uint64_t job_id, const std::string& from,
                const std::string& run_dir);
// Posts the provider's probe hashes for every revealed-window segment still
// missing one; returns how many were posted.
int post_probes(const Globals& g, uint64_t job_id, const std::string& from,
                const std::string& run_dir, const std::string& data_dir);
// Replays every segment of the job assigned to `from` and posts attestation
// commitments. A checkpoint that cannot be fetched or does not match is
// requested on chain (checkpoint_request) when request_missing is set.
int attest_job(const Globals& g, uint64_t job_id, const std::string& from,
               std::string manifest_hash, const std::string& data_dir, bool request_missing);
// The attest_commit message for a segment's per-step hashes (seg_json: the
// segment's record in state_getJob); keeps them, with a fresh salt, under
// attest_dir for the reveal and for disputes.
ledger::Message attestation_for(const Globals& g, uint64_t job_id, const std::string& from,
                                const json& seg_json,
                                const std::vector<verifier::StepRecord>& per_step);
// Reveals `from`'s committed attestations of the job; returns how many.
int reveal_job(const Globals& g, uint64_t job_id, const std::string& from);
// The honest next action for `from` in a dispute (as its provider, with its run
// directory, or as its challenger, with its saved attestation): a bisection
// move, or the checkpoint at step lo for the referee, or the requested
// checkpoint. Returns a line saying what it did or what it waits for.
std::string respond_dispute(const Globals& g, uint64_t dispute_id, const std::string& from,
                            const std::string& run_dir, const std::string& data_dir);

// job commit|probe|result, verifier attest|reveal|run, provider run, dispute ...
void add_pol_commands(CLI::App& app, CLI::App& job, CLI::App& verifier, CLI::App& provider,
                      Globals& g);

}  // namespace vt::wallet
