#!/usr/bin/env bash
# Set up everything nodescript's demo and tests need, idempotently:
#   .venvs/core     Python 3.11 + nodescript (editable) + test tools, no Blender
#   .venvs/bpy-X.Y  the same + bpy for each Blender nodescript has a dialect for, at the bpy
#                   release and Python the dialect names (`python -m nodescript.dialects`);
#                   bpy 5.1+ is built for Python 3.13 only, found by find_python
#   Graphviz's `dot` from the system packages (for `nodescript graph` to SVG/PNG)
# Usage: scripts/bootstrap.sh [core] [4.2] [4.5] ...   (default: core and every version)
set -euo pipefail
cd "$(dirname "$0")/.."

CORE_PYTHON=3.11
log() { printf '[bootstrap] %s\n' "$*" >&2; }

# The first python of version $1 on PATH or under pyenv (PYTHON3_11 / PYTHON3_13 override).
find_python() {
    local want=$1 var="PYTHON${1/./_}" candidate
    if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
    for candidate in "python$want" "$HOME"/.pyenv/versions/"$want".*/bin/"python$want" \
                     /usr/local/bin/"python$want" /usr/bin/"python$want"; do
        if "$candidate" -c 'import sys, venv' >/dev/null 2>&1; then
            command -v "$candidate"; return
        fi
    done
    return 1
}

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
    local name=$1 python=$2 extra=$3 dir=.venvs/$1
    local stamp; stamp="$(sha1sum pyproject.toml | cut -c1-12) $extra $("$python" -V 2>&1)"
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
        return
    fi
    log "creating $dir ${extra:+($extra)} with $("$python" -V 2>&1)"
    rm -rf "$dir"
    "$python" -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check -e ".[test,images]" $extra \
        > "$dir.log" 2>&1 || { cat "$dir.log" >&2; exit 1; }
    echo "$stamp" > "$dir/.stamp"
}

core_python=$(find_python $CORE_PYTHON) || {
    log "no Python $CORE_PYTHON found: install it (e.g. pyenv install $CORE_PYTHON) or set PYTHON${CORE_PYTHON/./_}=/path/to/python$CORE_PYTHON"
    exit 1
}
# Blender version -> bpy release on the package registry, and the Python it is built for.
declare -A BPY=() PY=([core]=$CORE_PYTHON)
while read -r version release python; do
    BPY[$version]=$release; PY[$version]=$python
done < <(PYTHONPATH=. "$core_python" -m nodescript.dialects)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(core $(PYTHONPATH=. "$core_python" -m nodescript.dialects | cut -d' ' -f1))

mkdir -p .venvs
ensure_graphviz
pids=()
for w in "${wanted[@]}"; do
    [ -n "${PY[$w]:-}" ] || { log "unknown environment '$w' (known: core ${!BPY[*]})"; exit 2; }
    python=$(find_python "${PY[$w]}") || {
        log "no Python ${PY[$w]} found for '$w': install it (e.g. pyenv install ${PY[$w]}) or set PYTHON${PY[$w]/./_}=/path/to/python${PY[$w]}"
        exit 1
    }
    if [ "$w" = core ]; then
        ensure_venv core "$python" "" &
    else
        ensure_venv "bpy-$w" "$python" "bpy==${BPY[$w]}" &
    fi
    pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
