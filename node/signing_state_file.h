// What this validator signed last, in its own small file (as CometBFT's
// priv_validator_state.json), apart from the database: a database that is
// damaged, rolled back or restored from an old copy cannot make the validator
// forget what it signed. save() writes a temporary file, fsyncs it, renames it
// over the old one and fsyncs the directory, before the signature exists.
// Single-threaded (the node's io thread).
#pragma once

#include <filesystem>
#include <optional>

#include "consensus/sign_guard.h"
#include "core/bytes.h"
#include "core/result.h"

namespace vt::node {

class SigningStateFile {
 public:
  explicit SigningStateFile(std::filesystem::path path) : path_(std::move(path)) {}
  const std::filesystem::path& path() const { return path_; }
  // The record; none when the file does not exist (a new validator). A file
  // that cannot be read or parsed is an error: the node must not guess.
  Result<std::optional<consensus::SignedState>> load() const;
  [[nodiscard]] Status save(const consensus::SignedState& s);
  // The block this validator is locked on (its encoding), beside the record, so
  // that after a restart it can re-propose it and vote as the lock requires.
  // Written (durably) before the precommit that takes the lock is signed.
  [[nodiscard]] Status save_locked_block(ByteView block);
  Result<std::optional<Bytes>> load_locked_block() const;
  std::filesystem::path locked_block_path() const;

 private:
  std::filesystem::path path_;
};

}  // namespace vt::node
