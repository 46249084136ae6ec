#include "kernels/state.h"

#include <bit>
#include <cassert>
#include <cstring>

namespace vt::kernels {

const char* dtype_name(DType t) {
  return t == DType::F32 ? "F32" : "I64";
}
std::size_t dtype_size(DType t) {
  return t == DType::F32 ? 4 : 8;
}

std::size_t HostTensor::numel() const {
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

// The host is little-endian (x86-64, aarch64); static_assert keeps it honest.
static_assert(std::endian::native == std::endian::little, "state bytes are stored little-endian");

HostTensor HostTensor::f32(std::vector<std::int64_t> shape, const float* data) {
  HostTensor t;
  t.dtype = DType::F32;
  t.shape = std::move(shape);
  t.bytes.resize(t.numel() * 4);
  if (!t.bytes.empty()) std::memcpy(t.bytes.data(), data, t.bytes.size());
  return t;
}

HostTensor HostTensor::i64_scalar(std::int64_t v) {
  HostTensor t;
  t.dtype = DType::I64;
  t.bytes.resize(8);
  std::memcpy(t.bytes.data(), &v, 8);
  return t;
}

std::int64_t HostTensor::i64_value() const {
  assert(dtype == DType::I64 && bytes.size() >= 8);
  std::int64_t v;
  std::memcpy(&v, bytes.data(), 8);
  return v;
}

namespace {
// The canonical encoding of a state, hashed under `domain`.
Hash32 hash_state_under(const char* domain, const TensorMap& tensors) {
  Sha256 h;
  h.update(domain);
  h.update_u64(tensors.size());
  for (const auto& [name, t] : tensors) {
    h.update_u64(name.size());
    h.update(name);
    const std::uint8_t code = static_cast<std::uint8_t>(t.dtype);
    h.update(&code, 1);
    h.update_u64(t.shape.size());
    for (auto d : t.shape) h.update_u64(static_cast<std::uint64_t>(d));
    h.update_u64(t.bytes.size());
    h.update(t.bytes.data(), t.bytes.size());
  }
  return h.finish();
}
}  // namespace

Hash32 state_hash(const TensorMap& tensors) {
  return hash_state_under("veritrain.state.v1", tensors);
}

Hash32 state_shadow_hash(const TensorMap& tensors) {
  return hash_state_under("veritrain.state-shadow.v1", tensors);
}

}  // namespace vt::kernels
