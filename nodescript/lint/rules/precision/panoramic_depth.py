"""NS312 (panoramic-depth): see the rule's docstring below."""

from __future__ import annotations

from nodescript.diagnostics import Severity
from nodescript.lint import dataflow as df
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.common import (Analysis, Problem, check, findings,
                                                    render_layer_links, scene_setting)
from nodescript.vocabulary import fold


@check("NS312")
def check_panoramic(a: Analysis):
    setting = scene_setting(a.graph, "camera.type")
    if setting is None or fold(str(setting.value)) != "panoramic":
        return
    for version in a.targets:
        used = {p for flow, link, p, reached in render_layer_links(a)
                if flow.version == version and p in df.DEPTH_PASSES and reached}
        if used:
            yield Problem("NS312", ("setting",), version,
                          f"camera.type = panoramic: {df.describe_passes(used)} is the radial "
                          "distance from the camera, not the planar Z of perspective and "
                          "orthographic cameras", setting.span, Severity.INFO,
                          "convert with the ray direction if your tools expect planar depth")


@rule("NS312", "panoramic-depth", Severity.INFO,
      "A panoramic camera's depth is radial distance, not planar Z.")
def panoramic_depth(ctx: LintContext):
    """## What it does
    Reports `camera.type = panoramic` when the graph writes Depth.

    ## Why is this bad?
    For perspective and orthographic cameras Depth is the planar camera-space Z; for panoramic
    cameras it is the distance along the ray. Tools that expect planar depth get wrong values
    away from the image centre.

    ## Example
    ```
    scene { camera.type = panoramic }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    scene { camera.type = perspective }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```
    """
    return findings(ctx, "NS312")
