"""`keys=[...]`: keyframed values of a node, in the language (pure: no bpy).

    Math(operation=multiply, keys=[("inputs[1].default_value", (1, 0.2), (250, 0.8, linear))])

Each curve is a tuple: the animated value's RNA path under the node (with `[i]` for one
component of a vector or colour), then its keys `(frame, value)` or `(frame, value,
interpolation)`; the interpolation of a key is how it runs to the next one (default bezier, as
Blender makes them). The resolver checks the form, the lowering turns it into plan.Curve.
"""

from __future__ import annotations

import re

INTERPOLATIONS = {word: word.upper() for word in (
    "constant", "linear", "bezier", "sine", "quad", "cubic", "quart", "quint", "expo", "circ",
    "back", "bounce", "elastic")}
DEFAULT_INTERPOLATION = "BEZIER"

_PART = r'[A-Za-z_]\w*(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?'
# A value's path under the node, `[i]` for one component (keys= and drivers= alike).
TARGET = re.compile(rf'(?P<path>(?:{_PART}\.)*[A-Za-z_]\w*)(?:\[(?P<index>\d+)\])?')

Curve = tuple[str, int, tuple[tuple[float, float, str], ...]]     # path, index, keys


class KeysError(ValueError):
    pass


def parse(value) -> list[Curve]:
    """`keys=` as plain values (resolve.values.plain) -> curves; KeysError says what is wrong."""
    if not isinstance(value, tuple) or not value:
        raise KeysError("keys takes a list of curves: [(\"inputs[1].default_value\", "
                        "(frame, value), ...), ...]")
    curves, seen = [], set()
    for item in value:
        curve = _curve(item)
        if curve[:2] in seen:
            raise KeysError(f"`{target_text(*curve[:2])}` is keyed twice")
        seen.add(curve[:2])
        curves.append(curve)
    return curves


def _curve(item) -> Curve:
    if not isinstance(item, tuple) or len(item) < 2 or not isinstance(item[0], str):
        raise KeysError("each curve is (\"path\", (frame, value), ...): the animated value's "
                        "path under the node, then its keys")
    match = TARGET.fullmatch(item[0])
    if match is None:
        raise KeysError(f"`{item[0]}` is not a value's path under the node "
                        "(e.g. \"inputs[1].default_value\")")
    keys = tuple(_key(key, item[0]) for key in item[1:])
    frames = [frame for frame, _, _ in keys]
    if frames != sorted(set(frames)):
        raise KeysError(f"the keys of `{item[0]}` must be in frame order, one per frame")
    return match["path"], int(match["index"] or 0), keys


def _key(key, target: str) -> tuple[float, float, str]:
    numbers = key[:2] if isinstance(key, tuple) else ()
    if len(numbers) != 2 or len(key) > 3 or not all(
            isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
        raise KeysError(f"a key of `{target}` is (frame, value) or (frame, value, "
                        "interpolation)")
    how = key[2] if len(key) == 3 else None
    if how is not None and (not isinstance(how, str) or how.lower() not in INTERPOLATIONS):
        raise KeysError(f"`{how}` is not an interpolation: {', '.join(INTERPOLATIONS)}")
    return float(numbers[0]), float(numbers[1]), INTERPOLATIONS[how.lower()] if how \
        else DEFAULT_INTERPOLATION


def target_text(path: str, index: int) -> str:
    return path + (f"[{index}]" if index else "")
