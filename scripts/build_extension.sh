#!/usr/bin/env bash
# Build the Blender extension (4.2+ extensions platform): dist/nodescript-<version>.zip, with
# nodescript, lark and click inside as wheels. Install it in Blender from
# Preferences > Get Extensions > Install from Disk (docs/extension.md).
#   bash scripts/build_extension.sh [--out DIR] [--no-validate]
# PYTHON picks the interpreter (default: .venvs/core/bin/python, else python3); it needs pip
# and lark and click installed (their versions are the ones bundled).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
    if [ -x .venvs/core/bin/python ]; then PYTHON=.venvs/core/bin/python; else PYTHON=python3; fi
fi
exec "$PYTHON" scripts/build_extension.py "$@"
