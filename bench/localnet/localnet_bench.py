#!/usr/bin/env python3
"""Localnet throughput and sync speed (docs/performance.md, "Localnet throughput
(4 validators)").

Writes a fresh 4-validator localnet (`veritraind localnet`, plus one full-node
home) on free loopback ports in a temporary directory, starts the validators
(log level warn), and runs the load generator against all four RPC endpoints
(bench_localnet_loadgen: signed transfers in JSON-RPC batches over kept-alive
connections, an offered rate that ramps until the chain saturates). Then starts
the full node, which syncs from genesis over P2P, and times it until it reaches
the validators' head (blocks/s and tx/s replayed).

Fails (exit 1) when the load generator fails (its own checks: every admitted
transfer committed, the state they leave), the validators disagree on the head
block, the full node does not reach the head with the same block hash and state
root, or a node does not exit 0 on SIGTERM. The figures never fail it. Every
node is stopped however this script ends (and the kernel kills them with
SIGKILL if this script dies first); the directory is removed unless
VT_KEEP_BENCH is set.

Usage: localnet_bench.py BIN_DIR LOADGEN [--block-interval-ms MS] [--validator-indexes on|off] [LOADGEN_ARGS...]
  --validator-indexes off: the validators run with config.toml [storage] tx_index and
  state_history false, as a validator that serves no explorer may (default on).
Environment: VT_BENCH_LIMIT_S (default 600): the whole run is stopped after this long.
"""
import ctypes
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "e2e"))
from localnet import free_port_block  # noqa: E402

COMETBFT = ("CometBFT's published QA figure, for comparison (a different setup: a 200-node "
            "network of cloud machines, 1 KB transactions): it saturates at about 400 tx/s, "
            "latency mostly under 4 s")


class Failed(Exception):
    pass


def die_with_parent():
    """In the child before exec: SIGKILL when this script's process dies."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def rpc(url, method, params=None, timeout=10):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}})
    req = urllib.request.Request(url, body.encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        answer = json.load(r)
    if "error" in answer:
        raise Failed(f"{method} at {url}: {answer['error']}")
    return answer["result"]


def try_rpc(url, method, params=None):
    try:
        return rpc(url, method, params, timeout=2)
    except (OSError, ValueError, Failed):
        return None


def metrics(url):
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        text = r.read().decode()
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+) (\d+)$", text, re.M)}


class Node:
    def __init__(self, name, url, home):
        self.name, self.url, self.home = name, url, home
        self.log_path = os.path.join(home, "node.log")
        self.proc = None

    def start(self, bin_dir, indexes=True):
        with open(os.path.join(self.home, "config.toml")) as f:
            config = f.read().replace('level = "info"', 'level = "warn"')
        if not indexes:  # a validator that serves no explorer: [storage] off
            config = config.replace("tx_index = true", "tx_index = false")
            config = config.replace("state_history = true", "state_history = false")
        with open(os.path.join(self.home, "config.toml"), "w") as f:
            f.write(config)
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen([os.path.join(bin_dir, "veritraind"), "start", "--home", self.home],
                                         stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)

    def height(self):
        status = try_rpc(self.url, "chain_status")
        return status["height"] if status else -1

    def block(self, height):
        b = rpc(self.url, "chain_getBlock", {"height": height})
        return b["hash"], b["header"]["state_root"]

    def cpu_seconds(self):
        """User + system CPU time the process has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        """SIGTERM, SIGKILL after 30 s; the exit status (0 after a clean shutdown)."""
        if not self.proc:
            return 0
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        code, self.proc = self.proc.returncode, None
        return code

    def tail(self, n=30):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


def wait_for(cond, deadline, what, nodes):
    while time.time() < deadline:
        if cond():
            return
        for n in nodes:
            if n.proc and n.proc.poll() is not None:
                raise Failed(f"{n.name} exited ({n.proc.returncode}) while waiting for {what}")
        time.sleep(0.02)
    raise Failed(f"timed out waiting for {what}")


def run(bin_dir, loadgen, interval_ms, loadgen_args, tmp, nodes, deadline, indexes):
    base = free_port_block(10)
    out = subprocess.run([os.path.join(bin_dir, "veritraind"), "localnet", "--out", os.path.join(tmp, "net"),
                          "--validators", "4", "--full-nodes", "1", "--base-port", str(base),
                          "--block-interval-ms", str(interval_ms)],
                         check=True, capture_output=True, text=True).stdout
    for m in re.finditer(r"^\s+(\S+)\s+node \S+\s+rpc (\S+)\s+p2p \S+\s+home (\S+)$", out, re.M):
        nodes.append(Node(m[1], m[2], m[3]))
    if len(nodes) != 5:
        raise Failed("unexpected output of veritraind localnet:\n" + out)
    validators, full = nodes[:4], nodes[4]
    for n in validators:
        n.start(bin_dir, indexes)
    for n in validators:
        wait_for(lambda: n.height() >= 2, deadline, f"{n.name} to answer and commit block 2", validators)

    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = re.search(r"^Model name:\s*(.*)$", lscpu, re.M)
    print(f"machine: {model[1] if model else 'unknown CPU'}, {os.cpu_count()} cores; 4 validators + "
          f"the load generator on it; block interval {interval_ms} ms; validators' explorer indexes "
          f"(tx_index, state_history) {'on' if indexes else 'off'}", flush=True)

    cmd = [loadgen, os.path.join(validators[0].home, "faucet.secret")] + [n.url for n in validators] + loadgen_args
    cpu_before = [n.cpu_seconds() for n in validators]
    loadgen_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    committed_before = metrics(validators[0].url).get("veritrain_txs_committed_total", 0)
    try:
        subprocess.run(cmd, check=True, timeout=max(1, deadline - time.time()), preexec_fn=die_with_parent)
    except subprocess.CalledProcessError as e:
        raise Failed(f"the load generator failed (status {e.returncode})")
    except subprocess.TimeoutExpired:
        raise Failed("the load generator ran out of time (VT_BENCH_LIMIT_S)")
    # Where the CPU went: each process's user + system time over the whole load
    # (funding, signing, ramp, drain), per transaction committed in that time.
    committed = metrics(validators[0].url).get("veritrain_txs_committed_total", 0) - committed_before
    loadgen_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    loadgen_cpu = (loadgen_after.ru_utime + loadgen_after.ru_stime
                   - loadgen_before.ru_utime - loadgen_before.ru_stime)
    per_node = [n.cpu_seconds() - before for n, before in zip(validators, cpu_before)]
    print(f"cpu: {committed} transactions committed during the load; CPU time per transaction: "
          + ", ".join(f"{n.name} {1e6 * c / committed:.0f} us" for n, c in zip(validators, per_node))
          + f" (validators {1e6 * sum(per_node) / committed:.0f} us in all), load generator "
          f"{1e6 * loadgen_cpu / committed:.0f} us (signing included)", flush=True)

    # The head after the load: every validator holds the same block there.
    target = validators[0].height()
    for n in validators:
        wait_for(lambda: n.height() >= target, deadline, f"{n.name} to reach height {target}", validators)
    head = validators[0].block(target)
    for n in validators[1:]:
        if n.block(target) != head:
            raise Failed(f"{n.name} holds {n.block(target)} at height {target}, validator0 {head}")

    # A fresh full node syncs from genesis to that head.
    started = time.time()
    full.start(bin_dir)
    wait_for(lambda: full.height() >= 0, deadline, "the full node to answer RPC", [full])
    rpc_up = time.time() - started
    wait_for(lambda: full.height() >= target, deadline, f"the full node to reach height {target}", [full])
    took = time.time() - started
    m = metrics(full.url)
    if full.block(target) != head:
        raise Failed(f"the full node holds {full.block(target)} at height {target}, the validators {head}")
    txs = m.get("veritrain_txs_committed_total", 0)
    print(f"sync: a fresh full node (veritraind start on the localnet's full-node home) reached the "
          f"validators' head, height {target}, {took:.2f} s after it was started (RPC up after {rpc_up:.2f} s): "
          f"{target / took:.0f} blocks/s, {txs / took:.0f} tx/s replayed ({txs} transactions, "
          f"{m.get('veritrain_blocks_synced_total', 0)} blocks fetched as sync); "
          f"block {target}'s hash and state root equal the validators' ({head[1][:16]}...)")
    print("command: " + " ".join(sys.argv))
    print(COMETBFT, flush=True)


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__[__doc__.index("Usage"):], file=sys.stderr)
        return 2
    bin_dir, loadgen, rest = args[0], args[1], args[2:]
    interval_ms = 200
    if "--block-interval-ms" in rest:
        i = rest.index("--block-interval-ms")
        interval_ms = int(rest[i + 1])
        del rest[i:i + 2]
    indexes = True
    if "--validator-indexes" in rest:
        i = rest.index("--validator-indexes")
        if rest[i + 1] not in ("on", "off"):
            print("--validator-indexes must be on or off", file=sys.stderr)
            return 2
        indexes = rest[i + 1] == "on"
        del rest[i:i + 2]
    deadline = time.time() + int(os.environ.get("VT_BENCH_LIMIT_S", "600"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the nodes below
    tmp = tempfile.mkdtemp(prefix="vt-bench-localnet-")
    nodes, rc = [], 0
    try:
        run(bin_dir, loadgen, interval_ms, rest, tmp, nodes, deadline, indexes)
    except (Failed, OSError, subprocess.CalledProcessError) as e:
        print(f"localnet_bench: FAILED: {e}", file=sys.stderr)
        rc = 1
    finally:
        for n in nodes:
            code = n.stop()
            if code != 0:
                print(f"localnet_bench: {n.name} exited with status {code} (0 after a clean shutdown)",
                      file=sys.stderr)
                rc = 1
        if rc:
            for n in nodes:
                if n.tail():
                    print(f"--- last lines of {n.name}'s log:\n{n.tail()}", file=sys.stderr)
        if os.environ.get("VT_KEEP_BENCH"):
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
