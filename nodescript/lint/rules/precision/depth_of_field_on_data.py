"""NS311 (depth-of-field-on-data): see the rule's docstring below."""

from __future__ import annotations

from nodescript.diagnostics import Severity
from nodescript.lint import dataflow as df
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.common import (Analysis, Problem, SAMPLE_ZERO_PASSES, check,
                                                    findings, for_sinks, render_layer_links,
                                                    scene_setting)
from nodescript.vocabulary import fold


@check("NS311")
def check_dof(a: Analysis):
    setting = scene_setting(a.graph, "camera.dof")
    if setting is None or setting.value is not True:
        return
    if fold(str(a.graph.setting("engine", "cycles"))) == "eevee":
        return                             # EEVEE's depth pass ignores depth of field (measured)
    for version in a.targets:
        used, sinks = set(), set()
        for flow, link, p, reached in render_layer_links(a):
            if flow.version == version and p in SAMPLE_ZERO_PASSES and reached:
                used.add(p)
                sinks |= reached
        if not used:
            continue
        severity = for_sinks(Severity.WARNING, sinks)
        yield Problem("NS311", ("setting",), version,
                      f"camera.dof = true jitters {df.describe_passes(used)}: Cycles takes "
                      f"{'it' if len(used) == 1 else 'them'} from one sample at a random point of "
                      "the lens, so out-of-focus areas get noisy "
                      "values (1.3 % mean depth error at f/0.05, measured)", setting.span, severity,
                      "render data passes with camera.dof = false (a separate render)")


@rule("NS311", "depth-of-field-on-data", Severity.WARNING,
      "Camera depth of field with depth, position or ID passes.")
def depth_of_field_on_data(ctx: LintContext):
    """## What it does
    Reports `camera.dof = true` when the graph writes Depth, Position or Object/Material Index.

    ## Why is this bad?
    Cycles takes these passes from a single sample, which depth of field places at a random point
    of the lens: out-of-focus areas get noisy, jittered values (1.3 % mean depth error at f/0.05,
    measured). Scenes that declare `engine = eevee` are not reported: EEVEE's depth pass came out
    identical with and without depth of field at f/0.05 (measured in 4.2, 4.5 and 5.0 with
    benchmarks/dof_on_depth.py).

    ## Example
    ```
    scene { camera.dof = true }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    scene { camera.dof = false }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```
    """
    return findings(ctx, "NS311")
