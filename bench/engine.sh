#!/usr/bin/env bash
# Engine benchmarks W1–W3 (issue 5), each printed beside its baseline from
# the same run:
#
#   W1  N trivial tasks (one array) on the local executor with 2 slots,
#       beside `xargs -P2` running the same commands with bash -c.
#       Target: within 1.5x of xargs.
#   W2  `reflow plan` of a workflow with a 100,000-element array, beside
#       `reflow validate` of the same file (parsing alone).
#       Target: <= 1 s and <= 300 MB.
#   W3  a fully cached re-run of W1's workflow, beside W1's first run.
#       Target (at 100,000 elements): <= 3 s.
#   and the dispatcher's own CPU per task instance (REFLOW_STATS).
#
# Usage: bench/engine.sh [N]   (default N=10000; W2 always uses 100,000)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-10000}
make -C "$top" build >/dev/null
go build -o "$top/bin/runstat" "$top/bench/cmd/runstat"
R="$top/bin/reflow"
S="$top/bin/runstat"
dir=$(mktemp -d "${TMPDIR:-/tmp}/reflow-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"
mkdir -p cfg
printf 'executor "local" {\n  slots = 2\n}\n' > cfg/config.hcl
export REFLOW_CONFIG="$dir/cfg/config.hcl" REFLOW_STORE="$dir/manifest.db" XDG_STATE_HOME="$dir/state" REFLOW_STATS=1
cat > w.hcl <<'HCL'
workflow "bench" {}
param "n" {
  type = number
}
job "t" {
  for_each = range(param.n)
  command  = "echo ${each.value} > /dev/null"
}
HCL

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== W1: $n trivial tasks, 2 slots"
seq 0 $((n - 1)) | "$S" "W1 baseline xargs -P2 bash -c" -- xargs -P2 -I{} bash -c 'echo {} > /dev/null'
"$S" "W1 reflow apply" -- "$R" apply w.hcl --n "$n" 2>&1 | grep -E 'reflow-stats|succeeded|failed|wall=' || true
echo "== W3: fully cached re-run of the same $n tasks"
"$S" "W3 reflow apply (all cached)" -- "$R" apply w.hcl --n "$n" 2>&1 | grep -E 'reflow-stats|wall=' || true
echo "== W2: plan of 100,000 elements (three runs: one run on a shared VM says little)"
for i in 1 2 3; do
  "$S" -q "W2 baseline reflow validate" -- "$R" validate w.hcl
  "$S" -q "W2 reflow plan" -- "$R" plan w.hcl --n 100000
done
