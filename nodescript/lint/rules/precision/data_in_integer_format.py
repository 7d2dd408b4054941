"""NS301 (data-in-integer-format): see the rule's docstring below."""

from __future__ import annotations

import math

from nodescript.diagnostics import Severity
from nodescript.lint import dataflow as df
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.common import (Analysis, EXR_FORMATS, FORMAT_NAMES, Problem,
                                                    check, findings, for_slot, length)
from nodescript.lint.rules.precision.slots import (bit_depth, fix_edits, integer_loss,
                                                   lossy_format, own_format, primary_pass, reaches,
                                                   slot_format, slot_span)


@check("NS301")
def check_integer(a: Analysis):
    for flow, slot in a.slots():
        fmt = slot_format(slot)
        kind = fmt.get("file_format", "")
        if kind in EXR_FORMATS:
            continue
        bits = bit_depth(fmt)
        if kind == "HDR":
            what = "Radiance HDR (8-bit mantissas with a shared exponent)"
            p = primary_pass(slot.passes)
            loss = (f"{length(2.0 ** (math.frexp(a.range.far)[1] - 8))} steps {a.range.at_far()}"
                    if p in df.METRIC_PASSES else "about 1/256 relative steps, no negative values")
        else:
            lossy = "lossy " if lossy_format(fmt) else ""
            what = f"{lossy}{bits}-bit {FORMAT_NAMES.get(kind, kind)}"
            loss = integer_loss(a, flow, slot, bits)
        severity = for_slot(Severity.ERROR, slot)
        edits = fix_edits(flow, slot, "NS301")
        help_ = "write data passes to OpenEXR: format=exr, depth=32, codec=zip"
        if own_format(slot) is not None:
            help_ = (f"write this input as OpenEXR: `{slot.node.name}.{slot.slot}(format=exr, "
                     "depth=32, codec=zip)`")
        elif edits is None and not slot.preview:
            help_ = ("this File Output also writes non-data images: give the data passes their "
                     "own FileOutput(format=exr, depth=32, codec=zip)")
        yield Problem("NS301", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{reaches(slot)} as {what}: {loss}", slot_span(slot), severity, help_,
                      slot.node, edits, slot_span(slot))


@rule("NS301", "data-in-integer-format", Severity.ERROR,
      "A data pass written to an integer or lossy image format (PNG, TIFF, JPEG, ...).",
      fixable=True)
def data_in_integer_format(ctx: LintContext):
    """## What it does
    Finds data passes (Depth, Normal, Position, Vector, UV, Object/Material Index, Cryptomatte,
    Mist, Denoising Depth/Normal, shader AOVs declared in the scene's `aovs`, or anything
    computed from them) that reach a File Output whose format stores integers (PNG, TIFF, BMP,
    Targa, DPX, ...), is lossy (JPEG, WebP below quality 100) or keeps only 8 mantissa bits
    (Radiance HDR). The message sizes the loss with the scene's `depth_range` (else the camera
    clip range, else, for `lint SCENE.blend`, the range measured from the scene's objects, else
    at 10 m as an example), through the graph's own mapping: Map Range, Map Value, Math, Clamp
    and groups are followed, so the step is the real one and the part of the range the file's
    [0, 1] clamp flattens is named. Vector and colour values are followed one component at a
    time through Vector Math, Separate and Combine XYZ / Color: a normal remapped
    `n * 0.5 + 0.5` is "0.00784 per component" in 8 bits, and a depth put into one component
    of a vector keeps its range. Object indices through a mapping are checked one by one
    (divided by 256 into 8 bits: 0-128 stay distinct, 128 and 129 share a code).

    ## Why is this bad?
    Integer formats clamp float values to [0, 1]: depth in metres is written as 1.0 everywhere
    beyond 1 m, negative normal components become 0, every object index from 1 up becomes 1.
    Remapping first only trades that for coarse steps (8 bits over 0-20 m: 78 mm) and loses the
    metric scale. Lossy formats add block artefacts on top.

    ## Example
    ```
    rl = RenderLayers()
    out = FileOutput(path="//depth/", format=png, depth=16)
    rl.Depth -> out.depth
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    out = FileOutput(path="//depth/", format=exr, depth=32, codec=zip)
    rl.Depth -> out.depth
    ```

    ## Fix safety
    `--fix` rewrites the File Output to `format=exr, depth=32, codec=zip` and drops settings that
    do not apply to EXR (`quality`, `compression`, an unsupported `color_mode`, the
    `color_space` of a colour-management override, which would convert EXR colour inputs).
    The files get a new extension and format, which downstream tools must expect. Only File
    Outputs whose every
    input is data are changed (and inputs with their own format, `out.depth(format=png)`, whose
    own settings are rewritten), never ones marked `preview=true`.
    """
    return findings(ctx, "NS301")
