"""Colour-ramp stops and curve mappings: the language's settings for them and where they go.

A Color Ramp holds a ColorRamp (`node.color_ramp`), and RGB Curves, Vector Curves, Hue Correct,
Time Curve and Float Curve hold a CurveMapping (`node.mapping`, Time Curve's `node.curve`). The
catalogue records both as a fresh node has them (`NodeSpec.ramp`, `NodeSpec.mapping`).

The resolver turns the settings into RNA paths under the node with plain values, kept in a
binding's properties like any other setting:

    color_ramp.interpolation          "EASE"              (also color_mode, hue_interpolation)
    color_ramp.elements               ((0.0, (0.0, 0.0, 0.0, 1.0)), (1.0, (1.0, 1.0, 1.0, 1.0)))
    mapping.use_clip                  False               (also clip_min_x ..., extend, tone)
    mapping.curves[3].points          ((0.0, 0.0, "AUTO"), (1.0, 1.0, "AUTO"))

Lowering compares a scene's nodes with a fresh node's values (`defaults`), the executor reads
and writes these paths (`ELEMENTS_PATH`, `POINTS_PATH` are the two it builds by hand), export
writes the settings back. Nothing here imports bpy or the parser.
"""

from __future__ import annotations

import re

from nodescript.catalog import NodeSpec

# Setting -> the ColorRamp property it sets ("stops" are the ramp's elements).
RAMP_SETTINGS = {"interpolation": "interpolation", "color_mode": "color_mode",
                 "hue_interpolation": "hue_interpolation", "stops": "elements"}
RAMP_ENUMS = ("interpolation", "color_mode", "hue_interpolation")
# Mapping settings besides the curves; `clip` is the clip rectangle's four numbers.
CLIP = ("clip_min_x", "clip_min_y", "clip_max_x", "clip_max_y")
MAPPING_SETTINGS = ("use_clip", "clip", "extend", "tone")
MAPPING_PROPERTIES = ("use_clip", *CLIP, "extend", "tone")      # what nodescript manages
MAX_STOPS = 32        # Blender: "Unable to add element to colorband (limit 32)"
MIN_STOPS = 1         # the last element cannot be removed
MIN_POINTS = 2        # "Unable to remove curve point" below two

# Curve names per node type, in the order the node's editor shows them: (setting, curve index).
# RGB Curves' combined curve C is curves[3] (BKE_curvemapping_set_defaults: cur = 3 for 4 curves;
# tests/blender/test_ramp_curves.py renders it).
_RGB = (("c", 3), ("r", 0), ("g", 1), ("b", 2))
_XYZ = (("x", 0), ("y", 1), ("z", 2))
CURVE_NAMES = {"CompositorNodeCurveRGB": _RGB, "ShaderNodeRGBCurve": _RGB,
               "CompositorNodeCurveVec": _XYZ, "ShaderNodeVectorCurve": _XYZ,
               "CompositorNodeHueCorrect": (("h", 0), ("s", 1), ("v", 2))}

POINTS_PATH = re.compile(r"^(\w+)\.curves\[(\d+)\]\.points$")
ELEMENTS_PATH = re.compile(r"^(\w+)\.elements$")


def curve_names(spec: NodeSpec) -> tuple[tuple[str, int], ...]:
    """(setting, curve index) of each curve of the node's mapping; () without a mapping."""
    if spec.mapping is None:
        return ()
    count = len(spec.mapping.curves)
    names = CURVE_NAMES.get(spec.idname)
    if names is not None and len(names) == count:
        return names
    if count == 1:
        return (("curve", 0),)
    return tuple((f"curve{i}", i) for i in range(count))


def setting_names(spec: NodeSpec | None) -> tuple[str, ...]:
    """The ramp/curve settings a node of this spec takes, in the order `fmt`-style text uses."""
    if spec is None:
        return ()
    names: tuple[str, ...] = ()
    if spec.ramp is not None:
        names += ("stops", *RAMP_ENUMS)
    if spec.mapping is not None:
        names += tuple(name for name, _ in curve_names(spec)) + MAPPING_SETTINGS
    return names


def ramp_path(spec: NodeSpec, member: str) -> str:
    return f"{spec.ramp.property}.{member}"


def mapping_path(spec: NodeSpec, member: str) -> str:
    return f"{spec.mapping.property}.{member}"


def points_path(spec: NodeSpec, index: int) -> str:
    return f"{spec.mapping.property}.curves[{index}].points"


def defaults(spec: NodeSpec | None) -> dict[str, object]:
    """path -> value of a fresh node's ramp or mapping, for what nodescript manages; mapping
    settings before the points (Blender clips the points to the clip rectangle on update)."""
    out: dict[str, object] = {}
    if spec is None:
        return out
    if spec.ramp is not None:
        for name in RAMP_ENUMS:
            if name in spec.ramp.properties:
                out[ramp_path(spec, name)] = spec.ramp.properties[name].default
        out[ramp_path(spec, "elements")] = spec.ramp.elements
    if spec.mapping is not None:
        for name in MAPPING_PROPERTIES:
            if name in spec.mapping.properties:
                out[mapping_path(spec, name)] = spec.mapping.properties[name].default
        for index, curve in enumerate(spec.mapping.curves):
            out[points_path(spec, index)] = curve
    return out
