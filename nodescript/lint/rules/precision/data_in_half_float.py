"""NS302 (data-in-half-float): see the rule's docstring below."""

from __future__ import annotations

from nodescript.diagnostics import Severity
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.common import Analysis, Problem, check, findings, for_slot
from nodescript.lint.rules.precision.slots import (fix_edits, half_loss, is_half, reaches,
                                                   slot_format, slot_span)


@check("NS302")
def check_half(a: Analysis):
    for flow, slot in a.slots():
        if not is_half(slot):
            continue
        feeder_type = slot.feeder.bindings[slot.version][0].type
        how = (f"through the colour socket `{slot.feeder_label}`" if feeder_type == "RGBA"
               else "as a colour (RGBA) item")
        multilayer = slot_format(slot)["file_format"] == "OPEN_EXR_MULTILAYER"
        layers = " of a multilayer file" if multilayer else ""
        severity = for_slot(Severity.ERROR, slot)
        yield Problem("NS302", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{reaches(slot)}{layers} {how} at depth 16, so it is written as half "
                      f"float: {half_loss(a, flow, slot)}", slot_span(slot), severity,
                      "write depth=32 (colour inputs of a 16-bit EXR are stored as half floats)",
                      slot.node, fix_edits(flow, slot, "NS302"), slot_span(slot))


@rule("NS302", "data-in-half-float", Severity.ERROR,
      "A data pass written to a half-float (16-bit) EXR channel.", fixable=True)
def data_in_half_float(ctx: LintContext):
    """## What it does
    Finds data passes that reach a 16-bit OpenEXR File Output input as a colour: through any node
    with a colour output (Blur, Mix in 4.x, Alpha Over, Combine Color, Reroute in 5.0, a group
    output of type color...), a 5.0 RGBA item, or a colour layer of a multilayer file. In 4.2,
    Cryptomatte into a half multilayer output is half too.

    ## Why is this bad?
    Blender writes a 16-bit EXR input as half floats only when the input is a colour; a float or
    vector input is written full float even at depth 16. Half floats have 11 significant bits:
    7.8 mm steps at 10 m, 62.5 mm at 100 m, and they saturate at 65504. Cryptomatte IDs are float
    hashes that half floats destroy.

    ## Example
    ```
    rl = RenderLayers()
    out = FileOutput(path="//depth/", format=exr, depth=16)
    rl.Depth -> CombineColor() -> out.depth
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    out = FileOutput(path="//depth/", format=exr, depth=32)
    rl.Depth -> out.depth
    ```

    ## Fix safety
    `--fix` writes `depth=32` (and `codec=zip` if the codec was B44/B44A, which exist only at
    depth 16). Always safe: values only gain precision; files get larger. Outputs marked
    `preview=true` are left alone.
    """
    return findings(ctx, "NS302")
