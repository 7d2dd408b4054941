"""NS309 (pass-not-enabled): see the rule's docstring below."""

from __future__ import annotations

from nodescript import catalog, vocabulary
from nodescript.diagnostics import Severity
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.common import (Analysis, Problem, check, findings,
                                                    render_layer_links)


@check("NS309")
def check_pass_enabled(a: Analysis):
    graph = a.graph
    if not graph.scene:
        return                             # no scene block: the file makes no claim about passes
    declared = graph.setting("passes")
    newest = catalog.load(graph.targets[-1]).render_passes
    enabled = {(newest.get(p) or {}).get("property") for p in declared or ()}
    view_layer = graph.setting("view_layer")
    for flow, link, _, _ in render_layer_links(a):
        node = graph.nodes[link.from_node]
        layer = node.bindings[flow.version].properties.get("layer")
        prop = (catalog.load(flow.version).render_passes.get(link.bindings[flow.version][0].name)
                or {}).get("property")
        if layer and layer != view_layer:
            # another view layer (`passes` is the first layer's, or `view_layer`'s): the node's
            # own `passes=` says what that layer has on; without one, apply enables the link's
            if "passes" in node.args and prop is not None and prop not in {
                    (newest.get(p) or {}).get("property") for p in _node_passes(node, graph)}:
                yield _off_on_the_nodes_layer(flow, link, layer)
            continue
        if prop is None or prop in enabled:
            continue
        socket = link.from_socket          # the newest target's name: one message for all versions
        quoted = f'"{socket}"' if not socket.replace("_", "").isalnum() else socket.lower()
        if declared is None:
            yield Problem("NS309", ("link", link.span), flow.version,
                          f"`{link.from_node}.{socket}` needs the {socket} pass, and the scene "
                          "block does not declare `passes`: `nodescript apply` enables it, but the "
                          ".blend must have it enabled wherever it is rendered",
                          link.span, Severity.INFO, f"add `passes = [{quoted}]` to the scene block")
        else:
            yield Problem("NS309", ("link", link.span), flow.version,
                          f"`{link.from_node}.{socket}` needs the {socket} pass, but the scene's "
                          "`passes` does not enable it: the socket carries no data",
                          link.span, Severity.ERROR, f"add {quoted} to `passes` in the scene block")


def _node_passes(node, graph) -> list[str]:
    aliases = vocabulary.pass_aliases(graph.targets[-1])
    return [aliases.get(vocabulary.fold(str(p)), str(p)) for p in node.args["passes"]]


def _off_on_the_nodes_layer(flow, link, layer: str) -> Problem:
    socket = link.from_socket
    quoted = f'"{socket}"' if not socket.replace("_", "").isalnum() else socket.lower()
    return Problem("NS309", ("link", link.span), flow.version,
                   f"`{link.from_node}.{socket}` needs the {socket} pass, but `{link.from_node}`'s "
                   f"`passes` (view layer \"{layer}\") does not enable it: the socket carries no "
                   "data", link.span, Severity.ERROR, f"add {quoted} to `{link.from_node}`'s passes")


@rule("NS309", "pass-not-enabled", Severity.ERROR,
      "A render pass used by the graph is not enabled in the scene block's `passes`.")
def pass_not_enabled(ctx: LintContext):
    """## What it does
    Finds Render Layers outputs whose pass the scene block's `passes` does not list. When the
    scene block does not declare `passes` at all, it is only information: `nodescript apply`
    enables the passes a graph uses.

    ## Why is this bad?
    A disabled pass's socket is unavailable in Blender: the link carries nothing, and the file
    holds zeros or is not written.

    ## Example
    ```
    scene { passes = [depth] }
    rl = RenderLayers()
    rl.Normal -> FileOutput(path="//normal/")
    ```

    ## Use instead
    ```
    scene { passes = [depth, normal] }
    rl = RenderLayers()
    rl.Normal -> FileOutput(path="//normal/")
    ```
    """
    return findings(ctx, "NS309")
