// Keystore: round trips, every way a file can be wrong, names, permissions,
// listing, and the password sources (file and terminal, via a pseudo-terminal).
#include "wallet/keystore.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sodium.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "core/bech32m.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kUnlockFailed = "wrong password or corrupted keystore file";

// A fresh directory under the system temp dir, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    std::array<uint8_t, 8> rnd;
    vt::random_bytes(rnd);
    path = fs::temp_directory_path() / ("vt_keystore_test_" + vt::to_hex(rnd));
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

vt::Keystore fast_keystore(const fs::path& dir) {
  return vt::Keystore(dir, vt::KdfLimits::minimum_for_tests());
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

void edit_json(const fs::path& p, const std::function<void(json&)>& edit) {
  json doc = json::parse(read_text(p));
  edit(doc);
  write_text(p, doc.dump(2));
}

// Flips one hex digit of a hex string field (keeps it valid hex).
std::string flip_hex_digit(std::string s, size_t pos) {
  s[pos] = s[pos] == '0' ? '1' : '0';
  return s;
}

std::array<uint8_t, 32> secret_from_hex(const char* hex) {
  auto h = vt::hash_from_hex(hex);
  REQUIRE(h.ok());
  return *h;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("create -> unlock round trip; the key signs for its address") {
  TempDir tmp;
  vt::Keystore ks = fast_keystore(tmp.path);
  auto addr = ks.create("alice", "correct horse");
  REQUIRE(addr.ok());
  auto key = ks.unlock("alice", "correct horse");
  REQUIRE(key.ok());
  CHECK(key->pubkey() == *addr);
  vt::Hash256 msg{};
  msg[31] = 1;
  CHECK(vt::schnorr_verify(*addr, msg, key->sign(msg)));

  auto info = ks.show("alice");
  REQUIRE(info.ok());
  CHECK(info->name == "alice");
  CHECK(info->address == *addr);
  CHECK(info->address_string().rfind("vt1", 0) == 0);

  // A second keystore object over the same directory sees the same key.
  vt::Keystore again = fast_keystore(tmp.path);
  auto key2 = again.unlock("alice", "correct horse");
  REQUIRE(key2.ok());
  CHECK(key2->secret() == key->secret());

  // Two keys are different keys.
  auto bob = ks.create("bob", "correct horse");
  REQUIRE(bob.ok());
  CHECK(*bob != *addr);
}

TEST_CASE("import keeps the exact secret (BIP-340 vector 1)") {
  TempDir tmp;
  vt::Keystore ks = fast_keystore(tmp.path);
  auto secret = secret_from_hex("B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF");
  auto addr = ks.import("vector1", secret, "pw");
  REQUIRE(addr.ok());
  CHECK(vt::to_hex(*addr) == "dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659");
  auto key = ks.unlock("vector1", "pw");
  REQUIRE(key.ok());
  CHECK(key->secret() == secret);
  // The file never holds the secret in the clear.
  CHECK_FALSE(contains(read_text(ks.path_of("vector1")), vt::to_hex(secret)));

  std::array<uint8_t, 32> zero{};
  auto bad = ks.import("zero", zero, "pw");
  REQUIRE_FALSE(bad.ok());
  CHECK(contains(bad.error(), "cannot import"));
  CHECK_FALSE(fs::exists(ks.path_of("zero")));
}

TEST_CASE("wrong password fails with the documented message") {
  TempDir tmp;
  vt::Keystore ks = fast_keystore(tmp.path);
  REQUIRE(ks.create("alice", "right").ok());
  for (const char* wrong : {"wrong", "Right", "right ", "righ", "x"}) {
    CAPTURE(wrong);
    auto r = ks.unlock("alice", wrong);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == kUnlockFailed);
  }
  auto empty = ks.unlock("alice", "");
  CHECK_FALSE(empty.ok());
  auto missing = ks.unlock("nobody", "right");
  REQUIRE_FALSE(missing.ok());
  CHECK(contains(missing.error(), "no key named 'nobody'"));
}

TEST_CASE("tampered ciphertext, nonce, salt, kdf cost or address fail to unlock") {
  TempDir tmp;
  vt::Keystore ks = fast_keystore(tmp.path);
  REQUIRE(ks.create("alice", "pw").ok());
  REQUIRE(ks.create("bob", "pw").ok());
  const fs::path alice = ks.path_of("alice");
  const std::string original = read_text(alice);
  const std::string bob_address = json::parse(read_text(ks.path_of("bob")))["address"];

  struct Tamper {
    const char* what;
    std::function<void(json&)> edit;
  };
  const Tamper tampers[] = {
      {"ciphertext first byte",
       [](json& d) { d["cipher"]["ciphertext"] = flip_hex_digit(d["cipher"]["ciphertext"], 0); }},
      {"ciphertext tag (last byte)",
       [](json& d) { d["cipher"]["ciphertext"] = flip_hex_digit(d["cipher"]["ciphertext"], 95); }},
      {"nonce", [](json& d) { d["cipher"]["nonce"] = flip_hex_digit(d["cipher"]["nonce"], 10); }},
      {"salt", [](json& d) { d["kdf"]["salt"] = flip_hex_digit(d["kdf"]["salt"], 5); }},
      {"opslimit",
       [](json& d) { d["kdf"]["opslimit"] = d["kdf"]["opslimit"].get<uint64_t>() + 1; }},
      {"memlimit",
       [](json& d) { d["kdf"]["memlimit"] = d["kdf"]["memlimit"].get<uint64_t>() * 2; }},
      {"address swapped for another key's", [&](json& d) { d["address"] = bob_address; }},
  };
  for (const Tamper& t : tampers) {
    CAPTURE(t.what);
    write_text(alice, original);
    edit_json(alice, t.edit);
    auto r = ks.unlock("alice", "pw");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == kUnlockFailed);
  }
  // Restored, it opens again.
  write_text(alice, original);
  CHECK(ks.unlock("alice", "pw").ok());

  // Bob's whole file under Alice's name is detected by the name field.
  write_text(alice, read_text(ks.path_of("bob")));
  auto swapped = ks.unlock("alice", "pw");
  REQUIRE_FALSE(swapped.ok());
  CHECK(contains(swapped.error(), "holds key 'bob'"));
  auto shown = ks.show("alice");
  REQUIRE_FALSE(shown.ok());
}

TEST_CASE("an existing name is refused and the existing file is untouched") {
  TempDir tmp;
  vt::Keystore ks = fast_keystore(tmp.path);
  auto first = ks.create("alice", "pw1");
  REQUIRE(first.ok());
  const std::string before = read_text(ks.path_of("alice"));
  auto again = ks.create("alice", "pw2");
  REQUIRE_FALSE(again.ok());
  CHECK(contains(again.error(), "already exists"));
  auto imported = ks.import(
      "alice", secret_from_hex("0000000000000000000000000000000000000000000000000000000000000003"),
      "pw2");
  REQUIRE_FALSE(imported.ok());
  CHECK(contains(imported.error(), "already exists"));
  CHECK(read_text(ks.path_of("alice")) == before);
  CHECK(ks.unlock("alice", "pw1").ok());
  CHECK_FALSE(ks.unlock("alice", "pw2").ok());
}

TEST_CASE("key names: [A-Za-z0-9_-]{1,64}; others refused everywhere, nothing written") {
  TempDir tmp;
  vt::Keystore ks = fast_keystore(tmp.path);
  const std::string max_len(64, 'k');
  for (const std::string& good :
       {std::string("a"), std::string("Alice_01-x"), max_len, std::string("-"), std::string("_")}) {
    CAPTURE(good);
    CHECK(vt::validate_key_name(good).ok());
  }
  REQUIRE(ks.create(max_len, "pw").ok());

  const std::string bad_names[] = {"",
                                   std::string(65, 'k'),
                                   "a b",
                                   "../escape",
                                   "a/b",
                                   ".hidden",
                                   "name.json",
                                   "caf\xc3\xa9",
                                   std::string("a\0b", 3),
                                   "tab\there",
                                   "..",
                                   "a\\b",
                                   "semi;colon"};
  for (const std::string& bad : bad_names) {
    CAPTURE(bad);
    CHECK_FALSE(vt::validate_key_name(bad).ok());
    auto c = ks.create(bad, "pw");
    REQUIRE_FALSE(c.ok());
    CHECK(contains(c.error(), "key name"));
    CHECK_FALSE(ks.unlock(bad, "pw").ok());
    CHECK_FALSE(ks.show(bad).ok());
  }
  CHECK_FALSE(fs::exists(tmp.path.parent_path() / "escape.json"));
  // Only the one good key is in the directory.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(tmp.path)) {
    (void)e;
    ++files;
  }
  CHECK(files == 1);
}

TEST_CASE("empty password refused at creation") {
  TempDir tmp;
  vt::Keystore ks = fast_keystore(tmp.path);
  auto r = ks.create("alice", "");
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error(), "password"));
  CHECK_FALSE(fs::exists(ks.path_of("alice")));
}

TEST_CASE("list: sorted by name, ignores non-key files, empty when no directory") {
  TempDir tmp;
  vt::Keystore ks = fast_keystore(tmp.path);
  auto none = ks.list();
  REQUIRE(none.ok());
  CHECK(none->empty());

  std::map<std::string, vt::Address> created;
  for (const char* name : {"zed", "alice", "Bob", "m_1", "m-0"}) {
    auto a = ks.create(name, "pw");
    REQUIRE(a.ok());
    created[name] = *a;
  }
  write_text(tmp.path / "README.txt", "not a key");
  write_text(tmp.path / ".alice.json.tmp-0011", "{ half written");
  write_text(tmp.path / "bad name.json", "{}");
  fs::create_directory(tmp.path / "sub.json");

  auto all = ks.list();
  REQUIRE(all.ok());
  std::vector<std::string> names;
  for (const auto& k : *all) {
    names.push_back(k.name);
    CHECK(k.address == created[k.name]);
  }
  CHECK(names == std::vector<std::string>{"Bob", "alice", "m-0", "m_1", "zed"});

  // A corrupt key file fails the listing and names the file.
  write_text(ks.path_of("m_1"), "{ not json");
  auto broken = ks.list();
  REQUIRE_FALSE(broken.ok());
  CHECK(contains(broken.error(), "m_1.json"));
  CHECK(contains(broken.error(), "not valid JSON"));
}

TEST_CASE("files are 0600, the new directory 0700, and no temporary file is left") {
  TempDir tmp;
  const fs::path dir = tmp.path / "nested" / "keys";
  vt::Keystore ks = fast_keystore(dir);
  ::umask(022);
  REQUIRE(ks.create("alice", "pw").ok());
  struct stat st;
  REQUIRE(::stat(ks.path_of("alice").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    CHECK(e.path().filename() == "alice.json");
    ++files;
  }
  CHECK(files == 1);
}

TEST_CASE("file format: fields, algorithms and the KDF cost actually used") {
  TempDir tmp;
  vt::Keystore ks = fast_keystore(tmp.path);
  auto addr = ks.create("alice", "pw");
  REQUIRE(addr.ok());
  json doc = json::parse(read_text(ks.path_of("alice")));
  CHECK(doc["version"] == 1);
  CHECK(doc["name"] == "alice");
  CHECK(doc["address"] == vt::address_to_string(*addr));
  CHECK(doc["kdf"]["algorithm"] == "argon2id");
  CHECK(doc["kdf"]["salt"].get<std::string>().size() == 2 * crypto_pwhash_SALTBYTES);
  CHECK(doc["kdf"]["opslimit"] == crypto_pwhash_OPSLIMIT_MIN);
  CHECK(doc["kdf"]["memlimit"] == crypto_pwhash_MEMLIMIT_MIN);
  CHECK(doc["cipher"]["algorithm"] == "xchacha20poly1305-ietf");
  CHECK(doc["cipher"]["nonce"].get<std::string>().size() == 48);
  CHECK(doc["cipher"]["ciphertext"].get<std::string>().size() == 96);

  // The default is libsodium's interactive cost, and a file written with one
  // cost opens under a keystore configured with another.
  vt::Keystore defaults(tmp.path);
  REQUIRE(defaults.create("bob", "pw").ok());
  json bob = json::parse(read_text(defaults.path_of("bob")));
  CHECK(bob["kdf"]["opslimit"] == crypto_pwhash_OPSLIMIT_INTERACTIVE);
  CHECK(bob["kdf"]["memlimit"] == crypto_pwhash_MEMLIMIT_INTERACTIVE);
  CHECK(ks.unlock("bob", "pw").ok());
  CHECK(defaults.unlock("alice", "pw").ok());

  // Out-of-range limits are refused before anything is written.
  vt::Keystore silly(tmp.path, vt::KdfLimits{0, 1});
  auto r = silly.create("carol", "pw");
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error(), "opslimit"));
  CHECK_FALSE(fs::exists(silly.path_of("carol")));
}

TEST_CASE("malformed files give a clear error, never a crash") {
  TempDir tmp;
  vt::Keystore ks = fast_keystore(tmp.path);
  REQUIRE(ks.create("alice", "pw").ok());
  const fs::path p = ks.path_of("alice");
  const std::string original = read_text(p);
  const json good = json::parse(original);

  struct Case {
    const char* what;
    std::string text;
    const char* expect;
  };
  auto with = [&](const std::function<void(json&)>& edit) {
    json d = good;
    edit(d);
    return d.dump();
  };
  const Case cases[] = {
      {"empty file", "", "not valid JSON"},
      {"truncated", original.substr(0, original.size() / 2), "not valid JSON"},
      {"binary garbage", std::string("\x00\xff\x13{", 4), "not valid JSON"},
      {"array", "[1,2,3]", "not a JSON object"},
      {"null", "null", "not a JSON object"},
      {"empty object", "{}", "missing field 'version'"},
      {"version as string", with([](json& d) { d["version"] = "1"; }), "'version'"},
      {"negative version", with([](json& d) { d["version"] = -1; }), "'version'"},
      {"future version", with([](json& d) { d["version"] = 2; }), "unsupported keystore version 2"},
      {"name missing", with([](json& d) { d.erase("name"); }), "missing field 'name'"},
      {"name not a string", with([](json& d) { d["name"] = 7; }), "'name' must be a string"},
      {"address invalid", with([](json& d) { d["address"] = "vt1qqqq"; }), "field 'address'"},
      {"address typo", with([](json& d) {
         std::string a = d["address"];
         a[10] = a[10] == 'q' ? 'p' : 'q';
         d["address"] = a;
       }),
       "checksum"},
      {"kdf not an object", with([](json& d) { d["kdf"] = "argon2id"; }),
       "'kdf' must be an object"},
      {"unknown kdf", with([](json& d) { d["kdf"]["algorithm"] = "scrypt"; }),
       "unsupported kdf 'scrypt'"},
      {"salt too short", with([](json& d) { d["kdf"]["salt"] = "00ff"; }),
       "'kdf.salt' must be 32 hex"},
      {"salt not hex", with([](json& d) { d["kdf"]["salt"] = std::string(32, 'z'); }),
       "'kdf.salt'"},
      {"opslimit zero", with([](json& d) { d["kdf"]["opslimit"] = 0; }), "opslimit"},
      {"opslimit huge", with([](json& d) { d["kdf"]["opslimit"] = 1000000000; }), "opslimit"},
      {"memlimit huge", with([](json& d) { d["kdf"]["memlimit"] = uint64_t{1} << 60; }),
       "memlimit"},
      {"memlimit float", with([](json& d) { d["kdf"]["memlimit"] = 8192.5; }), "'kdf.memlimit'"},
      {"unknown cipher", with([](json& d) { d["cipher"]["algorithm"] = "aes-256-gcm"; }),
       "unsupported cipher"},
      {"nonce wrong length", with([](json& d) { d["cipher"]["nonce"] = "00"; }), "'cipher.nonce'"},
      {"ciphertext wrong length", with([](json& d) {
         std::string c = d["cipher"]["ciphertext"];
         d["cipher"]["ciphertext"] = c.substr(0, 64);
       }),
       "'cipher.ciphertext'"},
      {"cipher missing", with([](json& d) { d.erase("cipher"); }), "missing field 'cipher'"},
      {"deep nesting", std::string(5000, '[') + std::string(5000, ']'), "not a JSON object"},
      {"too large", std::string(100 * 1024, ' '), "too large"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    write_text(p, c.text);
    auto u = ks.unlock("alice", "pw");
    REQUIRE_FALSE(u.ok());
    CHECK(contains(u.error(), c.expect));
    auto s = ks.show("alice");
    REQUIRE_FALSE(s.ok());
    CHECK(contains(s.error(), c.expect));
    if (std::string(c.expect) != "too large") CHECK(contains(s.error(), "alice.json"));
    auto l = ks.list();
    CHECK_FALSE(l.ok());
  }
  write_text(p, original);
  CHECK(ks.unlock("alice", "pw").ok());
}

TEST_CASE("read_password_file: first line, line ending stripped") {
  TempDir tmp;
  fs::create_directories(tmp.path);
  struct Case {
    std::string content;
    std::string expected;
  };
  const Case cases[] = {
      {"hunter2\n", "hunter2"},
      {"hunter2", "hunter2"},
      {"hunter2\r\n", "hunter2"},
      {"first line\nsecond line\n", "first line"},
      {"  spaces kept  \n", "  spaces kept  "},
  };
  for (const Case& c : cases) {
    CAPTURE(c.content);
    write_text(tmp.path / "pw", c.content);
    auto r = vt::read_password_file(tmp.path / "pw");
    REQUIRE(r.ok());
    CHECK(*r == c.expected);
  }
  for (const std::string& empty :
       {std::string(""), std::string("\n"), std::string("\r\n"), std::string("\nsecond")}) {
    write_text(tmp.path / "pw", empty);
    auto r = vt::read_password_file(tmp.path / "pw");
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error(), "empty"));
  }
  write_text(tmp.path / "pw", std::string(5000, 'x'));
  CHECK_FALSE(vt::read_password_file(tmp.path / "pw").ok());
  auto missing = vt::read_password_file(tmp.path / "does-not-exist");
  REQUIRE_FALSE(missing.ok());
  CHECK(contains(missing.error(), "does-not-exist"));
}

TEST_CASE("prompt_password_on: reads a line from a terminal with echo off, then restores it") {
  int master = -1, slave = -1;
  REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
  struct termios before;
  REQUIRE(::tcgetattr(slave, &before) == 0);
  REQUIRE((before.c_lflag & ECHO) != 0);

  vt::Result<std::string> got = vt::make_error("not run");
  std::thread reader([&] { got = vt::prompt_password_on(slave, "Password: "); });

  // Wait for the prompt: echo is off before the prompt is written.
  std::string seen;
  while (seen.find("Password: ") == std::string::npos) {
    struct pollfd pfd {
      master, POLLIN, 0
    };
    REQUIRE(::poll(&pfd, 1, 5000) == 1);
    char buf[256];
    ssize_t n = ::read(master, buf, sizeof buf);
    REQUIRE(n > 0);
    seen.append(buf, static_cast<size_t>(n));
  }
  const std::string typed = "s3cret pass\n";
  REQUIRE(::write(master, typed.data(), typed.size()) == static_cast<ssize_t>(typed.size()));
  reader.join();
  REQUIRE(got.ok());
  CHECK(*got == "s3cret pass");

  // Whatever the terminal echoed after the prompt: the newline, not the password.
  struct pollfd pfd {
    master, POLLIN, 0
  };
  while (::poll(&pfd, 1, 100) == 1) {
    char buf[256];
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<size_t>(n));
  }
  CHECK_FALSE(contains(seen, "s3cret"));
  struct termios after;
  REQUIRE(::tcgetattr(slave, &after) == 0);
  CHECK((after.c_lflag & ECHO) != 0);  // restored
  ::close(master);
  ::close(slave);

  // Not a terminal: a clear error.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  auto r = vt::prompt_password_on(fds[0], "Password: ");
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error(), "not a terminal"));
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("two concurrent creates of one name: exactly one wins, the file is whole") {
  TempDir tmp;
  for (int round = 0; round < 5; ++round) {
    const std::string name = "race" + std::to_string(round);
    vt::Keystore a = fast_keystore(tmp.path), b = fast_keystore(tmp.path);
    vt::Result<vt::Address> ra = vt::make_error("not run"), rb = vt::make_error("not run");
    std::thread ta([&] { ra = a.create(name, "pw-a"); });
    std::thread tb([&] { rb = b.create(name, "pw-b"); });
    ta.join();
    tb.join();
    CHECK(ra.ok() != rb.ok());
    const bool a_won = ra.ok();
    auto key = a.unlock(name, a_won ? "pw-a" : "pw-b");
    REQUIRE(key.ok());
    CHECK(key->pubkey() == (a_won ? *ra : *rb));
    CHECK(contains((a_won ? rb : ra).error(), "already exists"));
  }
  auto all = fast_keystore(tmp.path).list();
  REQUIRE(all.ok());
  CHECK(all->size() == 5);
}

TEST_CASE("the file decrypts with plain libsodium calls, with the address as associated data") {
  // Re-derives everything from the documented format, so another tool can read our files.
  TempDir tmp;
  vt::Keystore ks = fast_keystore(tmp.path);
  auto secret = secret_from_hex("C90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B14E5C9");
  REQUIRE(ks.import("carol", secret, "open sesame").ok());
  json doc = json::parse(read_text(ks.path_of("carol")));
  auto salt = vt::from_hex(doc["kdf"]["salt"].get<std::string>());
  auto nonce = vt::from_hex(doc["cipher"]["nonce"].get<std::string>());
  auto ct = vt::from_hex(doc["cipher"]["ciphertext"].get<std::string>());
  REQUIRE((salt.ok() && nonce.ok() && ct.ok()));
  const std::string password = "open sesame";
  std::array<uint8_t, 32> key{};
  REQUIRE(crypto_pwhash(key.data(), key.size(), password.data(), password.size(), salt->data(),
                        doc["kdf"]["opslimit"].get<uint64_t>(),
                        doc["kdf"]["memlimit"].get<size_t>(), crypto_pwhash_ALG_ARGON2ID13) == 0);
  const std::string ad = doc["address"];
  std::array<uint8_t, 32> plain{};
  unsigned long long plain_len = 0;
  REQUIRE(crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_len, nullptr, ct->data(),
                                                     ct->size(),
                                                     reinterpret_cast<const uint8_t*>(ad.data()),
                                                     ad.size(), nonce->data(), key.data()) == 0);
  CHECK(plain_len == 32);
  CHECK(plain == secret);
  // Without the address as associated data it does not open.
  CHECK(crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_len, nullptr, ct->data(),
                                                   ct->size(), nullptr, 0, nonce->data(),
                                                   key.data()) != 0);
}
