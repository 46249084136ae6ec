#include "kernels/sha256.h"

#include <cryptopp/sha.h>

namespace vt::kernels {

struct Sha256::Impl {
  CryptoPP::SHA256 h;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {}
Sha256::~Sha256() = default;

void Sha256::update(const void* data, std::size_t n) {
  if (n != 0) impl_->h.Update(static_cast<const CryptoPP::byte*>(data), n);
}

void Sha256::update_u64(std::uint64_t v) {
  std::uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
  update(b, 8);
}

Hash32 Sha256::finish() {
  Hash32 out{};
  impl_->h.Final(out.data());
  return out;
}

Hash32 sha256(const void* data, std::size_t n) {
  Sha256 s;
  s.update(data, n);
  return s.finish();
}

std::string to_hex(const Hash32& h) {
  static const char* digits = "0123456789abcdef";
  std::string s(64, '0');
  for (std::size_t i = 0; i < 32; ++i) {
    s[2 * i] = digits[h[i] >> 4];
    s[2 * i + 1] = digits[h[i] & 15];
  }
  return s;
}

std::optional<Hash32> hash_from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Hash32 h{};
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = val(hex[2 * i]), lo = val(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    h[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return h;
}

}  // namespace vt::kernels
