"""Build many new nodes fast: in small node groups, then ungroup them all at once.

Every nodes.new / links.new / property set re-runs Blender's update of the whole tree, so
building N nodes one by one costs O(N^2) (4,000 Math nodes: 40-90 s). Built inside groups of
about sqrt(N) nodes each update stays small; links between groups go through group sockets,
and one `node.group_ungroup` moves every node into the real tree and reconnects those links
directly (in C, one update). 1,000 nodes: ~0.2 s instead of ~2-3 s; 4,000: ~1.5 s.

bpy comes in as an argument: executor.py stays the only module that imports it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from nodescript import group_sockets
from nodescript.blender import plan

# Nodes built straight in the target tree: Render Layers may not be in a group (4.x), the
# outputs are the tree's own, File Output slots are linked by index.
DIRECT = frozenset({"CompositorNodeRLayers", "CompositorNodeComposite", "CompositorNodeViewer",
                    "CompositorNodeOutputFile", "NodeGroupInput", "NodeGroupOutput"})
# Below this many new nodes the plain build is as fast.
MIN_NODES = 48
INTERFACE_TYPES = group_sockets.SOCKET_IDNAMES


@dataclass
class Chunk:
    group: object                                   # bpy CompositorNodeTree
    names: set[str]
    group_input: object = None
    group_output: object = None
    inputs: list = field(default_factory=list)     # (inner dst socket, outer src) per group input
    outputs: dict = field(default_factory=dict)    # inner src socket pointer -> output index
    node: object = None                             # the group node in the target tree


def usable(bpy) -> bool:
    """The ungroup operator needs a window with an area (bpy as a module has one)."""
    wm = bpy.context.window_manager
    return bool(wm and wm.windows and wm.windows[0].screen and wm.windows[0].screen.areas)


def build(bpy, tree, pnodes: list[plan.Node], links: list[plan.Link],
          create: Callable, find_socket: Callable) -> list[plan.Link]:
    """Create `pnodes` in `tree` and the `links` among them and the tree's nodes.

    `create(nodes, pnode)` makes one node; `find_socket(node, plan_socket, side)` finds a socket.
    Returns the links it could not route through groups; the caller makes them afterwards.
    """
    direct = [pn for pn in pnodes if pn.idname in DIRECT]
    grouped = [pn for pn in pnodes if pn.idname not in DIRECT]
    for pn in direct:
        create(tree.nodes, pn)
    size = max(16, int(math.sqrt(len(grouped))) + 1)
    chunks = [_new_chunk(bpy, grouped[i:i + size], create) for i in range(0, len(grouped), size)]
    home = {name: chunk for chunk in chunks for name in chunk.names}
    late = _route(tree, links, home, find_socket)
    taken = {node.name for node in tree.nodes} | {pn.name for pn in pnodes}
    for i, chunk in enumerate(chunks):
        chunk.node = tree.nodes.new("CompositorNodeGroup")
        chunk.node.name = _free_name(f"nodescript build {i}", taken)   # any name is a graph's
        chunk.node.node_tree = chunk.group
    _outer_links(tree, chunks, home, links, find_socket, late)
    _ungroup(bpy, tree, [chunk.node for chunk in chunks])
    for chunk in chunks:
        bpy.data.node_groups.remove(chunk.group)
    present = {node.name for node in tree.nodes}      # `name in tree.nodes` searches: quadratic
    missing = [pn.name for pn in grouped if pn.name not in present]
    if missing:
        raise RuntimeError(f"nodes lost or renamed while ungrouping: {', '.join(missing[:5])}")
    return late


def _free_name(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        name, n = f"{base}.{n}", n + 1
    taken.add(name)
    return name


def _new_chunk(bpy, pnodes: list[plan.Node], create: Callable) -> Chunk:
    group = bpy.data.node_groups.new("nodescript build", "CompositorNodeTree")
    chunk = Chunk(group, {pn.name for pn in pnodes})
    for pn in pnodes:
        create(group.nodes, pn)
    chunk.group_input = group.nodes.new("NodeGroupInput")
    chunk.group_output = group.nodes.new("NodeGroupOutput")
    return chunk


def _route(tree, links, home, find_socket) -> list[plan.Link]:
    """Links inside one chunk are made there; links leaving or entering a chunk get a group
    socket. Returns links whose socket type has no group-socket equivalent."""
    late = []
    for link in links:
        src_chunk, dst_chunk = home.get(link.src.node), home.get(link.dst.node)
        if src_chunk is None and dst_chunk is None:
            continue                                     # made in the tree by _outer_links
        src = _plan_socket(tree, src_chunk, link.src, "outputs", find_socket)
        dst = _plan_socket(tree, dst_chunk, link.dst, "inputs", find_socket)
        if src_chunk is not None and src_chunk is dst_chunk:
            src_chunk.group.links.new(src, dst)
            continue
        if src.type not in INTERFACE_TYPES or dst.type not in INTERFACE_TYPES:
            late.append(link)
            continue
        if src_chunk is not None:
            _expose_output(src_chunk, src)
        if dst_chunk is not None:
            index = len(dst_chunk.inputs)
            dst_chunk.group.interface.new_socket(f"in {index}", in_out="INPUT",
                                                 socket_type=INTERFACE_TYPES[dst.type])
            dst_chunk.group.links.new(dst_chunk.group_input.outputs[index], dst)
            dst_chunk.inputs.append(link)
    return late


def _expose_output(chunk: Chunk, src) -> int:
    key = src.as_pointer()
    if key not in chunk.outputs:
        index = len(chunk.outputs)
        chunk.group.interface.new_socket(f"out {index}", in_out="OUTPUT",
                                         socket_type=INTERFACE_TYPES[src.type])
        chunk.group.links.new(src, chunk.group_output.inputs[index])
        chunk.outputs[key] = index
    return chunk.outputs[key]


def _plan_socket(tree, chunk, sock: plan.Socket, side: str, find_socket):
    nodes = chunk.group.nodes if chunk is not None else tree.nodes
    return find_socket(nodes[sock.node], sock, side)


def _outer_links(tree, chunks, home, links, find_socket, late) -> None:
    """The links of the target tree: between group nodes and the tree's own nodes."""
    skip = {id(link) for link in late}
    inputs_of = {id(link): (chunk, i) for chunk in chunks for i, link in enumerate(chunk.inputs)}
    for link in links:
        if id(link) in skip:
            continue
        src_chunk, dst_chunk = home.get(link.src.node), home.get(link.dst.node)
        if src_chunk is not None and src_chunk is dst_chunk:
            continue
        if src_chunk is None:
            src = find_socket(tree.nodes[link.src.node], link.src, "outputs")
        else:
            inner = find_socket(src_chunk.group.nodes[link.src.node], link.src, "outputs")
            src = src_chunk.node.outputs[src_chunk.outputs[inner.as_pointer()]]
        if dst_chunk is None:
            dst = find_socket(tree.nodes[link.dst.node], link.dst, "inputs")
        else:
            chunk, index = inputs_of[id(link)]
            dst = chunk.node.inputs[index]
        tree.links.new(src, dst)


def _ungroup(bpy, tree, group_nodes: list) -> None:
    if not group_nodes:
        return
    window = bpy.context.window_manager.windows[0]
    area = max(window.screen.areas, key=lambda a: a.width * a.height)
    saved_type, saved_ui = area.type, area.ui_type
    area.type = "NODE_EDITOR"
    area.ui_type = "CompositorNodeTree"
    space = area.spaces.active
    saved_tree = space.node_tree
    try:
        space.node_tree = tree
        tree.nodes.foreach_set("select", [False] * len(tree.nodes))
        for node in group_nodes:
            node.select = True
        region = next(r for r in area.regions if r.type == "WINDOW")
        with bpy.context.temp_override(window=window, area=area, region=region, space_data=space):
            result = bpy.ops.node.group_ungroup()
    finally:
        space.node_tree = saved_tree
        area.ui_type = saved_ui
        area.type = saved_type
    if result != {"FINISHED"}:
        raise RuntimeError(f"Blender did not ungroup the build groups ({', '.join(result)})")
