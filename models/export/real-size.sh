#!/usr/bin/env bash
# Real-size random-init exports (not a CI test): sam2.1-hiera-t at 512 and 1024 px and
# sam2.0-hiera-s at 1024 px, fp32 and fp16, each checked against PyTorch with the parity script;
# the fp32 folders are then loaded by the engine and timed per graph on both Node backends
# (graph-times.ts; fp16 graphs compute in float32, so their times are the same).
# --full-bench also runs `npm run bench` (whole-volume propagation: slow at 1024 px).
#
#   models/export/real-size.sh OUTDIR [--full-bench]
#
# Writes OUTDIR/<name>-<precision>/ (model folders), OUTDIR/<name>-cases/, *.parity.json,
# *.times.json (and *.bench.json) and prints a summary. Needs python3-torch, python3-onnx, ~2 GB disk.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:?usage: models/export/real-size.sh OUTDIR [--full-bench]}"
bench=0
[ "${2:-}" = "--full-bench" ] && bench=1
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
    if [ "$precision" = fp32 ]; then
      echo "== graph times $name"
      "$tsx" models/export/graph-times.ts "$dir" --repeats 1 > "$out/$name-$precision.times.json"
    fi
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
    times_file = os.path.join(out, f"{name}.times.json")
    times = json.load(open(times_file))["results"] if os.path.exists(times_file) else []
    for g, s in report["summary"].items():
        ms = "  ".join(f"{t['graphMs'][g]:8.0f} ms" for t in times)
        print(f"  {g:17s} {sizes[g]:8.1f} MiB  max|err| {s['maxAbsError']:.2e}  rel {s['relError']:.2e} "
              f"({s['worstOutput']})  {ms}")
    for t in times:
        print(f"  load {t['loadMs']:.0f} ms on {t['backend']}")
PYEOF
