"""Process edges around Blender: keep its C-level printing off stdout, and leave without its
teardown (docs/safety.md).

Blender prints from C straight to file descriptor 1 ("Read blend", `RNA_float_get` warnings,
"Not freed memory blocks" at exit), which would corrupt `lint --format json` and interleave with
nodescript's own lines. And a .blend holding a Python driver or handler makes the interpreter's
exit hang (4.5) or crash (4.2) in bpy's teardown, although no script ran; a command that loaded
bpy therefore ends with os._exit once its output is flushed.
"""

from __future__ import annotations

import contextlib
import os
import sys


@contextlib.contextmanager
def c_stdout_silenced():
    """Send what C code writes to fd 1 to /dev/null meanwhile; Python's sys.stdout is kept."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def exit_code(code) -> int:
    """SystemExit's code as an exit status (None is 0; a message is printed and is 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def leave(code: int) -> None:
    """Exit now; after bpy was loaded, skip the interpreter's and Blender's teardown."""
    if "bpy" not in sys.modules:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
