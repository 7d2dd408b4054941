"""The findings list: filled from nodescript's Diagnostics; choosing one selects its node."""

import re

import bpy

# Where docs/rules.md is published: the add-on's preferences (`docs_url`); the project names no
# address of its own, so the rule's text itself is shown inside Blender (rule_text).


def fill(scene, diagnostics, of: str, nodes_by_line=None) -> None:
    """Replace the scene's findings. `nodes_by_line`: (file, line) -> (group, node) for findings
    of a .nodes file (Blender's nodes carry the file's names once applied)."""
    settings = scene.nodescript
    settings.findings.clear()
    settings.findings_of = of
    for d in diagnostics:
        item = settings.findings.add()
        item.code, item.severity, item.message = d.code, d.severity.value, d.message
        item.help = d.help or ""
        place = getattr(d, "place", None)
        if place is not None:
            item.node = place.node or (place.link[2] if place.link else "")
            item.group, item.setting = place.group or "", place.setting or ""
            item.effect = place.effect or ""
        else:
            item.location = f"{d.span.file}:{d.span.line}:{d.span.col}"
            group, node = (nodes_by_line or {}).get((d.span.file, d.span.line), ("", ""))
            item.group, item.node = group or "", node
    settings.active_finding = -1


def nodes_by_line(graph) -> dict:
    """(file, line) -> (group or None, node name) for every line a node statement covers."""
    found = {}

    def add(body, group):
        for node in body.nodes.values():
            for line in range(node.span.line, node.span.end_line + 1):
                found[(node.span.file, line)] = (group, node.name)

    if graph is not None:
        add(graph, None)
        for name, group in graph.groups.items():
            add(group.body, name)
    return found


def select(scene, finding, context=None) -> bool:
    """Select the finding's node (only it) and make it active; frame it in every node editor
    showing its tree. False when the node is not there (a setting, or the file only)."""
    tree = _tree_of(scene, finding)
    node = tree.nodes.get(finding.node) if tree is not None and finding.node else None
    if node is None:
        return False
    for other in tree.nodes:
        other.select = other == node
    tree.nodes.active = node
    _frame(tree, context or bpy.context)
    return True


def _tree_of(scene, finding):
    if finding.group:
        return bpy.data.node_groups.get(finding.group)
    from nodescript import dialects
    from nodescript.blender import compositor, executor

    dialect = dialects.get(executor.running_version())
    try:
        return compositor.scene_tree(scene, dialect, finding.effect or None)[0]
    except compositor.CompositorError:
        return None


def _frame(tree, context) -> None:
    """View Selected in each node editor showing `tree` (none headless: no windows)."""
    wm = getattr(context, "window_manager", None)
    for window in (wm.windows if wm else ()):
        for area in window.screen.areas:
            space = area.spaces.active
            if area.type != "NODE_EDITOR" or getattr(space, "edit_tree", None) != tree:
                continue
            region = next((r for r in area.regions if r.type == "WINDOW"), None)
            with context.temp_override(window=window, area=area, region=region):
                bpy.ops.node.view_selected()


def rule_url(code: str, base: str) -> str:
    """The rule's section of docs/rules.md (GitHub's anchor of `### NS302 name`)."""
    from nodescript.lint.registry import all_rules

    rule = all_rules().get(code)
    heading = f"{code} {rule.name}" if rule else code
    anchor = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
    return f"{base}#{anchor}"


def rule_text(code: str) -> str:
    """What `nodescript rule CODE` prints."""
    from nodescript.lint.registry import all_rules

    rule = all_rules().get(code)
    if rule is None:
        return f"{code}: no such rule"
    return f"{rule.code} {rule.name} ({rule.severity.value})\n\n{rule.summary}\n\n{rule.docs}"
