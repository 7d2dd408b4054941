"""Compare a Plan with what a scene holds (read by the executor into plain State objects).

Pure: no bpy. The result, Changes, is what `apply` carries out, `--dry-run` prints and `--check`
counts. A node the plan does not mention is removed; a property or input the plan is silent on
must have its default (from the catalogue): the compositor ends up exactly as the graph says.
Locations are the user's: compared only where the graph pins them (`at=`); new nodes are placed
next to what they connect to (placement.py).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field

from nodescript.blender import placement, plan

LinkKey = tuple[str, str, str, str]     # from node, from socket identifier, to node, to identifier


# --- what the scene holds ----------------------------------------------------------------------

@dataclass
class NodeState:
    name: str
    idname: str
    label: str = ""
    location: tuple[float, float] = (0.0, 0.0)
    parent: str | None = None
    mute: bool = False
    tag: str | None = None
    properties: dict[str, object] = field(default_factory=dict)
    inputs: dict[str, object] = field(default_factory=dict)
    input_ids: tuple[str, ...] = ()
    output_ids: tuple[str, ...] = ()
    slots: tuple[plan.FileSlot, ...] | None = None
    own: bool = False                 # built by apply (plan.BUILT) or an emulation's node
    color: tuple[float, float, float] | None = None     # None: use_custom_color off
    keys: dict[tuple[str, int], tuple] = field(default_factory=dict)   # the plan's curves' keys
    drivers: dict[tuple[str, int], plan.Driver] = field(default_factory=dict)  # on plan's values


def is_emulation_tag(text: str | None) -> bool:
    record = _record(text)
    return bool(record) and "kind" in record and "node" in record


@dataclass
class TreeState:
    exists: bool
    nodes: dict[str, NodeState] = field(default_factory=dict)
    links: set[LinkKey] = field(default_factory=set)
    interface: tuple[plan.InterfaceSocket, ...] = ()
    muted: set[LinkKey] = field(default_factory=set)        # the links that are muted


@dataclass
class SceneState:
    trees: dict[str, TreeState]                # by plan tree name
    values: dict[str, object]                  # scene path -> current value
    passes: dict[plan.PassValue, object]       # pass switch -> current value


# --- what must change --------------------------------------------------------------------------

@dataclass
class NodeChange:
    name: str
    values: dict[str, tuple[object, object]] = field(default_factory=dict)   # what -> (old, new)
    slots: tuple[plan.FileSlot, ...] | None = None                          # rebuild to these
    old_slots: tuple[plan.FileSlot, ...] = ()                               # what is there now


@dataclass
class TreeChanges:
    name: str
    create: bool = False
    interface: tuple[plan.InterfaceSocket, ...] | None = None
    added: list[plan.Node] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[NodeChange] = field(default_factory=list)
    unlinked: list[LinkKey] = field(default_factory=list)
    linked: list[plan.Link] = field(default_factory=list)
    # What the changes would delete that the graph cannot carry back (a node of the user's it
    # does not have, an input it drops): apply stops on these unless --prune.
    lost: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.create or self.interface is not None or self.added or self.removed
                    or self.changed or self.unlinked or self.linked)


@dataclass
class Changes:
    trees: list[TreeChanges]
    scene: list[tuple[str, object, object]]        # path, old, new
    passes: list[plan.PassValue]

    def __bool__(self) -> bool:
        return bool(self.scene or self.passes or any(self.trees))

    def count(self) -> int:
        return (len(self.scene) + len(self.passes) + sum(
            len(t.added) + len(t.removed) + len(t.changed) + len(t.unlinked) + len(t.linked)
            + (t.interface is not None) + t.create for t in self.trees))

    def lost(self) -> list[str]:
        return [f"tree {t.name!r}: {what}" for t in self.trees for what in t.lost]

    def describe(self) -> list[str]:
        lines = [f"~ scene {path}: {old!r} -> {new!r}" for path, old, new in self.scene]
        lines += [f"~ pass {plan.describe_pass(p)}: on" for p in self.passes]
        for tree in self.trees:
            if tree:
                lines += _describe_tree(tree)
        return lines


def _describe_tree(tree: TreeChanges) -> list[str]:
    lines = [f"tree {tree.name!r}" + (" (new)" if tree.create else "")]
    if tree.interface is not None:
        lines.append("  ~ interface: " + ", ".join(
            plan.describe_interface_socket(s) for s in tree.interface))
    lines += [f"  - node {name}" for name in tree.removed]
    lines += [f"  + node {plan.describe_node(node)}" for node in tree.added]
    for change in tree.changed:
        for what, (old, new) in change.values.items():
            shown = _tag_changes(old, new) if what == "tag" else [(what, old, new)]
            if what == "keys":
                shown = [(f"keys {plan.describe_curve(a).split(' ')[0]}",
                          plan.describe_curve(a).partition(" ")[2] or "none",
                          plan.describe_curve(b).partition(" ")[2])
                         for a, b in zip(old, new) if a != b]
            if what == "drivers":
                lines += [f"  ~ node {change.name} driver {_driver_change(a, b)}"
                          for a, b in zip(old, new)]
                continue
            lines += [f"  ~ node {change.name} {w}: {_show(a)} -> {_show(b)}" for w, a, b in shown]
        if change.slots is not None:
            old, new = (", ".join(plan.describe_slot(s) for s in slots)
                        for slots in (change.old_slots, change.slots))
            lines.append(f"  ~ node {change.name} slots: [{old}] -> [{new}]")
    lines += [f"  - link {a}.{b} -> {c}.{d}" for a, b, c, d in tree.unlinked]
    lines += [f"  + link {plan.describe_link(link)}" for link in tree.linked]
    return lines


def _tag_changes(old: str | None, new: str | None) -> list[tuple[str, object, object]]:
    """A TAG change in words: the preview mark as `preview: False -> True`, the rest as it is."""
    records = [_record(old), _record(new)]
    if None in records:                                  # not JSON objects: shown raw
        return [("tag", old, new)]
    marks = [bool(r.pop("preview", False)) for r in records]
    found = [("preview", *marks)] if marks[0] != marks[1] else []
    if records[0] != records[1] or not found:
        found.append(("tag", old, new))
    return found


def _record(text: str | None) -> dict | None:
    try:
        record = {} if text is None else json.loads(text)
    except (TypeError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _driver_change(old: plan.Driver | None, new: plan.Driver) -> str:
    """`inputs[1].default_value: "frame" -> "frame / 10"` (a driver's path, then its parts)."""
    where, _, wanted = plan.describe_driver(new).partition(" ")
    had = plan.describe_driver(old).partition(" ")[2] if old is not None else "none"
    return f"{where}: {had} -> {wanted}"


def _show(value) -> str:
    """repr, but floats inside tuples (colour-ramp stops, curve points, colours) as float32
    reads them back: 0.9, not 0.8999999761581421."""
    if isinstance(value, tuple):
        inner = ", ".join(_show(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, float) and not isinstance(value, bool):
        return f"{value:.7g}" if value == value else repr(value)
    return repr(value)


# --- comparing ---------------------------------------------------------------------------------

def same(a, b) -> bool:
    """Equal as Blender stores them: floats as float32, sequences element-wise."""
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        if not (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list))) or len(a) != len(b):
            return False
        return all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return _f32(a) == _f32(b)
        return False
    if a is None or b is None:
        return (a or None) == (b or None)      # an empty pointer reads as None, a name as ""
    return a == b


def _f32(x: float) -> bytes:
    try:
        return struct.pack("<f", x)
    except OverflowError:
        return struct.pack("<d", x)


def same_location(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 0.5 and abs(a[1] - b[1]) < 0.5


@dataclass
class Expected:
    """A plan node's full wanted state: declared values over the catalogue's defaults."""

    properties: dict[str, object]
    inputs: dict[str, object]


def expected(node: plan.Node, defaults: tuple[dict, dict], linked_inputs: set[str]) -> Expected:
    props = {**defaults[0], **node.properties}
    inputs = {k: v for k, v in {**defaults[1], **node.inputs}.items() if k not in linked_inputs}
    return Expected(props, inputs)


def diff_tree(tree: plan.Tree, state: TreeState, wanted: dict[str, Expected]) -> TreeChanges:
    """`wanted`: Expected per plan node name (see `expected`)."""
    changes = TreeChanges(tree.name, create=not state.exists)
    if not same_interface(state.interface, tree.interface):
        changes.interface = tuple(tree.interface)
    planned = {node.name for node in tree.nodes}
    changes.removed = [name for name in state.nodes if name not in planned]
    fresh: set[str] = set()            # nodes whose sockets are all new: every link to them too
    for node in tree.nodes:
        current = state.nodes.get(node.name)
        if current is None or current.idname != node.idname:
            if current is not None:
                changes.removed.append(node.name)
            changes.added.append(node)
            fresh.add(node.name)
            continue
        change = diff_node(node, current, wanted[node.name])
        if change.values or change.slots is not None:
            changes.changed.append(change)
        if change.slots is not None:
            fresh.add(node.name)
    if changes.interface is not None:
        fresh.update(plan_group_io(tree))
    changes.added = placement.place_added(
        tree, {name: (s.location, s.parent) for name, s in state.nodes.items()}, changes.added)
    _diff_links(tree, state, fresh, changes)
    changes.lost = losses(tree, state, changes)
    return changes


def losses(tree: plan.Tree, state: TreeState, changes: TreeChanges) -> list[str]:
    """What `changes` delete of the user's: nodes the graph does not have (or has with another
    type) that apply did not build, File Output inputs a rebuild of its slots drops."""
    planned = {node.name: node for node in tree.nodes}
    out = []
    for name in changes.removed:
        current = state.nodes[name]
        if current.own:
            continue
        if name in planned:
            out.append(f"node {name!r} ({current.idname}) would be rebuilt as "
                       f"{planned[name].idname}")
        else:
            out.append(f"node {name!r} ({current.idname}) is not in the graph")
    for change in changes.changed:
        if change.slots is None:
            continue
        kept = {s.name for s in change.slots}
        out += [f"node {change.name!r}: File Output input {s.name!r} is not in the graph"
                for s in change.old_slots if s.name not in kept]
    return out


def same_interface(have, want) -> bool:
    """Socket by socket: names, sides and types equal, and the settings the plan gives (None:
    not the plan's business) as Blender stores them."""
    return len(have) == len(want) and all(
        (x.name, x.in_out, x.socket_type) == (y.name, y.in_out, y.socket_type)
        and all(v is None or same(x.settings()[k], v) for k, v in y.settings().items())
        for x, y in zip(have, want))


def plan_group_io(tree: plan.Tree) -> list[str]:
    """Group Input/Output nodes: their sockets follow the interface, rebuilt with it."""
    return [n.name for n in tree.nodes if n.idname in ("NodeGroupInput", "NodeGroupOutput")]


def diff_node(node: plan.Node, current: NodeState, want: Expected) -> NodeChange:
    change = NodeChange(node.name)
    values = change.values
    if current.label != node.label:
        values["label"] = (current.label, node.label)
    if not same(current.color, node.color):
        values["color"] = (current.color, node.color)
    if node.pinned and not same_location(current.location, node.location):
        values["location"] = (current.location, node.location)
    if current.parent != node.parent:
        values["parent"] = (current.parent, node.parent)
    if current.mute != node.mute:
        values["mute"] = (current.mute, node.mute)
    if current.tag != node.tag_text and not _untagged_composite(node, current):
        values["tag"] = (current.tag, node.tag_text)
    for path, value in want.properties.items():
        if not same(current.properties.get(path), value):
            values[path] = (current.properties.get(path), value)
    for key, value in want.inputs.items():
        if not same(current.inputs.get(key), value):
            values[f"inputs[{key!r}]"] = (current.inputs.get(key), value)
    # Only the curves the plan names: F-curves (and drivers) it is silent on are left alone.
    if any(not same(current.keys.get((c.path, c.index)), c.keys) for c in node.keys):
        values["keys"] = (tuple(plan.Curve(c.path, c.index, current.keys.get((c.path, c.index),
                                                                              ()))
                                for c in node.keys), node.keys)
    # Only the drivers the plan names, each exactly; those it is silent on are left alone.
    differ = [d for d in node.drivers if current.drivers.get((d.path, d.index)) != d]
    if differ:
        values["drivers"] = (tuple(current.drivers.get((d.path, d.index)) for d in differ),
                             tuple(differ))
    if node.slots is not None and tuple(current.slots or ()) != tuple(node.slots):
        change.slots, change.old_slots = node.slots, tuple(current.slots or ())
    return change


def _untagged_composite(node: plan.Node, current: NodeState) -> bool:
    """A node-group compositor's Group Output is its Composite whether apply tagged it or the
    user made it (export reads either): the missing record is not drift."""
    return (current.tag is None and node.idname == "NodeGroupOutput" and not node.preview
            and (node.tag or {}).get("kind") == "Composite")


def resolve_socket(sock: plan.Socket, ids: tuple[str, ...]) -> str | None:
    """The identifier `sock` names among a node's socket identifiers, None if it has none."""
    if sock.by_index:
        return ids[sock.index] if 0 <= sock.index < len(ids) else None
    return sock.identifier if sock.identifier in ids else None


def _diff_links(tree: plan.Tree, state: TreeState, fresh: set[str], changes: TreeChanges) -> None:
    wanted: set[LinkKey] = set()
    for link in tree.links:
        key = None
        if link.src.node not in fresh and link.dst.node not in fresh:
            key = _link_key(link, state)
        if key is None:
            changes.linked.append(link)
        elif key in state.links and (key in state.muted) != link.muted:
            changes.linked.append(link)                 # remade, muted or not as planned
        else:
            wanted.add(key)
            if key not in state.links:
                changes.linked.append(link)
    gone = set(changes.removed)
    changes.unlinked = sorted(k for k in state.links - wanted
                              if k[0] not in gone and k[2] not in gone)


def _link_key(link: plan.Link, state: TreeState) -> LinkKey | None:
    src, dst = state.nodes.get(link.src.node), state.nodes.get(link.dst.node)
    if src is None or dst is None:
        return None
    out, into = resolve_socket(link.src, src.output_ids), resolve_socket(link.dst, dst.input_ids)
    if out is None or into is None:
        return None
    return (link.src.node, out, link.dst.node, into)


def diff_scene(p: plan.Plan, state: SceneState) -> tuple[list[tuple[str, object, object]],
                                                         list[plan.PassValue]]:
    values = [(v.path, state.values.get(v.path), v.value) for v in p.scene
              if not same(state.values.get(v.path), v.value)]
    passes = [pv for pv in p.passes if not state.passes.get(pv)]
    return values, passes
