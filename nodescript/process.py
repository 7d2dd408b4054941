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
import re
import sys
import tempfile


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


# What Blender prints to stderr from C that says nothing to a nodescript user: a headless
# machine without a GPU answering the GPU compositor (5.2's default device; the render falls
# back to the CPU and the files are the same, measured).
BLENDER_NOISE = re.compile(rb"^EGL Error \(0x[0-9A-Fa-f]+\)")


@contextlib.contextmanager
def c_stderr_filtered(noise: re.Pattern = BLENDER_NOISE):
    """Meanwhile, what C code writes to fd 2 goes to a temporary file; afterwards its lines are
    written to stderr, less those matching `noise` (real errors still show)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            kept = [line for line in caught.read().splitlines(keepends=True)
                    if not noise.match(line)]
            if kept:
                _write_err(b"".join(kept))


def _write_err(data: bytes) -> None:
    buffer = getattr(sys.stderr, "buffer", None)
    if buffer is not None:
        buffer.write(data)
    else:                                         # a text-only stream (a test runner's)
        sys.stderr.write(data.decode("utf-8", "replace"))
    sys.stderr.flush()


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
