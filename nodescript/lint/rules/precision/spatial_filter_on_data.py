"""NS308 (spatial-filter-on-data): see the rule's docstring below."""

from __future__ import annotations

from nodescript.diagnostics import Severity
from nodescript.lint import dataflow as df
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.common import (Analysis, Problem, SPATIAL_KINDS, check,
                                                    findings, for_sinks)


@check("NS308")
def check_spatial(a: Analysis):
    for flow, node, passes, sinks in a.data_nodes(SPATIAL_KINDS):
        severity = for_sinks(Severity.ERROR, sinks)
        yield Problem("NS308", ("node", node.span), flow.version,
                      f"{node.kind} `{node.name}` filters {df.describe_passes(passes)} spatially: "
                      "at object edges it blends foreground and background values into ones that "
                      "belong to no surface (a Blur on depth: 0.44 m errors at edges, measured)",
                      node.span, severity,
                      "write the pass unfiltered; filter a copy for display only (preview=true)")


@rule("NS308", "spatial-filter-on-data", Severity.ERROR,
      "A spatial filter (Blur, Defocus, Scale, Denoise, ...) applied to a data pass.")
def spatial_filter_on_data(ctx: LintContext):
    """## What it does
    Finds filters that combine neighbouring pixels (Blur, Bokeh Blur, Defocus, Directional and
    Vector Blur, Anti-Aliasing, Denoise, Despeckle, Glare, Scale, Transform, Rotate, Lens
    Distortion, Dilate/Erode, Filter, Kuwahara, Inpaint, Pixelate, ...) with a data pass in their
    image input. Data used only to steer a filter (Defocus's Z, a blur size) is fine.

    ## Why is this bad?
    At object edges the filter blends the foreground surface's value with the background's:
    the result is a depth, normal or ID of no surface at all (a Blur on depth: 0.44 m errors at
    edges, measured). Resampling (Scale, Transform) also moves values off the pixel they
    belong to.

    ## Example
    ```
    rl = RenderLayers()
    rl.Depth -> Blur() -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```
    """
    return findings(ctx, "NS308")
