// A main() that runs a fuzz target on pseudo-random inputs (splitmix64 from a
// seed, so a failing run is reproducible): CTest's ledger_sim_random runs a few
// hundred sequences in every CI run, and a long run here or in a session counts
// toward the simulation's budget without clang. Usage: <target>_random COUNT SEED [MAX_BYTES]
// A failing input is written to ./crash-input before the target aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s COUNT SEED [MAX_BYTES]\n", argv[0]);
    return 2;
  }
  const std::uint64_t count = std::strtoull(argv[1], nullptr, 10);
  std::uint64_t state = std::strtoull(argv[2], nullptr, 10);
  const std::size_t max_bytes = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 512;
  std::vector<std::uint8_t> input;
  for (std::uint64_t i = 0; i < count; ++i) {
    input.resize(1 + splitmix64(state) % max_bytes);
    for (auto& b : input) b = static_cast<std::uint8_t>(splitmix64(state));
    if (std::FILE* f = std::fopen("crash-input", "wb")) {  // kept only if the run dies
      std::fwrite(input.data(), 1, input.size(), f);
      std::fclose(f);
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::remove("crash-input");
  std::printf("%llu random inputs ran\n", static_cast<unsigned long long>(count));
  return 0;
}
