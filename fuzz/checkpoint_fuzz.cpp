// libFuzzer target: arbitrary bytes as a checkpoint file. decode_safetensors
// must refuse or accept without crashing; an accepted one must re-encode to
// bytes that decode to the same tensors, and importing it into a model must
// either work or fail with a reason (the path a verifier and the referee take).
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "kernels/backend.h"
#include "kernels/job_spec.h"
#include "kernels/mlp.h"
#include "kernels/safetensors.h"
#include "kernels/state.h"
#include "small_spec.h"

using namespace vt::kernels;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);
  auto ckpt = decode_safetensors(bytes);
  if (!ckpt) {
    if (ckpt.error.empty()) std::abort();  // a refusal always has a reason
    return 0;
  }
  const Hash32 h = state_hash(ckpt.value.tensors);
  auto again = decode_safetensors(encode_safetensors(ckpt.value));
  if (!again || state_hash(again.value.tensors) != h) std::abort();
  auto backend = make_cpu_backend(1);
  Mlp model(vt::fuzz::small_spec(), *backend);
  auto imported = model.import_state(ckpt.value.tensors);
  if (!imported && imported.error.empty()) std::abort();
  return 0;
}
