"""Findings of `nodescript lint SCENE.blend` in Blender's terms.

A .blend is linted through `export`: its compositor becomes `.nodes` text, one statement per
Blender node, link or scene setting. Each finding's span points into that text; here it gets a
Place instead, naming the scene and the node (in its node group), the link or the setting, so
the report reads `scene.blend: scene "Scene", node "File Output.001": error[NS302]: ...`.
Nothing here needs bpy: export hands over the names (nodescript.blender.export.ExportedScene).
"""

from __future__ import annotations

import dataclasses

from nodescript import catalog, ir
from nodescript.diagnostics import Diagnostic, Place, Span
from nodescript.scene_settings import BY_KEY

# Scene-block keys whose setting is not one property path under the scene.
SETTING_PATHS = {"resolution": "render.resolution_x, render.resolution_y"}


def place_findings(diags: list[Diagnostic], graph: ir.Graph | None, exported,
                   blend_path: str) -> list[Diagnostic]:
    """The findings with `place` set and their file the .blend (their span stays in the
    exported text, so the statement can still be shown). `exported` is an ExportedScene."""
    places = _Places(graph, exported) if graph is not None else None
    out = []
    for d in diags:
        place = places.find(d) if places is not None else None
        place = place or Place(exported.scene)
        span = Span(blend_path, d.span.line, d.span.col, d.span.end_line, d.span.end_col)
        message = places.blender_names(d.message, d.span.line) if places is not None else d.message
        help_ = d.help
        if d.code == "NS309" and place.setting:       # a .blend has no scene block to edit
            help_ = f"switch on {place.setting}, or apply a graph whose scene block lists the pass"
        place = dataclasses.replace(place, effect=exported.effect)
        out.append(dataclasses.replace(d, span=span, place=place, message=message, help=help_))
    return out


class _Places:
    """Line of the exported text -> what Blender thing it stands for."""

    def __init__(self, graph: ir.Graph, exported):
        self.x = exported
        self.graph = graph
        self.by_line: dict[int, Place] = {}
        self.links: dict[int, tuple[ir.Link, str | None]] = {}
        self.scopes: dict[int, str | None] = {}            # line -> the group body it is in
        self.renames: dict[str | None, list[tuple[str, str]]] = {}   # exported -> Blender name
        for (scope, name), names in exported.nodes.items():
            if names and names[0] != name:
                self.renames.setdefault(scope, []).append((name, names[0]))
        for name, group in graph.groups.items():          # group lines first: bodies override
            tree = exported.groups.get(name, name)
            self.cover(group.span, Place(exported.scene, group=tree))
        for setting in graph.scene:
            self.cover(setting.span, Place(exported.scene, setting=self.setting_path(setting.key)))
        self.add_graph(graph, None)
        for name, group in graph.groups.items():
            self.add_graph(group.body, name)

    def cover(self, span: Span, place: Place) -> None:
        for line in range(span.line, span.end_line + 1):
            self.by_line[line] = place

    def add_graph(self, graph: ir.Graph, scope: str | None) -> None:
        tree = None if scope is None else self.x.groups.get(scope, scope)
        for node in graph.nodes.values():
            place = Place(self.x.scene, group=tree, node=self.node_name(scope, node.name))
            self.cover(node.span, place)
            for line in range(node.span.line, node.span.end_line + 1):
                self.scopes[line] = scope
        for link in graph.links:
            self.scopes[link.span.line] = scope
            ends = (self.end(scope, link.from_node, "Group Input"), self.socket(link, 0),
                    self.end(scope, link.to_node, "Group Output"), self.socket(link, 1))
            self.cover(link.span, Place(self.x.scene, group=tree, link=ends))
            self.links[link.span.line] = (link, scope)

    def blender_names(self, message: str, line: int) -> str:
        """The message with exported node names (`File_Output_001`) as Blender's own
        (`File Output.001`), in the graph or group body the finding is in."""
        for name, blender in self.renames.get(self.scopes.get(line), ()):
            message = message.replace(f"`{name}`", f"`{blender}`")
            message = message.replace(f"`{name}.", f"`{blender}.")
        return message

    def node_name(self, scope: str | None, name: str) -> str:
        names = self.x.nodes.get((scope, name))
        return names[0] if names else name

    def end(self, scope: str | None, name: str, interface: str) -> str:
        """A link end's Blender node; a group's parameters are its Group Input/Output sockets."""
        if (scope, name) in self.x.nodes:
            return self.x.nodes[(scope, name)][0]
        return interface if scope is not None else name

    def socket(self, link: ir.Link, side: int) -> str:
        binding = link.bindings.get(self.x.version)
        return binding[side].name if binding else (link.from_socket, link.to_socket)[side]

    def setting_path(self, key: str) -> str:
        spec = BY_KEY.get(key)
        if key in SETTING_PATHS:
            return SETTING_PATHS[key]
        if spec is None or not spec.path:
            return key
        return spec.path

    def find(self, d: Diagnostic) -> Place | None:
        place = self.by_line.get(d.span.line)
        if place is not None and d.code == "NS309" and place.link is not None:
            place = dataclasses.replace(place, setting=self.pass_switch(d.span.line))
        return place

    def pass_switch(self, line: int) -> str | None:
        """`view_layers["ViewLayer"].use_pass_z`: the switch the linked pass needs (NS309)."""
        link, scope = self.links.get(line, (None, None))
        if link is None or scope is not None:
            return None
        how = catalog.load(self.x.version).render_passes.get(self.socket(link, 0)) or {}
        if not how.get("property"):
            return None
        node = self.graph.nodes.get(link.from_node)
        binding = node.bindings.get(self.x.version) if node is not None else None
        layer = (binding.properties.get("layer") if binding else None) \
            or self.graph.setting("view_layer") or self.x.view_layer
        owner = "".join(f".{part}" for part in how["owner"].split(".")[1:])
        quoted = str(layer).replace("\\", "\\\\").replace('"', '\\"')
        return f'view_layers["{quoted}"]{owner}.{how["property"]}'
