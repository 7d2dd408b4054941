"""Structural rules (NS2xx): graphs that build but do not do what their author meant."""

from __future__ import annotations

from nodescript.diagnostics import Severity
from nodescript.lint.context import LintContext
from nodescript.lint.registry import Finding, rule

OUTPUT_KINDS = frozenset({"FileOutput", "Composite", "Viewer", "SplitViewer", "Frame"})
SINK_KINDS = OUTPUT_KINDS - {"Frame"}


def writing_groups(ctx: LintContext) -> set[str]:
    """Groups whose body holds an output node, directly or in a nested group: a File Output
    inside a node group writes its files in 4.2, 4.5 and 5.0 alike."""
    found: set[str] = set()
    while True:
        more = {name for name, group in ctx.graph.groups.items() if name not in found and any(
            n.semantics in SINK_KINDS or n.group in found for n in group.body.nodes.values())}
        if not more:
            return found
        found |= more


@rule("NS201", "unused-node", Severity.WARNING, "A node whose result goes nowhere.")
def unused_node(ctx: LintContext):
    """## What it does
    Finds nodes that have outputs but none of them is linked.

    ## Why is this bad?
    The node costs compositing time and does nothing; often a link was forgotten.

    ## Example
    ```
    rl = RenderLayers()
    blur = Blur()
    rl.Image -> Composite()
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    rl.Image -> Blur() -> Composite()
    ```
    """
    writing = writing_groups(ctx)
    for graph in ctx.graphs():
        used = {link.from_node for link in graph.links}
        for node in graph.nodes.values():
            if (node.semantics in OUTPUT_KINDS or node.name in used or node.semantics == "Reroute"
                    or node.group in writing):
                continue
            yield Finding(f"{node.kind} `{node.name}` is not linked to anything downstream", node.span)


@rule("NS202", "unlinked-output", Severity.WARNING, "An output node with nothing linked into it.")
def unlinked_output(ctx: LintContext):
    """## What it does
    Finds File Output, Composite and Viewer nodes without any input link.

    ## Why is this bad?
    A File Output with no inputs writes nothing, and a Composite without input renders black.

    ## Example
    ```
    out = FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    out = FileOutput(path="//depth/")
    rl.Depth -> out.depth
    ```
    """
    for graph in ctx.graphs():
        linked = {link.to_node for link in graph.links}
        for node in graph.nodes.values():
            if node.semantics in SINK_KINDS and node.name not in linked:
                yield Finding(f"{node.kind} `{node.name}` has nothing linked into it", node.span)


@rule("NS203", "no-output", Severity.WARNING, "A graph with nodes but no output node.")
def no_output(ctx: LintContext):
    """## What it does
    Reports a compositor graph that has nodes but no File Output, Composite or Viewer, neither
    itself nor inside a node group it uses (File Outputs in groups write too).

    ## Why is this bad?
    Nothing the graph computes is written or shown.

    ## Example
    ```
    rl = RenderLayers()
    rl.Depth -> MapValue(size=0.1)
    ```

    ## Use instead
    ```
    rl.Depth -> MapValue(size=0.1) -> FileOutput(path="//depth/")
    ```
    """
    graph, writing = ctx.graph, writing_groups(ctx)
    if graph.nodes and not any(n.semantics in SINK_KINDS or n.group in writing
                               for n in graph.nodes.values()):
        first = next(iter(graph.nodes.values()))
        yield Finding("the graph has no output node: nothing it computes is written", first.span)


@rule("NS204", "unused-group", Severity.INFO, "A node group that is defined but never used.")
def unused_group(ctx: LintContext):
    """## What it does
    Finds `group` definitions that no node instantiates.

    ## Why is this bad?
    Dead definitions make files harder to read; `apply` still creates the group in the .blend.

    ## Example
    ```
    group Meters(d: float) -> (m: float) { d -> m }
    ```

    ## Use instead
    ```
    group Meters(d: float) -> (m: float) { d -> m }
    meters = Meters()
    ```
    """
    used = {n.group for g in ctx.graphs() for n in g.nodes.values() if n.group}
    for name, group in ctx.graph.groups.items():
        if name not in used:
            yield Finding(f"group `{name}` is never used", group.span)


# Kinds that make a single value, and per-pixel kinds that keep a single value single: a File
# Output input fed only by these gets no image, and Blender writes no file for it (measured in
# 4.2, 4.5 and 5.0). Anything else upstream (an image, a group, a filter) is taken as an image.
CONSTANT_KINDS = frozenset({"Value", "Color", "SceneTime"})
PER_PIXEL_KINDS = frozenset({"Math", "MapValue", "MapRange", "Mix", "MixRGB", "ColorRamp",
                             "CombineColor", "SeparateColor", "CombineXYZ", "SeparateXYZ",
                             "VectorMath", "Clamp", "RGBToBW", "InvertColor", "Gamma", "Reroute"})


@rule("NS205", "constant-file-input", Severity.WARNING,
      "A File Output input fed only by constants: Blender writes no file for it.")
def constant_file_input(ctx: LintContext):
    """## What it does
    Finds File Output inputs whose data comes only from Value, Color or Scene Time nodes,
    possibly through per-pixel nodes (Math, Map Range, Mix, ...).

    ## Why is this bad?
    Such an input receives a single value, not an image, and Blender writes no file for it (in
    4.2, 4.5 and 5.0 alike). `nodescript render` then reports the file as missing.

    ## Example
    ```
    rl = RenderLayers()
    out = FileOutput(path="//out/")
    Value() -> Math(operation=multiply) -> out.scale
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    out = FileOutput(path="//out/")
    rl.Depth -> Math(operation=multiply) -> out.scaled_depth
    ```
    """
    graph = ctx.graph                   # group bodies: what reaches their inputs is unknown
    for link in graph.links:
        node = graph.nodes.get(link.to_node)
        if node is None or node.semantics != "FileOutput" or link.muted:
            continue
        source = _constant_source(graph, link.from_node)
        if source is not None:
            yield Finding(f"FileOutput `{node.name}` input `{link.to_socket}` gets only a single "
                          f"value (from {source.kind} `{source.name}`): Blender writes no file "
                          "for it", link.span)


def _constant_source(graph, start: str):
    """A constant node everything upstream of `start` comes from, or None if an image may."""
    seen, pending, found = set(), [start], None
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        node = graph.nodes.get(name)
        if node is None or node.semantics not in CONSTANT_KINDS | PER_PIXEL_KINDS:
            return None
        if node.semantics in CONSTANT_KINDS:
            found = found or node
        pending += [link.from_node for link in graph.links_into(name) if not link.muted]
    return found
