#!/usr/bin/env bash
# Set up (scripts/bootstrap.sh) and run the whole test suite:
#   1. bpy-free unit, golden, fuzz and CLI tests in .venvs/core (no Blender installed there)
#   2. the Blender integration tests in each Blender version nodescript knows (one venv each:
#      `python -m nodescript.dialects` lists them; bootstrap.sh installs them)
# Extra arguments go to every pytest run (e.g. -x, -k name).
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh || exit 1

export PYTHONDONTWRITEBYTECODE=1
failed=0
summary=()
run() {
    local label=$1; shift
    echo "=== $label ==="
    local out; out=$(mktemp)
    "$@" 2>&1 | tee "$out"
    local rc=${PIPESTATUS[0]}
    [ "$rc" = 0 ] || failed=1      # including pytest's 5 (no tests): every run here expects tests
    summary+=("$label: $(grep -E '[0-9]+ (passed|failed|skipped|errors?)|no tests ran' "$out" | tail -n1 | tr -d '=' | xargs)")
    rm -f "$out"
}

run "core (no bpy)" .venvs/core/bin/python -m pytest -m "not blender" -q "$@"
for v in $(.venvs/core/bin/python -m nodescript.dialects | cut -d' ' -f1); do
    run "blender $v" .venvs/bpy-$v/bin/python -m pytest -m blender -q "$@"
done

echo "=== summary ==="
printf '%s\n' "${summary[@]}"
totals=$(printf '%s\n' "${summary[@]}" | grep -oE '[0-9]+ (passed|failed|skipped)' | awk '{s[$2]+=$1} END {printf "%d passed, %d failed, %d skipped", s["passed"], s["failed"], s["skipped"]}')
echo "$totals"
exit $failed
