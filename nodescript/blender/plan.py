"""A Plan: what one graph becomes in one Blender version, as plain data (no bpy).

The lowering (nodescript/blender/lowering.py and its per-version dialects) turns an IR Graph into
a Plan; the executor compares it with a scene and carries out the difference. Plans are what the
golden tests snapshot, so everything in them is deterministic and JSON-friendly (`to_json`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from nodescript import group_sockets

# Custom property (a JSON object) on nodes that carry something Blender has no place for, read
# back by the exporter: on nodes that emulate something the version lacks (5.0 MapValue's Math
# nodes, 5.0 Composite's Group Output) {"kind", "node", "role", "args"}; on nodes marked
# `preview=true` (any node) "preview": true. A node with neither has no such property.
TAG = "nodescript"
# Custom property on every node apply creates (and the default nodes of a tree it creates): the
# node is nodescript's own, so apply may delete it when the graph no longer has it. Any other
# node the graph does not have is the user's: apply deletes it only with --prune.
BUILT = "nodescript_built"


@dataclass(frozen=True)
class Socket:
    """One end of a link. Sockets are found by identifier (stable when passes or the engine add
    sockets, e.g. Cycles' "Noisy Image"), except where identifiers are made up by Blender
    (group interfaces, File Output items): there `by_index` says to use the index."""

    node: str
    index: int
    identifier: str
    by_index: bool = False


@dataclass(frozen=True)
class Link:
    src: Socket
    dst: Socket
    muted: bool = False              # Blender's link.is_muted: drawn, passes nothing


@dataclass(frozen=True)
class FileSlot:
    """One input of a File Output. 4.x: a file slot (`path`) that is also a layer (`name`);
    5.0: an item (`name`, `socket_type`)."""

    name: str
    path: str | None = None          # 4.x file_slots[i].path; None in 5.0
    socket_type: str | None = None   # 5.0 file_output_items socket type; None in 4.x
    # The input's own format, not the node's (4.x use_node_format off, 5.0 override_node_format
    # on): RNA paths under the slot -> value, in the order they are set. None: the node's format.
    format: tuple[tuple[str, object], ...] | None = None
    # 4.2 only: the input's save_as_render when it uses the node's format (4.2 has no node-level
    # one; 4.5 and 5.0 read the node's). None: not set per input.
    save_as_render: bool | None = None
    # Items: a vector item's `vector_socket_dimensions` when not Blender's 3 (the motion-vector
    # pass has four components; a 3D item drops the fourth, measured in 5.0 and 5.1).
    dimensions: int | None = None


@dataclass(frozen=True)
class InterfaceSocket:
    name: str
    in_out: str                      # INPUT or OUTPUT
    socket_type: str                 # NodeSocketFloat, NodeSocketColor, ...
    # Its settings (nodescript.group_sockets); None where the type has none (a colour's min).
    default: object = None
    min: float | int | None = None
    max: float | int | None = None
    subtype: str | None = None       # Blender's identifier: FACTOR, ...; NONE for none

    def settings(self) -> dict[str, object]:
        return {"default": self.default, "min": self.min, "max": self.max,
                "subtype": self.subtype}


@dataclass(frozen=True)
class Curve:
    """Keyframes on one value of a node (an F-curve of its tree): `path` is the RNA path under
    the node (`inputs[1].default_value`), `index` the component of an array value."""

    path: str
    index: int
    keys: tuple[tuple[float, float, str], ...]       # (frame, value, interpolation)


@dataclass(frozen=True)
class Driver:
    """A driver on one value of a node (nodescript.drivers): `type` SCRIPTED with its
    `expression`, or AVERAGE/SUM/MIN/MAX (expression ""); Single Property variables
    (name, id_type, id_name, data_path)."""

    path: str
    index: int
    type: str
    expression: str
    variables: tuple[tuple[str, str, str, str], ...] = ()


@dataclass
class Node:
    name: str
    idname: str
    # Where a new node goes. The graph's `at=(x, y)` pins it (`pinned`: apply moves the node
    # back there); otherwise the automatic layout's, and apply keeps where a node already is
    # and places new ones next to what they connect to (nodescript/blender/placement.py).
    location: tuple[float, float] = (0.0, 0.0)
    pinned: bool = False
    label: str = ""
    color: tuple[float, float, float] | None = None     # use_custom_color on, this colour
    parent: str | None = None
    mute: bool = False
    preview: bool = False            # nodescript's own mark, kept in the TAG property
    # RNA path under the node -> value, set in this order ("format.file_format" before
    # "format.color_depth"). Pointers are given by datablock name.
    properties: dict[str, object] = field(default_factory=dict)
    inputs: dict[str, object] = field(default_factory=dict)     # input identifier -> value
    slots: tuple[FileSlot, ...] | None = None                   # File Output only
    tag: dict | None = None                                     # emulation record, see TAG
    keys: tuple[Curve, ...] = ()                                # keyframed values
    drivers: tuple[Driver, ...] = ()                            # driven values

    @property
    def tag_text(self) -> str | None:
        """The TAG property's value: the emulation record and the preview mark, or None."""
        record = {**(self.tag or {}), **({"preview": True} if self.preview else {})}
        return json.dumps(record, sort_keys=True) if record else None


@dataclass
class Tree:
    name: str                        # node group name; the scene tree's name when created
    nodes: list[Node] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    interface: tuple[InterfaceSocket, ...] = ()

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)


@dataclass(frozen=True)
class SceneValue:
    path: str                        # attribute path under the scene, e.g. "render.engine"
    value: object


@dataclass(frozen=True)
class PassValue:
    """A view-layer property that enables a render pass the graph uses or declares."""

    owner: str                       # "view_layer" or "view_layer.cycles"
    property: str                    # "use_pass_z"
    view_layer: str | None = None    # None: the scene's first view layer
    scene: str | None = None         # None: the scene being applied


@dataclass
class Plan:
    version: str
    tree: Tree                                           # the scene's compositor
    groups: list[Tree] = field(default_factory=list)     # node groups, used ones before users
    scene: list[SceneValue] = field(default_factory=list)
    passes: list[PassValue] = field(default_factory=list)
    # The compositor effect the tree is (5.3: `scene { effect = "..." }` or `--effect`);
    # None: the scene's only or active effect. Versions without effects ignore it.
    effect: str | None = None

    def trees(self) -> list[Tree]:
        return [*self.groups, self.tree]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=False, default=list)

    def describe(self) -> str:
        """One line per node, link, setting: what golden tests snapshot and dry runs show."""
        lines = [f"blender {self.version}"]
        for tree in self.trees():
            lines.append(f"tree {tree.name!r}")
            lines += [f"  interface {describe_interface_socket(s)}" for s in tree.interface]
            lines += [f"  node {describe_node(n)}" for n in tree.nodes]
            lines += [f"  link {describe_link(l)}" for l in tree.links]
        lines += [f"scene {v.path} = {v.value!r}" for v in self.scene]
        lines += [f"pass {describe_pass(p)}" for p in self.passes]
        return "\n".join(lines) + "\n"


def describe_interface_socket(sock: InterfaceSocket) -> str:
    """`input 'fac' NodeSocketFloat default=0.5 subtype='FACTOR'`: settings a new socket of its
    type would not have."""
    type_ = next((t for t, name in group_sockets.SOCKET_IDNAMES.items()
                  if name == sock.socket_type), None)
    fresh = group_sockets.new_socket(type_) if type_ else {}
    words = [f"{k}={v!r}" for k, v in sock.settings().items() if v is not None and v != fresh.get(k)]
    return " ".join([sock.in_out.lower(), repr(sock.name), sock.socket_type, *words])



def describe_node(node: Node) -> str:
    x, y = node.location
    words = [node.name, node.idname, f"at ({x:g}, {y:g})" + (" pinned" if node.pinned else "")]
    if node.label:
        words.append(f"label={node.label!r}")
    if node.color is not None:
        words.append(f"color=({', '.join(f'{c:g}' for c in node.color)})")
    if node.parent:
        words.append(f"parent={node.parent!r}")
    if node.mute:
        words.append("muted")
    if node.preview:
        words.append("preview")
    words += [f"{k}={v!r}" for k, v in node.properties.items()]
    words += [f"inputs[{k!r}]={v!r}" for k, v in node.inputs.items()]
    if node.slots is not None:
        words.append("slots=[" + ", ".join(describe_slot(s) for s in node.slots) + "]")
    if node.tag is not None:
        words.append(f"tag={json.dumps(node.tag, sort_keys=True)}")
    if node.keys:
        words.append("keys=[" + ", ".join(describe_curve(c) for c in node.keys) + "]")
    if node.drivers:
        words.append("drivers=[" + ", ".join(describe_driver(d) for d in node.drivers) + "]")
    return " ".join(words).replace("-0,", "0,").replace("-0)", "0)")


def describe_curve(curve: Curve) -> str:
    where = curve.path + (f"[{curve.index}]" if curve.index else "")
    keys = " ".join(f"{frame:g}:{value:.7g}" + ("" if how == "BEZIER" else f"/{how.lower()}")
                    for frame, value, how in curve.keys)
    return f"{where} {keys}"


def describe_driver(driver: Driver | None) -> str:
    """`inputs[1].default_value "d * 2" d=SCENE:'Scene'.render.fps` (or `... sum ...`)."""
    if driver is None:
        return "none"
    where = driver.path + (f"[{driver.index}]" if driver.index else "")
    kind, _, extra = driver.type.partition(" ")       # "SCRIPTED with ...": one read as is
    how = json.dumps(driver.expression) if kind == "SCRIPTED" else kind.lower()
    how += f" ({extra})" if extra else ""
    names = [f"{name}={id_type}:{id_name!r}.{path}" for name, id_type, id_name, path
             in driver.variables]
    return " ".join([where, how, *names])


def describe_slot(slot: FileSlot) -> str:
    extra = slot.path if slot.socket_type is None else slot.socket_type
    if slot.dimensions is not None:
        extra += f"{slot.dimensions}D"
    if slot.save_as_render is False:
        extra += " raw"
    if slot.format is None:
        return f"{slot.name!r}:{extra}"
    own = " ".join(f"{k}={v!r}" for k, v in slot.format)     # as node properties are shown
    return f"{slot.name!r}:{extra} (own format: {own})"


def describe_socket(sock: Socket) -> str:
    return f"{sock.node}[{sock.index}]" if sock.by_index else f"{sock.node}.{sock.identifier}"


def describe_link(link: Link) -> str:
    muted = " (muted)" if link.muted else ""
    return f"{describe_socket(link.src)} -> {describe_socket(link.dst)}{muted}"


def describe_pass(value: PassValue) -> str:
    where = "".join(f" {k}={v!r}" for k, v in (("view_layer", value.view_layer),
                                               ("scene", value.scene)) if v is not None)
    return f"{value.owner}.{value.property}{where}"
