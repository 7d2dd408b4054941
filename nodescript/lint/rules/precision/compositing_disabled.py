"""NS310 (compositing-disabled): see the rule's docstring below."""

from __future__ import annotations

from nodescript.diagnostics import Severity
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.common import (Analysis, Problem, check, findings, lower,
                                                    scene_setting)


@check("NS310")
def check_compositing(a: Analysis):
    setting = scene_setting(a.graph, "use_compositing")
    if setting is None or setting.value is not False:
        return
    outputs = [n for g in [a.graph] + [gr.body for gr in a.graph.groups.values()]
               for n in g.nodes.values() if n.semantics == "FileOutput"]
    if not outputs:
        return
    severity = Severity.ERROR if any(not n.is_preview for n in outputs) else lower(Severity.ERROR)
    names = ", ".join(f"`{n.name}`" for n in outputs)
    for version in a.targets:
        yield Problem("NS310", ("setting",), version,
                      f"use_compositing = false: the compositor does not run when rendering, so "
                      f"FileOutput {names} write{'s' if len(outputs) == 1 else ''} nothing",
                      setting.span, severity, "set `use_compositing = true`")


@rule("NS310", "compositing-disabled", Severity.ERROR,
      "`use_compositing = false` while the graph has File Output nodes.")
def compositing_disabled(ctx: LintContext):
    """## What it does
    Reports `use_compositing = false` in the scene block of a graph with File Output nodes.

    ## Why is this bad?
    Without compositing Blender does not run the compositor when rendering: File Output nodes
    write nothing at all, silently.

    ## Example
    ```
    scene { use_compositing = false }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    scene { use_compositing = true }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```
    """
    return findings(ctx, "NS310")
