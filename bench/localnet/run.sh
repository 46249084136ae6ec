#!/usr/bin/env bash
# Localnet throughput: a fresh 4-validator localnet (Release build in build/), the
# load generator ramping its offered rate against all four until the chain
# saturates, then a fresh full node syncing to the head (docs/performance.md,
# "Localnet throughput (4 validators)").
# Usage: bench/localnet/run.sh [--block-interval-ms MS] [--validator-indexes on|off] [LOADGEN_ARGS...]
#   with no arguments: the real-size runs of docs/performance.md, twice (about
#   5 minutes): validators that serve no explorer ([storage] off, the full node
#   keeps the indexes), then validators that keep the explorer indexes too.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target veritraind bench_localnet_loadgen
bench() {
  python3 bench/localnet/localnet_bench.py build/bin build/bench/localnet/bench_localnet_loadgen "$@"
}
if (($# == 0)); then
  ramp=(--block-interval-ms 200 --accounts 2000 --rates 1000,2000,3000,4000,4500,5000,5500,6000 --step-s 15)
  bench --validator-indexes off "${ramp[@]}"
  echo
  bench --validator-indexes on "${ramp[@]}"
else
  bench "$@"
fi
