#!/usr/bin/env bash
# Runs examples/etl.hcl end to end on the local executor, with its own
# SQLite store and run directory in a scratch directory, and shows the run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/reflow-demo.XXXXXX")
cd "$dir"
export REFLOW_STORE="$dir/manifest.db" XDG_STATE_HOME="$dir/state"
printf 'a\nb\nc\nd\ne\nf\ng\nh\n' > letters.txt
echo "== reflow apply examples/etl.hcl --source letters.txt (in $dir)"
"$top/bin/reflow" apply "$top/examples/etl.hcl" --source letters.txt --chunks 4
echo
"$top/bin/reflow" status
echo
echo "== join's result (the number of lines joined): $(cat reflow-runs/*/join/joined.txt | wc -l)"
echo "== the same again: every job is cached"
"$top/bin/reflow" apply "$top/examples/etl.hcl" --source letters.txt --chunks 4
