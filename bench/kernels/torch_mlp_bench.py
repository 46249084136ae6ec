#!/usr/bin/python3
"""PyTorch CPU anchor for bench_kernels: the same 784-256-128-10 MLP, batch 128,
SGD momentum 0.9, with torch and OpenBLAS limited to the same thread count."""
import argparse
import os
import time

import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--steps", type=int, default=500)
ap.add_argument("--warmup", type=int, default=20, help="untimed steps first (bench_kernels --tiny: 2)")
ap.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU anchor (TF32 off)")
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                      nn.Linear(128, 10)).to(a.device)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x = torch.rand(128, 784, device=a.device)
y = torch.randint(0, 10, (128,), device=a.device)
loss_fn = nn.CrossEntropyLoss()


def step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    return loss


def sync():
    if a.device != "cpu":
        torch.cuda.synchronize()


for _ in range(a.warmup):
    step()
sync()
t0 = time.perf_counter()
for _ in range(a.steps):
    loss = step()
sync()
sps = a.steps / (time.perf_counter() - t0)
if not torch.isfinite(loss):
    raise SystemExit(f"torch loss is not finite: {loss.item()}")
blas = "openblas" if "openblas" in torch.__config__.show().lower() else "see torch.__config__"
where = torch.cuda.get_device_name() if a.device != "cpu" else "cpu"
print(f"torch MLP 784-256-128-10 batch 128 SGD: {sps:.1f} steps/s ({1000.0 / sps:.3f} ms/step on {where}, torch threads {a.threads}, OpenBLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}, torch {torch.__version__}, {blas})")
