#!/usr/bin/env bash
# Runs the load generator against a fresh one-validator devnet: veritraind from
# BIN_DIR in a temporary home on a free loopback port, log level warn. Stops the
# node and removes the home however it ends. Fails (non-zero) when the load
# generator fails (its own checks: every transfer committed, the state they
# leave) or the node does not shut down cleanly (exit 0 on SIGTERM). Used by
# run.sh (the real measurement) and by CTest (bench_devnet, a tiny size).
# Usage: bench/devnet/devnet_bench.sh BIN_DIR LOADGEN ACCOUNTS TXS_PER_ACCOUNT [BLOCK_INTERVAL_MS [LOADGEN_ARGS...]]
# Environment: VT_BENCH_LIMIT_S (default 600): the load generator is stopped after
# this long, and the node a minute later even if this script is killed.
set -euo pipefail
if (($# < 4)); then
  sed -n '/^# Usage/,/^# this long/p' "$0" >&2
  exit 2
fi
bin=$1 loadgen=$2 accounts=$3 txs=$4 interval=${5:-1000}
shift $(($# < 5 ? $# : 5))
limit=${VT_BENCH_LIMIT_S:-600}
home=$(mktemp -d "${TMPDIR:-/tmp}/vt-bench-devnet.XXXXXX")
pid="" node_rc=0
# Stops the node with SIGTERM (it exits 0 after a clean shutdown), SIGKILL after 30 s.
stop_node() {
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  node_rc=0
  wait "$pid" 2>/dev/null || node_rc=$?
  pid=""
}
trap 'stop_node; rm -rf "$home"' EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin/veritraind" init --home "$home" --rpc-port "$port" --block-interval-ms "$interval" >/dev/null
sed -i 's/^level = "info"/level = "warn"/' "$home/config.toml"
# timeout: the node cannot outlive a killed script by more than a minute.
timeout -s KILL $((limit + 60)) "$bin/veritraind" start --home "$home" >"$home/node.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "devnet_bench: veritraind exited at start:" >&2
    tail -n 30 "$home/node.log" >&2
    exit 1
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; block interval ${interval} ms"
rc=0
timeout "$limit" "$loadgen" "http://127.0.0.1:$port" "$home/faucet.secret" "$accounts" "$txs" "$@" || rc=$?
if ((rc == 124)); then echo "devnet_bench: the load generator ran past ${limit} s" >&2; fi
stop_node
if ((node_rc != 0)); then
  echo "devnet_bench: veritraind exited with status $node_rc (0 after a clean shutdown)" >&2
  ((rc != 0)) || rc=1
fi
if ((rc != 0)); then
  echo "devnet_bench: last lines of the node's log:" >&2
  tail -n 30 "$home/node.log" >&2
fi
exit "$rc"
