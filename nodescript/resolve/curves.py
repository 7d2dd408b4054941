"""Colour-ramp and curve settings -> RNA paths with plain values (see nodescript.curve_settings).

    ColorRamp(stops=[(0, (0, 0, 0, 1)), (0.5, (1, 0, 0)), (1, 1)], interpolation=ease)
    RGBCurves(c=[(0, 0), (0.25, 0.15), (1, 1)], r=[(0, 0.05), (1, 1, vector)], use_clip=false)

A stop is (position, colour): the position 0 to 1, the colour a grey level, RGB (alpha 1) or
RGBA. A curve is a list of points (x, y) or (x, y, handle). Stops and points go in order of
position (Blender keeps them sorted; equal positions keep their order). With clipping on (the
default), every point must lie in the clip rectangle, where Blender would move it.
"""

from __future__ import annotations

from collections.abc import Callable

from nodescript import curve_settings as cs
from nodescript import vocabulary
from nodescript.catalog import NodeSpec, PropSpec
from nodescript.diagnostics import Span
from nodescript.resolve import codes
from nodescript.resolve.values import ValueError_, _check_range, _number, describe, for_property
from nodescript.syntax import ast

Report = Callable[..., None]          # report(code, message, span, help=None)


class _Bad(Exception):
    def __init__(self, message: str, span: Span, help: str | None = None):
        super().__init__(message)
        self.span = span
        self.help = help


def setting_names(spec: NodeSpec | None) -> tuple[str, ...]:
    return cs.setting_names(spec)


def find(spec: NodeSpec | None, name: str) -> str | None:
    """The ramp/curve setting `name` means on this node type (matched loosely), or None."""
    wanted = vocabulary.fold(name)
    return next((s for s in cs.setting_names(spec) if vocabulary.fold(s) == wanted), None)


def resolve(kind: str, spec: NodeSpec, args: list[tuple[str, ast.Arg]],
            report: Report) -> dict[str, object]:
    """path -> value for `args` [(setting, arg)], in the order Blender must get them; problems
    go to `report` (the setting is then left out)."""
    given: dict[str, object] = {}
    spans: dict[str, ast.Value] = {}
    failed: set[str] = set()
    for setting, arg in args:
        try:
            given[setting] = _convert(kind, spec, setting, arg.value)
            spans[setting] = arg.value
        except _Bad as bad:
            report(codes.BAD_VALUE, str(bad), bad.span, bad.help)
            failed.add(setting)
        except ValueError_ as exc:
            report(codes.BAD_VALUE, str(exc), arg.value.span, exc.help)
            failed.add(setting)
    if spec.mapping is not None and not failed & {"use_clip", "clip"}:
        _check_clip(kind, spec, given, spans, report)
    return _paths(spec, given)


def _convert(kind: str, spec: NodeSpec, setting: str, value: ast.Value) -> object:
    what = f"{kind}.{setting}"
    if setting == "stops":
        return _stops(value, what)
    if setting in cs.RAMP_ENUMS:
        return for_property(value, spec.ramp.properties[setting], what)
    if setting == "use_clip":
        return for_property(value, spec.mapping.properties["use_clip"], what)
    if setting == "clip":
        return _clip(value, spec, what)
    if setting in ("extend", "tone"):
        return for_property(value, spec.mapping.properties[setting], what)
    return _points(value, spec.mapping.point_properties["handle_type"], what)


def _sequence(value: ast.Value, what: str, example: str) -> tuple[ast.Value, ...]:
    if not isinstance(value, (ast.List, ast.Tuple)):
        raise _Bad(f"{what} takes a list like {example}, not {describe(value)}", value.span)
    return value.items


# --- colour ramps ---------------------------------------------------------------------------

STOP_EXAMPLE = "[(0, (0, 0, 0, 1)), (1, (1, 1, 1, 1))]"


def _stops(value: ast.Value, what: str) -> tuple:
    items = _sequence(value, what, STOP_EXAMPLE)
    if not cs.MIN_STOPS <= len(items) <= cs.MAX_STOPS:
        raise _Bad(f"a colour ramp has {cs.MIN_STOPS} to {cs.MAX_STOPS} stops, not {len(items)}",
                   value.span)
    stops: list[tuple[float, tuple]] = []
    for item in items:
        if not isinstance(item, ast.Tuple) or len(item.items) != 2:
            raise _Bad(f"a stop of {what} is (position, colour), like (0.5, (1, 0, 0, 1)), not "
                       f"{_show(item)}", item.span)
        position = _at(item.items[0], lambda v: _check_range(
            _number(v, "a stop's position"), 0, 1, "a stop's position"))
        colour = _at(item.items[1], lambda v: _colour(v))
        if stops and position < stops[-1][0]:
            raise _Bad(f"stops go in order of position: {position:g} comes after "
                       f"{stops[-1][0]:g}", item.span)
        stops.append((position, colour))
    return tuple(stops)


def _colour(value: ast.Value) -> tuple:
    what = "a stop's colour"
    if isinstance(value, ast.Number):
        components = (value.value,) * 3 + (1,)
    elif isinstance(value, ast.Tuple) and len(value.items) in (3, 4):
        components = tuple(_number(v, what) for v in value.items) + (1,) * (4 - len(value.items))
    else:
        raise ValueError_(f"{what} takes a grey level, (r, g, b) or (r, g, b, a), not "
                          f"{_show(value)}")
    if any(c < 0 for c in components):
        raise ValueError_(f"{what} cannot be negative: {_show(value)}")
    return components


# --- curves ---------------------------------------------------------------------------------

POINT_EXAMPLE = "[(0, 0), (0.5, 0.6), (1, 1)]"


def _points(value: ast.Value, handles: PropSpec, what: str) -> tuple:
    items = _sequence(value, what, POINT_EXAMPLE)
    if len(items) < cs.MIN_POINTS:
        raise _Bad(f"a curve has at least {cs.MIN_POINTS} points, not {len(items)}", value.span)
    points: list[tuple[float, float, str]] = []
    for item in items:
        if not isinstance(item, ast.Tuple) or len(item.items) not in (2, 3):
            raise _Bad(f"a point of {what} is (x, y) or (x, y, handle), like (0.5, 0.6) or "
                       f"(0.5, 0.6, vector), not {_show(item)}", item.span)
        x = _at(item.items[0], lambda v: _number(v, "a point's x"))
        y = _at(item.items[1], lambda v: _number(v, "a point's y"))
        handle = handles.default
        if len(item.items) == 3:
            handle = _at(item.items[2], lambda v: for_property(v, handles, "a point's handle"))
        if points and x < points[-1][0]:
            raise _Bad(f"points go in order of x: {x:g} comes after {points[-1][0]:g}", item.span)
        points.append((x, y, handle))
    return tuple(points)


def _clip(value: ast.Value, spec: NodeSpec, what: str) -> tuple:
    if not isinstance(value, ast.Tuple) or len(value.items) != 4:
        raise _Bad(f"{what} takes (min_x, min_y, max_x, max_y), not {_show(value)}", value.span)
    props = spec.mapping.properties
    rect = tuple(_at(v, lambda v, p=props[name]: _check_range(_number(v, what), p.min, p.max, what))
                 for v, name in zip(value.items, cs.CLIP))
    if rect[0] >= rect[2] or rect[1] >= rect[3]:
        raise _Bad(f"{what}: each minimum must be below its maximum, not {_show(value)}",
                   value.span)
    return rect


def _check_clip(kind: str, spec: NodeSpec, given: dict, spans: dict, report: Report) -> None:
    """With clipping on, Blender moves points into the clip rectangle: say so instead."""
    props = spec.mapping.properties
    if not given.get("use_clip", props["use_clip"].default):
        return
    rect = given.get("clip") or tuple(props[name].default for name in cs.CLIP)
    for setting, _ in cs.curve_names(spec):
        if setting not in given:
            continue
        for point, node in zip(given[setting], spans[setting].items):
            x, y = point[0], point[1]
            if not (rect[0] <= x <= rect[2] and rect[1] <= y <= rect[3]):
                report(codes.BAD_VALUE, f"point ({x:g}, {y:g}) of {kind}.{setting} is outside the "
                       f"clip rectangle x {rect[0]:g}..{rect[2]:g}, y {rect[1]:g}..{rect[3]:g}, "
                       "where Blender would move it", node.span,
                       "widen it with clip=(min_x, min_y, max_x, max_y), or use_clip=false")
                given.pop(setting)
                break


def _paths(spec: NodeSpec, given: dict) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in cs.RAMP_ENUMS + ("stops",):
        if name in given:
            out[cs.ramp_path(spec, cs.RAMP_SETTINGS[name])] = given[name]
    if "use_clip" in given:
        out[cs.mapping_path(spec, "use_clip")] = given["use_clip"]
    if "clip" in given:
        out.update({cs.mapping_path(spec, name): v for name, v in zip(cs.CLIP, given["clip"])})
    for name in ("extend", "tone"):
        if name in given:
            out[cs.mapping_path(spec, name)] = given[name]
    for setting, index in sorted(cs.curve_names(spec), key=lambda pair: pair[1]):
        if setting in given:
            out[cs.points_path(spec, index)] = given[setting]
    return out


# --- helpers ----------------------------------------------------------------------------------

def _at(value: ast.Value, convert):
    """convert(value), with its errors pointing at `value`."""
    try:
        return convert(value)
    except ValueError_ as exc:
        raise _Bad(str(exc), value.span, exc.help) from None


def _show(value: ast.Value) -> str:
    from nodescript.fmt import value as text

    shown = text(value)
    return f"`{shown}`" if len(shown) <= 40 else describe(value)
