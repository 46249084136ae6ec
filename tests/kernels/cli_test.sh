#!/usr/bin/env bash
# The train / replay / spec-hash commands end to end on the tiny spec.
# Usage: cli_test.sh TOOL SPEC
set -euo pipefail
tool=$1 spec=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$tool" train --spec "$spec" --out "$d" --threads 2 > "$d/train.txt" 2> "$d/progress.txt"
cat "$d/train.txt"
grep -q '^merkle_root [0-9a-f]\{64\}$' "$d/train.txt"
grep -q '^test_accuracy ' "$d/train.txt"
# Not a terminal: no progress bar (no carriage returns in logs); on one, a bar.
if grep -q $'\r' "$d/progress.txt"; then echo "progress drawn into a file"; exit 1; fi
if command -v script > /dev/null; then
  script -qec "$tool train --spec $spec --out $d/pty --threads 2" /dev/null > "$d/pty.txt"
  grep -q 'steps/s' "$d/pty.txt"
  grep -q $'\r\\[###' "$d/pty.txt"
fi
# --json: one JSON document; each checkpoint after step 0 carries its step's loss.
"$tool" --json train --spec "$spec" --out "$d/json" --threads 2 > "$d/train.json" 2> "$d/progress-json.txt"
python3 - "$d/train.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
cps = r["checkpoints"]
assert [c["step"] for c in cps] == [0, 5, 10, 15, 20], cps
assert cps[0]["loss"] is None and all(isinstance(c["loss"], float) for c in cps[1:]), cps
assert cps[-1]["loss"] == r["final_loss"], (cps[-1], r["final_loss"])
assert len(r["merkle_root"]) == 64 and r["test_total"] == 10000, r
PY
[[ ! -s "$d/progress-json.txt" ]] || { echo "--json drew a progress bar"; exit 1; }
test -f "$d/ckpt-00000000.safetensors" -a -f "$d/ckpt-00000020.safetensors" -a -f "$d/commitment.json"
# Replay one interval (commitment found next to the checkpoint), with another thread count.
"$tool" replay --spec "$spec" --from "$d/ckpt-00000010.safetensors" --steps 5 --threads 1 | tee "$d/replay.txt"
grep -q '^MATCH' "$d/replay.txt"
"$tool" --json replay --spec "$spec" --from "$d/ckpt-00000010.safetensors" --steps 5 > "$d/replay.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["matches"] is True and r["to_step"] == 15, r' "$d/replay.json"
# A replay that reaches a step with no checkpoint says so (exit 3); a wrong one mismatches (exit 2).
set +e
"$tool" replay --spec "$spec" --from "$d/ckpt-00000010.safetensors" --steps 3 > /dev/null; rc=$?
[[ $rc -eq 3 ]] || { echo "expected exit 3, got $rc"; exit 1; }
sed -i '0,/"state_hash": "[0-9a-f]/s//"state_hash": "x/' "$d/commitment.json"
"$tool" replay --spec "$spec" --from "$d/ckpt-00000010.safetensors" --steps 5 > /dev/null 2>&1; rc=$?
[[ $rc -ne 0 ]] || { echo "a corrupted commitment was accepted"; exit 1; }
echo '{"model": {}}' > "$d/bad.json"
"$tool" spec-hash --spec "$d/bad.json" 2> "$d/err.txt"; rc=$?
[[ $rc -ne 0 ]] && grep -q 'model.type: missing' "$d/err.txt"
# A spec above the chain's max_spec_bytes is refused as job_submit would refuse it.
"$tool" spec-hash --spec "$spec" --max-spec-bytes 100 2> "$d/err.txt"; rc=$?
[[ $rc -ne 0 ]] || { echo "an oversized spec was accepted"; exit 1; }
grep -q 'the limit is 100 (max_spec_bytes)' "$d/err.txt"
set -e
"$tool" spec-hash --spec "$spec" | tail -1 | grep -q '^834c0d9f9ad750a8525060a055bc2794caee61e0a96fc5bd4d9372e40f404b96$'
echo "cli_test: PASS"
