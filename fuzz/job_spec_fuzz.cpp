// libFuzzer target: arbitrary text as a job spec. parse_job_spec must refuse
// with a reason or accept; an accepted spec's canonical form must parse back to
// the same canonical hash (the hash the ledger stores for a job).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kernels/job_spec.h"

using namespace vt::kernels;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = parse_job_spec(text);
  if (!spec) {
    if (spec.error.empty()) std::abort();
    return 0;
  }
  auto again = parse_job_spec(canonical_json(spec.value));
  if (!again || spec_hash(again.value) != spec_hash(spec.value)) std::abort();
  return 0;
}
