"""IR Graph -> Plan for one Blender version. Pure: no bpy, only the shipped catalogues.

The base class holds the machinery; each version is a small dialect (lower_4_2, lower_4_5,
lower_5_0) that overrides UPPER-CASE tables and the few methods whose API changed, each with a
comment on why. `lower(graph, version)` picks the dialect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nodescript import catalog, curve_settings, ir, vocabulary
from nodescript.blender import plan
from nodescript.blender.layout import layout
from nodescript.scene_settings import BY_KEY, engine_value

# The File Output kind (nodescript.resolve.file_output.FILE_OUTPUT), from the vocabulary: importing
# nodescript.resolve would load the parser, which apply's bpy process does not otherwise need.
FILE_OUTPUT = vocabulary.KIND_OVERRIDES["CompositorNodeOutputFile"]


class LoweringError(Exception):
    """The graph uses something the target version cannot express (message names the target)."""


@dataclass
class Expansion:
    """The plan nodes one IR node becomes, and where its sockets went.

    `inputs`/`outputs` map a binding's socket identifier to a plan socket; sockets not in them
    stay on the plan node named like the IR node (the usual one-to-one case).
    """

    nodes: list[plan.Node]
    inputs: dict[str, plan.Socket] = field(default_factory=dict)
    outputs: dict[str, plan.Socket] = field(default_factory=dict)
    links: list[plan.Link] = field(default_factory=list)    # between its own nodes
    by_index: bool = False           # its sockets are found by index (groups, File Output)


class Lowering:
    VERSION = ""
    # How the scene's compositor is reached: "scene.node_tree" (4.x) or a node group (5.0).
    SCENE_TREE_IS_GROUP = False
    SCENE_TREE_NAME = "{scene} Compositing"
    # Kind -> method building it from other nodes, for kinds this version lacks.
    EMULATIONS: dict[str, str] = {}
    # IR socket type -> interface socket type of node groups.
    INTERFACE_SOCKET_TYPES = {"VALUE": "NodeSocketFloat", "RGBA": "NodeSocketColor",
                              "VECTOR": "NodeSocketVector", "INT": "NodeSocketInt",
                              "BOOLEAN": "NodeSocketBool"}
    # Node properties never compared with the catalogue default: scene-dependent or UI state.
    UNMANAGED_PROPERTIES = frozenset({"layer", "ui_shortcut", "active_input_index",
                                      "active_item_index", "socket_idname", "label_size",
                                      "is_active_output"})
    MANAGED_PROPERTY_TYPES = frozenset({"BOOLEAN", "INT", "FLOAT", "ENUM", "STRING"})

    def __init__(self) -> None:
        self.catalog = catalog.load(self.VERSION)
        self._defaults: dict[str, tuple[dict[str, object], dict[str, object]]] = {}

    # --- the whole graph ----------------------------------------------------------------------
    def lower(self, graph: ir.Graph) -> plan.Plan:
        if self.VERSION not in graph.targets:
            raise LoweringError(f"the graph targets Blender {', '.join(graph.targets)}, "
                                f"not {self.VERSION}")
        groups = [self.lower_tree(name, graph.groups[name].body, graph.groups[name])
                  for name in _groups_in_use_order(graph)]
        tree = self.lower_tree(self.SCENE_TREE_NAME, graph, None)
        if self.SCENE_TREE_IS_GROUP:
            tree.interface = self.scene_interface(tree)
        return plan.Plan(self.VERSION, tree, groups, self.scene_values(graph),
                         self.pass_values(graph))

    def lower_tree(self, name: str, graph: ir.Graph, group: ir.Group | None) -> plan.Tree:
        expansions = {n.name: self.lower_node(n, graph, group) for n in graph.nodes.values()}
        for n in graph.nodes.values():
            for pn in expansions[n.name].nodes:
                pn.parent = str(n.args["parent"]) if "parent" in n.args else None
                pn.mute = bool(n.args.get("mute", False))
                pn.preview = bool(n.args.get("preview", False))
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
        return tree

    # --- nodes --------------------------------------------------------------------------------
    def lower_node(self, node: ir.Node, graph: ir.Graph, group: ir.Group | None) -> Expansion:
        binding = node.bindings[self.VERSION]
        if binding.emulated or node.kind in self.EMULATIONS:
            method = self.EMULATIONS.get(node.kind)
            if method is None:
                raise LoweringError(f"{node.kind} `{node.name}` cannot be built in Blender "
                                    f"{self.VERSION}")
            return getattr(self, method)(node, binding, group)
        if node.kind == FILE_OUTPUT:
            return self.file_output(node, binding, graph)
        pnode = plan.Node(node.name, binding.idname, label=str(node.args.get("label", "")),
                          properties=dict(binding.properties), inputs=dict(binding.inputs))
        if node.kind == "RenderLayers":
            pnode.properties.setdefault("layer", graph.setting("view_layer"))
        return Expansion([pnode], by_index=node.group is not None)

    # --- File Output: the version-neutral settings onto this version's API ----------------------
    FORMAT_KEYS = ("file_format", "color_depth", "exr_codec", "color_mode", "quality", "compression")

    def file_output(self, node: ir.Node, binding: ir.NodeBinding, graph: ir.Graph) -> Expansion:
        props = binding.properties
        fmt = props.get("format", {})
        multilayer = fmt.get("file_format") == "OPEN_EXR_MULTILAYER"
        items = self.file_items(node, graph)
        pnode = plan.Node(node.name, binding.idname, label=str(node.args.get("label", "")),
                          properties=self.file_output_properties(props, multilayer),
                          slots=tuple(self.file_slot(name, type_, props, multilayer,
                                                     self.own_format(props, name))
                                      for name, type_ in items))
        return Expansion([pnode], by_index=True)

    def file_items(self, node: ir.Node, graph: ir.Graph) -> list[tuple[str, str]]:
        """(item name, source socket type) in slot order, from the links into the node."""
        found: dict[int, tuple[str, str]] = {}
        for link in graph.links_into(node.name):
            into = link.bindings[self.VERSION][1]        # this version's binding, not the first target's
            found.setdefault(into.index, (into.name, self.data_type(link, graph)))
        return [found[i] for i in sorted(found)]

    def data_type(self, link: ir.Link, graph: ir.Graph) -> str:
        """The type of the data a link carries: Reroutes are typed RGBA in the catalogue, so
        follow them back to the first output that is not a Reroute and take that one's type."""
        seen: set[str] = set()
        while True:
            src = link.bindings[self.VERSION][0]
            node = graph.nodes.get(link.from_node)
            if node is None or node.kind != "Reroute" or node.name in seen:
                return src.type
            seen.add(node.name)
            feeding = graph.links_into(node.name)
            if not feeding:
                return src.type                          # an unfed Reroute: its own type
            link = feeding[0]

    def file_output_properties(self, props: dict, multilayer: bool) -> dict[str, object]:
        raise NotImplementedError

    def format_properties(self, fmt: dict) -> dict[str, object]:
        # file_format first: switching format resets depth, codec and colour mode.
        return {f"format.{k}": fmt[k] for k in self.FORMAT_KEYS if k in fmt}

    def own_format(self, props: dict, name: str) -> tuple[tuple[str, object], ...] | None:
        """An input's own format (`out.preview(format=png)`) as RNA paths under its slot."""
        fmt = props.get("input_formats", {}).get(name)
        if fmt is None:
            return None
        return (*self.format_properties(fmt).items(), ("save_as_render", fmt["save_as_render"]))

    def file_slot(self, name: str, type_: str, props: dict, multilayer: bool,
                  own_format: tuple | None) -> plan.FileSlot:
        raise NotImplementedError

    # --- links --------------------------------------------------------------------------------
    def lower_link(self, link: ir.Link, expansions: dict[str, Expansion],
                   group: ir.Group | None) -> plan.Link:
        src, dst = link.bindings[self.VERSION]
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
        return tuple([plan.InterfaceSocket(s.name, "INPUT", self.INTERFACE_SOCKET_TYPES[s.type])
                      for s in group.inputs] +
                     [plan.InterfaceSocket(s.name, "OUTPUT", self.INTERFACE_SOCKET_TYPES[s.type])
                      for s in group.outputs])

    def scene_interface(self, tree: plan.Tree) -> tuple[plan.InterfaceSocket, ...]:
        return ()

    # --- scene settings and passes -------------------------------------------------------------
    def scene_values(self, graph: ir.Graph) -> list[plan.SceneValue]:
        out = []
        for setting in graph.scene:
            spec = BY_KEY[setting.key]
            if spec.type in ("passes", "clip", "aovs") or spec.key == "view_layer":
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
            value = engine_value(word, self.VERSION)
            if value is None:
                raise LoweringError(f"engine `{word}` is not available in Blender {self.VERSION}")
            return value
        folded = {vocabulary.fold(k): v for k, v in spec.choices.items()}
        return folded[vocabulary.fold(word)]

    def pass_values(self, graph: ir.Graph) -> list[plan.PassValue]:
        """Passes declared in `scene`, then those behind every Render Layers output used."""
        engine = graph.setting("engine")
        engine = engine_value(engine, self.VERSION) if engine else None
        layer = graph.setting("view_layer")
        wanted: list[tuple[str, str | None, str | None]] = []
        aliases = vocabulary.pass_aliases(self.VERSION)
        for name in graph.setting("passes", ()):
            wanted.append((aliases.get(vocabulary.fold(name), name), layer, None))
        for link in graph.links:
            node = graph.nodes.get(link.from_node)
            if node is not None and node.kind == "RenderLayers":
                props = node.bindings[self.VERSION].properties
                wanted.append((link.bindings[self.VERSION][0].name, props.get("layer", layer),
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
        props = {k: _plain_default(p.default) for k, p in spec.properties.items()
                 if p.type in self.MANAGED_PROPERTY_TYPES and not p.readonly
                 and k not in self.UNMANAGED_PROPERTIES and p.default is not None}
        props.update(curve_settings.defaults(spec))      # colour-ramp stops, curve points
        inputs = {s.identifier: _plain_default(s.default) for s in spec.inputs
                  if s.default is not None and s.type in ("VALUE", "INT", "BOOLEAN", "RGBA", "VECTOR")}
        return props, inputs


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
    from nodescript.blender.lower_4_2 import Lowering42
    from nodescript.blender.lower_4_5 import Lowering45
    from nodescript.blender.lower_5_0 import Lowering50

    dialects = {cls.VERSION: cls for cls in (Lowering42, Lowering45, Lowering50)}
    if version not in dialects:
        raise LoweringError(f"nodescript cannot lower to Blender {version}; it knows "
                            f"{', '.join(dialects)}")
    return dialects[version]()


def lower(graph: ir.Graph, version: str) -> plan.Plan:
    return dialect(version).lower(graph)
