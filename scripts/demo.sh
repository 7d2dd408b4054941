#!/usr/bin/env bash
# The story in one command, on a fresh machine (about 5 s once the environments exist):
#   1. lint finds the classic mistake      examples/traps/half-float.nodes: depth as half floats
#   2. the good graph, applied and rendered examples/depth.nodes on examples/scene.blend
#   3. the mistake rendered too            in memory, with --force (the .blend is not written)
#   4. both files against the known depth  scripts/demo_compare.py: a picture and one line a file
# The scene (scripts/make_example_scene.py) has a ramp whose depth changes by 1.9 mm a pixel row,
# less than a half float's 7.8 mm step at 8-16 m: the half file shows it as a staircase.
# Usage: scripts/demo.sh [4.2|4.5|5.0]   (default 5.0)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=${1:-5.0}
OUT=examples/out
TRAP=examples/traps/half-float.nodes
started=$(date +%s%N)
step() { printf '\n== %s\n' "$*"; }
ns() { ".venvs/bpy-$VERSION/bin/nodescript" "$@"; }
show() { printf '$ nodescript %s\n' "$*"; }
# bpy 4.x prints its own "Error: Not freed memory blocks" report at exit: not nodescript's, and
# alarming in a demo.
quiet_leaks() { sed -u '/^Error: Not freed memory blocks:/d'; }
run() { show "$@"; ns "$@" | quiet_leaks; }

scripts/bootstrap.sh "$VERSION" core
PY=.venvs/bpy-$VERSION/bin/python
# Made fresh each time (half a second) in this Blender's format: nodescript refuses to upgrade
# or downgrade a file silently, and the scene's geometry is what step 4 compares against.
"$PY" scripts/make_example_scene.py examples/scene.blend >/dev/null
rm -rf "$OUT" && mkdir -p "$OUT"                  # generated output only (git ignores it)

step "1. The classic mistake: depth through a colour node (Combine Color) into a 16-bit EXR"
grep -E '^(c|half) =|->' "$TRAP" | sed 's/^/   /'
run lint "$TRAP" examples/depth.nodes || true        # exit 1: the trap has an error

step "2. The good graph (Depth straight into a 32-bit EXR), applied to the scene and rendered"
run apply examples/scene.blend examples/depth.nodes -o "$OUT/scene-applied.blend"
run apply "$OUT/scene-applied.blend" examples/depth.nodes --check
run render "$OUT/scene-applied.blend" --out "$OUT"

step "3. The mistake rendered too (in memory: --force, examples/scene.blend is not written)"
show render examples/scene.blend "$TRAP" --out "$OUT" --force
ns render examples/scene.blend "$TRAP" --out "$OUT" --force 2>"$OUT/trap-render.log" | quiet_leaks \
    || { cat "$OUT/trap-render.log" >&2; exit 1; }     # (its findings were shown in step 1)

elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
step "4. Both depth files against the scene's known depth ($((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s so far)"
"$PY" scripts/demo_compare.py "$OUT/depth-profile.png" \
    "trap=$OUT/half/depth0001.exr" "good=$OUT/depth/depth0001.exr"
