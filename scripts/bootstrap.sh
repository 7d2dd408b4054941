#!/usr/bin/env bash
# Set up everything nodescript's demo and tests need, idempotently:
#   .venvs/core     Python 3.11 + nodescript (editable) + test tools, no Blender
#   .venvs/bpy-4.2  the same + bpy 4.2.23   (and bpy-4.5: 4.5.15, bpy-5.0: 5.0.1)
#   Graphviz's `dot` from the system packages (for `nodescript graph` to SVG/PNG)
# Usage: scripts/bootstrap.sh [core] [4.2] [4.5] [5.0]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
declare -A BPY=([4.2]=4.2.23 [4.5]=4.5.15 [5.0]=5.0.1)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(core 4.2 4.5 5.0)

log() { printf '[bootstrap] %s\n' "$*" >&2; }

ensure_graphviz() {
    command -v dot >/dev/null && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing graphviz (apt-get)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz) >/dev/null
    else
        log "graphviz missing: install it (apt-get install graphviz) for SVG/PNG drawings"
    fi
}

# A venv is reused when its stamp matches what it was built from (pyproject + bpy version).
ensure_venv() {
    local name=$1 extra=$2 dir=.venvs/$1
    local stamp; stamp="$(sha1sum pyproject.toml | cut -c1-12) $extra"
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
        return
    fi
    log "creating $dir ${extra:+($extra)}"
    rm -rf "$dir"
    "$PYTHON" -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check -e ".[test,images]" $extra \
        > "$dir.log" 2>&1 || { cat "$dir.log" >&2; exit 1; }
    echo "$stamp" > "$dir/.stamp"
}

mkdir -p .venvs
ensure_graphviz
pids=()
for w in "${wanted[@]}"; do
    if [ "$w" = core ]; then
        ensure_venv core "" &
    else
        ensure_venv "bpy-$w" "bpy==${BPY[$w]}" &
    fi
    pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
