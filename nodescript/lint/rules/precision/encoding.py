"""What an integer file (PNG, TIFF, ...) does to a vector or colour input on save, measured with
benchmarks/colour_management_matrix.py in 4.2, 4.5 and 5.0 (the table in docs/accurate-depth.md):

- float (value) inputs are never colour-managed: clamped to [0, 1] and rounded;
- vector and colour inputs get the view transform when `save_as_render` is on (Raw leaves
  them linear, Standard is the sRGB curve, AgX and Filmic are tone curves), and are sRGB-encoded
  when it is off, except 16-bit files in 4.2 (written linear);
- OpenEXR is never colour-managed.

A graph may undo the encoding before the File Output (Convert Colorspace from sRGB to linear
right before an sRGB-encoding save): the written codes are then the linear data again, within
rounding, and nothing is reported. `undo_error` measures how close the undo comes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from nodescript import dialects, ir
from nodescript.lint import dataflow as df


# Measured in benchmarks/colour_management_matrix.py (same in 4.2, 4.5 and 5.0, 8-bit codes):
# the largest difference from the linear codes on the example scene (normals; a grey ramp
# 0-0.8), and what the ground's normal (0, 0, 1) becomes.
MEASURED_VIEWS = {
    "AgX": (86, "(20, 86, 209)"),
    "Filmic": (82, "(0, 0, 206)"),
}
LINEAR_SPACES = frozenset({"Linear Rec.709", "scene_linear", "Linear", "Non-Color"})


def srgb_encode(v: float) -> float:
    """The sRGB curve (IEC 61966-2-1), as OpenColorIO applies it for Standard and sRGB saves."""
    v = min(max(v, 0.0), 1.0)
    return 12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


def srgb_decode(v: float) -> float:
    v = min(max(v, 0.0), 1.0)
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


@dataclass(frozen=True)
class Encoding:
    """What saving applies: a description, and the curve when it is the sRGB one."""

    what: str
    curve: Callable[[float], float] | None      # srgb_encode, or None for a tone curve
    view: str | None                            # the view transform, when one is applied


def file_encoding(slot: df.SlotFlow, view: str | None, save_as_render: bool,
                  bits: int) -> Encoding | None:
    """How saving changes the slot's values, or None when they are written linear."""
    if save_as_render:
        if view == "Raw":
            return None
        name = f"the {view} view transform" if view else \
            "the scene's view transform (AgX by default)"
        curve = srgb_encode if view == "Standard" else None
        return Encoding(f"{name} is applied on save (save as render)", curve, view or "AgX")
    if bits == 16 and not dialects.get(slot.version).SRGB_16BIT_WITHOUT_SAVE_AS_RENDER:
        return None
    return Encoding("it is sRGB-encoded on save (save_as_render=false still encodes vector "
                    "and colour inputs)", srgb_encode, None)


def worst_codes(encoding: Encoding, levels: int) -> int | None:
    """The largest difference from the linear codes the encoding makes on values in [0, 1]."""
    if encoding.curve is not None:
        return round(max(abs(encoding.curve(i / 1000) - i / 1000) for i in range(1001)) * levels)
    measured = MEASURED_VIEWS.get(encoding.view or "")
    return round(measured[0] * levels / 255) if measured else None


def example(encoding: Encoding, socket_type: str, levels: int) -> str:
    """`0.5 is written as 188 instead of 128` / `(0, 0, 1) is written as (20, 86, 209)`."""
    if encoding.curve is not None:
        return (f"0.5 is written as {round(encoding.curve(0.5) * levels)} instead of "
                f"{round(0.5 * levels)}")
    measured = MEASURED_VIEWS.get(encoding.view or "")
    if measured and socket_type == "VECTOR" and levels == 255:
        return f"the normal (0, 0, 1) is written as {measured[1]} instead of (0, 0, 255)"
    return ""


# --- a graph that undoes the encoding ---------------------------------------------------------

def _colour_function(flow: df.Flow, node: ir.Node) -> Callable[[float], float] | None:
    props = node.bindings[flow.version].properties
    if node.semantics == "ConvertColorspace" or node.semantics == "ConvertColorSpace":
        source = props.get("from_color_space", "Linear Rec.709")
        target = props.get("to_color_space", "Linear Rec.709")
        if source == target:
            return lambda v: v
        if source == "sRGB" and target in LINEAR_SPACES:
            return srgb_decode
        if source in LINEAR_SPACES and target == "sRGB":
            return srgb_encode
        return None
    if node.semantics == "Gamma":
        gamma = flow.constant(node, "Gamma")
        if gamma is None:
            return None
        return lambda v: v ** gamma if v > 0 else 0.0
    return None


def undo_chain(flow: df.Flow, link: ir.Link) -> tuple[list[str], Callable[[float], float]] | None:
    """(node names, composed function) of the colour-space nodes right before the slot, or None
    when the slot is not fed through any."""
    names: list[str] = []
    fns: list[Callable[[float], float]] = []
    for _ in range(64):
        node = flow.graph.nodes.get(link.from_node)
        if node is None:
            break
        if node.semantics == "Reroute":
            into = flow.links_into(node.name)
            if not into:
                break
            link = into[0]
            continue
        fn = _colour_function(flow, node)
        into = [i for i in flow.links_into(node.name) if flow.out_passes(i)]
        if fn is None or len(into) != 1:
            break
        names.append(node.name)
        fns.append(fn)
        link = into[0]
    if not names:
        return None

    def composed(v: float) -> float:
        for fn in reversed(fns):
            v = fn(v)
        return v

    return names, composed


def undo_error(encoding: Encoding, undo: Callable[[float], float], levels: int) -> float:
    """The largest difference, in codes, between what the file holds and the linear data the
    undo received, over [0, 1]; math.inf when the encoding is a tone curve (not undone)."""
    if encoding.curve is None:
        return math.inf
    worst = 0.0
    for i in range(1001):
        v = i / 1000
        worst = max(worst, abs(round(encoding.curve(undo(v)) * levels) - round(v * levels)))
    return worst
