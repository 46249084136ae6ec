#!/usr/bin/python3
"""Loads the fixture's step-0 checkpoint into PyTorch (Debian python3-torch), runs
one SGD / AdamW step on the same batch with torch.optim, and checks every weight
and optimiser state against our step-1 checkpoint within a relative 1e-5.
Usage: torch_check.py DIR   (after kernels_torch_fixture DIR)"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.dtype("<f4"), "I64": np.dtype("<i8")}


def load_safetensors(path):
    # The format is simple enough to parse by hand: the pip package is not available.
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, e in header.items():
        b, en = e["data_offsets"]
        arr = np.frombuffer(raw[base + b:base + en], dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


def check(tag, ours, theirs, failures):
    ours = ours.double()
    theirs = theirs.double()
    scale = max(theirs.abs().max().item(), 1e-12)
    err = (ours - theirs).abs().max().item() / scale
    status = "ok" if err <= 1e-5 else "FAIL"
    print(f"{status} {tag}: max |ours - torch| / max |torch| = {err:.3e}")
    if err > 1e-5:
        failures.append(tag)


def run(d, name, failures):
    s0, meta0 = load_safetensors(f"{d}/{name}_step0.safetensors")
    s1, _ = load_safetensors(f"{d}/{name}_step1.safetensors")
    batch, bmeta = load_safetensors(f"{d}/{name}_batch.safetensors")
    spec = json.loads(bmeta["spec"])
    layers = spec["model"]["layers"]
    opt_spec = spec["optimizer"]
    params = []
    for l in range(len(layers) - 1):
        params.append(s0[f"layers.{l}.weight"].clone().requires_grad_(True))  # [in, out]
        params.append(s0[f"layers.{l}.bias"].clone().requires_grad_(True))
    if opt_spec["type"] == "sgd":
        opt = torch.optim.SGD(params, lr=float(opt_spec["lr"]), momentum=float(opt_spec["momentum"]),
                              weight_decay=float(opt_spec["weight_decay"]))
    else:
        b1, b2 = (float(b) for b in opt_spec["betas"])
        opt = torch.optim.AdamW(params, lr=float(opt_spec["lr"]), betas=(b1, b2), eps=float(opt_spec["eps"]),
                                weight_decay=float(opt_spec["weight_decay"]))
    h = batch["x"]
    n = len(layers) - 1
    for l in range(n):
        h = h @ params[2 * l] + params[2 * l + 1]
        if l < n - 1:
            h = F.gelu(h) if spec["model"]["activation"] == "gelu" else F.relu(h)
    loss = F.cross_entropy(h, batch["y"])
    opt.zero_grad()
    loss.backward()
    opt.step()
    for l in range(n):
        for i, kind in enumerate(("weight", "bias")):
            p = params[2 * l + i]
            key = f"layers.{l}.{kind}"
            check(f"{name} {key}", s1[key], p.detach(), failures)
            st = opt.state[p]
            for sname in ("momentum_buffer", "exp_avg", "exp_avg_sq"):
                if sname in st:
                    check(f"{name} optim.{key}.{sname}", s1[f"optim.{key}.{sname}"], st[sname], failures)
    assert int(s1["step"]) == 1 and int(s1["data_cursor"]) == spec["batch_size"]
    print(f"{name}: loss {loss.item():.6f}, torch {torch.__version__}")


def main():
    d = sys.argv[1]
    torch.set_num_threads(1)
    failures = []
    for name in ("sgd", "adamw"):
        run(d, name, failures)
    if failures:
        print("FAILED:", ", ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
