"""The resolved graph: plain dataclasses that lint rules, the formatter, drawing and backends read.

A Graph is version-independent (node kinds from nodescript's vocabulary, settings as written) and
records, per target Blender version, what each node and link becomes there (`bindings`), so a
backend only has to lower those bindings to bpy calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nodescript import vocabulary
from nodescript.diagnostics import Span


@dataclass(frozen=True)
class SocketBinding:
    """One socket of a node in one Blender version (index into node.inputs/outputs there)."""

    index: int
    identifier: str
    name: str
    type: str          # VALUE, RGBA, VECTOR, INT, BOOLEAN, ...


@dataclass
class NodeBinding:
    """What a vocabulary node is in one Blender version."""

    idname: str                      # bl_idname of the node (of the borrowed spec when emulated)
    emulated: bool = False           # the version lacks this node; the lowering builds it from others
    properties: dict[str, object] = field(default_factory=dict)   # RNA identifier -> value
    inputs: dict[str, object] = field(default_factory=dict)       # input identifier -> unlinked value


@dataclass
class Node:
    name: str                        # stable Blender node name
    kind: str                        # vocabulary kind, e.g. "MapValue"
    args: dict[str, object]          # settings as written, converted to Python values
    span: Span
    bindings: dict[str, NodeBinding] = field(default_factory=dict)   # version -> binding
    anonymous: bool = False          # an inline node without `as name`
    group: str | None = None         # for kind == "Group": the group definition it instantiates

    @property
    def semantics(self) -> str:
        """The kind whose meaning lint reads: its own, or for an exact type the kind that type is
        in another version (4.5's legacy CompositorNodeMapRange reads as MapRange, with its own
        settings); an unknown type's idname, which no rule knows."""
        return vocabulary.semantics(self.kind)

    @property
    def is_preview(self) -> bool:
        return bool(self.args.get("preview", False))


@dataclass
class Link:
    from_node: str
    from_socket: str                 # the socket's name as the user wrote or defaulted it
    to_node: str
    to_socket: str
    span: Span
    bindings: dict[str, tuple[SocketBinding, SocketBinding]] = field(default_factory=dict)
    muted: bool = False              # `a -> b.In(mute=true)`: drawn, but passes nothing

    def key(self) -> tuple[str, str, str, str]:
        return (self.from_node, self.from_socket, self.to_node, self.to_socket)


@dataclass
class SceneSetting:
    key: str                         # vocabulary key, e.g. "passes", "engine", "cycles.samples"
    value: object
    span: Span


@dataclass
class GroupSocket:
    name: str
    type: str                        # VALUE, RGBA, VECTOR
    settings: dict = field(default_factory=dict)   # declared: default, min, max, subtype


@dataclass
class Graph:
    """A compositor tree (the file's top level) or a node group body."""

    path: str
    targets: tuple[str, ...]
    nodes: dict[str, Node] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    scene: list[SceneSetting] = field(default_factory=list)
    groups: dict[str, Group] = field(default_factory=dict)
    # (links indexed, into, from): rebuilt when links were added since; rules ask per node.
    _index: tuple = field(default=(-1, {}, {}), init=False, repr=False, compare=False)

    def _indexed(self) -> tuple[dict[str, list[Link]], dict[str, list[Link]]]:
        if self._index[0] != len(self.links):
            into: dict[str, list[Link]] = {}
            out: dict[str, list[Link]] = {}
            for link in self.links:
                into.setdefault(link.to_node, []).append(link)
                out.setdefault(link.from_node, []).append(link)
            self._index = (len(self.links), into, out)
        return self._index[1], self._index[2]

    def links_into(self, node: str) -> list[Link]:
        return list(self._indexed()[0].get(node, ()))

    def links_from(self, node: str) -> list[Link]:
        return list(self._indexed()[1].get(node, ()))

    def setting(self, key: str, default=None):
        for s in self.scene:
            if s.key == key:
                return s.value
        return default


@dataclass
class Group:
    name: str
    inputs: list[GroupSocket]
    outputs: list[GroupSocket]
    body: Graph
    span: Span


GROUP_INPUT = "Group Input"      # node names of a group's interface nodes, as Blender names them
GROUP_OUTPUT = "Group Output"
