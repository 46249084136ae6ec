#include "core/encoding.h"

namespace vt {

Writer& Writer::u8(uint8_t v) {
  out_.push_back(v);
  return *this;
}

Writer& Writer::u32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
  return *this;
}

Writer& Writer::u64(uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
  return *this;
}

Writer& Writer::fixed(ByteView bytes) {
  out_.insert(out_.end(), bytes.begin(), bytes.end());
  return *this;
}

Writer& Writer::bytes(ByteView b) {
  assert(b.size() <= UINT32_MAX);
  u32(static_cast<uint32_t>(b.size()));
  return fixed(b);
}

Writer& Writer::str(std::string_view s) {
  return bytes(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

bool Reader::take(size_t n, const char* field) {
  if (!ok()) return false;
  if (remaining() < n) {
    fail(std::string(field) + ": input ends early (need " + std::to_string(n) + " bytes, have " +
         std::to_string(remaining()) + ")");
    return false;
  }
  pos_ += n;
  return true;
}

uint8_t Reader::u8(const char* field) {
  if (!take(1, field)) return 0;
  return in_[pos_ - 1];
}

uint32_t Reader::u32(const char* field) {
  if (!take(4, field)) return 0;
  uint32_t v = 0;
  for (size_t i = pos_ - 4; i < pos_; ++i) v = v << 8 | in_[i];
  return v;
}

uint64_t Reader::u64(const char* field) {
  if (!take(8, field)) return 0;
  uint64_t v = 0;
  for (size_t i = pos_ - 8; i < pos_; ++i) v = v << 8 | in_[i];
  return v;
}

bool Reader::boolean(const char* field) {
  uint8_t v = u8(field);
  if (v > 1) fail(std::string(field) + ": boolean must be 0 or 1, got " + std::to_string(v));
  return v == 1;
}

Bytes Reader::bytes(const char* field, size_t max_len) {
  uint32_t len = u32(field);
  if (!ok()) return {};
  if (len > max_len) {
    fail(std::string(field) + ": length " + std::to_string(len) + " exceeds the maximum " +
         std::to_string(max_len));
    return {};
  }
  if (!take(len, field)) return {};
  return Bytes(in_.begin() + pos_ - len, in_.begin() + pos_);
}

std::string Reader::str(const char* field, size_t max_len) {
  Bytes b = bytes(field, max_len);
  return std::string(b.begin(), b.end());
}

void Reader::fail(std::string reason) {
  if (ok()) error_ = std::move(reason);
}

Status Reader::finish() const {
  if (!ok()) return make_error(error_);
  if (remaining() != 0)
    return make_error(std::to_string(remaining()) + " trailing bytes after the end");
  return Status::success();
}

}  // namespace vt
