// Named host tensors (the training state in canonical form) and the state hash.
// A TensorMap is a plain value: not synchronised, copy it to share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kernels/sha256.h"

namespace vt::kernels {

enum class DType : std::uint8_t { F32 = 1, I64 = 2 };
const char* dtype_name(DType t);  // "F32", "I64" (safetensors spelling)
std::size_t dtype_size(DType t);

struct HostTensor {
  DType dtype = DType::F32;
  std::vector<std::int64_t> shape;  // [] = scalar
  std::vector<std::uint8_t> bytes;  // little-endian element bytes, row-major

  std::size_t numel() const;
  static HostTensor f32(std::vector<std::int64_t> shape, const float* data);
  static HostTensor i64_scalar(std::int64_t v);
  const float* f32_data() const { return reinterpret_cast<const float*>(bytes.data()); }
  std::int64_t i64_value() const;  // first element of an I64 tensor
};

using TensorMap = std::map<std::string, HostTensor>;  // sorted by name (bytewise)

// state hash = SHA-256 of
//   "veritrain.state.v1" || u64 tensor count ||
//   for each tensor in name order: u64 len(name) || name || u8 dtype code ||
//                                  u64 ndim || u64 dims... || u64 len(bytes) || bytes
// (all integers little-endian). Never the bytes of a file.
Hash32 state_hash(const TensorMap& tensors);
// The same encoding under "veritrain.state-shadow.v1": a second digest of the
// state that nobody publishes. Proof of learning puts it in each step's trace
// leaf, so that a verifier must hold the state itself, not just its public
// hash (docs/proof-of-learning.md, "Every step is checked").
Hash32 state_shadow_hash(const TensorMap& tensors);

}  // namespace vt::kernels
