"""A real localnet for end-to-end tests: `veritraind localnet` writes N
validator homes (and full-node homes), each node runs as its own process on
loopback ports, and every process is stopped when the test ends."""
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile

from devnet import Devnet


def free_port_block(n):
    """A base port with n consecutive free ports after it, below the kernel's
    ephemeral range: a port the nodes only listen on later (a full node
    started mid-test) must not be taken meanwhile by some outgoing
    connection's ephemeral port."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            ephemeral_low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(10000, max(10001, ephemeral_low - n))
        socks = []
        try:
            for p in range(base, base + n):
                s = socket.socket()
                socks.append(s)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no block of free ports")


class LocalNode(Devnet):
    """One node of the localnet: Devnet's RPC, CLI and process helpers over a
    home that `veritraind localnet` wrote."""

    def __init__(self, bin_dir, tmp, name, home, rpc_port, p2p_port, node_id):
        self.bin_dir = bin_dir
        self.tmp = tmp
        self.name = name
        self.home = home
        self.port = rpc_port
        self.p2p_port = p2p_port
        self.node_id = node_id
        self.url = f"http://127.0.0.1:{rpc_port}"
        self.proc = None
        self.log_path = os.path.join(tmp, name + ".log")
        self.wallet = os.path.join(tmp, "wallet")
        self.password_file = os.path.join(tmp, "password")
        self.daemon_name = "veritraind"  # veritraind-equivocator: the test build that double-signs

    @property
    def daemon(self):
        return os.path.join(self.bin_dir, self.daemon_name)


class Localnet:
    def __init__(self, bin_dir, validators=4, full_nodes=0, block_interval_ms=300):
        self.bin_dir = bin_dir
        self.tmp = tempfile.mkdtemp(prefix="vt-localnet-")
        with open(os.path.join(self.tmp, "password"), "w") as f:
            f.write("correct horse battery staple\n")
        base = free_port_block(2 * (validators + full_nodes))
        out = subprocess.run(
            [os.path.join(bin_dir, "veritraind"), "localnet", "--out", os.path.join(self.tmp, "net"),
             "--validators", str(validators), "--full-nodes", str(full_nodes),
             "--base-port", str(base), "--block-interval-ms", str(block_interval_ms)],
            check=True, capture_output=True, text=True)
        self.nodes = []
        for line in out.stdout.splitlines():
            m = re.match(r"\s+(\S+)\s+node (\S+)\s+rpc http://127.0.0.1:(\d+)\s+p2p 127.0.0.1:(\d+)\s+home (\S+)", line)
            if m:
                self.nodes.append(LocalNode(bin_dir, self.tmp, m[1], m[5], int(m[3]), int(m[4]), m[2]))
        assert len(self.nodes) == validators + full_nodes, out.stdout
        self.validators = self.nodes[:validators]
        self.full_nodes = self.nodes[validators:]

    def start(self, nodes=None):
        for n in nodes or self.validators:
            n.start(wait=False)
        for n in nodes or self.validators:
            n.wait_for(lambda: n.try_rpc("chain_status") is not None, 30, f"{n.name} to answer RPC")

    def close(self):
        for n in self.nodes:
            n.stop(signal.SIGKILL)
        if os.environ.get("VT_KEEP_E2E") is None:
            shutil.rmtree(self.tmp, ignore_errors=True)
