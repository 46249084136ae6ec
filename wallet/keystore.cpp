#include "wallet/keystore.h"

#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

namespace vt {
namespace {

using nlohmann::json;

constexpr int kFileVersion = 1;
constexpr const char* kKdfName = "argon2id";
constexpr const char* kCipherName = "xchacha20poly1305-ietf";
constexpr const char* kUnlockFailed = "wrong password or corrupted keystore file";
// A keystore file is a few hundred bytes; anything much larger is not ours.
constexpr uintmax_t kMaxFileBytes = 64 * 1024;
constexpr size_t kMaxPasswordBytes = 4096;
constexpr size_t kSecretBytes = 32;
constexpr size_t kCiphertextBytes = kSecretBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES;

// Bounds on the KDF cost read from a file: a tampered file must not make
// unlock run for hours or allocate unbounded memory.
constexpr uint64_t kMaxOpslimit = 4 * crypto_pwhash_OPSLIMIT_SENSITIVE;
constexpr size_t kMaxMemlimit = 4 * static_cast<size_t>(crypto_pwhash_MEMLIMIT_SENSITIVE);

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) std::abort();  // no secure randomness: nothing is safe to do
    return true;
  }();
  (void)ready;
}

// Wipes a secret buffer when it goes out of scope, whatever the return path.
template <size_t N>
struct Wiped {
  std::array<uint8_t, N> bytes{};
  ~Wiped() { sodium_memzero(bytes.data(), bytes.size()); }
  uint8_t* data() { return bytes.data(); }
};

Status check_limits(const KdfLimits& l) {
  if (l.opslimit < crypto_pwhash_OPSLIMIT_MIN || l.opslimit > kMaxOpslimit)
    return make_error("argon2id opslimit " + std::to_string(l.opslimit) + " is outside " +
                      std::to_string(crypto_pwhash_OPSLIMIT_MIN) + ".." +
                      std::to_string(kMaxOpslimit));
  if (l.memlimit < crypto_pwhash_MEMLIMIT_MIN || l.memlimit > kMaxMemlimit)
    return make_error("argon2id memlimit " + std::to_string(l.memlimit) + " is outside " +
                      std::to_string(crypto_pwhash_MEMLIMIT_MIN) + ".." +
                      std::to_string(kMaxMemlimit));
  return Status::success();
}

Status derive_key(std::string_view password,
                  const std::array<uint8_t, crypto_pwhash_SALTBYTES>& salt, const KdfLimits& limits,
                  uint8_t* key_out) {
  if (crypto_pwhash(key_out, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, password.data(),
                    password.size(), salt.data(), limits.opslimit, limits.memlimit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return make_error("argon2id key derivation failed (out of memory for memlimit " +
                      std::to_string(limits.memlimit) + "?)");
  return Status::success();
}

std::string errno_text() {
  return std::strerror(errno);
}

// Everything in a keystore file, checked for shape but not decrypted.
struct ParsedFile {
  KeyInfo info;
  std::array<uint8_t, crypto_pwhash_SALTBYTES> salt{};
  KdfLimits limits;
  std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  std::array<uint8_t, kCiphertextBytes> ciphertext{};
};

// The fields of one JSON object, each lookup reporting the dotted field path.
class Fields {
 public:
  Fields(const json& obj, std::string prefix) : obj_(obj), prefix_(std::move(prefix)) {}

  Result<const json*> get(const char* key) const {
    auto it = obj_.find(key);
    if (it == obj_.end()) return make_error("missing field '" + prefix_ + key + "'");
    return &*it;
  }
  Result<std::string> string(const char* key) const {
    auto v = get(key);
    if (!v) return v.take_error();
    if (!(*v)->is_string()) return make_error("field '" + prefix_ + key + "' must be a string");
    return (*v)->get<std::string>();
  }
  Result<uint64_t> unsigned_number(const char* key) const {
    auto v = get(key);
    if (!v) return v.take_error();
    if (!(*v)->is_number_unsigned())
      return make_error("field '" + prefix_ + key + "' must be a non-negative integer");
    return (*v)->get<uint64_t>();
  }
  template <size_t N>
  Result<std::array<uint8_t, N>> hex_bytes(const char* key) const {
    auto s = string(key);
    if (!s) return s.take_error();
    auto bytes = from_hex(*s);
    if (!bytes || bytes->size() != N)
      return make_error("field '" + prefix_ + key + "' must be " + std::to_string(2 * N) +
                        " hex characters");
    std::array<uint8_t, N> out{};
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
  }
  Result<Fields> object(const char* key) const {
    auto v = get(key);
    if (!v) return v.take_error();
    if (!(*v)->is_object()) return make_error("field '" + prefix_ + key + "' must be an object");
    return Fields(**v, prefix_ + key + ".");
  }

 private:
  const json& obj_;
  std::string prefix_;
};

Result<ParsedFile> parse_file_text(std::string_view expected_name, const std::string& text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return make_error("not valid JSON");
  if (!doc.is_object()) return make_error("not a JSON object");
  Fields top(doc, "");
  ParsedFile out;

  auto version = top.unsigned_number("version");
  if (!version) return version.take_error();
  if (*version != kFileVersion)
    return make_error("unsupported keystore version " + std::to_string(*version) +
                      " (this wallet reads " + std::to_string(kFileVersion) + ")");

  auto name = top.string("name");
  if (!name) return name.take_error();
  if (*name != expected_name)
    return make_error("the file holds key '" + *name + "', not '" + std::string(expected_name) +
                      "' (renamed or swapped file?)");
  out.info.name = *name;

  auto address = top.string("address");
  if (!address) return address.take_error();
  auto parsed_address = address_from_string(*address);
  if (!parsed_address) return make_error("field 'address': " + parsed_address.error());
  out.info.address = *parsed_address;

  auto kdf = top.object("kdf");
  if (!kdf) return kdf.take_error();
  auto kdf_name = kdf->string("algorithm");
  if (!kdf_name) return kdf_name.take_error();
  if (*kdf_name != kKdfName)
    return make_error("unsupported kdf '" + *kdf_name + "' (expected argon2id)");
  auto salt = kdf->hex_bytes<crypto_pwhash_SALTBYTES>("salt");
  if (!salt) return salt.take_error();
  out.salt = *salt;
  auto ops = kdf->unsigned_number("opslimit");
  if (!ops) return ops.take_error();
  auto mem = kdf->unsigned_number("memlimit");
  if (!mem) return mem.take_error();
  if (*mem > kMaxMemlimit)
    return make_error("argon2id memlimit " + std::to_string(*mem) + " is too large");
  out.limits = KdfLimits{*ops, static_cast<size_t>(*mem)};
  if (auto st = check_limits(out.limits); !st) return st.take_error();

  auto cipher = top.object("cipher");
  if (!cipher) return cipher.take_error();
  auto cipher_name = cipher->string("algorithm");
  if (!cipher_name) return cipher_name.take_error();
  if (*cipher_name != kCipherName)
    return make_error("unsupported cipher '" + *cipher_name +
                      "' (expected xchacha20poly1305-ietf)");
  auto nonce = cipher->hex_bytes<crypto_aead_xchacha20poly1305_ietf_NPUBBYTES>("nonce");
  if (!nonce) return nonce.take_error();
  out.nonce = *nonce;
  auto ciphertext = cipher->hex_bytes<kCiphertextBytes>("ciphertext");
  if (!ciphertext) return ciphertext.take_error();
  out.ciphertext = *ciphertext;
  return out;
}

Result<std::string> read_small_file(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return make_error("cannot read " + path.string() + ": " + ec.message());
  if (size > kMaxFileBytes)
    return make_error(path.string() + " is " + std::to_string(size) +
                      " bytes, too large for a keystore file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot open " + path.string() + ": " + errno_text());
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.gcount() != static_cast<std::streamsize>(text.size()))
    return make_error("cannot read " + path.string() + ": short read");
  return text;
}

Result<ParsedFile> load(const std::filesystem::path& path, std::string_view name) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return make_error("no key named '" + std::string(name) + "' in the keystore");
  auto text = read_small_file(path);
  if (!text) return text.take_error();
  auto parsed = parse_file_text(name, *text);
  if (!parsed) return make_error("keystore file " + path.string() + ": " + parsed.error());
  return parsed;
}

// Writes `content` to a 0600 temporary file in `dir`, syncs it, and renames it
// to `target` only if `target` does not exist yet (no silent overwrite of a key).
Status write_new_file_atomically(const std::filesystem::path& dir,
                                 const std::filesystem::path& target, const std::string& content) {
  std::array<uint8_t, 8> rnd;
  random_bytes(rnd);
  const std::filesystem::path tmp =
      dir / ("." + target.filename().string() + ".tmp-" + to_hex(rnd));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return make_error("cannot create " + tmp.string() + ": " + errno_text());
  auto fail = [&](const std::string& what) {
    std::string reason = what + ": " + errno_text();
    ::close(fd);
    ::unlink(tmp.c_str());
    return make_error(reason);
  };
  // The umask can only remove bits, but be explicit: the file holds a secret.
  if (::fchmod(fd, 0600) != 0) return fail("cannot set permissions on " + tmp.string());
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write " + tmp.string());
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot sync " + tmp.string());
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return make_error("cannot close " + tmp.string() + ": " + errno_text());
  }

  int rc = ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
    // The file system lacks RENAME_NOREPLACE: link() is atomic and also refuses to overwrite.
    rc = ::link(tmp.c_str(), target.c_str());
    if (rc == 0) ::unlink(tmp.c_str());
  }
  if (rc != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    if (saved == EEXIST) return make_error(target.string() + " already exists");
    return make_error("cannot move the key file into place at " + target.string() + ": " +
                      std::strerror(saved));
  }
  // Make the rename itself durable.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return Status::success();
}

// Restores the terminal if a signal arrives while echo is off, then lets the
// signal do what it would have done.
struct EchoGuardState {
  int fd = -1;
  struct termios saved {};
};
EchoGuardState g_echo_guard;  // only touched while a prompt is running (one at a time)
struct sigaction g_old_int, g_old_term, g_old_hup;

extern "C" void restore_terminal_on_signal(int sig) {
  if (g_echo_guard.fd >= 0) ::tcsetattr(g_echo_guard.fd, TCSANOW, &g_echo_guard.saved);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

KdfLimits KdfLimits::interactive() {
  return KdfLimits{crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

KdfLimits KdfLimits::minimum_for_tests() {
  return KdfLimits{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Status validate_key_name(std::string_view name) {
  if (name.empty()) return make_error("key name must not be empty");
  if (name.size() > 64) return make_error("key name is longer than 64 characters");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok)
      return make_error("key name '" + std::string(name) +
                        "' may only contain letters, digits, '_' and '-'");
  }
  return Status::success();
}

Keystore::Keystore(std::filesystem::path dir, KdfLimits limits)
    : dir_(std::move(dir)), limits_(limits) {
  ensure_sodium();
}

std::filesystem::path Keystore::path_of(std::string_view name) const {
  return dir_ / (std::string(name) + ".json");
}

Result<Address> Keystore::create(std::string_view name, std::string_view password) {
  SchnorrKey key = SchnorrKey::generate();
  return store(name, key, password);
}

Result<Address> Keystore::import(std::string_view name, const std::array<uint8_t, 32>& secret,
                                 std::string_view password) {
  auto key = SchnorrKey::from_secret(secret);
  if (!key) return make_error("cannot import: " + key.error());
  return store(name, *key, password);
}

Result<Address> Keystore::store(std::string_view name, const SchnorrKey& key,
                                std::string_view password) {
  if (auto st = validate_key_name(name); !st) return st.take_error();
  if (password.empty()) return make_error("password must not be empty");
  if (auto st = check_limits(limits_); !st) return st.take_error();

  std::error_code ec;
  if (!std::filesystem::exists(dir_, ec)) {
    std::filesystem::create_directories(dir_, ec);
    if (ec)
      return make_error("cannot create keystore directory " + dir_.string() + ": " + ec.message());
    // Only the owner needs to list the key names.
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all, ec);
  } else if (!std::filesystem::is_directory(dir_, ec)) {
    return make_error("keystore path " + dir_.string() + " is not a directory");
  }
  const std::filesystem::path target = path_of(name);
  if (std::filesystem::exists(target, ec))
    return make_error("a key named '" + std::string(name) + "' already exists in " + dir_.string());

  std::array<uint8_t, crypto_pwhash_SALTBYTES> salt;
  std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce;
  random_bytes(salt);
  random_bytes(nonce);
  Wiped<crypto_aead_xchacha20poly1305_ietf_KEYBYTES> aead_key;
  if (auto st = derive_key(password, salt, limits_, aead_key.data()); !st) return st.take_error();

  // The address is the associated data: a file whose address was edited, or
  // whose ciphertext was moved under another address, fails to decrypt.
  const std::string address = address_to_string(key.pubkey());
  std::array<uint8_t, kCiphertextBytes> ciphertext;
  unsigned long long ciphertext_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      ciphertext.data(), &ciphertext_len, key.secret().data(), key.secret().size(),
      reinterpret_cast<const uint8_t*>(address.data()), address.size(), nullptr, nonce.data(),
      aead_key.data());
  if (ciphertext_len != ciphertext.size()) std::abort();  // libsodium's fixed overhead

  json doc = {
      {"version", kFileVersion},
      {"name", std::string(name)},
      {"address", address},
      {"kdf",
       {{"algorithm", kKdfName},
        {"salt", to_hex(salt)},
        {"opslimit", limits_.opslimit},
        {"memlimit", static_cast<uint64_t>(limits_.memlimit)}}},
      {"cipher",
       {{"algorithm", kCipherName}, {"nonce", to_hex(nonce)}, {"ciphertext", to_hex(ciphertext)}}},
  };
  if (auto st = write_new_file_atomically(dir_, target, doc.dump(2) + "\n"); !st) {
    if (st.error().find("already exists") != std::string::npos)
      return make_error("a key named '" + std::string(name) + "' already exists in " +
                        dir_.string());
    return st.take_error();
  }
  return key.pubkey();
}

Result<SchnorrKey> Keystore::unlock(std::string_view name, std::string_view password) const {
  if (auto st = validate_key_name(name); !st) return st.take_error();
  auto file = load(path_of(name), name);
  if (!file) return file.take_error();

  Wiped<crypto_aead_xchacha20poly1305_ietf_KEYBYTES> aead_key;
  if (auto st = derive_key(password, file->salt, file->limits, aead_key.data()); !st)
    return st.take_error();
  // Canonical (lower-case) form, as at creation.
  const std::string address = address_to_string(file->info.address);
  Wiped<kSecretBytes> secret;
  unsigned long long secret_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          secret.data(), &secret_len, nullptr, file->ciphertext.data(), file->ciphertext.size(),
          reinterpret_cast<const uint8_t*>(address.data()), address.size(), file->nonce.data(),
          aead_key.data()) != 0 ||
      secret_len != kSecretBytes)
    return make_error(kUnlockFailed);
  auto key = SchnorrKey::from_secret(secret.bytes);
  // Authenticated, so only a file written by a broken tool gets here.
  if (!key || key->pubkey() != file->info.address) return make_error(kUnlockFailed);
  return key;
}

Result<KeyInfo> Keystore::show(std::string_view name) const {
  if (auto st = validate_key_name(name); !st) return st.take_error();
  auto file = load(path_of(name), name);
  if (!file) return file.take_error();
  return file->info;
}

Status Keystore::remove(std::string_view name) {
  if (auto info = show(name); !info) return info.take_error();
  std::error_code ec;
  if (!std::filesystem::remove(path_of(name), ec) || ec)
    return make_error("cannot delete " + path_of(name).string() + ": " +
                      (ec ? ec.message() : std::string("it is gone")));
  return Status::success();
}

Result<std::string> Keystore::exported(std::string_view name) const {
  if (auto info = show(name); !info) return info.take_error();
  std::ifstream in(path_of(name), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) return make_error("cannot read " + path_of(name).string());
  return ss.str();
}

Result<std::vector<KeyInfo>> Keystore::list() const {
  std::vector<KeyInfo> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir_, ec)) return out;  // no keys yet
  std::filesystem::directory_iterator it(dir_, ec);
  if (ec)
    return make_error("cannot list keystore directory " + dir_.string() + ": " + ec.message());
  for (const auto& entry : it) {
    const std::filesystem::path& p = entry.path();
    // Temporary files start with '.', and other files are not keys.
    if (p.extension() != ".json" || p.filename().string().front() == '.') continue;
    const std::string name = p.stem().string();
    if (!validate_key_name(name).ok()) continue;
    if (!entry.is_regular_file(ec)) continue;
    auto file = load(p, name);
    if (!file) return file.take_error();
    out.push_back(file->info);
  }
  std::sort(out.begin(), out.end(),
            [](const KeyInfo& a, const KeyInfo& b) { return a.name < b.name; });
  return out;
}

Result<std::string> read_password_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read password file " + path.string() + ": " + errno_text());
  std::string line;
  // Read at most kMaxPasswordBytes + 1 characters of the first line.
  char c;
  bool too_long = false;
  while (in.get(c) && c != '\n') {
    if (line.size() == kMaxPasswordBytes) {
      too_long = true;
      break;
    }
    line.push_back(c);
  }
  if (in.bad())
    return make_error("cannot read password file " + path.string() + ": " + errno_text());
  if (too_long)
    return make_error("password file " + path.string() + " has a first line over 4096 bytes");
  if (!line.empty() && line.back() == '\r') line.pop_back();  // written on Windows
  if (line.empty())
    return make_error("password file " + path.string() +
                      " is empty (the first line is the password)");
  return line;
}

Result<std::string> prompt_password_on(int tty_fd, std::string_view prompt) {
  struct termios saved;
  if (::tcgetattr(tty_fd, &saved) != 0)
    return make_error("cannot prompt for a password: not a terminal");
  struct termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;  // still move to the next line on Enter

  g_echo_guard.fd = tty_fd;
  g_echo_guard.saved = saved;
  struct sigaction sa {};
  sa.sa_handler = restore_terminal_on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGTERM, &sa, &g_old_term);
  ::sigaction(SIGHUP, &sa, &g_old_hup);
  auto restore = [&] {
    ::tcsetattr(tty_fd, TCSANOW, &saved);
    ::sigaction(SIGINT, &g_old_int, nullptr);
    ::sigaction(SIGTERM, &g_old_term, nullptr);
    ::sigaction(SIGHUP, &g_old_hup, nullptr);
    g_echo_guard.fd = -1;
  };

  // TCSANOW rather than TCSAFLUSH: keep what was typed ahead of the prompt.
  if (::tcsetattr(tty_fd, TCSANOW, &quiet) != 0) {
    restore();
    return make_error("cannot turn off terminal echo: " + errno_text());
  }
  (void)!::write(tty_fd, prompt.data(), prompt.size());

  std::string line;
  bool got_newline = false, too_long = false, failed = false;
  for (;;) {
    char c;
    ssize_t n = ::read(tty_fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      failed = true;
      break;
    }
    if (n == 0) break;
    if (c == '\n') {
      got_newline = true;
      break;
    }
    if (line.size() == kMaxPasswordBytes)
      too_long = true;
    else
      line.push_back(c);
  }
  restore();
  if (failed) {
    sodium_memzero(line.data(), line.size());
    return make_error("cannot read the password from the terminal: " + errno_text());
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (too_long) {
    sodium_memzero(line.data(), line.size());
    return make_error("password longer than 4096 bytes");
  }
  if (!got_newline && line.empty()) return make_error("no password entered (end of input)");
  return line;
}

Result<std::string> prompt_password(std::string_view prompt, bool confirm) {
  int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return make_error("no terminal to prompt for a password on; use --password-file");
  auto first = prompt_password_on(fd, prompt);
  if (!first) {
    ::close(fd);
    return first;
  }
  if (first->empty()) {
    ::close(fd);
    return make_error("password must not be empty");
  }
  if (confirm) {
    auto second = prompt_password_on(fd, "Repeat the password: ");
    bool same = second.ok() && *second == *first;
    if (second.ok()) sodium_memzero(second->data(), second->size());
    if (!same) {
      ::close(fd);
      sodium_memzero(first->data(), first->size());
      if (!second.ok()) return second;
      return make_error("the two passwords do not match");
    }
  }
  ::close(fd);
  return first;
}

}  // namespace vt
