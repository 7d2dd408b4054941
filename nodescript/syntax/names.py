"""How a name is written: a node's or group's as a bare word when the grammar reads it back as
that name, else a string ("Render Layers", "File Output.001", "group"); a socket's after its
node (`.Depth`, `."Object Index"`); any text as a string. Shared by fmt, export and messages."""

from __future__ import annotations

import re

# Words the grammar reserves: a node named like this is written quoted.
RESERVED = frozenset({"target", "use", "scene", "group", "as", "true", "false", "_"})
BARE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"})


def is_bare(name: str) -> bool:
    return bool(BARE_NAME.match(name)) and name not in RESERVED


def name_text(name: str) -> str:
    """`name` as the language writes it: bare when it can be, quoted otherwise."""
    return name if is_bare(name) else quoted(name)


def dotted_socket(name: str) -> str:
    """`.Depth`, or `."Object Index"` for a socket name that is not a word."""
    return "." + (name if BARE_NAME.match(name) else quoted(name))


def quoted(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'
