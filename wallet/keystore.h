// Encrypted keystore: one JSON file per named account key (Argon2id + XChaCha20-Poly1305,
// libsodium). A Keystore holds only a path and re-reads files; its methods may run concurrently.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/bech32m.h"
#include "core/keys.h"
#include "core/result.h"

namespace vt {

// The cost of the password hash. Stored in each file, so files written with
// one setting still open after the default changes.
struct KdfLimits {
  uint64_t opslimit = 0;
  size_t memlimit = 0;
  // libsodium's OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE (2 passes, 64 MiB).
  static KdfLimits interactive();
  // libsodium's minimums: for tests only, offers no real protection.
  static KdfLimits minimum_for_tests();
};

struct KeyInfo {
  std::string name;
  Address address{};
  std::string address_string() const { return address_to_string(address); }
};

// Key names: 1 to 64 characters of [A-Za-z0-9_-], so a name is always a safe
// file name (no path separators, no dot files).
[[nodiscard]] Status validate_key_name(std::string_view name);

// The directory holds `<name>.json` files, each written 0600 to a temporary
// file and renamed into place (never over an existing file), so a crash never
// leaves a half-written key and two concurrent creates of one name cannot both win.
// File format (version 1):
//   {"version": 1, "name": "alice", "address": "vt1...",
//    "kdf": {"algorithm": "argon2id", "salt": hex16, "opslimit": n, "memlimit": bytes},
//    "cipher": {"algorithm": "xchacha20poly1305-ietf", "nonce": hex24, "ciphertext": hex48}}
// The ciphertext is the 32-byte BIP-340 secret plus the 16-byte tag; the
// associated data is the address string, so a file edited to show another
// address fails to unlock.
class Keystore {
 public:
  explicit Keystore(std::filesystem::path dir, KdfLimits limits = KdfLimits::interactive());

  // A new random key, encrypted under the password. Fails if the name exists.
  [[nodiscard]] Result<Address> create(std::string_view name, std::string_view password);
  // An existing 32-byte BIP-340 secret. Fails if the name exists or the secret is invalid.
  [[nodiscard]] Result<Address> import(std::string_view name, const std::array<uint8_t, 32>& secret,
                                       std::string_view password);
  // Decrypts the key; a wrong password and a tampered file give the same error
  // ("wrong password or corrupted keystore file"), as AEAD cannot tell them apart.
  [[nodiscard]] Result<SchnorrKey> unlock(std::string_view name, std::string_view password) const;
  // Every key, sorted by name. A malformed file fails the whole listing, naming the file.
  [[nodiscard]] Result<std::vector<KeyInfo>> list() const;
  // One key's public information, without the password.
  [[nodiscard]] Result<KeyInfo> show(std::string_view name) const;
  // Deletes the key's file (after checking it is a well-formed key file). The
  // key is gone unless its recovery phrase or an exported copy exists.
  [[nodiscard]] Status remove(std::string_view name);
  // The key's file as it is stored: still encrypted under its password. Put in
  // another wallet's keys/ directory as NAME.json, it works there unchanged.
  [[nodiscard]] Result<std::string> exported(std::string_view name) const;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path path_of(std::string_view name) const;

 private:
  [[nodiscard]] Result<Address> store(std::string_view name, const SchnorrKey& key,
                                      std::string_view password);

  std::filesystem::path dir_;
  KdfLimits limits_;
};

// `--password-file`: the first line of the file, its line ending stripped.
// An empty password is refused.
[[nodiscard]] Result<std::string> read_password_file(const std::filesystem::path& path);

// Prompts on the controlling terminal (/dev/tty) with echo off; with confirm,
// asks twice and fails if the two differ. Fails when there is no terminal.
[[nodiscard]] Result<std::string> prompt_password(std::string_view prompt, bool confirm = false);

// The prompt on an already-open terminal descriptor (used by prompt_password;
// exposed so tests can drive it through a pseudo-terminal). Echo is restored
// even on SIGINT/SIGTERM/SIGHUP. One prompt at a time per process.
[[nodiscard]] Result<std::string> prompt_password_on(int tty_fd, std::string_view prompt);

}  // namespace vt
