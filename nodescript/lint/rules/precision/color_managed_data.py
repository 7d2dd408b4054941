"""NS306 (color-managed-data): see the rule's docstring below."""

from __future__ import annotations

import math

from nodescript.diagnostics import Severity
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision import encoding
from nodescript.lint.rules.precision.common import (EXR_FORMATS, FLOAT_FORMATS, FORMAT_NAMES,
                                                    Analysis, Problem, check, findings, for_slot,
                                                    num)
from nodescript.lint.rules.precision.slots import (bit_depth, colour, own_format, reaches,
                                                   slot_format, slot_span)


SOCKET_WORDS = {"VECTOR": "vector", "RGBA": "colour"}


@check("NS306")
def check_color_management(a: Analysis):
    for flow, slot in a.slots():
        fmt = slot_format(slot)
        if slot.socket_type not in SOCKET_WORDS:
            continue                       # float inputs are never colour-managed (measured)
        settings = colour(slot, a.graph)
        if fmt.get("file_format") in FLOAT_FORMATS:
            yield from _float_file(slot, fmt, settings)
            continue
        own = own_format(slot)
        save_as_render = (own if own is not None else
                          slot.node.bindings[slot.version].properties).get("save_as_render", True)
        bits = bit_depth(fmt)
        levels = 2 ** bits - 1
        found = encoding.file_encoding(slot, settings, save_as_render, bits)
        if found is None:
            continue
        undo = encoding.undo_chain(flow, slot.link)
        if undo is not None and encoding.undo_error(found, undo[1], levels) <= 1:
            continue                       # the graph undoes the sRGB curve: linear codes
        kind = FORMAT_NAMES.get(fmt.get("file_format", ""), fmt.get("file_format", ""))
        normal = "Normal" in slot.raw
        detail = "; ".join(n for n in _numbers(found, slot.socket_type, levels, undo, normal)
                           if n)
        socket = SOCKET_WORDS[slot.socket_type]
        fix = _fix(slot, settings, save_as_render)
        yield Problem("NS306", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{reaches(slot)} ({bits}-bit {kind}) as a {socket} input "
                      f"(`{slot.feeder_label}`): {found.what}, so the written values are no "
                      f"longer linear data" + (f": {detail}" if detail else ""),
                      slot_span(slot), for_slot(Severity.ERROR, slot),
                      "write data to OpenEXR (never colour-managed), feed the slot from a float "
                      f"socket (one channel, never managed), or {fix}")


def _fix(slot, settings: encoding.Colour, save_as_render: bool) -> str:
    """The last part of the help: the setting that makes the file linear."""
    where = f"`{slot.node.name}`" if own_format(slot) is None else \
        f"`{slot.node.name}.{slot.slot}(...)`"
    if save_as_render:
        if settings.own:
            return f"give {where} `view_transform=raw` (and no exposure, gamma or look)"
        return f"set `view_transform = raw`, or give {where} its own `view_transform=raw`"
    return (f"give {where} `save_as_render=true, view_transform=raw` (linear in every version; "
            "a `color_space` is ignored in some), or undo the sRGB curve right before it "
            "(ConvertColorspace from sRGB to Linear Rec.709)")


def _float_file(slot, fmt: dict, settings: encoding.Colour):
    """An EXR whose own colour space is not the scene's linear one: colour inputs change."""
    change = encoding.float_file_change(settings)
    if change is None or slot.socket_type != "RGBA" or fmt.get("file_format") not in EXR_FORMATS:
        return
    kind = FORMAT_NAMES.get(fmt.get("file_format", ""), "")
    yield Problem("NS306", ("slot", slot.node.name, slot.slot), slot.version,
                  f"{reaches(slot)} ({kind}) as a colour input (`{slot.feeder_label}`): "
                  f"{change}, so the written values are no longer the data",
                  slot_span(slot), for_slot(Severity.ERROR, slot),
                  "drop `color_space` (an EXR follows the scene's linear space), or set "
                  "`color_space=\"Non-Color\"`; value and vector inputs are never converted")


def _numbers(found: encoding.Encoding, socket_type: str, levels: int, undo,
             normal: bool = True) -> list[str]:
    """What the message quantifies: an example value, the largest difference, and how far a
    would-be undo (a Gamma node) misses."""
    out = [encoding.example(found, socket_type, levels, normal)]
    worst = encoding.worst_codes(found, levels)
    if worst is not None:
        out.append(f"up to {worst} of {levels} codes off the linear value")
    if undo is not None:
        nodes = ", ".join(f"`{n}`" for n in undo[0])
        error = encoding.undo_error(found, undo[1], levels)
        if math.isfinite(error):
            verb = "undoes" if len(undo[0]) == 1 else "undo"
            out.append(f"{nodes} before it {verb} the curve only to within {num(error)} codes")
        else:
            out.append(f"{nodes} before it cannot undo a tone curve")
    return out


@rule("NS306", "color-managed-data", Severity.ERROR,
      "A view transform or sRGB encoding applied to a data pass (warning on previews).")
def color_managed_data(ctx: LintContext):
    """## What it does
    Finds data passes that reach an integer-format File Output (PNG, TIFF, ...) as a vector or
    colour input. Measured in every version (benchmarks/colour_management_matrix.py, the
    table in docs/accurate-depth.md): Blender applies the scene's view transform to vector and
    colour inputs when saving ("save as render", the default; 4.2 keeps it per input, and
    nodescript sets the node's `save_as_render` on each), and sRGB-encodes them with
    `save_as_render=false` (except 16-bit files in 4.2, written linear). Only the Raw view
    transform with save as render on leaves them linear. Float (single-value) inputs are never
    colour-managed, and OpenEXR is not either unless its format says otherwise (below).

    A File Output's format (or an input's own) can override the scene's colour management
    (`FileOutput(format=png, view_transform=raw)`); the rule then follows the node's view,
    look, exposure and gamma instead of the scene's (measured in every version with
    benchmarks/colour_override_matrix.py): a Raw override on an AgX scene is linear and not
    reported, an AgX override on a Raw scene bakes the view into the data, Standard is the sRGB
    curve (not exact: only 0 and 1 are fixed points), and exposure or gamma of a Raw override
    are a curve the message quantifies. With `save_as_render=false` an override's
    `color_space` decides: Non-Color or Linear Rec.709 is linear where the version honours it
    (in 8-bit files 4.2 only Non-Color and 5.2 none: it sRGB-encodes, and the message names
    those versions; 16-bit files in every version).
    An OpenEXR whose override has a `color_space` other than the scene's linear one (or
    Non-Color) converts colour inputs to it: reported too (value and vector inputs are never
    converted).

    A graph that undoes the sRGB curve right before the File Output (Convert Colorspace from
    sRGB to Linear Rec.709 with `save_as_render=false` or the Standard view) writes linear codes
    again, within one code, and is not reported; a Gamma node only comes close, and the message
    says by how many codes it misses.

    ## Why is this bad?
    A view transform is a non-linear tone curve: the written values are no longer the data, and
    inverting it is lossy. With AgX the ground's normal (0, 0, 1) is written as (20, 86, 209)
    instead of (0, 0, 255); with the sRGB curve 0.5 becomes 188 instead of 128 (up to 73 of 255
    codes off).

    ## Example
    ```
    rl = RenderLayers()
    rl.Normal -> FileOutput(path="//n/", format=png, depth=8)
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    rl.Normal -> FileOutput(path="//n/", format=exr, depth=32)
    ```
    """
    return findings(ctx, "NS306")
