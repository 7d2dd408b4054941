"""NS306 (color-managed-data): see the rule's docstring below."""

from __future__ import annotations

from nodescript.diagnostics import Severity
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.common import (Analysis, FLOAT_FORMATS, FORMAT_NAMES, Problem,
                                                    check, findings, for_slot)
from nodescript.lint.rules.precision.slots import (bit_depth, own_format, reaches, slot_format,
                                                   slot_span, view_transform)


@check("NS306")
def check_color_management(a: Analysis):
    for flow, slot in a.slots():
        fmt = slot_format(slot)
        if fmt.get("file_format") in FLOAT_FORMATS or slot.socket_type != "RGBA":
            continue                       # float and vector sockets are never colour-managed
        view = view_transform(a.graph)
        own = own_format(slot)
        save_as_render = (own if own is not None else
                          slot.node.bindings[slot.version].properties).get("save_as_render", True)
        if save_as_render:
            if view == "Raw":
                continue
            name = (f"the {view} view transform" if view
                    else "the scene's view transform (AgX by default)")
            what = f"{name} is applied on save (save as render)"
        else:
            what = "it is sRGB-encoded on save (save_as_render=false still encodes colour sockets)"
        kind = FORMAT_NAMES.get(fmt.get("file_format", ""), fmt.get("file_format", ""))
        severity = for_slot(Severity.ERROR, slot)
        yield Problem("NS306", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{reaches(slot)} ({bit_depth(fmt)}-bit {kind}) through the colour socket "
                      f"`{slot.feeder_label}`: {what}, so the written values are no longer "
                      "linear data", slot_span(slot), severity,
                      "write data to OpenEXR (never colour-managed), or feed the slot from a float "
                      "socket")


@rule("NS306", "color-managed-data", Severity.ERROR,
      "A view transform or sRGB encoding applied to a data pass (warning on previews).")
def color_managed_data(ctx: LintContext):
    """## What it does
    Finds data passes that reach an integer-format File Output (PNG, TIFF, ...) through a colour
    socket. Blender applies the scene's view transform to colour inputs when saving ("save as
    render", the default; 4.2 keeps it per input, and nodescript sets the node's `save_as_render`
    on each), and sRGB-encodes them even with `save_as_render=false`. Float and vector inputs are
    never colour-managed.

    ## Why is this bad?
    A view transform (AgX, Filmic, Standard's sRGB curve) is a non-linear tone curve: the written
    values are no longer the data, and inverting it is lossy.

    ## Example
    ```
    rl = RenderLayers()
    rl.Depth -> MapValue(size=0.05) -> CombineColor() -> FileOutput(path="//d/", format=png)
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//d/", format=exr, depth=32)
    ```
    """
    return findings(ctx, "NS306")
