"""One line on how to get Blender's Python module, said before anything reads a .blend file
(which would otherwise fail first on something else, such as zstandard for a compressed file).
Finding the module does not import it: the check costs nothing when bpy is there."""

from __future__ import annotations

import importlib.util
import sys

from nodescript.dialects import install_hint


def bpy_missing(command: str) -> str | None:
    """None when `import bpy` can work, else the one-line message for `nodescript COMMAND`."""
    if importlib.util.find_spec("bpy") is not None:
        return None
    # The bpy releases the dialects name (the catalogues were taken from them), for this Python.
    return (f"`nodescript {command}` needs Blender's Python module bpy, which this Python "
            f"({sys.executable}) does not have: {install_hint()}, "
            "or run nodescript from an environment that has it")
