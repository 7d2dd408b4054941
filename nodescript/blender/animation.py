"""Keyframes on node values: the F-curves of a node tree's animation data that animate one
node's settings and input values (`keys=[...]` in the language, plan.Curve in a plan).

Blender keeps them on the tree, not the node: data paths like
`nodes["Math.001"].inputs[1].default_value`. Here a curve's path is the part under the node
(`inputs[1].default_value`), so it follows the node's name. Read and written through RNA in
every version: 4.2 keeps F-curves on the action, 4.4 on (layered actions) in the channel bag
of the tree's action slot; `keyframe_insert` and `keyframe_delete` make and remove them the
same way everywhere (measured in 4.2, 4.5, 5.0 and 5.3). Drivers (`drivers=[...]`) are read
and written in node_drivers.py; those a graph does not name, apply leaves alone.
"""

from __future__ import annotations

from nodescript.blender import plan

# What Blender gives a key made by keyframe_insert (the factory preferences): export writes
# curves made of anything else with a note, as these are all it carries.
DEFAULT_HANDLE = "AUTO_CLAMPED"
DEFAULT_EXTRAPOLATION = "CONSTANT"


def tree_fcurves(tree) -> list:
    """Every F-curve of the tree's action (layered actions: its slot's channel bag)."""
    anim = getattr(tree, "animation_data", None)
    action = anim.action if anim is not None else None
    if action is None:
        return []
    layers = getattr(action, "layers", None)
    if layers is None:                              # actions before layers: one list
        return list(action.fcurves)
    slot = getattr(anim, "action_slot", None)
    found = []
    for layer in layers:
        for strip in layer.strips:
            bag = strip.channelbag(slot) if slot is not None else None
            found += list(bag.fcurves) if bag is not None else []
    return found


def node_fcurves(node) -> list:
    """The F-curves of the node's tree that animate this node, in the action's order."""
    prefix = node.path_from_id() + "."
    return [fc for fc in tree_fcurves(node.id_data) if fc.data_path.startswith(prefix)]


def node_drivers(node) -> list:
    anim = getattr(node.id_data, "animation_data", None)
    prefix = node.path_from_id() + "."
    return [d for d in anim.drivers if d.data_path.startswith(prefix)] if anim else []


def path_under(node, data_path: str) -> str:
    """The part of a tree's data path under `node` (`inputs[1].default_value`)."""
    return data_path[len(node.path_from_id()) + 1:]


def is_animated(tree) -> bool:
    """Whether any F-curve or driver of the tree's animation data exists."""
    anim = getattr(tree, "animation_data", None)
    return bool(tree_fcurves(tree)) or bool(anim is not None and len(anim.drivers))


def animated_values(node) -> set[tuple[str, int]]:
    """(path under the node, array index) of every value of the node an F-curve or a driver
    animates."""
    return {(path_under(node, fc.data_path), fc.array_index)
            for fc in node_fcurves(node) + node_drivers(node)}


def curve_of(node, fc) -> plan.Curve:
    path = path_under(node, fc.data_path)
    keys = tuple((float(k.co[0]), float(k.co[1]), k.interpolation) for k in fc.keyframe_points)
    return plan.Curve(path, fc.array_index, keys)


def read(node, wanted: list[tuple[str, int]]) -> dict[tuple[str, int], tuple]:
    """The keys of the node's curves named in `wanted` ((path, index)); absent ones left out."""
    found = {}
    for fc in node_fcurves(node):
        curve = curve_of(node, fc)
        if (curve.path, curve.index) in wanted:
            found[(curve.path, curve.index)] = curve.keys
    return found


def write(node, curves: tuple[plan.Curve, ...]) -> None:
    """Make each curve exactly its keys (others of the node are left alone). The value the
    node shows is kept: inserting keys sets it to each key's value on the way."""
    tree = node.id_data
    for curve in curves:
        full, owner, attr, index = animated_value(node, curve.path, curve.index)
        kept = _get(owner, attr, curve.index)
        for fc in [f for f in node_fcurves(node)
                   if f.data_path == full and f.array_index == curve.index]:
            for frame in sorted({k.co[0] for k in fc.keyframe_points}):
                tree.keyframe_delete(full, index=index, frame=frame)
        for frame, value, _ in curve.keys:
            _set(owner, attr, curve.index, value)
            tree.keyframe_insert(full, index=index, frame=frame)
        _set(owner, attr, curve.index, kept)
        _set_interpolation(node, full, curve)


def _set_interpolation(node, full: str, curve: plan.Curve) -> None:
    wanted = {frame: how for frame, _, how in curve.keys}
    for fc in node_fcurves(node):
        if fc.data_path == full and fc.array_index == curve.index:
            for point in fc.keyframe_points:
                how = wanted.get(point.co[0])
                if how is not None and point.interpolation != how:
                    point.interpolation = how
            fc.update()


def animated_value(node, path: str, index: int) -> tuple[str, object, str, int]:
    """(its data path on the tree, the struct that holds it, its attribute, the index keyframe
    and driver calls take) of the value at `path` under `node`, component `index`. The calls
    take no index for a single value (measured: "is not an array"), so that one is -1."""
    full = f"{node.path_from_id()}.{path}"
    owner, attr = _owner(node.id_data, full)
    return full, owner, attr, index if _is_array(getattr(owner, attr)) else -1


def _owner(tree, full: str):
    owner_path, _, attr = full.rpartition(".")
    try:
        owner = tree.path_resolve(owner_path)
    except ValueError:
        raise KeyError(full) from None
    if not hasattr(owner, attr):
        raise KeyError(full)
    return owner, attr


def _get(owner, attr: str, index: int):
    value = getattr(owner, attr)
    return value[index] if _is_array(value) else value


def _set(owner, attr: str, index: int, value) -> None:
    current = getattr(owner, attr)
    if _is_array(current):
        items = list(current)
        items[index] = value
        setattr(owner, attr, items)
    else:
        setattr(owner, attr, type(current)(value) if isinstance(current, (int, float)) else value)


def _is_array(value) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, str)


def unkept(node, fc) -> list[str]:
    """What a curve has that `keys=` does not carry (export notes them)."""
    out = []
    if fc.extrapolation != DEFAULT_EXTRAPOLATION:
        out.append(f"extrapolation {fc.extrapolation}")
    if len(fc.modifiers):
        out.append(f"{len(fc.modifiers)} modifier(s)")
    if any(k.handle_left_type != DEFAULT_HANDLE or k.handle_right_type != DEFAULT_HANDLE
           or k.type != "KEYFRAME" or getattr(k, "easing", "AUTO") != "AUTO"
           for k in fc.keyframe_points):
        out.append("hand-set handles, easing or key types")
    if fc.mute:
        out.append("its mute switch")
    return out
