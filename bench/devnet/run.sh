#!/usr/bin/env bash
# Devnet throughput: a fresh one-validator devnet (Release build in build/) and
# the load generator against it (docs/performance.md, "Devnet throughput").
# Usage: bench/devnet/run.sh [ACCOUNTS] [TXS_PER_ACCOUNT] [BLOCK_INTERVAL_MS]
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target veritraind bench_devnet_loadgen
exec bench/devnet/devnet_bench.sh build/bin build/bench/devnet/bench_devnet_loadgen \
  "${1:-100}" "${2:-50}" "${3:-1000}"
