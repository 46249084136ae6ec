#!/usr/bin/env bash
# Localnet throughput: a fresh 4-validator localnet (Release build in build/), the
# load generator ramping its offered rate against all four until the chain
# saturates, then a fresh full node syncing to the head (docs/performance.md,
# "Localnet throughput (4 validators)").
# Usage: bench/localnet/run.sh [--block-interval-ms MS] [--validator-indexes on|off] [LOADGEN_ARGS...]
#   with no arguments: the real-size run of docs/performance.md (about 3 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target veritraind bench_localnet_loadgen
if (($# == 0)); then
  set -- --block-interval-ms 200 --accounts 2000 --rates 1000,2000,3000,3500,4000,5000,6000 --step-s 15
fi
exec python3 bench/localnet/localnet_bench.py build/bin build/bench/localnet/bench_localnet_loadgen "$@"
