"""NS304 (normalize-on-data): see the rule's docstring below."""

from __future__ import annotations

from nodescript.diagnostics import Severity
from nodescript.lint import dataflow as df
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.common import Analysis, Problem, check, findings, for_sinks


@check("NS304")
def check_normalize(a: Analysis):
    for flow, node, passes, sinks in a.data_nodes(frozenset({"Normalize"})):
        severity = for_sinks(Severity.ERROR, sinks)
        yield Problem("NS304", ("node", node.span), flow.version,
                      f"Normalize `{node.name}` rescales {df.describe_passes(passes)} by each "
                      "frame's own min and max (ignoring values beyond ±10000, so the background "
                      "clamps): the result is not metric and changes from frame to frame",
                      node.span, severity,
                      "map a fixed range with Math or Map Range (clamp off), or write the raw pass "
                      "to EXR and normalize when viewing")


@rule("NS304", "normalize-on-data", Severity.ERROR,
      "A Normalize node on a data path (warning when it only reaches previews).")
def normalize_on_data(ctx: LintContext):
    """## What it does
    Finds Normalize nodes that a data pass goes through on its way to an output.

    ## Why is this bad?
    Normalize rescales by the minimum and maximum of the current frame, ignoring values beyond
    ±10000 (so the 1e10 background clamps). The result is not in metres, and the mapping changes
    from frame to frame, so an animation flickers.

    ## Example
    ```
    rl = RenderLayers()
    rl.Depth -> Normalize() -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/", format=exr, depth=32)
    rl.Depth -> Normalize() -> Viewer(preview=true)
    ```
    """
    return findings(ctx, "NS304")
