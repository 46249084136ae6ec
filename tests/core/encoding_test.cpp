// Canonical encoding: exact big-endian layout, round trips, and every
// rejection the Reader promises, each naming the field that failed.
#include "core/encoding.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace {
bool mentions(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("Writer layout is big-endian, length-prefixed, literal bytes") {
  const uint8_t fixed_bytes[] = {0xde, 0xad};
  const uint8_t blob[] = {0xaa, 0xbb, 0xcc};
  vt::Writer w;
  w.u8(0x01)
      .u32(0x02030405)
      .u64(0x060708090a0b0c0dULL)
      .boolean(true)
      .boolean(false)
      .fixed(fixed_bytes)
      .bytes(blob)
      .str("hi");
  const vt::Bytes expected = {0x01,                                            // u8
                              0x02, 0x03, 0x04, 0x05,                          // u32
                              0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,  // u64
                              0x01, 0x00,                                      // booleans
                              0xde, 0xad,                                      // fixed: no prefix
                              0x00, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc,        // bytes
                              0x00, 0x00, 0x00, 0x02, 'h',  'i'};              // str
  CHECK(w.data() == expected);
  vt::Bytes taken = w.take();
  CHECK(taken == expected);

  vt::Writer empty;
  empty.bytes(vt::ByteView{}).str("");
  CHECK(empty.data() == vt::Bytes{0, 0, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("round trip of every kind, including extremes") {
  for (uint64_t v :
       {uint64_t{0}, uint64_t{1}, uint64_t{0xff}, uint64_t{0x100}, uint64_t{0xffffffff},
        uint64_t{0x100000000}, std::numeric_limits<uint64_t>::max()}) {
    CAPTURE(v);
    vt::Writer w;
    w.u8(static_cast<uint8_t>(v)).u32(static_cast<uint32_t>(v)).u64(v);
    vt::Reader r(w.data());
    CHECK(r.u8("a") == static_cast<uint8_t>(v));
    CHECK(r.u32("b") == static_cast<uint32_t>(v));
    CHECK(r.u64("c") == v);
    CHECK(r.finish().ok());
  }
  vt::Hash256 h;
  for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<uint8_t>(255 - i);
  vt::Bytes blob(1000);
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<uint8_t>(i * 31);
  vt::Writer w;
  w.boolean(true).boolean(false).fixed(h).bytes(blob).str("veritrain").bytes(vt::Bytes{});
  vt::Reader r(w.data());
  CHECK(r.boolean("t"));
  CHECK_FALSE(r.boolean("f"));
  CHECK(r.fixed<32>("hash") == h);
  CHECK(r.bytes("blob", 1000) == blob);  // exactly the maximum is allowed
  CHECK(r.str("name", 64) == "veritrain");
  CHECK(r.bytes("empty", 0).empty());
  CHECK(r.remaining() == 0);
  CHECK(r.finish().ok());
}

TEST_CASE("truncated input is rejected for each width, naming the field") {
  for (size_t have = 0; have < 1; ++have) {
    vt::Bytes in(have, 0x11);
    vt::Reader r(in);
    CHECK(r.u8("the_u8") == 0);
    CHECK_FALSE(r.ok());
    CHECK(mentions(r.error(), "the_u8"));
    CHECK_FALSE(r.finish().ok());
  }
  for (size_t have = 0; have < 4; ++have) {
    vt::Bytes in(have, 0x11);
    vt::Reader r(in);
    CHECK(r.u32("the_u32") == 0);
    CHECK_FALSE(r.ok());
    CHECK(mentions(r.error(), "the_u32"));
    CHECK(mentions(r.error(), "ends early"));
    CHECK_FALSE(r.finish().ok());
  }
  for (size_t have = 0; have < 8; ++have) {
    vt::Bytes in(have, 0x11);
    vt::Reader r(in);
    CHECK(r.u64("the_u64") == 0);
    CHECK_FALSE(r.ok());
    CHECK(mentions(r.error(), "the_u64"));
    CHECK_FALSE(r.finish().ok());
  }
  for (size_t have = 0; have < 32; ++have) {
    vt::Bytes in(have, 0x11);
    vt::Reader r(in);
    auto got = r.fixed<32>("the_hash");
    CHECK(vt::is_zero(got));
    CHECK_FALSE(r.ok());
    CHECK(mentions(r.error(), "the_hash"));
  }
  {
    vt::Bytes in;
    vt::Reader r(in);
    CHECK_FALSE(r.boolean("the_bool"));
    CHECK(mentions(r.error(), "the_bool"));
  }
  // Length prefix itself truncated.
  for (size_t have = 0; have < 4; ++have) {
    vt::Bytes in(have, 0);
    vt::Reader r(in);
    CHECK(r.bytes("the_bytes", 100).empty());
    CHECK_FALSE(r.ok());
    CHECK(mentions(r.error(), "the_bytes"));
  }
}

TEST_CASE("a length over the field maximum is rejected before reading the bytes") {
  vt::Writer w;
  const vt::Bytes eleven(11, 7);
  w.bytes(eleven);
  vt::Reader r(w.data());
  CHECK(r.bytes("memo", 10).empty());
  CHECK_FALSE(r.ok());
  CHECK(mentions(r.error(), "memo"));
  CHECK(mentions(r.error(), "exceeds the maximum"));
  // A huge declared length with no data must not allocate or read past the end.
  const vt::Bytes huge = {0xff, 0xff, 0xff, 0xff};
  vt::Reader r2(huge);
  CHECK(r2.str("name", 64).empty());
  CHECK(mentions(r2.error(), "exceeds the maximum"));
}

TEST_CASE("a length prefix beyond the end of the input is rejected") {
  const vt::Bytes in = {0x00, 0x00, 0x00, 0x05, 'a', 'b', 'c', 'd'};
  vt::Reader r(in);
  CHECK(r.bytes("payload", 100).empty());
  CHECK_FALSE(r.ok());
  CHECK(mentions(r.error(), "payload"));
  CHECK(mentions(r.error(), "ends early"));
  // Huge length within the max, far beyond the input.
  const vt::Bytes in2 = {0x7f, 0xff, 0xff, 0xff, 'x'};
  vt::Reader r2(in2);
  CHECK(r2.bytes("payload", SIZE_MAX).empty());
  CHECK(mentions(r2.error(), "ends early"));
}

TEST_CASE("booleans other than 0 and 1 are rejected") {
  for (uint8_t v : {uint8_t{2}, uint8_t{0x80}, uint8_t{0xff}}) {
    CAPTURE(int(v));
    const vt::Bytes in = {v};
    vt::Reader r(in);
    (void)r.boolean("flag");
    CHECK_FALSE(r.ok());
    CHECK(mentions(r.error(), "flag"));
    CHECK(mentions(r.error(), "boolean"));
    CHECK_FALSE(r.finish().ok());
  }
}

TEST_CASE("trailing bytes are rejected by finish") {
  vt::Writer w;
  w.u32(7).u8(0);
  vt::Reader r(w.data());
  CHECK(r.u32("x") == 7);
  CHECK(r.ok());
  auto st = r.finish();
  REQUIRE_FALSE(st.ok());
  CHECK(mentions(st.error(), "trailing"));
  CHECK(mentions(st.error(), "1"));
}

TEST_CASE("the first failure sticks and is the one reported") {
  const vt::Bytes in = {0x02, 0x00, 0x00, 0x00, 0x01, 0xff};
  vt::Reader r(in);
  (void)r.boolean("first");     // fails: 2
  CHECK(r.u32("second") == 0);  // later reads give zero values
  CHECK(r.u8("third") == 0);
  CHECK(r.bytes("fourth", 10).empty());
  CHECK_FALSE(r.ok());
  CHECK(mentions(r.error(), "first"));
  CHECK_FALSE(mentions(r.error(), "second"));
  auto st = r.finish();
  REQUIRE_FALSE(st.ok());
  CHECK(mentions(st.error(), "first"));

  // Same with fail() from a caller (an unknown tag), then more reads.
  vt::Reader r2(in);
  (void)r2.u8("tag");
  r2.fail("tag: unknown message type 2");
  r2.fail("ignored second reason");
  CHECK(r2.error() == "tag: unknown message type 2");
  CHECK(r2.u32("after") == 0);
  CHECK(r2.error() == "tag: unknown message type 2");
}
