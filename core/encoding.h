// Canonical binary encoding: fixed-width big-endian integers, length-prefixed
// byte strings with a per-field maximum. One byte string has one meaning: the
// Reader rejects short input, over-long lengths, non-minimal booleans and
// trailing bytes, naming the field. Writer and Reader are single-owner values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace vt {

class Writer {
 public:
  Writer& u8(uint8_t v);
  Writer& u32(uint32_t v);
  Writer& u64(uint64_t v);
  Writer& boolean(bool v) { return u8(v ? 1 : 0); }
  Writer& fixed(ByteView bytes);    // no length prefix (hashes, keys)
  Writer& bytes(ByteView bytes);    // u32 length, then the bytes
  Writer& str(std::string_view s);  // same as bytes
  const Bytes& data() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

// Reads a canonical encoding. The first failure sticks: later reads return
// zero values and error() names the field that failed.
class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}

  uint8_t u8(const char* field);
  uint32_t u32(const char* field);
  uint64_t u64(const char* field);
  bool boolean(const char* field);
  template <size_t N>
  std::array<uint8_t, N> fixed(const char* field) {
    std::array<uint8_t, N> out{};
    if (take(N, field)) std::copy(in_.begin() + pos_ - N, in_.begin() + pos_, out.begin());
    return out;
  }
  Bytes bytes(const char* field, size_t max_len);
  std::string str(const char* field, size_t max_len);

  // A read-level failure reported by the caller (e.g. an unknown tag).
  void fail(std::string reason);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t remaining() const { return in_.size() - pos_; }
  // Succeeds only if every read succeeded and no byte is left over.
  Status finish() const;

 private:
  bool take(size_t n, const char* field);
  ByteView in_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace vt
