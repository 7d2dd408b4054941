"""IR Graph -> Plan for one Blender version. Pure: no bpy, only the shipped catalogues.

One class for every version: what differs is read from the version's dialect
(nodescript.dialects), File Output's two APIs live in lower_file_output, kinds a version lacks
are built by lower_emulations. `lower(graph, version)` lowers for one version.
"""

from __future__ import annotations

from nodescript import (catalog, curve_settings, dialects, drivers, group_sockets, ir, keyframes,
                        vocabulary)
from nodescript.blender import lower_emulations, lower_file_output, plan
from nodescript.blender.expansion import Expansion, LoweringError
from nodescript.blender.layout import COLUMN_WIDTH, layout
from nodescript.scene_settings import BY_KEY

__all__ = ["Expansion", "Lowering", "LoweringError", "dialect", "lower"]

# The File Output kind (nodescript.resolve.file_output.FILE_OUTPUT), from the vocabulary: importing
# nodescript.resolve would load the parser, which apply's bpy process does not otherwise need.
FILE_OUTPUT = vocabulary.KIND_OVERRIDES["CompositorNodeOutputFile"]


class Lowering:
    # IR socket type -> interface socket type of node groups.
    INTERFACE_SOCKET_TYPES = group_sockets.SOCKET_IDNAMES
    # Node properties never compared with the catalogue default: scene-dependent or UI state.
    UNMANAGED_PROPERTIES = frozenset({"layer", "ui_shortcut", "active_input_index",
                                      "active_item_index", "socket_idname", "label_size",
                                      "is_active_output"})
    MANAGED_PROPERTY_TYPES = frozenset({"BOOLEAN", "INT", "FLOAT", "ENUM", "STRING"})

    def __init__(self, dialect: dialects.Dialect) -> None:
        self.dialect = dialect
        self.version = dialect.VERSION
        self.catalog = catalog.load(self.version)
        self._defaults: dict[str, tuple[dict[str, object], dict[str, object]]] = {}

    # --- the whole graph ----------------------------------------------------------------------
    def lower(self, graph: ir.Graph) -> plan.Plan:
        if self.version not in graph.targets:
            raise LoweringError(f"the graph targets Blender {', '.join(graph.targets)}, "
                                f"not {self.version}")
        groups = [self.lower_tree(name, graph.groups[name].body, graph.groups[name])
                  for name in _groups_in_use_order(graph)]
        tree = self.lower_tree(self.dialect.SCENE_TREE_NAME, graph, None)
        if self.dialect.TREE_IS_NODE_GROUP:
            tree.interface = self.scene_interface(tree)
        return plan.Plan(self.version, tree, groups, self.scene_values(graph),
                         self.pass_values(graph), graph.setting("effect"))

    def lower_tree(self, name: str, graph: ir.Graph, group: ir.Group | None) -> plan.Tree:
        expansions = {n.name: self.lower_node(n, graph, group) for n in graph.nodes.values()}
        for n in graph.nodes.values():
            for pn in expansions[n.name].nodes:
                pn.parent = str(n.args["parent"]) if "parent" in n.args else None
                pn.mute = bool(n.args.get("mute", False))
                pn.preview = bool(n.args.get("preview", False))
                if "color" in n.args:
                    pn.color = tuple(float(c) for c in n.args["color"])
            if "keys" in n.args:
                self.lower_keys(n, expansions[n.name])
            if "drivers" in n.args:
                self.lower_drivers(n, expansions[n.name])
        nodes = [pn for e in expansions.values() for pn in e.nodes]
        interface: tuple[plan.InterfaceSocket, ...] = ()
        if group is not None:
            nodes = [plan.Node(ir.GROUP_INPUT, "NodeGroupInput"), *nodes,
                     plan.Node(ir.GROUP_OUTPUT, "NodeGroupOutput")]
            interface = self.group_interface(group)
        links = [self.lower_link(link, expansions, group) for link in graph.links]
        links += [link for e in expansions.values() for link in e.links]
        tree = plan.Tree(name, nodes, links, interface)
        positions = layout([n.name for n in nodes], [(l.src.node, l.dst.node) for l in links])
        for node in nodes:
            # Blender keeps a framed node's location relative to its frame (all three versions).
            x, y = positions[node.name]
            px, py = positions[node.parent] if node.parent else (0, 0)
            node.location = (x - px, y - py)
        for n in graph.nodes.values():
            if "at" in n.args:
                pin(expansions[n.name].nodes, n.args["at"])
        return tree

    # --- nodes --------------------------------------------------------------------------------
    def lower_node(self, node: ir.Node, graph: ir.Graph, group: ir.Group | None) -> Expansion:
        binding = node.bindings[self.version]
        if binding.emulated:
            build = lower_emulations.EMULATIONS.get(node.kind)
            if build is None:
                raise LoweringError(f"{node.kind} `{node.name}` cannot be built in Blender "
                                    f"{self.version}")
            return build(self.dialect, node, binding, group)
        if node.kind == FILE_OUTPUT:
            return self.file_output(node, binding, graph)
        pnode = plan.Node(node.name, binding.idname, label=str(node.args.get("label", "")),
                          properties=dict(binding.properties), inputs=dict(binding.inputs))
        if node.kind == "RenderLayers":
            pnode.properties.setdefault("layer", graph.setting("view_layer"))
        return Expansion([pnode], by_index=node.group is not None)

    @staticmethod
    def lower_keys(node: ir.Node, expansion: Expansion) -> None:
        """`keys=`: on the one Blender node the node is (an emulation's values are spread over
        several nodes with other paths)."""
        if len(expansion.nodes) != 1 or expansion.nodes[0].tag:
            raise LoweringError(f"{node.kind} `{node.name}` is built from several nodes here; "
                                "its keys=[...] cannot be placed on them")
        expansion.nodes[0].keys = tuple(plan.Curve(path, index, keys) for path, index, keys
                                        in keyframes.parse(node.args["keys"]))

    @staticmethod
    def lower_drivers(node: ir.Node, expansion: Expansion) -> None:
        """`drivers=`: as keys, on the one Blender node the node is; not on a FileOutput, whose
        settings are nodescript's own and whose Blender paths differ between versions."""
        if len(expansion.nodes) != 1 or expansion.nodes[0].tag or node.kind == FILE_OUTPUT:
            raise LoweringError(f"{node.kind} `{node.name}` is built from several nodes here "
                                "or is a FileOutput; its drivers=[...] cannot be placed on it")
        expansion.nodes[0].drivers = tuple(plan.Driver(*d) for d in
                                           drivers.parse(node.args["drivers"]))

    # --- File Output: the version-neutral settings onto this version's API ----------------------
    def file_output(self, node: ir.Node, binding: ir.NodeBinding, graph: ir.Graph) -> Expansion:
        props = binding.properties
        multilayer = props.get("format", {}).get("file_format") == "OPEN_EXR_MULTILAYER"
        slots = tuple(lower_file_output.slot(self.dialect, name, type_, props, multilayer,
                                             components)
                      for name, type_, components in self.file_items(node, graph))
        pnode = plan.Node(node.name, binding.idname, label=str(node.args.get("label", "")),
                          properties=lower_file_output.node_properties(self.dialect, props,
                                                                       multilayer),
                          slots=slots)
        return Expansion([pnode], by_index=True)

    def file_items(self, node: ir.Node, graph: ir.Graph) -> list[tuple[str, str, int]]:
        """(item name, source socket type, components) in slot order, from the links into it."""
        found: dict[int, tuple[str, str, int]] = {}
        for link in graph.links_into(node.name):
            into = link.bindings[self.version][1]        # this version's binding, not the first target's
            found.setdefault(into.index, (into.name, self.data_type(link, graph),
                                          self.components(link, graph)))
        # Inputs nothing links into (`inputs=[...]`): a colour input, as Blender makes one.
        for index, name in enumerate(node.bindings[self.version].properties.get("input_names", ())):
            found.setdefault(index, (name, "RGBA", 3))
        return [found[i] for i in sorted(found)]

    def components(self, link: ir.Link, graph: ir.Graph) -> int:
        """4 for a four-component render pass (motion vectors) linked straight in, else 3."""
        source = graph.nodes.get(link.from_node)
        if source is None or source.kind != "RenderLayers":
            return 3
        how = self.catalog.render_passes.get(link.bindings[self.version][0].name) or {}
        return 4 if how.get("property") in lower_file_output.FOUR_COMPONENT_PASSES else 3

    def data_type(self, link: ir.Link, graph: ir.Graph) -> str:
        """The type of the data a link carries: Reroutes are typed RGBA in the catalogue, so
        follow them back to the first output that is not a Reroute and take that one's type."""
        seen: set[str] = set()
        while True:
            src = link.bindings[self.version][0]
            node = graph.nodes.get(link.from_node)
            if node is None or node.kind != "Reroute" or node.name in seen:
                return src.type
            seen.add(node.name)
            feeding = graph.links_into(node.name)
            if not feeding:
                return src.type                          # an unfed Reroute: its own type
            link = feeding[0]

    # --- links --------------------------------------------------------------------------------
    def lower_link(self, link: ir.Link, expansions: dict[str, Expansion],
                   group: ir.Group | None) -> plan.Link:
        src, dst = link.bindings[self.version]
        return plan.Link(self.endpoint(link.from_node, src, "outputs", expansions, group),
                         self.endpoint(link.to_node, dst, "inputs", expansions, group), link.muted)

    @staticmethod
    def endpoint(name: str, sock: ir.SocketBinding, side: str, expansions: dict[str, Expansion],
                 group: ir.Group | None) -> plan.Socket:
        if name not in expansions:   # a group's interface: Group Input's outputs, Group Output's inputs
            node = ir.GROUP_INPUT if side == "outputs" else ir.GROUP_OUTPUT
            return plan.Socket(node, sock.index, sock.identifier, by_index=True)
        expansion = expansions[name]
        moved = getattr(expansion, side).get(sock.identifier)
        if moved is not None:
            return moved
        return plan.Socket(name, sock.index, sock.identifier, by_index=expansion.by_index)

    # --- node groups --------------------------------------------------------------------------
    def group_interface(self, group: ir.Group) -> tuple[plan.InterfaceSocket, ...]:
        """Inputs then outputs; a setting a param does not declare is a new socket's."""
        return tuple(plan.InterfaceSocket(s.name, side, self.INTERFACE_SOCKET_TYPES[s.type],
                                          **{**group_sockets.new_socket(s.type), **s.settings})
                     for side, sockets in (("INPUT", group.inputs), ("OUTPUT", group.outputs))
                     for s in sockets)

    def scene_interface(self, tree: plan.Tree) -> tuple[plan.InterfaceSocket, ...]:
        """A node-group compositor's output socket, when the graph has a Composite."""
        has_composite = any(n.tag and n.tag["kind"] == "Composite" for n in tree.nodes)
        return (lower_emulations.composite_socket(self.dialect),) if has_composite else ()

    # --- scene settings and passes -------------------------------------------------------------
    def scene_values(self, graph: ir.Graph) -> list[plan.SceneValue]:
        out = []
        for setting in graph.scene:
            spec = BY_KEY[setting.key]
            if spec.type in ("passes", "clip", "aovs") or spec.key in ("view_layer", "effect"):
                continue                  # passes: view-layer switches; clip, aovs: lint only
            if spec.type == "size":
                out += [plan.SceneValue(p, v) for p, v in zip(spec.path.split(","), setting.value)]
            elif spec.type == "enum":
                out.append(plan.SceneValue(spec.path, self.enum_value(spec, setting.value)))
            else:
                out.append(plan.SceneValue(spec.path, setting.value))
        return out

    def enum_value(self, spec, word: str) -> str:
        if spec.key == "engine":
            value = self.dialect.engine(word)
            if value is None:
                raise LoweringError(f"engine `{word}` is not available in Blender {self.version}")
            return value
        folded = {vocabulary.fold(k): v for k, v in spec.choices.items()}
        return folded[vocabulary.fold(word)]

    def pass_values(self, graph: ir.Graph) -> list[plan.PassValue]:
        """Passes declared in `scene`, then those behind every Render Layers output used."""
        engine = graph.setting("engine")
        engine = self.dialect.engine(engine) if engine else None
        layer = graph.setting("view_layer")
        wanted: list[tuple[str, str | None, str | None]] = []
        aliases = vocabulary.pass_aliases(self.version)
        for name in graph.setting("passes", ()):
            wanted.append((aliases.get(vocabulary.fold(name), name), layer, None))
        for node in graph.nodes.values():            # RenderLayers(passes=...): on its layer
            if node.kind == "RenderLayers" and "passes" in node.args:
                props = node.bindings[self.version].properties
                wanted += [(aliases.get(vocabulary.fold(str(name)), str(name)),
                            props.get("layer", layer), props.get("scene"))
                           for name in node.args["passes"]]
        for link in graph.links:
            node = graph.nodes.get(link.from_node)
            if node is not None and node.kind == "RenderLayers":
                props = node.bindings[self.version].properties
                wanted.append((link.bindings[self.version][0].name, props.get("layer", layer),
                               props.get("scene")))
        out: list[plan.PassValue] = []
        for socket, view_layer, scene in wanted:
            for value in self.pass_switches(socket, engine, view_layer, scene):
                if value not in out:
                    out.append(value)
        return out

    def pass_switches(self, socket: str, engine: str | None, view_layer, scene) -> list[plan.PassValue]:
        how = self.catalog.render_passes.get(socket)
        if how is None or how.get("owner") == "always":
            return []
        how = how.get("by_engine", {}).get(engine, how)
        switches = [(how["owner"], how["property"])]
        for extra in how.get("requires", ()):
            owner, _, prop = extra.rpartition(".")
            switches.append((f"view_layer.{owner}" if owner else "view_layer", prop))
        return [plan.PassValue(owner, prop, view_layer, scene) for owner, prop in switches]

    # --- what an existing node is compared with ------------------------------------------------
    def defaults(self, idname: str) -> tuple[dict[str, object], dict[str, object]]:
        """(properties, inputs) a fresh node of `idname` has, for the ones nodescript manages:
        a scene node whose value differs from the plan's (or from these, when the plan is
        silent) has drifted. Worked out once per type: callers must not change the dicts."""
        found = self._defaults.get(idname)
        if found is None:
            found = self._defaults[idname] = self._fresh_defaults(idname)
        return found

    def _fresh_defaults(self, idname: str) -> tuple[dict[str, object], dict[str, object]]:
        spec = self.catalog.nodes.get(idname)
        if spec is None or idname == "CompositorNodeOutputFile":
            return {}, {}
        mirrors = vocabulary.mirrored_properties(spec)
        props = {k: _plain_default(p.default) for k, p in spec.properties.items()
                 if p.type in self.MANAGED_PROPERTY_TYPES and not p.readonly
                 and k not in self.UNMANAGED_PROPERTIES and k not in mirrors
                 and p.default is not None}
        props.update(curve_settings.defaults(spec))      # colour-ramp stops, curve points
        inputs = {s.identifier: _plain_default(s.default) for s in spec.inputs
                  if s.default is not None and s.type in ("VALUE", "INT", "BOOLEAN", "RGBA", "VECTOR")}
        return props, inputs


def pin(nodes: list[plan.Node], at) -> None:
    """`at=(x, y)`: the node there (an emulation's nodes from there, a column apart)."""
    x, y = (float(v) for v in at)
    for i, node in enumerate(nodes):
        node.location, node.pinned = (x + i * COLUMN_WIDTH, y), True


def _plain_default(value):
    return tuple(value) if isinstance(value, list) else value


def _groups_in_use_order(graph: ir.Graph) -> list[str]:
    """Group names, each after the groups its body uses (Blender needs them to exist first)."""
    done: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        for node in graph.groups[name].body.nodes.values():
            if node.group and node.group in graph.groups:
                visit(node.group)
        done.append(name)

    for name in graph.groups:
        visit(name)
    return done


def dialect(version: str) -> Lowering:
    """The lowering for Blender `version` (LoweringError if nodescript does not know it)."""
    try:
        return Lowering(dialects.get(version))
    except dialects.UnknownVersion as exc:
        raise LoweringError(f"nodescript cannot lower to Blender {version}; it knows "
                            f"{', '.join(dialects.versions())}") from None


def lower(graph: ir.Graph, version: str) -> plan.Plan:
    return dialect(version).lower(graph)
