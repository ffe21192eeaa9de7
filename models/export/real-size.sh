#!/usr/bin/env bash
# Real-size random-init exports (not a CI test): sam2.1-hiera-t at 512 and 1024 px and
# sam2.0-hiera-s at 1024 px, fp32 and fp16, each checked against PyTorch with the parity script,
# then timed per graph on both Node backends by the engine's benchmark.
#
#   models/export/real-size.sh OUTDIR [--no-bench]
#
# Writes OUTDIR/<name>/ (model folders), OUTDIR/<name>-cases/, OUTDIR/<name>.parity.json,
# OUTDIR/<name>.bench.json and prints a summary table. Needs python3-torch, python3-onnx, ~3 GB disk.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:?usage: models/export/real-size.sh OUTDIR [--no-bench]}"
bench=1
[ "${2:-}" = "--no-bench" ] && bench=0
mkdir -p "$out"
py=/usr/bin/python3
tsx=node_modules/.bin/tsx

run() { # name variant size
  local name=$1 variant=$2 size=$3
  for precision in fp32 fp16; do
    local dir="$out/$name-$precision"
    local flags=(--random-init --seed 0 --variant "$variant" --size "$size" --out "$dir")
    [ "$precision" = fp16 ] && flags+=(--fp16)
    [ "$precision" = fp32 ] && flags+=(--parity-cases "$out/$name-cases")
    echo "== export $name $precision"
    "$py" models/export/export.py "${flags[@]}"
    echo "== parity $name $precision"
    "$tsx" models/export/parity.ts "$dir" "$out/$name-cases" > "$out/$name-$precision.parity.json"
    if [ "$bench" = 1 ]; then
      echo "== bench $name $precision"
      npm run --silent bench -- --model "$dir" --json "$out/$name-$precision.bench.json" --slices 4 --repeats 3
    fi
  done
}

run hiera-t-512 sam2.1-hiera-t 512
run hiera-t-1024 sam2.1-hiera-t 1024
run hiera-s-1024 sam2.0-hiera-s 1024

"$py" - "$out" <<'PYEOF'
import json, os, sys
out = sys.argv[1]
for name in sorted(f[:-len(".parity.json")] for f in os.listdir(out) if f.endswith(".parity.json")):
    report = json.load(open(os.path.join(out, f"{name}.parity.json")))
    manifest = json.load(open(os.path.join(out, name, "manifest.json")))
    sizes = {g: os.path.getsize(os.path.join(out, name, e["file"])) / 2**20 for g, e in manifest["graphs"].items()}
    print(f"{name}: total {sum(sizes.values()):.1f} MiB, contract problems {report['contractProblems']}")
    for g, s in report["summary"].items():
        print(f"  {g:17s} {sizes[g]:8.1f} MiB  max|err| {s['maxAbsError']:.2e}  rel {s['relError']:.2e} ({s['worstOutput']})")
PYEOF
