// BIP-350 test vectors (bip-0350.mediawiki, "Test vectors for Bech32m") and
// the "vt1..." address rules built on them.
#include "core/bech32m.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

vt::Address sample_address() {
  vt::Address a;
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<uint8_t>(i * 7 + 3);
  return a;
}

}  // namespace

TEST_CASE("BIP-350 valid Bech32m strings decode and re-encode to the lower-case form") {
  const std::vector<std::string> valid = {
      "A1LQFN3A",
      "a1lqfn3a",
      "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
      "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
      "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
      "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
      "?1v759aa",
  };
  for (const std::string& s : valid) {
    CAPTURE(s);
    auto d = vt::bech32m_decode(s);
    REQUIRE(d.ok());
    CHECK(d->hrp == lower(s.substr(0, s.rfind('1'))));
    CHECK(vt::bech32m_encode(d->hrp, d->data5) == lower(s));
  }
}

TEST_CASE("BIP-350 invalid Bech32m strings are rejected") {
  struct Case {
    std::string str;
    const char* reason;
  };
  const std::vector<Case> invalid = {
      {std::string("\x20") + "1xj0phk", "HRP character out of range"},
      {std::string("\x7f") + "1g6xzxy", "HRP character out of range"},
      {std::string("\x80") + "1vctc34", "HRP character out of range"},
      {"an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts"
       "4",
       "overall max length exceeded"},
      {"qyrz8wqd2c9m", "No separator character"},
      {"1qyrz8wqd2c9m", "Empty HRP"},
      {"y1b0jsk6g", "Invalid data character"},
      {"lt1igcx5c0", "Invalid data character"},
      {"in1muywd", "Too short checksum"},
      {"mm1crxm3i", "Invalid character in checksum"},
      {"au1s5cgom", "Invalid character in checksum"},
      {"M1VUXWEZ", "checksum calculated with uppercase form of HRP"},
      {"16plkw9", "empty HRP"},
      {"1p2gdwpf", "empty HRP"},
  };
  for (const Case& c : invalid) {
    CAPTURE(c.str);
    CAPTURE(c.reason);
    auto d = vt::bech32m_decode(c.str);
    CHECK_FALSE(d.ok());
    if (!d.ok()) CHECK_FALSE(d.error().empty());
  }
}

TEST_CASE("BIP-350: a Bech32 (BIP-173) checksum is not a Bech32m checksum") {
  // Valid BIP-173 strings; BIP-350 notes no string is valid in both.
  CHECK_FALSE(vt::bech32m_decode("a12uel5l").ok());
  CHECK_FALSE(vt::bech32m_decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw").ok());
}

TEST_CASE("convert_bits: 8 -> 5 -> 8 round trip; bad padding rejected") {
  std::vector<uint8_t> bytes = {0x00, 0xff, 0x10, 0x80, 0x7f};
  auto five = vt::convert_bits(bytes, 8, 5, true);
  REQUIRE(five.ok());
  CHECK(five->size() == 8);  // 40 bits = 8 groups exactly
  auto back = vt::convert_bits(*five, 5, 8, false);
  REQUIRE(back.ok());
  CHECK(*back == bytes);
  // A 5-bit value out of range.
  CHECK_FALSE(vt::convert_bits({32}, 5, 8, false).ok());
  // Non-zero padding: one group of 5 bits can't make a byte and isn't zero.
  CHECK_FALSE(vt::convert_bits({1}, 5, 8, false).ok());
  // Excess padding: 5 whole zero bits left over.
  CHECK_FALSE(vt::convert_bits({0, 0, 0}, 5, 8, false).ok());
}

TEST_CASE("addresses: vt1 prefix, round trip, upper case accepted as one case") {
  vt::Address a = sample_address();
  std::string s = vt::address_to_string(a);
  CHECK(s.rfind("vt1", 0) == 0);
  CHECK(s.size() == 3 + 52 + 6);  // 256 bits -> 52 groups, plus checksum
  auto back = vt::address_from_string(s);
  REQUIRE(back.ok());
  CHECK(*back == a);
  std::string upper = s;
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  auto from_upper = vt::address_from_string(upper);
  REQUIRE(from_upper.ok());
  CHECK(*from_upper == a);
}

TEST_CASE("addresses: the direct encoder equals the general one (checked by BIP-350's vectors)") {
  // address_to_string skips the intermediate vectors; it must give exactly
  // bech32m_encode(kAddressPrefix, convert_bits(address, 8, 5, pad)).
  vt::Address a{};
  for (int round = 0; round < 256; ++round) {
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = static_cast<uint8_t>(round * 31 + i * 97 + (round == 255 ? 0xff : 0));
    if (round == 0) a.fill(0);
    if (round == 1) a.fill(0xff);
    auto data5 = vt::convert_bits(std::vector<uint8_t>(a.begin(), a.end()), 8, 5, true);
    REQUIRE(data5.ok());
    const std::string text = vt::address_to_string(a);
    CHECK(text == vt::bech32m_encode(vt::kAddressPrefix, *data5));
    CHECK(text.size() == vt::kAddressChars);
    // Decoding takes a shortcut for this form; the general decoder must agree.
    auto general = vt::bech32m_decode(text);
    REQUIRE(general.ok());
    auto bytes = vt::convert_bits(general->data5, 5, 8, false);
    REQUIRE(bytes.ok());
    auto back = vt::address_from_string(text);
    REQUIRE(back.ok());
    CHECK(std::vector<uint8_t>(back->begin(), back->end()) == *bytes);
    CHECK(*back == a);
  }
}

TEST_CASE("addresses: the decoder's shortcut refuses what the general decoder refuses") {
  const std::string good = vt::address_to_string(sample_address());
  // Non-zero padding bits: the last data character carries 4 padding bits.
  // Re-checksummed so that only the padding is wrong.
  auto data5 = vt::bech32m_decode(good).value().data5;
  data5.back() |= 1;
  const std::string bad_padding = vt::bech32m_encode(vt::kAddressPrefix, data5);
  REQUIRE(bad_padding.size() == vt::kAddressChars);
  auto r = vt::address_from_string(bad_padding);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error() == "invalid address: non-zero or excess padding bits");
  // A 32-byte payload under another prefix, and one checksum typo.
  auto other = vt::address_from_string(vt::bech32m_encode("vu", data5));
  REQUIRE_FALSE(other.ok());
  std::string typo = good;
  typo[10] = typo[10] == 'q' ? 'p' : 'q';
  auto t = vt::address_from_string(typo);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error() == "invalid address: bech32m checksum does not match (a typo?)");
}

TEST_CASE("addresses: every one-character typo fails the checksum") {
  std::string s = vt::address_to_string(sample_address());
  const std::string charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  for (size_t pos = 3; pos < s.size(); ++pos) {
    for (char c : charset) {
      if (c == s[pos]) continue;
      std::string typo = s;
      typo[pos] = c;
      CAPTURE(typo);
      auto r = vt::address_from_string(typo);
      CHECK_FALSE(r.ok());
    }
  }
  // Swapping two adjacent different characters also fails.
  for (size_t pos = 3; pos + 1 < s.size(); ++pos) {
    if (s[pos] == s[pos + 1]) continue;
    std::string swapped = s;
    std::swap(swapped[pos], swapped[pos + 1]);
    CHECK_FALSE(vt::address_from_string(swapped).ok());
  }
}

TEST_CASE("addresses: wrong prefix, mixed case, wrong length, garbage fail with reasons") {
  vt::Address a = sample_address();
  auto data5 = vt::convert_bits(std::vector<uint8_t>(a.begin(), a.end()), 8, 5, true);
  REQUIRE(data5.ok());
  std::string other_prefix = vt::bech32m_encode("vx", *data5);
  REQUIRE(vt::bech32m_decode(other_prefix).ok());
  auto r = vt::address_from_string(other_prefix);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("prefix") != std::string::npos);

  std::string s = vt::address_to_string(a);
  std::string mixed = s;
  mixed[10] = static_cast<char>(mixed[10] >= 'a' && mixed[10] <= 'z' ? mixed[10] - 32 : mixed[10]);
  if (mixed == s) mixed[0] = 'V';
  auto m = vt::address_from_string(mixed);
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().find("case") != std::string::npos);

  // 20-byte payload: valid bech32m, wrong length for an address.
  std::vector<uint8_t> short_payload(20, 0xab);
  auto short5 = vt::convert_bits(short_payload, 8, 5, true);
  REQUIRE(short5.ok());
  auto sl = vt::address_from_string(vt::bech32m_encode("vt", *short5));
  REQUIRE_FALSE(sl.ok());
  CHECK(sl.error().find("32") != std::string::npos);

  CHECK_FALSE(vt::address_from_string("").ok());
  CHECK_FALSE(vt::address_from_string("vt1").ok());
  CHECK_FALSE(vt::address_from_string("not an address").ok());
  CHECK_FALSE(vt::address_from_string(s + "q").ok());
  CHECK_FALSE(vt::address_from_string(s.substr(0, s.size() - 1)).ok());
}
