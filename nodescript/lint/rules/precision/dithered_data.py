"""NS307 (dithered-data): see the rule's docstring below."""

from __future__ import annotations

from nodescript.diagnostics import Severity
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.common import (Analysis, FLOAT_FORMATS, FORMAT_NAMES, Problem,
                                                    check, findings, for_slot, num)
from nodescript.lint.rules.precision.slots import bit_depth, reaches, slot_format, slot_span


@check("NS307")
def check_dither(a: Analysis):
    """Blender dithers only 4-channel (colour) buffers when it converts float to 8-bit: a File
    Output input written from a float or vector socket is rounded, never dithered (measured in
    4.2, 4.5 and 5.0; see docs/accurate-depth.md)."""
    declared = a.graph.setting("dither")
    dither = 1.0 if declared is None else float(declared)
    if dither <= 0:
        return
    for flow, slot in a.slots():
        fmt = slot_format(slot)
        if slot.socket_type != "RGBA" or fmt.get("file_format") in FLOAT_FORMATS \
                or bit_depth(fmt) != 8:
            continue
        default = " (Blender's default)" if declared is None else ""
        kind = FORMAT_NAMES.get(fmt.get("file_format", ""), fmt.get("file_format", ""))
        severity = for_slot(Severity.WARNING, slot)
        yield Problem("NS307", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{reaches(slot)} as 8-bit {kind} through the colour socket "
                      f"`{slot.feeder_label}` with dither {num(dither)}{default}: Blender adds "
                      f"random noise of about {num(dither)} step(s) of 1/255 to colour "
                      "inputs before rounding them to 8 bits",
                      slot_span(slot), severity,
                      "feed the slot from a float socket (rounded, never dithered), set "
                      "`dither = 0` in the scene block, or write data passes to OpenEXR")


@rule("NS307", "dithered-data", Severity.WARNING,
      "Dithering noise added to a data pass written to an 8-bit file through a colour socket.")
def dithered_data(ctx: LintContext):
    """## What it does
    Reports data passes written to 8-bit files (PNG, JPEG, 8-bit TIFF, ...) through a colour
    (RGBA) socket while the scene's `dither` is above 0 (Blender's default is 1.0, used when the
    scene block does not declare `dither`).

    Only colour inputs are dithered: Blender adds the noise when it turns a 4-channel float
    buffer into 8 bits (`IMB_buffer_byte_from_float`), and a File Output writes a colour input
    as 4 channels, a vector input as 3 and a float input as 1. Float and vector inputs are
    rounded without noise, and so is a 16-bit PNG (measured in 4.2, 4.5 and 5.0). The
    composited image written as the render result is a colour buffer too, and is dithered.

    ## Why is this bad?
    Dithering adds random noise to every value to hide banding in pictures; in data it is
    error: at dither 1, a measured render changed about 45 % of the pixels by up to 2 codes in
    4.2, and 28 % of them by 1 code in 4.5 and 5.0.

    ## Example
    ```
    rl = RenderLayers()
    cc = CombineColor()
    rl.IndexOB -> MapValue(size=0.01) -> cc.Red
    cc -> FileOutput(path="//ids/", format=png, depth=8)
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    rl.IndexOB -> FileOutput(path="//ids/", format=exr, depth=32)
    ```
    """
    return findings(ctx, "NS307")
