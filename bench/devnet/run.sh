#!/usr/bin/env bash
# Devnet throughput: a fresh one-validator devnet (Release build) and the load
# generator against it. Usage: bench/devnet/run.sh [ACCOUNTS] [TXS_PER_ACCOUNT] [BLOCK_INTERVAL_MS]
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target veritraind bench_devnet_loadgen
home=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
build/bin/veritraind init --home "$home" --rpc-port "$port" --block-interval-ms "${3:-1000}" >/dev/null
sed -i 's/^level = "info"/level = "warn"/' "$home/config.toml"
build/bin/veritraind start --home "$home" &
pid=$!
trap 'kill $pid; wait $pid; rm -rf "$home"' EXIT
sleep 1
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
build/bench/devnet/bench_devnet_loadgen "http://127.0.0.1:$port" "$home/faucet.secret" "${1:-100}" "${2:-50}"
