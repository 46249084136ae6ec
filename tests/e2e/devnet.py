"""A real devnet for end-to-end tests: veritraind processes on loopback ports,
driven by the veritrain CLI and by raw HTTP (Python's http.client, a client we
did not write). Every process is stopped when the test ends."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Devnet:
    def __init__(self, bin_dir, block_interval_ms=200):
        self.bin_dir = bin_dir
        self.tmp = tempfile.mkdtemp(prefix="vt-e2e-")
        self.home = os.path.join(self.tmp, "node")
        self.wallet = os.path.join(self.tmp, "wallet")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log_path = os.path.join(self.tmp, "node.log")
        self.password_file = os.path.join(self.tmp, "password")
        with open(self.password_file, "w") as f:
            f.write("correct horse battery staple\n")
        self.p2p_port = free_port()
        out = subprocess.run(
            [self.daemon, "init", "--home", self.home, "--rpc-port", str(self.port),
             "--p2p-port", str(self.p2p_port), "--block-interval-ms", str(block_interval_ms)],
            check=True, capture_output=True, text=True)
        assert "faucet account" in out.stdout, out.stdout
        self.node_id = next(line.split()[-1] for line in out.stdout.splitlines()
                            if line.strip().startswith("node id"))

    @property
    def daemon(self):
        return os.path.join(self.bin_dir, "veritraind")

    @property
    def wallet_bin(self):
        return os.path.join(self.bin_dir, "veritrain")

    def start(self, wait=True):
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen([self.daemon, "start", "--home", self.home],
                                         stdout=log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_for(lambda: self.try_rpc("chain_status") is not None, 30, "node to answer RPC")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode if self.proc else None
        self.proc = None
        return code

    def set_genesis_params(self, **params):
        """Edits the home's genesis params before the node first starts."""
        path = os.path.join(self.home, "genesis.json")
        with open(path) as f:
            genesis = json.load(f)
        genesis["params"].update({k: str(v) for k, v in params.items()})
        with open(path, "w") as f:
            json.dump(genesis, f)

    def close(self):
        self.stop(signal.SIGKILL)
        if os.environ.get("VT_KEEP_E2E") is None:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    # ---- raw HTTP ----
    def http(self, body, content_type="application/json", method="POST", path="/", timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers={"Content-Type": content_type})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def rpc_raw(self, method, params=None):
        req = {"jsonrpc": "2.0", "id": 1, "method": method}
        if params is not None:
            req["params"] = params
        status, body = self.http(json.dumps(req))
        return json.loads(body)

    def rpc(self, method, params=None):
        resp = self.rpc_raw(method, params)
        if "error" in resp:
            raise RuntimeError(f"{method}: {resp['error']}")
        return resp["result"]

    def try_rpc(self, method, params=None):
        try:
            return self.rpc(method, params)
        except (OSError, RuntimeError, ValueError, http.client.HTTPException):
            return None

    def height(self):
        return self.rpc("chain_status")["height"]

    def wait_for(self, cond, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if cond():
                return
            if self.proc and self.proc.poll() is not None:
                raise AssertionError(f"node exited ({self.proc.returncode}) while waiting for {what}:\n{self.log()[-3000:]}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def wait_height(self, h, timeout=30):
        self.wait_for(lambda: (self.try_rpc("chain_status") or {"height": -1})["height"] >= h, timeout, f"height {h}")

    # ---- the wallet CLI ----
    def cli(self, *args, check=True, json_out=True):
        cmd = [self.wallet_bin, "--node", self.url, "--home", self.wallet, "--password-file", self.password_file]
        if json_out:
            cmd.append("--json")
        cmd += list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        if json_out and p.returncode == 0 and p.stdout.strip():
            return json.loads(p.stdout)
        return p


class WebSocket:
    """A minimal RFC 6455 client (text frames, masked as clients must), enough to
    subscribe to the node's topics without a third-party library."""

    def __init__(self, port, timeout=30):
        import base64
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("closed during handshake")
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head

    def send(self, obj):
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        n = len(data)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + n.to_bytes(2, "big")
        else:
            header += bytes([0x80 | 127]) + n.to_bytes(8, "big")
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        return buf

    def recv(self):
        b0, b1 = self._read(2)
        n = b1 & 0x7F
        if n == 126:
            n = int.from_bytes(self._read(2), "big")
        elif n == 127:
            n = int.from_bytes(self._read(8), "big")
        payload = self._read(n)
        if b0 & 0x0F == 0x8:
            raise ConnectionError("server closed the WebSocket")
        return json.loads(payload)

    def close(self):
        self.sock.close()
