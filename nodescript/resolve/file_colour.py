"""A File Output's own colour management: `FileOutput(format=png, view_transform=raw)`.

Any of these settings, on the node or on an input's own format, overrides the scene's colour
management for what that format writes (Blender's Color Management: Override). Blender starts an
override from different values by version (4.x copies the scene's view, 5.x starts at AgX, and an
5.x input's own format at the sRGB colour space; benchmarks/colour_override_matrix.py), so
nodescript writes every field: the ones not given take Blender 5's starting values.
"""

from __future__ import annotations

from nodescript import vocabulary
from nodescript.diagnostics import did_you_mean
from nodescript.resolve import codes
from nodescript.resolve.values import describe
from nodescript.scene_settings import (FILE_COLOUR_SETTINGS, FILE_COLOUR_STARTS, VIEW_TRANSFORMS,
                                      file_colour_space)
from nodescript.syntax import ast
from nodescript.vocabulary import fold

SETTINGS, STARTS = FILE_COLOUR_SETTINGS, FILE_COLOUR_STARTS


def color_spaces(version: str) -> list[str]:
    """The colour spaces of this version's OpenColorIO configuration (Convert Colorspace's)."""
    for kind in ("ConvertColorspace", "ConvertColorSpace"):
        found = vocabulary.spec_for(kind, version)
        if found is not None:
            return [i for i, _ in found[0].properties["from_color_space"].items]
    return []


def resolve(given: dict, file_format: str, version: str, resolver) -> dict | None:
    """The override's fields (all of them), or None when no colour setting is given. `given`
    maps setting names to arguments; errors go to the resolver."""
    args = {name: given[name] for name in SETTINGS if name in given}
    if not args:
        return None
    out = dict(STARTS, color_space=file_colour_space(file_format))
    for name, arg in args.items():
        value = _value(name, arg, version, resolver)
        if value is not None:
            out[SETTINGS[name]] = value
    return out


def _value(name: str, arg: ast.Arg, version: str, resolver):
    value = arg.value
    if name in ("exposure", "gamma"):
        if not isinstance(value, ast.Number):
            resolver.error(codes.BAD_VALUE, f"FileOutput {name} takes a number, not "
                           f"{describe(value)}", value.span)
            return None
        return float(value.value)
    word = value.name if isinstance(value, ast.Ident) else \
        value.value if isinstance(value, ast.String) else None
    if word is None:
        resolver.error(codes.BAD_VALUE, f"FileOutput {name} takes a name, not {describe(value)}",
                       value.span)
        return None
    if name == "view_transform":
        found = {fold(k): v for k, v in VIEW_TRANSFORMS.items()}.get(fold(word))
        if found is None:
            resolver.error(codes.BAD_VALUE, f"`{word}` is not a view transform", value.span,
                           did_you_mean(word, list(VIEW_TRANSFORMS)))
        return found
    if name == "color_space":
        spaces = color_spaces(version)
        found = next((s for s in spaces if fold(s) == fold(word)), None)
        if found is None and spaces:
            resolver.error(codes.BAD_VALUE, f"`{word}` is not a colour space of Blender "
                           f"{version}", value.span, did_you_mean(word, spaces))
        return found
    return word
