"""What an integer file (PNG, TIFF, ...) does to a vector or colour input on save, measured with
benchmarks/colour_management_matrix.py in every version (the table in docs/accurate-depth.md):

- float (value) inputs are never colour-managed: clamped to [0, 1] and rounded;
- vector and colour inputs get the view transform when `save_as_render` is on (Raw leaves
  them linear, Standard is the sRGB curve, AgX and Filmic are tone curves), and are sRGB-encoded
  when it is off, except 16-bit files in 4.2 (written linear);
- OpenEXR is never colour-managed, unless its format overrides the scene's colour management
  with a colour space other than the scene's linear one (or Non-Color): colour inputs are then
  converted to it (value and vector inputs never are).

A File Output's format (or an input's own) may override the scene's colour management
(`FileOutput(view_transform=raw)`, benchmarks/colour_override_matrix.py): its view transform,
exposure, gamma and look then apply instead of the scene's, and with save as render off its
colour space (Non-Color or Linear Rec.709: linear; sRGB: the curve), where the version honours
it (`Dialect.INTEGER_FILE_OVERRIDE_SPACES`).

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


# Measured in benchmarks/colour_management_matrix.py (the same in every version, 8-bit codes):
# the largest difference from the linear codes on the example scene (normals; a grey ramp
# 0-0.8), and what the ground's normal (0, 0, 1) becomes.
MEASURED_VIEWS = {
    "AgX": (86, "(20, 86, 209)"),
    "Filmic": (73, "(0, 0, 206)"),
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
    """What saving applies: a description, and the curve when it is known (sRGB, Raw with
    exposure or gamma)."""

    what: str
    curve: Callable[[float], float] | None      # None for a tone curve (AgX, Filmic, ...)
    view: str | None                            # the view transform, when one is applied


@dataclass(frozen=True)
class Colour:
    """The colour management a format saves with: the File Output's own (an override) or the
    scene's."""

    view: str | None             # None: the scene's, not declared (AgX by default)
    look: str = "None"
    exposure: float = 0.0
    gamma: float = 1.0
    display: str = "sRGB"
    space: str | None = None     # the override's colour space; None: the file's default
    own: bool = False            # the format overrides the scene's

    @property
    def whose(self) -> str:
        return "the File Output's" if self.own else "the"


def _graded(base: Callable[[float], float], exposure: float, gamma: float):
    """Exposure before the view transform, gamma after it (OpenColorIO's display pipeline)."""
    scale = 2.0 ** exposure
    return lambda v: min(max(base(v * scale), 0.0), 1.0) ** (1 / gamma)


def view_encoding(colour: Colour) -> Encoding | None:
    """What `save_as_render` applies: the view transform, exposure, gamma and look."""
    view, graded = colour.view, colour.exposure != 0 or colour.gamma != 1
    plain = colour.look in ("None", "", None)
    if view == "Raw" and plain and not graded:
        return None
    base = {"Raw": lambda v: v, "Standard": srgb_encode}.get(view or "") if plain else None
    if view == "Standard" and colour.display != "sRGB":
        base = None                        # another display's primaries: colours change
    curve = None if base is None else _graded(base, colour.exposure, colour.gamma) \
        if graded else base
    name = f"{colour.whose} {view} view transform" if view else \
        "the scene's view transform (AgX by default)"
    extras = [f"look {colour.look}"] if not plain else []
    extras += [f"exposure {colour.exposure:g}"] if colour.exposure != 0 else []
    extras += [f"gamma {colour.gamma:g}"] if colour.gamma != 1 else []
    if extras:
        name += " with " + " and ".join(extras)
    measured = (view or "AgX") if not extras else None      # MEASURED_VIEWS are without extras
    return Encoding(f"{name} is applied on save (save as render)", curve, measured)


def honoured_space(version: str, colour: Colour, bits: int) -> str | None:
    """The override's colour space an integer file is written in with save as render off, or
    None when Blender ignores it (measured: in 8-bit files 4.2 keeps only Non-Color and 5.2
    none; 16-bit files keep it in every version)."""
    if not colour.own or colour.space is None:
        return None
    honours = dialects.get(version).INTEGER_FILE_OVERRIDE_SPACES if bits == 8 else "any"
    if honours == "any" or (honours == "non-color" and colour.space == "Non-Color"):
        return colour.space
    return None


def file_encoding(slot: df.SlotFlow, colour: Colour, save_as_render: bool,
                  bits: int) -> Encoding | None:
    """How saving an integer file changes the slot's values, or None when they are written
    linear."""
    if save_as_render:
        return view_encoding(colour)
    space = honoured_space(slot.version, colour, bits)
    if space in LINEAR_SPACES:
        return None
    if space == "sRGB":
        return Encoding("it is sRGB-encoded on save (the File Output's colour space is sRGB)",
                        srgb_encode, None)
    if space is not None:
        return Encoding(f"it is converted to the File Output's colour space {space} on save",
                        None, None)
    if bits == 16 and not dialects.get(slot.version).SRGB_16BIT_WITHOUT_SAVE_AS_RENDER:
        return None
    if colour.own and colour.space not in (None, "sRGB"):
        return Encoding(f"it is sRGB-encoded on save: with save_as_render=false this version "
                        f"ignores the File Output's colour space {colour.space}", srgb_encode,
                        None)
    return Encoding("it is sRGB-encoded on save (save_as_render=false still encodes vector "
                    "and colour inputs)", srgb_encode, None)


def float_file_change(colour: Colour) -> str | None:
    """What an EXR's own linear colour space does to colour inputs (value and vector inputs
    are never converted, measured), or None when it is the scene's linear space or data."""
    if not colour.own or colour.space is None or colour.space in LINEAR_SPACES:
        return None
    return f"the File Output's colour space {colour.space} converts it on save"


def worst_codes(encoding: Encoding, levels: int) -> int | None:
    """The largest difference from the linear codes the encoding makes on values in [0, 1]."""
    if encoding.curve is not None:
        return round(max(abs(encoding.curve(i / 1000) - i / 1000) for i in range(1001)) * levels)
    measured = MEASURED_VIEWS.get(encoding.view or "")
    return round(measured[0] * levels / 255) if measured else None


def example(encoding: Encoding, socket_type: str, levels: int, normal: bool = True) -> str:
    """`0.5 is written as 188 instead of 128` / `(0, 0, 1) is written as (20, 86, 209)`
    (`normal`: the slot receives the Normal pass as it is)."""
    if encoding.curve is not None:
        return (f"0.5 is written as {round(encoding.curve(0.5) * levels)} instead of "
                f"{round(0.5 * levels)}")
    measured = MEASURED_VIEWS.get(encoding.view or "")
    if measured and normal and socket_type == "VECTOR" and levels == 255:
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
