"""NS305 (clamped-data): see the rule's docstring below."""

from __future__ import annotations

import math

from nodescript.diagnostics import Severity
from nodescript.lint import dataflow as df
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.clamps import clamp_of
from nodescript.lint.rules.precision.common import (Analysis, CLAMPING_KINDS, Problem, check,
                                                    findings, for_sinks, metres_text, num)


@check("NS305")
def check_clamp(a: Analysis):
    clamps = lambda flow, node: clamp_of(flow, node) is not None      # noqa: E731
    for flow, node, passes, sinks in a.data_nodes(CLAMPING_KINDS, clamps):
        found = clamp_of(flow, node)
        if found is None:
            continue
        interval, how, help_ = found
        detail = f"values outside [{num(interval[0])}, {num(interval[1])}] are flattened" \
            if interval else "values outside its range are flattened"
        data = flow.data_inputs(node.name)
        linear = flow.linear(data[0]) if len(data) == 1 else None
        if interval and linear and linear[0] in df.METRIC_PASSES and linear[1]:
            p, scale, offset, _ = linear
            ends = sorted(((interval[0] - offset) / scale, (interval[1] - offset) / scale))
            if p in df.DEPTH_PASSES:       # depth is never negative; the far end is the range's
                near, far = (a.range.near, a.range.far) if a.range.declared else (0.0, math.inf)
                if ends[0] <= near and far <= ends[1]:
                    continue               # the whole expected range passes unchanged
            detail = f"only {metres_text(ends)} passes unchanged"
            if a.range.declared and p in df.DEPTH_PASSES:
                detail += f"; the expected range is {a.range.over()}"
        severity = for_sinks(Severity.ERROR, sinks)
        yield Problem("NS305", ("node", node.span), flow.version,
                      f"{node.kind} `{node.name}` {how}, cutting {df.describe_passes(passes)}: "
                      f"{detail}", node.span, severity, help_)


@rule("NS305", "clamped-data", Severity.ERROR,
      "A clamp that cuts the range of a data pass (warning when it only reaches previews).")
def clamped_data(ctx: LintContext):
    """## What it does
    Finds clamping on a data path: Map Value `use_min`/`use_max`, Math `use_clamp`, Mix clamp,
    Clamp nodes and Map Range with its clamp on. Map Range clamps **by default in Blender 4.5 and
    5.0** (the shader node their Add menus build) unless `clamp=false` is written; 4.2's Map Range
    has `use_clamp` off by default. When
    the scene declares `depth_range` (or the camera clip range) and the clamp keeps that whole
    range, nothing is reported.

    ## Why is this bad?
    Values outside the clamp range are flattened to its ends: distant surfaces all get the same
    depth and the information is gone.

    ## Example
    ```
    target "5.0"
    rl = RenderLayers()
    rl.Depth -> MapRange(from_min=0, from_max=20) -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    target "5.0"
    rl = RenderLayers()
    rl.Depth -> MapRange(from_min=0, from_max=20, clamp=false) -> FileOutput(path="//depth/")
    ```
    """
    return findings(ctx, "NS305")
