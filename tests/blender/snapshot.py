"""A full snapshot of a scene's compositor, for comparing a file before and after a tool ran.

`snapshot(scene)` reads, through RNA and without knowing any node type, everything a user would
miss if it changed: every node (Blender name, type, label, every property, each input's
default value, the File Output slots/items and their formats), every link (sockets by
identifier, muted or not), the node groups used (interfaces with defaults, min/max, subtype,
and their own nodes), F-curves and drivers on node values, the passes of every view layer, and
node locations (under "layout"). `differences(a, b, layout=False)` lists what differs, one line
per difference, path first.

Used by tests/blender/test_corpus.py; shared so other tests can compare whole compositors.
"""

from __future__ import annotations

import math

# Properties that are UI state or derived, not a user's setting.
_SKIP = {"rna_type", "select", "dimensions", "inputs", "outputs", "internal_links", "interface",
         "location", "width", "height", "width_hidden", "show_options", "show_preview",
         "show_texture", "is_active_output", "bl_description", "bl_icon", "bl_static_type",
         "bl_width_default", "bl_width_min", "bl_width_max", "bl_height_default",
         "bl_height_min", "bl_height_max", "bl_label", "bl_rna", "warning_propagation",
         "hide", "location_absolute"}
_LAYOUT = ("location", "width", "height", "hide")
_DEPTH = 3


def compositor(scene):
    """The scene's compositor tree in any version (None when there is none)."""
    if hasattr(scene, "compositing_node_group"):
        return scene.compositing_node_group
    return scene.node_tree if scene.use_nodes else None


def snapshot(scene) -> dict:
    tree = compositor(scene)
    groups: dict = {}
    # use_nodes switches the 4.x compositor; 5.0 deprecates it (the tree is the switch)
    use_nodes = None if hasattr(scene, "compositing_node_group") else scene.use_nodes
    shot = {"scene": {"use_compositing": scene.render.use_compositing, "use_nodes": use_nodes},
            "view_layers": {vl.name: _view_layer(vl) for vl in scene.view_layers},
            "tree": _tree(tree, groups) if tree is not None else None}
    shot["groups"] = groups
    return shot


def differences(a: dict, b: dict, layout: bool = True) -> list[str]:
    """Lines `path: before != after` for every leaf that differs (layout ones unless told)."""
    flat_a, flat_b = _flatten(a), _flatten(b)
    out = []
    for key in sorted(set(flat_a) | set(flat_b)):
        if not layout and _is_layout(key):
            continue
        va, vb = flat_a.get(key, "<absent>"), flat_b.get(key, "<absent>")
        if not _same(va, vb):
            out.append(f"{key}: {va!r} != {vb!r}")
    return out


# --- trees --------------------------------------------------------------------------------------

def _tree(tree, groups: dict) -> dict:
    nodes = {}
    for node in tree.nodes:
        nodes[node.name] = _node(node)
        sub = getattr(node, "node_tree", None)
        if sub is not None and sub.name not in groups:
            groups[sub.name] = None                    # placeholder: stops recursion loops
            groups[sub.name] = _tree(sub, groups)
    return {"name": tree.name, "type": tree.bl_idname, "nodes": nodes,
            "links": sorted(_link(link) for link in tree.links),
            "interface": _interface(tree),
            "animation": _animation(tree)}


def _node(node) -> dict:
    return {"type": node.bl_idname,
            "props": _props(node, _DEPTH),
            "inputs": [_socket(s) for s in node.inputs],
            "outputs": [(s.identifier, s.name, s.enabled) for s in node.outputs],
            "layout": {"location": tuple(round(v, 3) for v in node.location),
                       "parent": node.parent.name if node.parent else None,
                       "width": round(node.width, 3), "hide": node.hide}}


def _socket(socket) -> dict:
    out = {"identifier": socket.identifier, "name": socket.name, "type": socket.bl_idname,
           "enabled": socket.enabled, "hide_value": socket.hide_value}
    if hasattr(socket, "default_value"):
        out["default_value"] = _value(socket.default_value)
    return out


def _link(link) -> tuple:
    return (link.from_node.name, link.from_socket.identifier, link.to_node.name,
            link.to_socket.identifier, link.is_muted, link.is_valid)


def _interface(tree) -> list:
    items = []
    interface = getattr(tree, "interface", None)
    if interface is None:
        return items
    for item in interface.items_tree:
        entry = {"item_type": item.item_type, "name": item.name}
        if item.item_type == "SOCKET":
            entry.update(in_out=item.in_out, socket_type=item.socket_type,
                         identifier=item.identifier)
            for key in ("default_value", "min_value", "max_value", "subtype",
                        "hide_value", "default_attribute_name", "description"):
                if hasattr(item, key):
                    entry[key] = _value(getattr(item, key))
        items.append(entry)
    return items


# --- animation ----------------------------------------------------------------------------------

def _animation(tree) -> dict:
    anim = tree.animation_data
    if anim is None:
        return {"fcurves": [], "drivers": []}
    fcurves = []
    if anim.action is not None:
        for fc in _action_fcurves(anim):
            fcurves.append({"data_path": fc.data_path, "index": fc.array_index,
                            "keys": [tuple(round(v, 6) for v in k.co) for k in fc.keyframe_points],
                            "interpolation": [k.interpolation for k in fc.keyframe_points]})
    drivers = [{"data_path": d.data_path, "index": d.array_index,
                "expression": d.driver.expression, "type": d.driver.type,
                "variables": [_variable(v) for v in d.driver.variables]} for d in anim.drivers]
    return {"fcurves": sorted(fcurves, key=lambda f: (f["data_path"], f["index"])),
            "drivers": sorted(drivers, key=lambda d: (d["data_path"], d["index"]))}


def _action_fcurves(anim):
    """An action's F-curves: layered actions (4.4+) keep them in channel bags per slot; 5.0
    dropped `action.fcurves`."""
    action = anim.action
    layers = getattr(action, "layers", None)
    if layers:
        slot = getattr(anim, "action_slot", None)
        for layer in layers:
            for strip in layer.strips:
                bag = strip.channelbag(slot) if slot is not None else None
                yield from (bag.fcurves if bag is not None else ())
        return
    yield from getattr(action, "fcurves", ())


def _variable(var) -> dict:
    return {"name": var.name, "type": var.type,
            "targets": [(t.id_type, t.id.name if t.id else None, t.data_path)
                        for t in var.targets]}


# --- view layers --------------------------------------------------------------------------------

def _view_layer(vl) -> dict:
    out = {key: _value(getattr(vl, key)) for key in _rna_keys(vl)
           if key.startswith("use_pass") or key.startswith("pass_")}
    out.update({f"cycles.{key}": _value(getattr(vl.cycles, key)) for key in _rna_keys(vl.cycles)
                if key.startswith("use_pass") or key.startswith("pass_")})
    out["use"] = vl.use
    out["samples"] = vl.samples
    out["material_override"] = vl.material_override.name if vl.material_override else None
    out["aovs"] = [(aov.name, aov.type) for aov in vl.aovs]
    return out


# --- generic RNA --------------------------------------------------------------------------------

def _rna_keys(struct) -> list[str]:
    return [p.identifier for p in struct.bl_rna.properties if p.identifier not in _SKIP]


def _props(struct, depth: int) -> dict:
    out = {}
    for prop in struct.bl_rna.properties:
        key = prop.identifier
        if key in _SKIP or key.startswith("bl_") and key != "bl_idname":
            continue
        try:
            value = getattr(struct, key)
        except (AttributeError, RuntimeError):
            continue
        out[key] = _prop_value(prop, value, depth)
    return out


def _prop_value(prop, value, depth: int):
    import bpy

    if prop.type == "POINTER":
        if value is None:
            return None
        if isinstance(value, bpy.types.ID):
            return f"<{type(value).__name__} {value.name!r}>"
        return _props(value, depth - 1) if depth > 0 else "<...>"
    if prop.type == "COLLECTION":
        if depth <= 0:
            return len(value)
        return [_props(item, depth - 1) for item in value]
    return _value(value)


def _value(value):
    if isinstance(value, float):
        return value
    if isinstance(value, str | bool | int) or value is None:
        return value
    if isinstance(value, set):
        return tuple(sorted(value))
    try:
        return tuple(_value(v) for v in value)
    except TypeError:
        return repr(value)


# --- comparing ----------------------------------------------------------------------------------

def _flatten(obj, prefix: str = "") -> dict:
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(obj, list):
        out = {f"{prefix}.#len": len(obj)}
        for i, value in enumerate(obj):
            label = _label(value, i)
            out.update(_flatten(value, f"{prefix}[{label}]"))
        return out
    return {prefix: obj}


def _label(value, index: int) -> str:
    """List items by a stable name when they have one (sockets, slots), else by position."""
    if isinstance(value, dict):
        for key in ("identifier", "name", "path", "data_path"):
            if isinstance(value.get(key), str) and value[key]:
                extra = value.get("index")
                return f"{index}:{value[key]}" + (f"/{extra}" if extra is not None else "")
    return str(index)


def _is_layout(key: str) -> bool:
    return any(f".layout.{part}" in key for part in _LAYOUT) or key.endswith(".layout")


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-6,
                                                                             abs_tol=1e-7)
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return all(_same(x, y) for x, y in zip(a, b))
    return a == b


def summary(a: dict, b: dict, layout: bool = True) -> list[str]:
    """The differences grouped the way a user would describe them: nodes lost and added (by
    Blender name), types swapped, settings and input values changed per node, links, node
    groups, animation, view-layer passes, positions."""
    out = []
    trees_a, trees_b = _trees(a), _trees(b)
    for name in sorted(set(trees_a) | set(trees_b)):
        ta, tb = trees_a.get(name), trees_b.get(name)
        if ta is None or tb is None:
            out.append(f"{name}: {'lost' if tb is None else 'added'}")
            continue
        out += [f"{name}: {line}" for line in _tree_summary(ta, tb, layout)]
    for layer in sorted(set(a["view_layers"]) | set(b["view_layers"])):
        changed = differences(a["view_layers"].get(layer, {}), b["view_layers"].get(layer, {}))
        if changed:
            out.append(f"view layer {layer!r}: " + "; ".join(changed))
    changed = differences(a["scene"], b["scene"])
    if changed:
        out.append("scene: " + "; ".join(changed))
    return out


def _trees(shot: dict) -> dict:
    trees = {f"group {k!r}": v for k, v in shot["groups"].items()}
    if shot["tree"] is not None:
        trees["compositor"] = shot["tree"]
    return trees


def _tree_summary(ta: dict, tb: dict, layout: bool) -> list[str]:
    out = []
    na, nb = ta["nodes"], tb["nodes"]
    lost, added = sorted(set(na) - set(nb)), sorted(set(nb) - set(na))
    if lost:
        out.append(f"{len(lost)} node(s) lost: {', '.join(lost)}")
    if added:
        out.append(f"{len(added)} node(s) added: {', '.join(added)}")
    for name in sorted(set(na) & set(nb)):
        if na[name]["type"] != nb[name]["type"]:
            out.append(f"node {name!r}: type {na[name]['type']} -> {nb[name]['type']}")
            continue
        changed = differences({k: v for k, v in na[name].items() if k != "layout"},
                              {k: v for k, v in nb[name].items() if k != "layout"})
        if changed:
            out.append(f"node {name!r}: " + "; ".join(changed[:6])
                       + (f"; ... {len(changed) - 6} more" if len(changed) > 6 else ""))
        if layout and differences(na[name]["layout"], nb[name]["layout"]):
            out.append(f"node {name!r} moved: {na[name]['layout']} -> {nb[name]['layout']}")
    la, lb = set(ta["links"]), set(tb["links"])
    if la - lb:
        out.append(f"{len(la - lb)} link(s) lost: " + ", ".join(map(_link_text, sorted(la - lb))))
    if lb - la:
        out.append(f"{len(lb - la)} link(s) added: " + ", ".join(map(_link_text, sorted(lb - la))))
    for key in ("interface", "animation"):
        changed = differences({key: ta[key]}, {key: tb[key]})
        if changed:
            out.append(f"{key}: " + "; ".join(changed[:4])
                       + (f"; ... {len(changed) - 4} more" if len(changed) > 4 else ""))
    return out


def _link_text(link: tuple) -> str:
    muted = " (muted)" if link[4] else ""
    return f"{link[0]}.{link[1]} -> {link[2]}.{link[3]}{muted}"


def renamed(shot: dict, names: dict[str, dict[str, str]]) -> dict:
    """`shot` with nodes renamed: names[tree name] maps a node name to the one to compare it
    under (for example export's names back to Blender's), in node keys, links and F-curve
    paths; so that what differs besides the names shows."""
    import copy
    import re

    out = copy.deepcopy(shot)
    for tree in [out["tree"], *out["groups"].values()]:
        if not tree:
            continue
        table = names.get(tree["name"], {})
        if not table:
            continue
        tree["nodes"] = {table.get(k, k): v for k, v in tree["nodes"].items()}
        for node_name, node in tree["nodes"].items():
            node["props"]["name"] = node_name
        tree["links"] = sorted((table.get(a, a), b, table.get(c, c), d, e, f)
                               for a, b, c, d, e, f in tree["links"])
        for curve in tree["animation"]["fcurves"] + tree["animation"]["drivers"]:
            curve["data_path"] = re.sub(r'nodes\["([^"]+)"\]',
                                        lambda m: f'nodes["{table.get(m[1], m[1])}"]',
                                        curve["data_path"])
    return out
