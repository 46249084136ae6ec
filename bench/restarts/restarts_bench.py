#!/usr/bin/env python3
"""Restarts: what a node's data directory and startup look like after it was
started and stopped (SIGTERM) N times, each run committing a block or two.

Measured at 6ee0b67: 748 restarts left 737 RocksDB LOG.old files and 2,121 tiny
SST files, and startup slowed from 0.07 s to 0.26 s. Prints, for the first and
the last start, the time from launch to the first log line (the database opened
and the chain loaded) and to /health answering, and after the last stop the
files in the database directory. Fails only when the node itself fails: a start
that never answers, or a stop that does not exit 0.

Usage: restarts_bench.py BIN_DIR [--restarts N]
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def one_run(daemon, home, port, log_path):
    """Starts the node, waits for /health and one more block, stops it: the
    seconds to the first log line and to /health."""
    with open(log_path, "w") as log:
        launched = time.monotonic()
        proc = subprocess.Popen([daemon, "start", "--home", home], stdout=log, stderr=subprocess.STDOUT)
    first_line = None
    try:
        deadline = launched + 30
        while not health(port):
            if first_line is None and os.path.getsize(log_path) > 0:
                first_line = time.monotonic() - launched
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"restart bench: the node did not answer /health:\n{open(log_path).read()}")
            time.sleep(0.005)
        answered = time.monotonic() - launched
        if first_line is None:
            first_line = answered
        time.sleep(0.25)  # a block or two (100 ms blocks)
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
    if rc != 0:
        sys.exit(f"restart bench: the node exited {rc} on SIGTERM:\n{open(log_path).read()}")
    return first_line, answered


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin_dir")
    ap.add_argument("--restarts", type=int, default=100)
    args = ap.parse_args()
    daemon = os.path.join(args.bin_dir, "veritraind")
    source = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    tmp = tempfile.mkdtemp(prefix="vt-restarts-")
    try:
        home, port = os.path.join(tmp, "node"), free_port()
        subprocess.run([daemon, "init", "--home", home, "--template",
                        os.path.join(source, "genesis", "devnet.json"), "--rpc-port", str(port),
                        "--p2p-port", str(free_port()), "--block-interval-ms", "100"],
                       check=True, capture_output=True)
        log_path = os.path.join(tmp, "node.log")
        first = one_run(daemon, home, port, log_path)
        last = first
        for _ in range(args.restarts):
            last = one_run(daemon, home, port, log_path)
        db = os.path.join(home, "data")
        names = os.listdir(db)
        sst = [n for n in names if n.endswith(".sst")]
        size = sum(os.path.getsize(os.path.join(db, n)) for n in names)
        print(f"command: bench/restarts/restarts_bench.py {args.bin_dir} --restarts {args.restarts}")
        print(f"starts: {args.restarts + 1} (100 ms blocks, ~0.25 s each, stopped by SIGTERM)")
        print(f"first start: database open and chain loaded {first[0]:.3f} s, /health {first[1]:.3f} s")
        print(f"last start:  database open and chain loaded {last[0]:.3f} s, /health {last[1]:.3f} s")
        print(f"database dir: {len(names)} files, {len([n for n in names if n.startswith('LOG.old')])} LOG.old, "
              f"{len(sst)} SST ({sum(os.path.getsize(os.path.join(db, n)) for n in sst)} bytes), "
              f"{len([n for n in names if n.endswith('.log')])} write-ahead logs, {size / 1e6:.1f} MB in all")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
