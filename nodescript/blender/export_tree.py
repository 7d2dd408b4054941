"""Export of one tree (the scene's compositor or a group body): a unit per node, then links
in a stable order."""

from __future__ import annotations

from dataclasses import dataclass, field
import heapq
import re
from typing import TYPE_CHECKING

from nodescript import catalog, curve_settings, group_sockets, vocabulary
from nodescript.blender.export_animation import animation_args
from nodescript.blender.export_file_output import FileOutputReader
from nodescript.blender.export_text import (
    GROUP_SOCKET_DEFAULTS,
    GROUP_WORDS,
    INTERFACE_TYPES,
    ITEM_TYPE_WORDS,
    MAP_VALUE_ROLES,
    Names,
    aov_of,
    float_text,
    index_of,
    input_changed,
    input_setting_name,
    is_preview,
    label_arg,
    node_call,
    numbers_text,
    param_ref,
    point_text,
    property_text,
    ref,
    same_value,
    socket_ref,
    socket_text,
    spec_index,
    string_text,
    tag_of,
    writable,
)

# File Output item type nodescript declares for a source socket type (as lowering does).
from nodescript.blender.lower_file_output import ITEM_SOCKET_TYPES
from nodescript.catalog import NodeSpec, SocketSpec
from nodescript.ir import GROUP_INPUT, GROUP_OUTPUT
from nodescript.syntax.names import is_bare, name_text

if TYPE_CHECKING:
    from nodescript.blender.export_scene import SceneExporter
# --- one tree: the scene's compositor or a group body -----------------------------------------

@dataclass
class Param:
    name: str
    type: str                 # VALUE, RGBA, ...
    identifier: str
    settings: dict = field(default_factory=dict)   # group_sockets.SETTINGS -> Blender's value

    def word(self) -> str:
        """`float`, or `float(default=0.5, max=1, subtype=factor)` for the settings a new
        socket of the type would not have."""
        fresh = group_sockets.new_socket(self.type)
        args = [f"{key}={setting_text(key, value, self.type)}"
                for key, value in self.settings.items()
                if value is not None and fresh[key] is not None
                and not same_value(value, fresh[key])]
        return GROUP_WORDS[self.type] + (f"({', '.join(args)})" if args else "")

    @property
    def default(self):
        found = self.settings.get("default")
        return GROUP_SOCKET_DEFAULTS[self.type] if found is None else found


def setting_text(key: str, value, type_: str) -> str:
    if key == "subtype":
        return str(value).lower()
    if isinstance(value, bool):
        return "true" if value else "false"
    return numbers_text(value, type_ == "INT")


@dataclass
class Interface:
    """A node group's sockets, named as nodescript params (unique, valid, input/output apart)."""

    params: dict[str, list[Param]]              # "INPUT"/"OUTPUT" -> params in order

    @classmethod
    def of(cls, tree, exporter: SceneExporter) -> Interface:
        # Each side its own names: an output may share an input's name (a link reads from one
        # and writes to the other).
        names = {"INPUT": Names(reserved=set(), keep=True),
                 "OUTPUT": Names(reserved=set(), keep=True)}
        params: dict[str, list[Param]] = {"INPUT": [], "OUTPUT": []}
        sockets = [i for i in tree.interface.items_tree if i.item_type == "SOCKET"]
        for item in sorted(sockets, key=lambda i: i.in_out != "INPUT"):
            type_ = interface_type(item.socket_type)
            if type_ is None:
                exporter.note(f'group "{tree.name}": socket "{item.name}" of type '
                              f"{item.socket_type} cannot be written; it and its links are "
                              "left out")
                continue
            settings = {key: plain_setting(getattr(item, attr, None))
                        for key, attr in SOCKET_SETTINGS.items()}
            for what in ("description", "hide_value", "hide_in_modifier", "force_non_field"):
                if getattr(item, what, None):
                    exporter.note(f'group "{tree.name}": socket "{item.name}" has {what} set, '
                                  "which is not exported")
            name = names[item.in_out].take(item.name)
            if name != item.name:
                exporter.note(f'group "{tree.name}": another {item.in_out.lower()} is named '
                              f'"{item.name}" too; this one is written {name} (a group\'s '
                              "sockets have one name each), so apply renames it")
            params[item.in_out].append(Param(name, type_, item.identifier, settings))
        return cls(params)

    def words(self, side: str) -> list[tuple[str, str]]:
        return [(p.name, p.word()) for p in self.params[side]]

    def find(self, side: str, identifier: str) -> Param | None:
        return next((p for p in self.params[side] if p.identifier == identifier), None)


# Interface socket settings -> their RNA names (as the executor reads them).
SOCKET_SETTINGS = {"default": "default_value", "min": "min_value", "max": "max_value",
                   "subtype": "subtype"}


def plain_setting(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return tuple(value)


def interface_type(socket_type: str) -> str | None:
    # Subtypes extend the name: NodeSocketFloatFactor is a float.
    return next((t for prefix, t in INTERFACE_TYPES.items() if socket_type.startswith(prefix)),
                None)


@dataclass
class Unit:
    """One nodescript node: a Blender node, or the several nodes of an emulation."""

    name: str
    kind: str                       # vocabulary kind or group name
    nodes: list                     # bpy nodes, the first one is the main one
    order: int
    spec: NodeSpec | None = None
    emulated: bool = False                            # stands for nodes of other types
    tag: dict | None = None
    group_params: list[Param] | None = None          # group instances: their inputs
    group_outputs: list[Param] | None = None
    slots: list[str] = field(default_factory=list)    # FileOutput: slot name per input index
    input_args: dict[int, list[str]] = field(default_factory=dict)   # FileOutput: format=png, ...
    args: list[str] = field(default_factory=list)


class TreeExporter:
    def __init__(self, scene_exporter: SceneExporter, tree, interface: Interface | None):
        self.x = scene_exporter
        self.version = scene_exporter.version
        self.dialect = scene_exporter.dialect
        self.tree = tree
        self.interface = interface
        # A node may share a group socket's name (links then write `group.Image`); the interface
        # nodes' own names are the language's for the group's sockets.
        self.names = Names(reserved={GROUP_INPUT, GROUP_OUTPUT} if interface else set(), keep=True)
        self.units: list[Unit] = []
        self.unit_of: dict[str, Unit] = {}             # bpy node name -> unit
        self.kinds = scene_exporter.kinds

    def run(self) -> list[str]:
        self.collect_units()
        links = self.links()
        units = topological(self.units, links)
        lines = [f"{name_text(u.name)} = {node_call(name_text(u.kind), u.args)}" for u in units]
        order = {u.name: i for i, u in enumerate(units)}
        links.sort(key=lambda link: (order.get(link.dst_unit, len(order)), link.dst_index,
                                     order.get(link.src_unit, -1), link.src_index))
        link_lines = [f"{link.src} -> {link.dst}" for link in links]
        return lines + ([""] if lines and link_lines else []) + link_lines

    # --- nodes ---------------------------------------------------------------------------------
    def collect_units(self) -> None:
        """One unit per node, or per emulation, in the tree's order (of its first node)."""
        emulated: dict[str, list] = {}
        entries: list = []
        for node in self.tree.nodes:
            tag = tag_of(node)
            if tag is None or not self.is_emulation(node, tag):
                entries.append((node, tag))
            elif tag["node"] in emulated:
                emulated[tag["node"]].append(node)
            else:
                emulated[tag["node"]] = [node]
                entries.append((emulated[tag["node"]], tag))
        for entry, tag in entries:
            if isinstance(entry, list):
                self.add_emulation(entry, tag)
            else:
                self.add_node(entry, tag)
        for unit in self.units:                         # frames are units by now
            frame = unit.nodes[0].parent
            if frame is not None and frame.name in self.unit_of:
                unit.args.append(f"parent={name_text(self.unit_of[frame.name].name)}")
            if unit.nodes[0].mute:
                unit.args.append("mute=true")
            if is_preview(unit.nodes[0]):
                unit.args.append("preview=true")
            if unit.nodes[0].use_custom_color:
                unit.args.append(f"color={numbers_text(tuple(unit.nodes[0].color), False)}")
            if self.x.pin_layout and len(unit.nodes) == 1:   # an emulation's others follow it
                unit.args.append(f"at={numbers_text(tuple(unit.nodes[0].location), False)}")
            unit.args += animation_args(self.x, unit.kind, unit.nodes, unit.emulated)

    def is_emulation(self, node, tag: dict) -> bool:
        kind = tag["kind"]
        return kind != self.kinds.get(node.bl_idname) and kind in vocabulary.EMULATED_KINDS

    def add_node(self, node, tag: dict | None) -> None:
        if node.bl_idname in ("NodeGroupInput", "NodeGroupOutput") and self.interface is not None:
            return                                      # the group's params stand for them
        if node.bl_idname == "NodeGroupOutput" and self.dialect.TREE_IS_NODE_GROUP:
            self.add_emulation([node], {"kind": "Composite", "node": node.name})
            return
        kind = self.x.kind_of(node)
        if kind is None or kind in vocabulary.STRUCTURAL_KINDS:
            self.x.note(f'node "{node.name}" ({node.bl_idname}) has no nodescript kind here; '
                        "it and its links are left out")
            return
        unit = self.new_unit(node.name, kind, [node], tag)
        if kind == "Group":
            self.group_unit(unit, node)
        elif kind == "FileOutput":
            unit.args = FileOutputReader(self.x, node, unit).args()
        else:
            unit.spec = vocabulary.spec_for(kind, self.version)[0]
            unit.args = self.node_args(unit, node)

    def new_unit(self, blender_name: str, kind: str, nodes: list, tag: dict | None) -> Unit:
        unit = Unit(self.names.take(blender_name), kind, nodes, len(self.units), tag=tag)
        self.units.append(unit)
        for node in nodes:
            self.unit_of[node.name] = unit
        return unit

    def group_unit(self, unit: Unit, node) -> None:
        if node.node_tree is None:
            self.x.note(f'group node "{node.name}" has no node group; it is left out')
            self.units.remove(unit)
            del self.unit_of[node.name]
            return
        unit.kind = self.x.group(node.node_tree)
        interface = self.x.interface(node.node_tree)
        unit.group_params = interface.params["INPUT"]
        unit.group_outputs = interface.params["OUTPUT"]
        # an instance's value is written where it is not the interface's default (what a new
        # group node takes)
        sockets = tuple(SocketSpec(p.identifier, p.name, p.type, p.default)
                        for p in unit.group_params)
        unit.args = self.input_args(node, sockets, set()) + label_arg(node.label)

    # --- settings of ordinary nodes --------------------------------------------------------------
    def node_args(self, unit: Unit, node) -> list[str]:
        args = self.property_args(unit, node)
        args += self.ramp_args(unit.spec, node) + self.mapping_args(unit.spec, node)
        args += self.input_args(node, unit.spec.inputs, set(unit.spec.properties))
        return args + label_arg(node.label)

    # --- colour-ramp stops and curve points (see nodescript.curve_settings) ----------------------
    def ramp_args(self, spec: NodeSpec, node) -> list[str]:
        ramp = getattr(node, spec.ramp.property, None) if spec.ramp else None
        if ramp is None:
            return []
        args = []
        stops = [(e.position, tuple(e.color)) for e in ramp.elements]
        if not same_value(stops, spec.ramp.elements):
            args.append("stops=[" + ", ".join(f"({float_text(position)}, {numbers_text(colour, False)})"
                                              for position, colour in stops) + "]")
        for name in curve_settings.RAMP_ENUMS:
            prop = spec.ramp.properties.get(name)
            text = property_text(getattr(ramp, name), prop) if prop else None
            args += [f"{name}={text}"] if text is not None else []
        return args

    def mapping_args(self, spec: NodeSpec, node) -> list[str]:
        mapping = getattr(node, spec.mapping.property, None) if spec.mapping else None
        if mapping is None:
            return []
        args = []
        handle = spec.mapping.point_properties["handle_type"].default
        for setting, index in curve_settings.curve_names(spec):
            points = [(p.location[0], p.location[1], p.handle_type)
                      for p in mapping.curves[index].points]
            if not same_value(points, spec.mapping.curves[index]):
                args.append(f"{setting}=[" + ", ".join(point_text(p, handle) for p in points) + "]")
        props = spec.mapping.properties
        text = property_text(mapping.use_clip, props["use_clip"])
        args += [f"use_clip={text}"] if text is not None else []
        rect = [getattr(mapping, name) for name in curve_settings.CLIP]
        if not same_value(rect, [props[name].default for name in curve_settings.CLIP]):
            args.append(f"clip={numbers_text(rect, False)}")
        for name in ("extend", "tone"):
            text = property_text(getattr(mapping, name), props[name])
            args += [f"{name}={text}"] if text is not None else []
        for name in ("black_level", "white_level"):
            if name in props and not same_value(getattr(mapping, name), props[name].default):
                self.x.note(f'node "{node.name}": its curves\' {name} (not shown on the node) is '
                            "not exported")
        return args

    def property_args(self, unit: Unit, node) -> list[str]:
        args = []
        for ident, prop in unit.spec.properties.items():
            if not writable(prop, catalog.load(self.version), node):
                continue
            if unit.kind == "RenderLayers" and ident in ("scene", "layer"):
                continue
            text = property_text(getattr(node, ident), prop)
            if text is not None:
                args.append(f"{ident}={text}")
        if unit.kind == "RenderLayers":
            args += self.render_layers_args(node)
        return args

    def render_layers_args(self, node) -> list[str]:
        """`scene=` for another scene's render; `layer=` when not the scene's first view layer."""
        source = node.scene if node.scene is not None else self.x.scene
        args = [] if source == self.x.scene else [f"scene={string_text(source.name)}"]
        first = source.view_layers[0].name if len(source.view_layers) else None
        if args or node.layer != first:
            args.append(f"layer={string_text(node.layer)}")
        if source == self.x.scene and node.layer != self.x.declared_layer(self.tree):
            words = self.x.pass_words(self.tree, lambda other: other == node)
            if words is not None:              # this layer's passes: not the scene block's
                args.append(f"passes=[{', '.join(words)}]")
        return args

    def input_args(self, node, sockets: tuple[SocketSpec, ...], properties: set[str]) -> list[str]:
        """Unlinked inputs that differ from the default: by name, or `inputs=(...)` by position
        where the name is shared (Math's three `Value`s) or taken by a property."""
        named, positional = [], {}
        shown = [vocabulary.fold(s.name) for s in node.inputs if s.enabled]
        for socket in node.inputs:
            index = spec_index(sockets, socket.identifier)
            if index is None or not input_changed(socket, sockets[index]):
                continue
            text = socket_text(socket.default_value, socket.type)
            name = input_setting_name(sockets, index, properties, shown)
            if name is None:
                positional[index] = text
            else:
                named.append(f"{name}={text}")
        if positional:
            values = [positional.get(i, "_") for i in range(max(positional) + 1)]
            named.append(f"inputs=({', '.join(values)})")
        return named

    # --- emulations: several Blender nodes, one nodescript node ----------------------------------
    def add_emulation(self, members: list, tag: dict) -> None:
        kind = tag["kind"]
        unit = self.new_unit(tag["node"], kind, members, tag)
        unit.spec, _ = vocabulary.spec_for(kind, self.version)
        unit.emulated = True
        if kind == "MapValue":
            unit.args = self.map_value_args(unit)
        else:
            unit.args = label_arg(members[0].label)

    def map_value_args(self, unit: Unit) -> list[str]:
        """The Math nodes' live values win over the tag (a user may have edited them)."""
        values = dict(unit.tag.get("args", {}))
        values.update({switch: False for _, switch in MAP_VALUE_ROLES.values() if switch})
        first = None
        for node in chain_order(unit.nodes):
            role = tag_of(node).get("role")
            prop, switch = MAP_VALUE_ROLES.get(role, (None, None))
            if prop is None:
                continue
            first = first or node
            values[prop] = node.inputs[1].default_value
            if switch:
                values[switch] = True
        args = [f"{ident}={text}" for ident, prop in unit.spec.properties.items()
                if ident in values and (text := property_text(values[ident], prop)) is not None]
        if first is not None and not first.inputs[0].is_linked \
                and not same_value(first.inputs[0].default_value, unit.spec.inputs[0].default):
            args.append(f"value={float_text(first.inputs[0].default_value)}")
        label = re.sub(r" \((offset|size|min|max)\)$", "", first.label if first else "")
        return args + label_arg("" if label == "Map Value" else label)

    # --- links -----------------------------------------------------------------------------------
    def links(self) -> list[Link]:
        out = []
        for link in self.tree.links:
            self.item_type_arg(link)                    # before the destination's text
            muted_into_file = link.is_muted and self.file_input_arg(link, "mute=true")
            src = self.source(link.from_node, link.from_socket)
            dst = self.destination(link.to_node, link.to_socket)
            if src is None or dst is None:
                continue
            if src.unit is not None and src.unit == dst.unit:
                continue                                # inside an emulation
            text = dst.text
            if link.is_muted and not muted_into_file:
                if dst.unit is None:                    # a group's output: no socket to suffix
                    self.x.note(f"the link {src.text} -> {dst.text} is muted in Blender; "
                                "exported as active")
                else:
                    text += "(mute=true)"
            out.append(Link(src.text, text, src.unit, dst.unit, src.index, dst.index))
        return out

    def file_input_arg(self, link, arg: str) -> bool:
        """Add `arg` to a File Output input's settings, `out.name(arg)`; False if not one."""
        unit = self.unit_of.get(link.to_node.name)
        if unit is None or unit.kind != "FileOutput":
            return False
        unit.input_args.setdefault(index_of(link.to_node.inputs, link.to_socket), []).append(arg)
        return True

    def item_type_arg(self, link) -> None:
        """Items declare their type (5.0 on), and it decides half vs full float in EXR: write
        `out.name(type=float)` when it is not the feeding socket's (what nodescript declares)."""
        node = link.to_node
        if not self.dialect.FILE_OUTPUT_ITEMS or node.bl_idname != "CompositorNodeOutputFile":
            return
        index = index_of(node.inputs, link.to_socket)
        items = node.file_output_items
        src_node, src_socket, seen = link.from_node, link.from_socket, set()
        while src_node.bl_idname == "NodeReroute" and src_node.name not in seen:
            seen.add(src_node.name)              # Reroutes carry their source's data type
            feeding = [l for s in src_node.inputs for l in s.links]
            if not feeding:
                break
            src_node, src_socket = feeding[0].from_node, feeding[0].from_socket
        spec = self.x.catalog.nodes.get(src_node.bl_idname)
        source = spec and spec_index(spec.outputs, src_socket.identifier)
        type_ = spec.outputs[source].type if source is not None else src_socket.type
        declared = ITEM_SOCKET_TYPES.get(type_)
        if index >= len(items) or not declared or items[index].socket_type == declared:
            return
        word = ITEM_TYPE_WORDS.get(items[index].socket_type)
        unit = self.unit_of.get(node.name)
        if word is None or unit is None:
            self.x.note(f'File Output "{node.name}": input "{items[index].name}" is declared '
                        f"{items[index].socket_type}, which nodescript cannot declare; it declares "
                        f"{declared} (the type of what feeds it)")
            return
        self.file_input_arg(link, f"type={word}")

    def source(self, node, socket) -> End | None:
        if node.bl_idname == "NodeGroupInput" and self.interface is not None:
            param = self.interface.find("INPUT", socket.identifier)
            return End(self.interface_ref(param.name), None, 0) if param else None
        unit = self.unit_of.get(node.name)
        ref = None if unit is None else self.output_ref(unit, node, socket)
        if ref is None:
            return None
        return End(name_text(unit.name) + ref, unit.name, index_of(node.outputs, socket))

    def destination(self, node, socket) -> End | None:
        if node.bl_idname == "NodeGroupOutput" and self.interface is not None:
            param = self.interface.find("OUTPUT", socket.identifier)
            return End(self.interface_ref(param.name), None, 0) if param else None
        unit = self.unit_of.get(node.name)
        if unit is None:
            return None
        index = index_of(node.inputs, socket)
        ref = self.input_ref(unit, node, socket, index)
        return None if ref is None else End(name_text(unit.name) + ref, unit.name, index)

    def interface_ref(self, name: str) -> str:
        """A group socket as a link end: its bare name where that names no node of the body."""
        if is_bare(name) and name not in self.names.taken:
            return name
        return "group" + ref(name)

    def output_ref(self, unit: Unit, node, socket) -> str | None:
        if unit.emulated:
            return ".Value"                              # MapValue's one output
        if unit.group_outputs is not None:
            return param_ref(unit.group_outputs, socket.identifier)
        if aov_of(node, self.x.scene, socket) is not None:
            return ref(socket.name)                     # declared in the scene's `aovs`
        return self.checked(socket_ref(unit.spec.outputs, socket, unit.kind, self.version),
                            node, socket, "output")

    def input_ref(self, unit: Unit, node, socket, index: int) -> str | None:
        if unit.kind == "FileOutput":
            if index >= len(unit.slots):
                return None                              # the virtual "add an item" socket
            args = unit.input_args.get(index)
            return ref(unit.slots[index]) + (f"({', '.join(args)})" if args else "")
        if unit.emulated and unit.kind == "MapValue":
            return ".Value"
        if unit.emulated and unit.kind == "Composite":
            return self.composite_ref(socket, index)
        if unit.group_params is not None:
            return param_ref(unit.group_params, socket.identifier)
        return self.checked(socket_ref(unit.spec.inputs, socket, unit.kind, self.version),
                            node, socket, "input")

    def checked(self, ref: str | None, node, socket, side: str) -> str | None:
        if ref is None:
            self.x.note(f'node "{node.name}": {side} "{socket.name}" has no nodescript name; '
                        "its links are left out")
        return ref

    def composite_ref(self, socket, index: int) -> str | None:
        """5.0's Group Output stands for Composite: its first output socket is the image."""
        if index == 0:
            return ".Image"
        if socket.bl_idname != "NodeSocketVirtual":
            self.x.note(f'the compositor output "{socket.name}" beyond the first has no Composite '
                        "input; its link is left out")
        return None


@dataclass
class End:
    text: str
    unit: str | None
    index: int


@dataclass
class Link:
    src: str
    dst: str
    src_unit: str | None
    dst_unit: str | None
    src_index: int
    dst_index: int


def topological(units: list[Unit], links: list[Link]) -> list[Unit]:
    """Sources before the nodes they feed; ties in Blender's node order. A cycle (Blender
    allows none, but a file may hold one) is broken at its first node in that order."""
    feeds: dict[int, set[int]] = {u.order: set() for u in units}
    waiting = dict.fromkeys(feeds, 0)
    order_of = {u.name: u.order for u in units}
    for link in links:
        src, dst = order_of.get(link.src_unit), order_of.get(link.dst_unit)
        if src is not None and dst is not None and src != dst and dst not in feeds[src]:
            feeds[src].add(dst)
            waiting[dst] += 1
    ready = [order for order, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    done: list[int] = []
    placed: set[int] = set()
    while len(done) < len(units):
        if not ready:                                    # only cycles left
            ready = [min(o for o in waiting if o not in placed)]
        order = heapq.heappop(ready)
        if order in placed:
            continue
        placed.add(order)
        done.append(order)
        for fed in feeds[order]:
            waiting[fed] -= 1
            if waiting[fed] == 0 and fed not in placed:
                heapq.heappush(ready, fed)
    by_order = {u.order: u for u in units}
    return [by_order[o] for o in done]


def chain_order(nodes: list) -> list:
    """An emulation's Math nodes in chain order, from the one fed from outside."""
    names = {n.name for n in nodes}

    def fed_by(node) -> list:
        return [l.to_node for l in node.outputs[0].links if l.to_node.name in names]

    fed = {m.name for n in nodes for m in fed_by(n)}
    ordered = [n for n in nodes if n.name not in fed][:1]
    while ordered and len(ordered) < len(nodes):
        following = fed_by(ordered[-1])
        if not following or following[0] in ordered:
            break
        ordered.append(following[0])
    return ordered + [n for n in nodes if n not in ordered]


