// Checkpoints as safetensors files: u64 LE header length N, N bytes of JSON
// header (tensors sorted by name, data in that order, "__metadata__" string map,
// space-padded to a multiple of 8), then the tensor bytes. Readers refuse
// truncated, oversized or inconsistent files with a reason. No shared state.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kernels/result.h"
#include "kernels/state.h"

namespace vt::kernels {

struct Checkpoint {
  TensorMap tensors;
  std::map<std::string, std::string> metadata;
};

// Deterministic bytes for the same tensors and metadata.
std::vector<std::uint8_t> encode_safetensors(const Checkpoint& ckpt);
Result<Checkpoint> decode_safetensors(const std::vector<std::uint8_t>& bytes);

// Writes via a temporary file and rename, so a crash never leaves a half file.
Status write_safetensors(const std::string& path, const Checkpoint& ckpt);
Result<Checkpoint> read_safetensors(const std::string& path);

}  // namespace vt::kernels
