// SHA-256 against the NIST FIPS 180 examples; incremental = one-shot; the
// BIP-340 tagged hash computed by hand from its definition.
#include "core/sha256.h"

#include <doctest/doctest.h>

#include <string>

namespace {
std::string hash_hex(const std::string& s) {
  return vt::to_hex(vt::sha256(vt::as_view(s)));
}
}  // namespace

TEST_CASE("SHA-256 NIST vectors") {
  CHECK(hash_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hash_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hash_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hash_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 incremental equals one-shot for every split") {
  const std::string msg =
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq and some more bytes";
  const vt::Hash256 expected = vt::sha256(vt::as_view(msg));
  for (size_t cut = 0; cut <= msg.size(); ++cut) {
    vt::Sha256 h;
    h.update(std::string_view(msg).substr(0, cut)).update(std::string_view(msg).substr(cut));
    CHECK(h.finish() == expected);
  }
  // A million 'a' in 1000 pieces.
  vt::Sha256 h;
  std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.update(chunk);
  CHECK(vt::to_hex(h.finish()) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  vt::Sha256 empty;
  CHECK(vt::to_hex(empty.finish()) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("tagged_hash = sha256(sha256(tag) || sha256(tag) || data)") {
  const std::string tag = "BIP0340/challenge";
  vt::Bytes data(32);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i);
  vt::Hash256 t = vt::sha256(vt::as_view(tag));
  vt::Bytes buf(t.begin(), t.end());
  buf.insert(buf.end(), t.begin(), t.end());
  buf.insert(buf.end(), data.begin(), data.end());
  CHECK(vt::tagged_hash(tag, data) == vt::sha256(buf));
  // The same value computed outside (Python hashlib).
  CHECK(vt::to_hex(vt::tagged_hash(tag, data)) ==
        "3808926260c3c44ad60543cf22b31206c3569e478e965a4fe276f4f362f9e57f");
  const std::string abc = "abc";
  CHECK(vt::to_hex(vt::tagged_hash("veritrain/test", vt::as_view(abc))) ==
        "97f0517018bec61a63ec31b9d21dd52f182bc9154ec59c57e09c97917768577e");
  // Different tags separate domains.
  CHECK(vt::tagged_hash("a", data) != vt::tagged_hash("b", data));
  CHECK(vt::tagged_hash("a", data) != vt::sha256(data));
}
