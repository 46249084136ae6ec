#!/usr/bin/python3
"""Checks the PTX of kernels/ops_cuda.cu (built with the production options by
the vt_kernels_ptx target) against the determinism rules of docs/kernels.md,
instruction by instruction, so that CI catches a rule broken on the GPU side
without a GPU:

- every float add, sub, mul, fma, div and sqrt carries the .rn rounding mode
  (nvcc emits a bare mul.f32 / add.f32, which ptxas may fuse into an fma, when
  --fmad=false is lost; .rn forbids the fusion);
- no .ftz (flush-to-zero), no .approx or .full (fast division, -use_fast_math);
- no hardware transcendentals (ex2, lg2, sin, cos, rcp, rsqrt, tanh), no float mad;
- no atomics or reductions (atom, red), no tensor-core instructions (mma, wmma,
  wgmma), no half, bfloat16 or tf32 types.

Usage: ptx_audit.py FILE.ptx[|FILE.ptx...]   or   ptx_audit.py --self-test
Exit 0 when every file passes, 1 with one line per offending instruction.
"""
import re
import sys

ARITH = {"add", "sub", "mul", "fma", "div", "sqrt"}
BANNED_OPCODES = {"ex2", "lg2", "sin", "cos", "rcp", "rsqrt", "tanh", "atom", "red", "mma", "wmma",
                  "wgmma", "cp.reduce"}
BANNED_TYPES = {"f16", "f16x2", "bf16", "bf16x2", "tf32", "e4m3", "e5m2"}
FLOAT_TYPES = {"f32", "f64"}
INSTRUCTION = re.compile(r"^\s*(?:@!?%\w+\s+)?([a-z][a-z0-9_.]*)")


def problems_in(lines):
    """Yields (line number, instruction, reason) for every rule broken."""
    for number, line in enumerate(lines, 1):
        code = line.split("//", 1)[0]
        if not code.strip() or code.lstrip().startswith((".", "{", "}", "$")):
            continue
        match = INSTRUCTION.match(code)
        if not match:
            continue
        parts = match.group(1).split(".")
        opcode, modifiers = parts[0], set(parts[1:])
        text = code.strip()
        if opcode in BANNED_OPCODES:
            yield number, text, f"'{opcode}' is not allowed in a deterministic kernel"
        if modifiers & BANNED_TYPES:
            yield number, text, "half, bfloat16 or tf32 arithmetic"
        if "ftz" in modifiers:
            yield number, text, "flushes subnormals to zero (.ftz)"
        if "approx" in modifiers or "full" in modifiers:
            yield number, text, "approximate instruction (.approx/.full)"
        if modifiers & FLOAT_TYPES:
            if opcode == "mad":
                yield number, text, "float mad (may be fused differently)"
            if opcode in ARITH and "rn" not in modifiers:
                yield number, text, "float arithmetic without .rn (contractible into an fma)"


def audit(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    bad = list(problems_in(lines))
    for number, text, reason in bad:
        print(f"{path}:{number}: {text}: {reason}")
    # An empty or truncated file would pass the rules trivially.
    entries = sum(1 for l in lines if ".entry" in l)
    fmas = sum(1 for l in lines if "fma.rn.f32" in l)
    barriers = sum(1 for l in lines if "bar.sync" in l)
    if entries < 10 or fmas == 0 or barriers == 0:
        print(f"{path}: expected the kernels of ops_cuda.cu, found {entries} entries, "
              f"{fmas} fma.rn.f32, {barriers} bar.sync")
        return False
    print(f"{path}: {len(lines)} lines, {entries} kernels, {fmas} fma.rn.f32: "
          f"{'FAIL' if bad else 'all rules hold'}")
    return not bad


def self_test():
    good = ["\tfma.rn.f32 \t%f1, %f2, %f3, %f4;", "\tmul.rn.f32 \t%f1, %f2, %f3;",
            "\tdiv.rn.f32 \t%f1, %f2, %f3;", "\tsqrt.rn.f32 \t%f1, %f2;",
            "\t@%p1 bra \t$L__BB0_2;", "\tmad.lo.s32 \t%r1, %r2, %r3, %r4;",
            "\tcvt.rn.f32.s32 \t%f1, %r1;", "\tsetp.gt.f32 \t%p1, %f1, %f2;", ".entry gemm(",
            "\tbar.sync \t0;", "\tld.shared.f32 \t%f1, [%r1];"]
    bad = ["\tmul.f32 \t%f1, %f2, %f3;", "\tadd.f32 \t%f1, %f2, %f3;",
           "\tfma.rn.ftz.f32 \t%f1, %f2, %f3, %f4;", "\tdiv.approx.f32 \t%f1, %f2, %f3;",
           "\tdiv.full.f32 \t%f1, %f2, %f3;", "\tex2.approx.ftz.f32 \t%f1, %f2;",
           "\tsqrt.approx.f32 \t%f1, %f2;", "\t@%p2 atom.global.add.f32 \t%f1, [%rd1], %f2;",
           "\tred.global.add.f32 \t[%rd1], %f2;", "\tmad.f32 \t%f1, %f2, %f3, %f4;",
           "\tmma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 \t{%f1}, {%r1}, {%r2}, {%f2};",
           "\tadd.rn.f16 \t%h1, %h2, %h3;", "\trcp.rn.f32 \t%f1, %f2;"]
    ok = True
    for line in good:
        if list(problems_in([line])):
            print(f"self-test: flagged a good instruction: {line.strip()}")
            ok = False
    for line in bad:
        if not list(problems_in([line])):
            print(f"self-test: missed a bad instruction: {line.strip()}")
            ok = False
    print(f"self-test: {len(good)} allowed and {len(bad)} forbidden instructions: "
          f"{'PASS' if ok else 'FAIL'}")
    return ok


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    ok = self_test()
    if sys.argv[1] != "--self-test":
        for path in sys.argv[1].split("|"):
            ok = audit(path) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
