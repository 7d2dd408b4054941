"""The only module that touches bpy: reads a scene into diff.State, carries out diff.Changes,
and renders. Everything it is told to do comes from a Plan; where the compositor lives and what
File Output offers, it reads from the running version's dialect (nodescript.dialects).
"""

from __future__ import annotations

import os
from dataclasses import replace

import bpy

from nodescript.blender import animation, chunked, compositor, diff, node_drivers, node_values, plan
from nodescript.blender.lowering import Lowering
from nodescript.blender.node_values import ExecutionError
from nodescript.blender.out_paths import blender_join, safe_component, safe_relative
from nodescript.process import c_stderr_filtered, c_stdout_silenced

# Pointer properties written by datablock name -> the bpy.data collection holding them.
POINTER_COLLECTIONS = {"node_tree": "node_groups", "scene": "scenes", "image": "images",
                       "clip": "movieclips", "mask": "masks"}


def running_version() -> str:
    return "%d.%d" % tuple(bpy.app.version[:2])


def running_version_string() -> str:
    return bpy.app.version_string


def find_scene(name: str | None):
    if name is None:
        return bpy.context.scene
    scene = bpy.data.scenes.get(name)
    if scene is None:
        names = ", ".join(s.name for s in bpy.data.scenes)
        raise ExecutionError(f"no scene named {name!r} (scenes: {names})")
    return scene


def bind_to_scene(p: plan.Plan, scene) -> None:
    """Fill in what depends on the scene: tree name, the scene and default view layer of
    Render Layers.

    nodes.new gives a Render Layers node the context's (active) scene, not the scene whose
    compositor it is built in: in the scene's own tree each one is bound to `scene` unless the
    graph names another (`RenderLayers(scene=...)`). Being in the plan, the scene is also set on
    nodes built in groups (chunked.py) and compared by --check. Nodes inside node groups are
    left alone: a group may serve any scene.
    """
    p.tree.name = p.tree.name.format(scene=scene.name)
    for tree in p.trees():
        for node in tree.nodes:
            if node.idname != "CompositorNodeRLayers":
                continue
            props = node.properties
            if tree is p.tree and not props.get("scene"):
                props["scene"] = scene.name
            if "scene" in props:                 # first: `layer` is one of that scene's layers
                node.properties = props = {"scene": props["scene"],
                                           **{k: v for k, v in props.items() if k != "scene"}}
            owner = scene
            if props.get("scene"):
                owner = bpy.data.scenes.get(props["scene"])
                if owner is None:
                    names = ", ".join(s.name for s in bpy.data.scenes)
                    raise ExecutionError(f"Render Layers {node.name!r}: no scene named "
                                         f"{props['scene']!r} (scenes: {names})")
            if "layer" in props:
                layer = props["layer"] or owner.view_layers[0].name
                _view_layer(owner, layer)        # fails early on an unknown view layer
                props["layer"] = layer


# --- reading ---------------------------------------------------------------------------------

def read_state(scene, p: plan.Plan, lowering: Lowering) -> diff.SceneState:
    trees = {}
    for ptree in p.trees():
        tree, exists = _existing_tree(scene, ptree, p, lowering)
        trees[ptree.name] = read_tree(tree, exists, ptree, lowering)
    values = {v.path: node_values.read_path(scene, v.path) for v in p.scene}
    passes = {pv: _read_pass(scene, pv) for pv in p.passes}
    return diff.SceneState(trees, values, passes)


def diff_all(p: plan.Plan, state: diff.SceneState, lowering: Lowering) -> diff.Changes:
    values, passes = diff.diff_scene(p, state)
    trees = [diff.diff_tree(t, state.trees[t.name], wanted(t, lowering)) for t in p.trees()]
    return diff.Changes(trees, values, passes)


def wanted(ptree: plan.Tree, lowering: Lowering) -> dict[str, diff.Expected]:
    linked: dict[str, set[str]] = {}
    for link in ptree.links:
        linked.setdefault(link.dst.node, set()).add(link.dst.identifier)
    return {n.name: diff.expected(n, lowering.defaults(n.idname), linked.get(n.name, set()))
            for n in ptree.nodes}


def read_tree(tree, exists: bool, ptree: plan.Tree, lowering: Lowering) -> diff.TreeState:
    if tree is None:
        return diff.TreeState(exists=False)
    want = wanted(ptree, lowering)
    planned = {n.name: n for n in ptree.nodes}
    animated = animation.is_animated(tree)     # once: most trees have none, and nodes are many
    nodes = {}
    for node in tree.nodes:
        pnode = planned.get(node.name)
        same_type = pnode is not None and pnode.idname == node.bl_idname
        nodes[node.name] = _read_node(node, want[node.name] if same_type else None,
                                      pnode.slots if same_type else None)
        if same_type and animated:
            _yield_animated(node, nodes[node.name], want[node.name], pnode)
        if same_type and pnode.keys:
            nodes[node.name].keys = animation.read(node, [(c.path, c.index) for c in pnode.keys])
        if same_type and pnode.drivers:
            nodes[node.name].drivers = node_drivers.read(node, [(d.path, d.index)
                                                                for d in pnode.drivers])
    keys = {l: (l.from_node.name, l.from_socket.identifier, l.to_node.name, l.to_socket.identifier)
            for l in tree.links}
    return diff.TreeState(exists, nodes, set(keys.values()),
                          muted={key for l, key in keys.items() if l.is_muted},
                          interface=_read_interface(tree))


def _read_node(node, want: diff.Expected | None,
               slots: tuple[plan.FileSlot, ...] | None = None) -> diff.NodeState:
    state = diff.NodeState(node.name, node.bl_idname, node.label, tuple(node.location),
                           node.parent.name if node.parent else None, node.mute,
                           node.get(plan.TAG))
    state.color = tuple(node.color) if node.use_custom_color else None
    state.own = node.get(plan.BUILT) is not None or diff.is_emulation_tag(state.tag)
    if want is None:
        return state
    state.properties = {path: node_values.read_property(node, path) for path in want.properties}
    sockets = _sockets_by_key(node.inputs)
    state.inputs = {key: node_values.plain(sockets[key].default_value) if key in sockets else None
                    for key in want.inputs}
    state.input_ids = tuple(s.identifier for s in node.inputs)
    state.output_ids = tuple(s.identifier for s in node.outputs)
    state.slots = node_values.read_slots(node, slots)
    return state


def _yield_animated(node, state: diff.NodeState, want: diff.Expected, pnode: plan.Node) -> None:
    """A value a driver or an F-curve the graph does not name animates is Blender's to compute
    (the graph's static value would be overwritten on the next frame change): it is read as
    wanted, so apply neither reports nor writes it."""
    named = {(c.path, c.index) for c in pnode.keys}
    owned = {path for path, index in animation.animated_values(node) if (path, index) not in named}
    for path in owned:
        socket = path.removeprefix("inputs[").removesuffix("].default_value")
        if socket.isdigit():
            index = int(socket)
            key = node.inputs[index].identifier if index < len(node.inputs) else None
            if key in state.inputs:
                state.inputs[key] = want.inputs[key]
        elif path in state.properties:
            state.properties[path] = want.properties[path]


def _sockets_by_key(sockets) -> dict:
    """Sockets by identifier, and by name where names are unique (group node interfaces)."""
    found = {}
    for sock in sockets:
        found.setdefault(sock.name, sock)
    for sock in sockets:
        found[sock.identifier] = sock
    return found


def _read_interface(tree) -> tuple[plan.InterfaceSocket, ...]:
    items = [i for i in tree.interface.items_tree if i.item_type == "SOCKET"]
    # Blender lists outputs first; plans list inputs first. Order within each side matters.
    ordered = [i for i in items if i.in_out == "INPUT"] + [i for i in items if i.in_out == "OUTPUT"]
    return tuple(plan.InterfaceSocket(i.name, i.in_out, i.socket_type, **_socket_settings(i))
                 for i in ordered)


# Interface socket settings (plan.InterfaceSocket's) -> their RNA names.
SOCKET_SETTINGS = {"default": "default_value", "min": "min_value", "max": "max_value",
                   "subtype": "subtype"}


def _socket_settings(item) -> dict[str, object]:
    return {key: node_values.plain(getattr(item, attr)) if hasattr(item, attr) else None
            for key, attr in SOCKET_SETTINGS.items()}


def _write_socket_settings(item, sock: plan.InterfaceSocket) -> None:
    """min and max before the default (which they may clamp); the plan's None: left alone."""
    for key in ("subtype", "min", "max", "default"):
        value = sock.settings()[key]
        if value is not None and not diff.same(_socket_settings(item)[key], value):
            try:
                setattr(item, SOCKET_SETTINGS[key], value)
            except (TypeError, ValueError, AttributeError) as exc:
                raise ExecutionError(f"group {item.id_data.name!r}: socket {sock.name!r}: cannot "
                                     f"set {key} = {value!r}: {exc}") from None


def _read_pass(scene, pv: plan.PassValue):
    owner = _pass_owner(scene, pv)
    return getattr(owner, pv.property, None)


def _pass_owner(scene, pv: plan.PassValue):
    scene = bpy.data.scenes[pv.scene] if pv.scene else scene
    owner = _view_layer(scene, pv.view_layer or scene.view_layers[0].name)
    for part in pv.owner.split(".")[1:]:
        owner = getattr(owner, part)
    return owner


def _view_layer(scene, name: str):
    layer = scene.view_layers.get(name)
    if layer is None:
        names = ", ".join(v.name for v in scene.view_layers)
        raise ExecutionError(f"scene {scene.name!r} has no view layer {name!r} (it has: {names})")
    return layer


def _existing_tree(scene, ptree: plan.Tree, p: plan.Plan, lowering: Lowering):
    """(tree or None, whether it is in use) for one plan tree, changing nothing."""
    if ptree is not p.tree:
        tree = bpy.data.node_groups.get(ptree.name)
        if tree is not None and tree.bl_idname != "CompositorNodeTree":
            raise ExecutionError(f"a {tree.bl_idname} named {ptree.name!r} exists; nodescript "
                                 "needs that name for a compositor group: rename one of them")
        return tree, tree is not None
    return compositor.scene_tree(scene, lowering.dialect, p.effect)


# --- writing ---------------------------------------------------------------------------------

def apply_plan(scene, p: plan.Plan, lowering: Lowering, notes: list[str] | None = None) -> int:
    """Make the scene what the plan says; returns the number of changes made. What else it had
    to do (a shared 5.0 compositor copied for this scene) is added to `notes`."""
    notes = [] if notes is None else notes
    values, passes = diff.diff_scene(p, read_state_scene_only(scene, p))
    for path, _, value in sorted(values, key=lambda v: v[0] != "render.engine"):
        node_values.write_path(scene, path, value)        # the engine first: it changes Render Layers' sockets
    for pv in passes:
        setattr(_pass_owner(scene, pv), pv.property, True)
    count = len(values) + len(passes)
    for ptree in p.groups:                     # groups first: their users link to their sockets
        count += _apply_tree(scene, ptree, p, lowering, notes)
    count += _apply_tree(scene, p.tree, p, lowering, notes)
    return count


def read_state_scene_only(scene, p: plan.Plan) -> diff.SceneState:
    return diff.SceneState({}, {v.path: node_values.read_path(scene, v.path) for v in p.scene},
                           {pv: _read_pass(scene, pv) for pv in p.passes})


def _apply_tree(scene, ptree: plan.Tree, p: plan.Plan, lowering: Lowering, notes: list[str]) -> int:
    tree, exists = _existing_tree(scene, ptree, p, lowering)
    created = not exists
    if created:          # 4.x makes default nodes with the tree: read them before comparing
        tree = _ensure_tree(scene, ptree, p, lowering)
    changes = diff.diff_tree(ptree, read_tree(tree, True, ptree, lowering), wanted(ptree, lowering))
    if not changes:
        return int(created)
    if ptree is p.tree and not created:
        tree = _own_tree(scene, tree, ptree, p, lowering, notes)
    count = (len(changes.added) + len(changes.removed) + len(changes.changed)
             + len(changes.unlinked) + len(changes.linked) + created
             + (changes.interface is not None))
    if changes.interface is not None:
        _write_interface(tree, changes.interface)
    # Clearing the tree would take the F-curves and drivers of the nodes apply keeps with it
    # (Blender removes a node's animation with the node): an animated tree is edited node by node.
    if len(changes.removed) > REBUILD_FROM and not animation.is_animated(tree):
        _start_over(tree, ptree, changes)
    _remove_links(tree, set(changes.unlinked))
    nodes = tree.nodes
    # By name once: `nodes[name]` searches the collection, quadratic over thousands of changes.
    by_name = {node.name: node for node in nodes} if changes.removed or changes.changed else {}
    for name in changes.removed:
        nodes.remove(by_name[name])
    for change in changes.changed:
        _update_node(by_name[change.name], change)
    _build(tree, changes.added, changes.linked)
    _set_parents(tree, [pn for pn in changes.added if pn.parent])
    planned = {pn.name: pn for pn in ptree.nodes} if changes.changed else {}
    moved = [planned[c.name] for c in changes.changed if "location" in c.values]
    _set_locations(tree, changes.added + moved)
    return count


# Removing a node re-runs the tree update like any edit; past this many, clearing the tree and
# building it again in groups (see chunked.py) is faster.
REBUILD_FROM = 300


def _start_over(tree, ptree: plan.Tree, changes: diff.TreeChanges) -> None:
    """Every node built again, each where it was (or where the diff placed it)."""
    where = {node.name: tuple(node.location) for node in tree.nodes}
    placed = {pn.name: pn for pn in changes.added}
    tree.nodes.clear()
    changes.removed, changes.unlinked, changes.changed = [], [], []
    changes.added = [placed.get(pn.name) or (replace(pn, location=where[pn.name])
                                             if pn.name in where and not pn.pinned else pn)
                     for pn in ptree.nodes]
    changes.linked = list(ptree.links)


def _ensure_tree(scene, ptree: plan.Tree, p: plan.Plan, lowering: Lowering):
    if ptree is not p.tree:
        return bpy.data.node_groups.get(ptree.name) or bpy.data.node_groups.new(
            ptree.name, "CompositorNodeTree")
    dialect = lowering.dialect
    if not dialect.TREE_IS_NODE_GROUP:
        fresh = scene.node_tree is None
        scene.use_nodes = True
        for node in scene.node_tree.nodes if fresh else ():
            node[plan.BUILT] = True                   # Blender's default nodes, made for apply
        return scene.node_tree
    tree, _ = compositor.scene_tree(scene, dialect, p.effect)
    if tree is None:
        tree = bpy.data.node_groups.get(ptree.name)
        if tree is not None and (tree.bl_idname != "CompositorNodeTree"
                                 or compositor.users_as_compositor(tree, bpy.data.scenes, dialect)):
            tree = None        # someone's compositor (another effect, another scene): not taken
        # A new group takes the next free name ("Scene Compositing.001"): the scene's compositor
        # is found through the scene (or its effect), never by name.
        tree = tree or bpy.data.node_groups.new(ptree.name, "CompositorNodeTree")
        compositor.set_scene_tree(scene, dialect, tree, p.effect)
    return tree


# --- 5.0: a compositor tree is a node group that several scenes may share ----------------------

def scene_tree_sharers(scene, lowering: Lowering, effect: str | None = None) -> list[str]:
    """Who else uses the scene's compositor tree ("scene 'B'", "node group 'G'"); empty when the
    scene has it to itself. Only node-group trees can be shared: 4.x trees belong to their scene."""
    if not lowering.dialect.TREE_IS_NODE_GROUP:
        return []
    tree, _ = compositor.scene_tree(scene, lowering.dialect, effect)
    if tree is None or tree.users - tree.use_fake_user <= 1:     # the scene itself
        return []
    return _names(bpy.data.user_map(subset=[tree]).get(tree, set()) - {scene})


def shared_group_users(scene, changed: list[str]) -> dict[str, list[str]]:
    """For each node group named in `changed`, the scenes besides `scene` whose compositor uses
    it, directly or through other groups. A group is one datablock for every tree using it, so
    changing it changes those compositors too (unlike the 5.0 scene tree, it is not copied: the
    graph names it, and a renamed copy would differ from the graph at every --check)."""
    groups = [g for g in (bpy.data.node_groups.get(name) for name in changed) if g is not None]
    if not groups:
        return {}
    users = bpy.data.user_map(subset=list(bpy.data.node_groups))
    found: dict[str, list[str]] = {}
    for group in groups:
        trees, todo, scenes = {group}, [group], set()
        while todo:                                  # up through the trees that use it
            for user in users.get(todo.pop(), ()):
                if isinstance(user, bpy.types.Scene):
                    scenes.add(user)
                elif isinstance(user, bpy.types.NodeTree) and user not in trees:
                    trees.add(user)
                    todo.append(user)
        scenes = (scenes | _compositor_scenes(trees)) - {scene}
        if scenes:
            found[group.name] = _names(scenes)
    return found


def _compositor_scenes(trees) -> set:
    return {s for s in bpy.data.scenes
            if any(e.tree in trees for e in compositor.effects(s, _running_dialect()))}


def _running_dialect():
    from nodescript import dialects

    return dialects.get(running_version())


def _names(ids) -> list[str]:
    kinds = {"Scene": "scene", "CompositorNodeTree": "node group"}
    return sorted(f"{kinds.get(type(i).__name__, type(i).__name__)} {i.name!r}" for i in ids)


def animation_notes(scene, p: plan.Plan, lowering: Lowering, changes: diff.Changes) -> list[str]:
    """What goes with the nodes apply removes (or recreates as another type): their drivers and
    the F-curves the graph does not make again. Blender drops a node's animation with it."""
    notes = []
    for ptree, tchanges in zip(p.trees(), changes.trees):
        tree, exists = _existing_tree(scene, ptree, p, lowering)
        if not exists or not tchanges.removed:
            continue
        remade = {(pn.name, c.path, c.index) for pn in tchanges.added for c in pn.keys}
        redriven = {(pn.name, d.path, d.index) for pn in tchanges.added for d in pn.drivers}
        by_name = {node.name: node for node in tree.nodes}
        for name in dict.fromkeys(tchanges.removed):
            node = by_name.get(name)
            if node is None:
                continue
            lost = [f"{c.path}" + (f"[{c.index}]" if c.index else "") for c in
                    (animation.curve_of(node, fc) for fc in animation.node_fcurves(node))
                    if (name, c.path, c.index) not in remade]
            lost += [f"the driver on {animation.path_under(node, d.data_path)}"
                     for d in animation.node_drivers(node)
                     if (name, animation.path_under(node, d.data_path), d.array_index)
                     not in redriven]
            if lost:
                notes.append(f"node {name!r} in {tree.name!r} goes, and its animation with it: "
                             + ", ".join(lost))
    return notes


def other_effects_notes(scene, p: plan.Plan, lowering: Lowering) -> list[str]:
    """5.3: the compositor effects apply leaves alone (it changes only the graph's effect)."""
    try:
        others = compositor.other_effects(scene, lowering.dialect, p.effect)
    except compositor.CompositorError as exc:
        raise ExecutionError(str(exc)) from None
    if not others:
        return []
    names = ", ".join(f"{e.name!r} (render {'on' if e.for_render else 'off'})" for e in others)
    return [f"scene {scene.name!r} has other compositor effects, left as they are: {names}"]


def _own_tree(scene, tree, ptree: plan.Tree, p: plan.Plan, lowering: Lowering, notes: list[str]):
    """The scene's 5.0 compositor, copied for it first when others use it too: they keep theirs
    as it was. The copy is named like a tree apply makes (Blender adds .001 if that is taken)."""
    sharers = scene_tree_sharers(scene, lowering, p.effect)
    if not sharers:
        return tree
    copy = tree.copy()
    copy.name = ptree.name
    compositor.set_scene_tree(scene, lowering.dialect, copy, p.effect)
    notes.append(f"scene {scene.name!r} has its own compositor now, {copy.name!r}: {tree.name!r} "
                 f"is also used by {', '.join(sharers)} and stays as it was")
    return copy


def _write_interface(tree, sockets: tuple[plan.InterfaceSocket, ...]) -> None:
    """Change the interface item by item, side by side: an item kept keeps its identifier, which
    links to the group's users and other tools use (a rebuilt one would get a new one)."""
    interface = tree.interface
    for side in ("INPUT", "OUTPUT"):
        have = [i for i in interface.items_tree if i.item_type == "SOCKET" and i.in_out == side]
        want = [s for s in sockets if s.in_out == side]
        for item, sock in zip(have, want):
            if item.socket_type != sock.socket_type:
                item.socket_type = sock.socket_type
            if item.name != sock.name:
                item.name = sock.name
        for item in have[len(want):]:
            interface.remove(item)
        for sock in want[len(have):]:
            interface.new_socket(sock.name, in_out=side, socket_type=sock.socket_type)
    for side in ("INPUT", "OUTPUT"):          # items_tree again: the new ones are in it now
        have = [i for i in interface.items_tree if i.item_type == "SOCKET" and i.in_out == side]
        for item, sock in zip(have, [s for s in sockets if s.in_out == side]):
            _write_socket_settings(item, sock)


def _remove_links(tree, keys: set[diff.LinkKey]) -> None:
    if not keys:
        return
    doomed = [l for l in tree.links if (l.from_node.name, l.from_socket.identifier,
                                          l.to_node.name, l.to_socket.identifier) in keys]
    for link in doomed:
        tree.links.remove(link)


def _build(tree, pnodes: list[plan.Node], links: list[plan.Link]) -> None:
    """Create `pnodes` and make `links` (which may also join existing nodes)."""
    muted = [link for link in links if link.muted]
    if len(pnodes) >= chunked.MIN_NODES and chunked.usable(bpy):
        try:
            links = chunked.build(bpy, tree, pnodes, links, _create_node, _find_socket)
        except RuntimeError as exc:
            raise ExecutionError(f"building {len(pnodes)} nodes in groups failed: {exc}") from None
    else:
        for pn in pnodes:
            _create_node(tree.nodes, pn)
    _link(tree, links)
    _mute_links(tree, muted)
    keyed = [pn for pn in pnodes if pn.keys]     # once in the tree (chunks build elsewhere)
    if keyed:
        nodes = {node.name: node for node in tree.nodes}
        for pn in keyed:
            _write_keys(nodes[pn.name], pn.keys)
    driven = [pn for pn in pnodes if pn.drivers]
    if driven:
        nodes = {node.name: node for node in tree.nodes}
        for pn in driven:
            _write_drivers(nodes[pn.name], pn.drivers)


def _mute_links(tree, links: list[plan.Link]) -> None:
    """Mute the links made (by whichever build path) that the plan says are muted."""
    if not links:
        return
    nodes = {node.name: node for node in tree.nodes}
    for link in links:
        src = _find_socket(nodes[link.src.node], link.src, "outputs")
        dst = _find_socket(nodes[link.dst.node], link.dst, "inputs")
        for made in dst.links:
            if made.from_socket == src:
                made.is_muted = True


def _create_node(nodes, pn: plan.Node):
    node = nodes.new(pn.idname)
    node[plan.BUILT] = True
    node.name = pn.name
    if node.name != pn.name:
        raise ExecutionError(f"Blender renamed node {pn.name!r} to {node.name!r}")
    if pn.label:
        node.label = pn.label
    if pn.color is not None:
        _set_color(node, pn.color)
    node.mute = pn.mute
    for path, value in pn.properties.items():
        _write_node_property(node, path, value)
    if pn.slots is not None:
        node_values.write_slots(node, pn.slots)
    _write_inputs(node, pn.inputs)
    if pn.tag_text is not None:
        node[plan.TAG] = pn.tag_text
    return node


def _set_parents(tree, pnodes: list[plan.Node]) -> None:
    """New nodes into their frames, before their (frame-relative) locations are set."""
    if pnodes:
        nodes = {node.name: node for node in tree.nodes}
        for pn in pnodes:
            nodes[pn.name].parent = nodes[pn.parent]


def _set_locations(tree, pnodes: list[plan.Node]) -> None:
    """All at once: one `node.location = ...` re-runs the tree update, foreach_set does not."""
    if not pnodes:
        return
    wanted = {pn.name: pn.location for pn in pnodes}
    flat: list[float] = []
    for node in tree.nodes:
        flat.extend(wanted.get(node.name) or tuple(node.location))
    tree.nodes.foreach_set("location", flat)


def _update_node(node, change: diff.NodeChange) -> None:
    for what, (_, value) in change.values.items():
        if what == "location":
            continue                               # with the others, in _set_locations
        elif what == "label":
            node.label = value
        elif what == "color":
            _set_color(node, value)
        elif what == "mute":
            node.mute = value
        elif what == "parent":
            node.parent = node.id_data.nodes.get(value) if value else None
        elif what == "tag":
            if value is None:
                del node[plan.TAG]
            else:
                node[plan.TAG] = value
        elif what == "keys":
            _write_keys(node, value)
        elif what == "drivers":
            _write_drivers(node, value)
        elif what.startswith("inputs["):
            key = what[len("inputs["):-1].strip("'\"")
            _write_inputs(node, {key: value})
        else:
            _write_node_property(node, what, value)
    if change.slots is not None:
        node_values.write_slots(node, change.slots)


def _set_color(node, color) -> None:
    node.use_custom_color = color is not None
    if color is not None:
        node.color = color


def _write_keys(node, curves: tuple[plan.Curve, ...]) -> None:
    if not curves:
        return
    try:
        animation.write(node, curves)
    except (KeyError, TypeError, ValueError, IndexError, RuntimeError) as exc:
        raise ExecutionError(f"node {node.name!r}: cannot keyframe "
                             f"{', '.join(c.path for c in curves)}: {exc}") from None


def _write_drivers(node, drivers: tuple[plan.Driver, ...]) -> None:
    try:
        node_drivers.write(node, drivers, bpy.data)
    except node_drivers.DriverError as exc:
        raise ExecutionError(f"node {node.name!r}: {exc}") from None
    except (KeyError, TypeError, ValueError, IndexError, RuntimeError) as exc:
        raise ExecutionError(f"node {node.name!r}: cannot drive "
                             f"{', '.join(d.path for d in drivers)}: {exc}") from None


def _write_node_property(node, path: str, value) -> None:
    if path in POINTER_COLLECTIONS and not isinstance(value, type(None)):
        value = _datablock(POINTER_COLLECTIONS[path], value, node)
    try:
        node_values.write_property(node, path, value)
    except (TypeError, ValueError, AttributeError, IndexError, RuntimeError) as exc:
        raise ExecutionError(f"node {node.name!r}: cannot set {path} = {value!r}: {exc}") from None


def _datablock(collection: str, name: str, node):
    found = getattr(bpy.data, collection).get(name)
    if found is None:
        raise ExecutionError(f"node {node.name!r}: no {collection[:-1].replace('_', ' ')} "
                             f"named {name!r} in this file")
    return found


def _write_inputs(node, values: dict[str, object]) -> None:
    if not values:
        return
    sockets = _sockets_by_key(node.inputs)
    for key, value in values.items():
        sock = sockets.get(key)
        if sock is None:
            raise ExecutionError(f"node {node.name!r} has no input {key!r}")
        sock.default_value = value


def _link(tree, links: list[plan.Link]) -> None:
    if not links:
        return
    nodes, new = {node.name: node for node in tree.nodes}, tree.links.new
    for link in links:
        new(_find_socket(nodes[link.src.node], link.src, "outputs"),
            _find_socket(nodes[link.dst.node], link.dst, "inputs"))


def _find_socket(node, sock: plan.Socket, side: str):
    sockets = getattr(node, side)
    if sock.by_index:
        if sock.index < len(sockets):
            return sockets[sock.index]
    else:
        if sock.index < len(sockets) and sockets[sock.index].identifier == sock.identifier:
            return sockets[sock.index]     # the catalogue's index is right unless passes moved it
        for candidate in sockets:
            if candidate.identifier == sock.identifier:
                return candidate
    raise ExecutionError(f"node {node.name!r} ({node.bl_idname}) has no socket "
                         f"{plan.describe_socket(sock)}")


# --- rendering -------------------------------------------------------------------------------

def _file_output_nodes(scene) -> list[tuple[str, object]]:
    """(label, node) for every unmuted File Output the compositor runs: the tree's own, and those
    inside the node groups it uses, which write too (measured), labelled group/node; with
    several compositor effects rendering (5.3), each effect's are labelled effect/..."""
    found: list[tuple[str, object]] = []
    seen: set[str] = set()

    def walk(tree, prefix: str) -> None:
        for node in tree.nodes:
            if node.mute:
                continue
            if node.bl_idname == "CompositorNodeOutputFile":
                found.append((prefix + node.name, node))
            elif getattr(node, "node_tree", None) is not None and node.node_tree.name not in seen:
                seen.add(node.node_tree.name)
                walk(node.node_tree, f"{prefix}{node.node_tree.name}/")

    running = [e for e in compositor.effects(scene, _running_dialect())
               if e.for_render and e.tree is not None]
    for effect in running:      # 5.3: several effects may each have a "File Output"
        walk(effect.tree, f"{effect.name}/" if len(running) > 1 else "")
    return found


def redirect_outputs(scene, out_dir: str) -> None:
    """Every File Output to out_dir/<node name>/ (out_dir/<group>/<node name>/ inside a node
    group; file-name prefixes and slot sub-folders kept), the render result to out_dir/render/.
    Every name taken from the file is made safe (out_paths): nothing is written outside."""
    dialect = _running_dialect()
    taken: set[str] = set()
    for label, node in _file_output_nodes(scene):
        folder = os.path.join(out_dir, *(safe_component(p) for p in label.split("/")))
        folder = _unused(folder, taken) + os.sep       # `a?` and `a*` are both `a_`
        if dialect.FILE_OUTPUT_ITEMS:
            node.directory = folder
            node.file_name = safe_relative(node.file_name)   # sub-folders kept, inside
            if dialect.ITEM_NAMES_ARE_PATHS and node.format.file_format != "OPEN_EXR_MULTILAYER":
                for item in node.file_output_items:           # names are paths: kept inside
                    item.name = safe_relative(item.name)
        elif node.format.file_format == "OPEN_EXR_MULTILAYER":
            node.base_path = folder + _safe_name(os.path.basename(node.base_path))
        else:
            node.base_path = folder
            for slot in node.file_slots:
                slot.path = safe_relative(slot.path)
    render = scene.render
    name = os.path.basename(render.filepath)
    render.filepath = os.path.join(out_dir, "render", _safe_name(name))


def _unused(folder: str, taken: set[str]) -> str:
    candidate, n = folder, 1
    while candidate in taken:
        n += 1
        candidate = f"{folder}_{n}"
    taken.add(candidate)
    return candidate


def _safe_name(name: str) -> str:
    """A file-name prefix made safe; empty stays empty (Blender writes just the frame)."""
    return safe_component(name) if name else ""


def file_outputs(scene, make) -> list:
    """What each File Output will write, via `make(node, folder, file_format, multilayer,
    prefix, names, formats, extension=...)` (render.FileOutput): kept free of bpy types."""
    dialect = _running_dialect()
    found = []
    for label, node in _file_output_nodes(scene):
        fmt = node.format.file_format
        multilayer = fmt == "OPEN_EXR_MULTILAYER"
        # A muted link writes nothing, as an unlinked input (measured).
        linked = [any(not link.is_muted for link in sock.links) for sock in node.inputs
                  if sock.identifier != "__extend__"]
        if dialect.FILE_OUTPUT_ITEMS:
            # An empty directory writes at the file system's root (measured in 5.0.1).
            folder, prefix = _absolute(node.directory) if node.directory else os.sep, node.file_name
            slots = [(_item_path(dialect, prefix + i.name), i.override_node_format, i)
                     for i in node.file_output_items]
        elif multilayer:                               # 4.x: base_path is folder + prefix
            base = _absolute(node.base_path)
            folder, prefix = os.path.dirname(base), os.path.basename(base)
            slots = [(s.path, not s.use_node_format, s) for s in node.file_slots]
        else:                                          # 4.x: each slot path joins base_path
            folder, prefix = "", ""
            slots = [(_absolute(blender_join(node.base_path, s.path)), not s.use_node_format, s)
                     for s in node.file_slots]
        slots = [slot for slot, on in zip(slots, linked) if on]
        names = [name for name, _, _ in slots]
        formats = [owner.format.file_format if own else "" for _, own, owner in slots]
        extension = node.use_file_extension if dialect.FILE_EXTENSION_SWITCH else True
        if any(linked):
            found.append(make(label, folder, fmt, multilayer, prefix, names, formats,
                              extension=extension))
    return found


def _item_path(dialect, name: str) -> str:
    """Where an item's file lands under the directory: sub-folders kept where item names are
    paths (5.1 on; their leading `/` are dropped, measured)."""
    return name.lstrip("/\\") if dialect.ITEM_NAMES_ARE_PATHS else name


def _absolute(path: str) -> str:
    """Blender's `//` is the .blend's folder; any other relative path is the working folder's
    (4.x: an empty base path and a `//dir/` slot write dir/ there). A trailing `/` is kept."""
    full = os.path.abspath(bpy.path.abspath(path)) if path else os.path.abspath("")
    return full + os.sep if not path or path.endswith(("/", "\\")) else full


# Blender prints to stdout from C ("Read blend", "Saved: ...", "Fra: ..."); nodescript prints its
# own summary. Errors still reach stderr.
quiet = c_stdout_silenced


def render_frame(scene, frame: int) -> None:
    """Render one frame as a one-frame animation (in memory; the .blend is never saved)."""
    scene.frame_start = scene.frame_end = frame
    try:
        with quiet(), c_stderr_filtered():
            result = bpy.ops.render.render(animation=True, scene=scene.name)
    except RuntimeError as exc:
        raise ExecutionError(f"Blender could not render frame {frame}: "
                             f"{' '.join(str(exc).split())}") from None
    if result != {"FINISHED"}:
        raise ExecutionError(f"Blender did not render frame {frame} ({', '.join(sorted(result))})")


def render_result_path(scene, frame: int) -> str:
    return scene.render.frame_path(frame=frame)
