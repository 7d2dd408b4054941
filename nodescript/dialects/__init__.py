"""Blender versions as dialects: what differs between them, named, in one place.

Each supported version is a small module here (`blender_4_2.py`, ...) holding one `Dialect`
subclass that overrides only what changed since the version before it, with a comment on why
(sqlglot's way). Lowering, the executor, export and lint read these features instead of
comparing version numbers, so supporting a new Blender means a catalogue JSON
(`python -m nodescript.catalog.generate`) plus a dialect module; nothing else names a version.

bpy-free and cheap: `python -m nodescript.dialects` prints the table the set-up scripts read.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from nodescript.dialects.base import Dialect

__all__ = ["Dialect", "UnknownVersion", "all_dialects", "get", "versions"]


class UnknownVersion(LookupError):
    """No dialect for this Blender version; the message lists the known ones."""


@functools.cache
def _registry() -> dict[str, type[Dialect]]:
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("blender_"):
            importlib.import_module(f"{__name__}.{module.name}")
    found = {cls.VERSION: cls for cls in _subclasses(Dialect) if cls.VERSION}
    return dict(sorted(found.items(), key=lambda item: _key(item[0])))


def _subclasses(cls: type) -> list[type]:
    return [c for sub in cls.__subclasses__() for c in (sub, *_subclasses(sub))]


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def versions() -> tuple[str, ...]:
    """Every version with a dialect, oldest first."""
    return tuple(_registry())


@functools.cache
def get(version: str) -> Dialect:
    """The dialect of Blender `version` ("4.2"; "4.2.23" is read as its major.minor)."""
    short = ".".join(str(version).split(".")[:2])
    cls = _registry().get(short)
    if cls is None:
        raise UnknownVersion(f"nodescript does not know Blender {version}; it knows "
                             f"{', '.join(versions())}")
    return cls()


def all_dialects() -> tuple[Dialect, ...]:
    return tuple(get(v) for v in versions())


def install_hint(python: str | None = None) -> str:
    """How to get a Blender module nodescript works with into this Python (`python`: "3.11";
    default: the running one), newest first; releases built for another Python are named apart."""
    import sys

    python = python or "%d.%d" % sys.version_info[:2]
    here = [d.BPY_RELEASE for d in reversed(all_dialects()) if d.PYTHON == python]
    elsewhere = {}
    for d in reversed(all_dialects()):
        if d.PYTHON != python:
            elsewhere.setdefault(d.PYTHON, []).append(d.BPY_RELEASE)
    notes = [f"{', '.join(r)} need{'s' if len(r) == 1 else ''} Python {py}"
             for py, r in elsewhere.items()]
    if not here:
        return "install a Python nodescript's bpy releases are built for: " + "; ".join(notes)
    others = ", ".join(here[1:])
    rest = "; ".join(([f"or {others}"] if others else []) + notes)
    return f"pip install bpy=={here[0]}" + (f" ({rest})" if rest else "")


def first_with(feature: str) -> str:
    """The oldest version with `feature` ("COMPOSITOR_EFFECTS" -> "5.3"), for messages."""
    return next(d.VERSION for d in all_dialects() if getattr(d, feature))
