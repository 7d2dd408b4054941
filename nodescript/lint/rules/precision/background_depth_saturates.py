"""NS313 (background-depth-saturates): see the rule's docstring below."""

from __future__ import annotations

from nodescript.diagnostics import Severity
from nodescript.lint import dataflow as df
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.clamps import clamp_of
from nodescript.lint.rules.precision.common import (Analysis, BACKGROUND_DEPTH, HALF_MAX, Problem,
                                                    check, findings, for_slot)
from nodescript.lint.rules.precision.slots import is_half, slot_span
from nodescript.vocabulary import fold


@check("NS313")
def check_background(a: Analysis):
    if fold(str(a.graph.setting("engine", "cycles"))) == "eevee":
        return                             # EEVEE writes clip_end for the background
    for flow, slot in a.slots():
        depth = slot.passes & df.DEPTH_PASSES
        if not depth or not is_half(slot):
            continue
        path = [flow.graph.nodes[n] for n in flow.upstream(slot.link)]
        if any(n.semantics == "Normalize" or clamp_of(flow, n) for n in path):
            continue                       # the background is flattened on the way anyway
        linear = flow.linear(slot.link)
        if linear is not None and abs(linear[1] * BACKGROUND_DEPTH + linear[2]) <= HALF_MAX:
            continue
        severity = for_slot(Severity.WARNING, slot)
        yield Problem("NS313", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{df.describe_passes(depth)} in half-float FileOutput `{slot.node.name}` "
                      f"slot `{slot.slot}`: the background (depth 1e10 in Cycles) saturates to "
                      "65504, so 'no surface' becomes a real-looking distance", slot_span(slot), severity,
                      "write depth=32, or mask the background with the Alpha pass")


@rule("NS313", "background-depth-saturates", Severity.WARNING,
      "Cycles' background depth (1e10) saturates to 65504 in a half-float channel.")
def background_depth_saturates(ctx: LintContext):
    """## What it does
    Reports depth written as half float (see NS302) when the render engine is Cycles (or not
    declared) and nothing on the way clamps or rescales the background.

    ## Why is this bad?
    Cycles writes 1e10 where no surface is hit. Half floats top out at 65504, so the background
    becomes a finite, real-looking distance, and masks that test for "very far" break.

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
    """
    return findings(ctx, "NS313")
