"""Generate the node catalogue of the running Blender: `python -m nodescript.catalog.generate`.

Run it with an interpreter that has bpy (one of .venvs/bpy-*); it writes
`data/blender-<major>.<minor>.json` next to this module (or into `--out DIR`). `--check` writes
nothing and exits 1 when the shipped file differs from what this bpy produces.

Everything is observed on real bpy, starting from factory settings:

- nodes: every `bpy.types.Node` subclass that `nodes.new` accepts in a compositor tree. The
  Python-side `poll()` is useless for this (it returns False for NodeFrame and for the ShaderNode*
  the compositor does offer), while `nodes.new` enforces Blender's own poll, so acceptance decides.
- node properties: the node's own RNA properties (those of `bpy.types.Node` and `rna_type` are
  left out), with the values and enum items seen on a freshly created node.
- image_format / file_output: File Output nodes created, switched between formats and inspected.
- render_passes: the Render Layers node's outputs enabled by each view-layer pass switch, probed
  one switch at a time with Cycles and with the EEVEE engine of the version.

JSON schema (schema 1); keys marked + are additions to the original plan:

    schema: 1
    blender: "4.2.23"                         bpy.app.version as text
    nodes: {bl_idname: {
        ui_name: str                          node.bl_label
      + in_add_menu: bool                     offered by the compositor Add menu (named in
                                              bl_ui/node_add_menu_compositor.py, or a shared
                                              Layout/Group entry); false for hidden legacy nodes
                                              that nodes.new still accepts
        inputs: [{identifier, name, type, bl_idname, default, min?, max?, enabled, hide_value,
                + items?}]                    items: [[identifier, ui name], ...] of a MENU socket
                                              min/max: the limits the node declares for a number
                                              socket (absent when unlimited): the UI's soft range
                                            + hard_min/hard_max: the limits Blender holds a number
                                              input's value to (probed: a value set past them reads
                                              back clamped; absent when unlimited)
        outputs: [{identifier, name, type, bl_idname, enabled}]
                                            + Render Layers: also the outputs that exist only
                                              while a pass is enabled (Cryptomatte, Denoising
                                              Data, Noisy Image, Shadow Catcher, ...), appended
                                              with enabled false (every switch on, per engine)
      + color_ramp?: {property, properties, elements: [[position, [r, g, b, a]], ...]}
                                              the ColorRamp of a fresh node (Color Ramp):
                                              property: the node's pointer to it; properties:
                                              its settings described like node properties
      + curve_mapping?: {property, properties, point_properties, curves: [[[x, y, handle_type],
                        ...], ...]}           the CurveMapping of a fresh node (RGB Curves, Hue
                                              Correct, ...), its curves' points in order;
                                              point_properties: a point's handle_type
      + availability?: {by: [enum setting, ...], cases: {"VALUE VALUE ...": {inputs: [identifier,
                        ...], outputs: [...]}}}   the sockets shown for every combination of the
                                              enum settings that show or hide sockets (probed)
        properties: {identifier: {type, default, array_length, readonly, min?, max?, items?,
                                  enum_flag?, fixed_type?, + subtype?}}
                                              default: the value on a fresh node (null for
                                              pointers, collections and values JSON can't hold);
                                              items/enum_flag for ENUM; fixed_type for POINTER and
                                              COLLECTION; subtype only when not NONE
    }}
    image_format: {
        file_formats: [...]                   file_format values a File Output accepts (5.0: over
                                              all of its media types)
        media_types: [...]                    5.0 only, else []
      + formats_by_media_type: {media_type: [file_format, ...]}    5.0 only, else {}
        per_format: {file_format: {color_depth: [...], color_mode: [...], quality: bool,
                                   exr_codec?: [...],              OPEN_EXR*: right after switching
                                 + exr_codec_by_depth?: {depth: [...]},    OPEN_EXR*: per depth
                                 + quality_exr_codecs?: [...]}}   OPEN_EXR*: codecs using quality
                                              quality: measured, True when writing a noise image
                                              at quality 5 and 100 gives different file sizes
                                              (multilayer EXR can't be written from a plain image
                                              and takes OPEN_EXR's result: same writer)
        new_file_output_defaults: {file_format, color_depth, exr_codec, color_mode,
                                 + media_type}                     media_type null before 5.0
        exr_switch_defaults: {color_depth, exr_codec}   fresh node, media_type IMAGE (5.0),
                                                        then file_format = 'OPEN_EXR'
    }
    file_output: {
        api: "slots" | "items"                4.x file_slots/layer_slots, 5.0 file_output_items
        item_socket_types: [...]              5.0: socket_type values file_output_items.new accepts
        properties: [...]                     the node's own RNA properties, sorted
      + item_properties: {collection: [...]}  RNA properties of each slot/item type, sorted
    }
    render_passes: {output name: {owner, property, + engines?, + requires?, + by_engine?}}
                                              owner: "always" (property null), "view_layer",
                                              "view_layer.cycles" or "view_layer.eevee"
                                              engines: the engines where this switch enables the
                                              output, only when not all of render_engines
                                              requires: further switches ("owner.property") also
                                              needed (Noisy Shadow Catcher needs denoising too)
                                              by_engine: {engine: {owner, property, ...}} where
                                              another engine uses a different switch
  + render_engines: ["CYCLES", "BLENDER_EEVEE_NEXT" | "BLENDER_EEVEE"]   the engines probed
    view_layer_passes: [...]                  the pass switches: boolean ViewLayer properties
                                              named *pass*, and those of ViewLayer.cycles/.eevee
                                              prefixed "cycles."/"eevee." (plus
                                              "cycles.use_denoising", which adds Noisy Image)

Output is deterministic: sorted keys, sockets in Blender's order, floats rounded to 6
significant digits.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import ctypes
import json
import math
import os
import random
import re
import struct
import sys
import tempfile
import time
from pathlib import Path

import bpy

SCHEMA = 1
DATA_DIR = Path(__file__).resolve().parent / "data"
FILE_OUTPUT = "CompositorNodeOutputFile"
RENDER_LAYERS = "CompositorNodeRLayers"
FLT_MAX = 3.4028234663852886e38
INT_LIMITS = (-(2**31), 2**31 - 1)
BASE_NODE_PROPERTIES = frozenset(bpy.types.Node.bl_rna.properties.keys())
# Entries of the Add menu shared by all node editors (Layout and Group submenus).
SHARED_MENU_NODES = frozenset({"NodeFrame", "NodeReroute", "NodeGroupInput", "NodeGroupOutput"})
PASS_OWNERS = ("view_layer", "view_layer.cycles", "view_layer.eevee")


# --- values ------------------------------------------------------------------------------------

def _number(value: float) -> float | None:
    """A repr-stable float: 6 significant digits (bpy floats are float32), null if not finite."""
    if not math.isfinite(value):
        return None
    return float(f"{value:.6g}")


def _json_value(value):
    """bpy values (arrays, Vectors, Colors, sets) as JSON; None for what JSON can't hold."""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, bpy.types.bpy_struct):
        return None
    try:
        return [_json_value(item) for item in value]
    except TypeError:
        return None


def _limit(value: float) -> float | int | None:
    """A min/max worth recording: None for the type's own extremes (no real limit)."""
    if isinstance(value, int) and value in INT_LIMITS:
        return None
    if not math.isfinite(value) or abs(value) >= FLT_MAX:
        return None
    return _number(value) if isinstance(value, float) else value


def _add_limits(entry: dict, low, high) -> None:
    for key, value in (("min", low), ("max", high)):
        limit = _limit(value)
        if limit is not None:
            entry[key] = limit


# --- enums -------------------------------------------------------------------------------------

def _enum_identifiers(owner, prop_id: str) -> list[str] | None:
    """The enum items valid on this instance now, or None if Blender won't say.

    Dynamic enums (color_depth, exr_codec, layer, ...) depend on the owner's state, but RNA gives
    Python only the static item list; the TypeError for an invalid value lists the live items.
    """
    bogus = "@nodescript-probe@"
    flag = owner.bl_rna.properties[prop_id].is_enum_flag
    try:
        setattr(owner, prop_id, {bogus} if flag else bogus)
    except TypeError as err:
        found = re.search(r"not found in (\(.*\))", str(err), re.S)
        if found:
            items = ast.literal_eval(found.group(1))
            return [items] if isinstance(items, str) else list(items)  # ('ONE') is not a tuple
    except AttributeError:  # read-only
        pass
    return None


def _enum_items(owner, prop_id: str) -> list[list[str]]:
    """[[identifier, ui name], ...] as observed on `owner` (static items if not observable)."""
    identifiers = _enum_identifiers(owner, prop_id)
    if identifiers is None:
        static = owner.bl_rna.properties[prop_id].enum_items
        return [[item.identifier, item.name] for item in static]
    name_of = bpy.types.UILayout.enum_item_name
    return [[ident, name_of(owner, prop_id, ident)] for ident in identifiers]


# --- sockets -----------------------------------------------------------------------------------

# DNA bNodeSocket starts with next, prev, prop, identifier[64], name[64], storage, four shorts and
# typeinfo; idname[64] follows at byte 176 and the default_value pointer right after it
# (the same in 4.2, 4.5 and 5.0).
_SOCKET_IDNAME_OFFSET = 176
_SOCKET_DEFAULT_VALUE_OFFSET = _SOCKET_IDNAME_OFFSET + 64


def _value_struct_layout(socket_type: str, size: int):
    """struct format of bNodeSocketValue{Float,Int,Vector} and a reader of (values, min, max)."""
    if socket_type == "VALUE":
        return "<ifff", lambda f: ((f[1],), f[2], f[3])
    if socket_type == "INT":
        return "<iiii", lambda f: ((f[1],), f[2], f[3])
    if bpy.app.version >= (4, 5, 0):  # {subtype, value[4], min, max, dimensions}
        return "<i4fffi", lambda f: (f[1:1 + size] if f[7] == size else None, f[5], f[6])
    return "<i3fff", lambda f: (f[1:4], f[4], f[5])  # 4.2: {subtype, value[3], min, max}


def _declared_range(socket) -> tuple[float, float] | None:
    """(min, max) that the node declares for a number input, or None.

    Python can't see these: RNA applies them only through a range callback the UI uses. So read
    them from the socket's DNA value struct, and only after checking the layout: the idname must
    sit where expected and the values read must equal socket.default_value.
    """
    if socket.type not in ("VALUE", "INT", "VECTOR"):
        return None
    base = socket.as_pointer()
    idname = socket.bl_idname.encode() + b"\0"
    if ctypes.string_at(base + _SOCKET_IDNAME_OFFSET, len(idname)) != idname:
        return None
    address = ctypes.c_void_p.from_address(base + _SOCKET_DEFAULT_VALUE_OFFSET).value
    if not address:
        return None
    current = socket.default_value
    current = tuple(current) if socket.type == "VECTOR" else (current,)
    fmt, read = _value_struct_layout(socket.type, len(current))
    values, low, high = read(struct.unpack(fmt, ctypes.string_at(address, struct.calcsize(fmt))))
    if values is None or tuple(values) != current:
        return None
    return low, high


def _hard_range(socket) -> tuple[float, float]:
    """(min, max) Blender holds a number input to: the declared range is only the UI's (a
    script may set Math's input to 65535), while unsigned sockets stop at 0. Probed by setting
    each extreme and reading it back; the value is restored."""
    kept = socket.default_value
    extremes = INT_LIMITS if socket.type == "INT" else (-FLT_MAX, FLT_MAX)
    found = []
    for extreme in extremes:
        socket.default_value = extreme
        found.append(socket.default_value)
    socket.default_value = kept
    return found[0], found[1]


def _describe_input(socket) -> dict:
    entry = _describe_output(socket)
    entry["default"] = _json_value(getattr(socket, "default_value", None))
    entry["hide_value"] = socket.hide_value
    declared = _declared_range(socket)
    if declared:
        _add_limits(entry, *declared)
    if declared and socket.type in ("VALUE", "INT"):
        hard = _hard_range(socket)
        for key, value in (("hard_min", hard[0]), ("hard_max", hard[1])):
            if _limit(value) is not None:
                entry[key] = _limit(value)
    if socket.type == "MENU":
        entry["items"] = _enum_items(socket, "default_value")
    return entry


def _describe_output(socket) -> dict:
    return {"identifier": socket.identifier, "name": socket.name, "type": socket.type,
            "bl_idname": socket.bl_idname, "enabled": socket.enabled}


# --- node properties ---------------------------------------------------------------------------

def _describe_property(owner, prop) -> dict:
    entry = {"type": prop.type, "readonly": prop.is_readonly,
             "array_length": getattr(prop, "array_length", 0), "default": None}
    if prop.type not in ("POINTER", "COLLECTION"):
        entry["default"] = _json_value(getattr(owner, prop.identifier))
    if prop.type in ("INT", "FLOAT"):
        _add_limits(entry, prop.hard_min, prop.hard_max)
    if prop.type == "ENUM":
        entry["items"] = _enum_items(owner, prop.identifier)
        entry["enum_flag"] = prop.is_enum_flag
    if prop.type in ("POINTER", "COLLECTION"):
        entry["fixed_type"] = prop.fixed_type.identifier
    if getattr(prop, "subtype", "NONE") != "NONE":
        entry["subtype"] = prop.subtype
    return entry


def _own_properties(node) -> dict:
    return {prop.identifier: _describe_property(node, prop)
            for prop in node.bl_rna.properties
            if prop.identifier not in BASE_NODE_PROPERTIES and prop.identifier != "rna_type"}


# --- colour ramps and curve mappings ------------------------------------------------------------

# Struct types a node holds by pointer whose contents nodescript writes: the key in the node's
# entry, and the struct members described separately (collections) or not at all (UI state).
STRUCT_KEYS = {"ColorRamp": "color_ramp", "CurveMapping": "curve_mapping"}
STRUCT_SKIPPED = frozenset({"rna_type", "elements", "curves", "location", "select"})


def _struct_properties(owner) -> dict:
    return {prop.identifier: _describe_property(owner, prop) for prop in owner.bl_rna.properties
            if prop.identifier not in STRUCT_SKIPPED}


def _color_ramp(ramp) -> dict:
    return {"properties": _struct_properties(ramp),
            "elements": [[_number(e.position), _json_value(e.color)] for e in ramp.elements]}


def _curve_mapping(mapping) -> dict:
    return {"properties": _struct_properties(mapping),
            "point_properties": _struct_properties(mapping.curves[0].points[0]),
            "curves": [[[_number(p.location[0]), _number(p.location[1]), p.handle_type]
                        for p in curve.points] for curve in mapping.curves]}


def _structs(node) -> dict:
    """{color_ramp: {...}, curve_mapping: {...}} for the ColorRamp/CurveMapping a node holds."""
    found = {}
    for prop in node.bl_rna.properties:
        key = STRUCT_KEYS.get(getattr(prop, "fixed_type", None) and prop.fixed_type.identifier)
        if prop.type != "POINTER" or key is None or getattr(node, prop.identifier) is None:
            continue
        struct_ = getattr(node, prop.identifier)
        found[key] = {"property": prop.identifier,
                      **(_color_ramp(struct_) if key == "color_ramp" else _curve_mapping(struct_))}
    return found


# --- nodes -------------------------------------------------------------------------------------

@contextlib.contextmanager
def _quiet_c_stdout():
    """Silence Blender's C-level report that nodes.new prints for every refused node type."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "wb") as null:
        os.dup2(null.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _node_idnames() -> list[str]:
    idnames = set()
    for name in dir(bpy.types):
        cls = getattr(bpy.types, name)
        if isinstance(cls, type) and issubclass(cls, bpy.types.Node) and cls is not bpy.types.Node:
            idnames.add(cls.bl_rna.identifier)
    return sorted(idnames)


def _add_menu_idnames(tree) -> frozenset[str]:
    """Node idnames the compositor's Add menu offers (string literals of its bl_ui module)."""
    import bl_ui
    from nodeitems_builtins import node_tree_group_type

    source = Path(bl_ui.__file__).with_name("node_add_menu_compositor.py").read_text()
    literals = {node.value for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    return frozenset(literals | SHARED_MENU_NODES | {node_tree_group_type[tree.bl_idname]})


def _describe_node(node, in_menu: frozenset[str]) -> dict:
    entry = {"ui_name": node.bl_label,
             "in_add_menu": node.bl_idname in in_menu,
             "inputs": [_describe_input(socket) for socket in node.inputs],
             "outputs": [_describe_output(socket) for socket in node.outputs],
             "properties": _own_properties(node)}
    for prop_id, dependent in _dependent_items(node).items():
        entry["properties"][prop_id]["items_by"] = dependent
    entry.update(_structs(node))
    availability = _availability(node)
    if availability:
        entry["availability"] = availability
    if not _mutable(node):
        entry["mutable"] = False
    return entry


def _mutable(node) -> bool:
    """Whether Blender lets the node be muted (5.0 silently refuses for its Viewer)."""
    node.mute = True
    muted = node.mute
    node.mute = False
    return muted


# --- which sockets a node shows, per setting ----------------------------------------------------

MAX_AVAILABILITY_CASES = 1024


def _shown(node) -> dict[str, list[str]]:
    return {"inputs": [s.identifier for s in node.inputs if s.enabled],
            "outputs": [s.identifier for s in node.outputs if s.enabled]}


def _settable_enums(node) -> list[tuple[str, list[str]]]:
    """(identifier, values valid on the fresh node) of the node's own single-choice enums."""
    found = []
    for prop in node.bl_rna.properties:
        if (prop.type != "ENUM" or prop.is_enum_flag or prop.is_readonly
                or prop.identifier in BASE_NODE_PROPERTIES):
            continue
        values = _enum_identifiers(node, prop.identifier) or []
        if getattr(node, prop.identifier) in values:   # else an empty dynamic enum (no image...)
            found.append((prop.identifier, values))
    return found


def _dependent_items(node) -> dict[str, dict]:
    """{enum: {"by": other enum, "cases": {other's value: [items]}}} for enums whose items
    change with another enum's value (5.3's Compare offers only EQUAL, NOT_EQUAL, BRIGHTER and
    DARKER for RGBA, and switching data_type resets operation). Probed on the fresh node, which
    is put back as it was."""
    enums = _settable_enums(node)
    fresh = {name: values for name, values in enums}
    defaults = {name: getattr(node, name) for name, _ in enums}
    found: dict[str, dict] = {}
    for by, by_values in enums:
        cases: dict[str, dict[str, list[str]]] = {}
        for value in by_values:
            try:
                setattr(node, by, value)
            except TypeError:             # a dynamic enum emptied by an earlier probe
                continue
            for name, _ in enums:
                if name != by and name not in found:
                    cases.setdefault(name, {})[value] = _enum_identifiers(node, name) or []
            _restore(node, defaults)
        for name, per_value in cases.items():
            # Items that vanish (a Cryptomatte's layers from an image source) say nothing.
            if all(per_value.values()) and any(v != fresh[name] for v in per_value.values()):
                found[name] = {"by": by, "cases": per_value}
    return found


def _restore(node, values: dict[str, str]) -> None:
    """Set enum values back; a dependent enum's value is valid only after the one it follows."""
    for _ in range(2):
        for name, value in values.items():
            try:
                setattr(node, name, value)
            except TypeError:
                pass


def _all_values(node, name: str, values: list[str]) -> list[str]:
    """An enum's values over every value of the enum its items follow, in first-seen order."""
    dependent = _dependent_items(node).get(name)
    if dependent is None:
        return values
    merged = list(values)
    for items in dependent["cases"].values():
        merged += [v for v in items if v not in merged]
    return merged


def _availability_switches(node) -> list[tuple[str, list[str]]]:
    """The enum settings that show or hide sockets (a Mix node's data_type, a Math node's
    operation), each with its values: every value is set on the fresh node and the sockets read
    (a value valid only under another setting's value is tried under that one)."""
    base = _shown(node)
    enums = _settable_enums(node)
    dependent = _dependent_items(node)
    defaults = {name: getattr(node, name) for name, _ in enums}
    switches = []
    for name, values in enums:
        values = _all_values(node, name, values)
        changes = False
        for value in values:
            if not _try_set(node, name, value, dependent.get(name)):
                continue
            changes = changes or _shown(node) != base
            _restore(node, defaults)
        if changes:
            switches.append((name, values))
    return switches


def _try_set(node, name: str, value: str, dependent: dict | None) -> bool:
    """Set `name` to `value`, first switching the enum its items follow when it must."""
    if dependent is not None and value not in _enum_identifiers(node, name):
        by_value = next((v for v, items in dependent["cases"].items() if value in items), None)
        if by_value is None:
            return False
        setattr(node, dependent["by"], by_value)
    try:
        setattr(node, name, value)
    except TypeError:
        return False
    return True


def _availability(node) -> dict | None:
    """{by: [setting, ...], cases: {"VALUE VALUE": {inputs: [shown ids], outputs: [...]}}} over
    every combination of the switches' values (settings can combine: Map Range's data_type and
    interpolation_type), or None when no setting changes which sockets show."""
    switches = _availability_switches(node)
    if not switches:
        return None
    names = [name for name, _ in switches]
    combos = [[]]
    for _, values in switches:
        combos = [c + [v] for c in combos for v in values]
    if len(combos) > MAX_AVAILABILITY_CASES:
        raise RuntimeError(f"{node.bl_idname}: {len(combos)} availability cases, over the limit")
    defaults = {name: getattr(node, name) for name in names}
    cases = {}
    for combo in combos:
        if _set_combination(node, names, combo):     # some combinations do not exist (5.3 Compare)
            cases[" ".join(combo)] = _shown(node)
        _restore(node, defaults)
    return {"by": names, "cases": cases}


def _set_combination(node, names: list[str], combo: list[str]) -> bool:
    try:
        for name, value in zip(names, combo):
            setattr(node, name, value)
    except TypeError:
        return False
    return [getattr(node, name) for name in names] == list(combo)


def _nodes(tree) -> dict:
    in_menu = _add_menu_idnames(tree)
    nodes = {}
    for idname in _node_idnames():
        try:
            with _quiet_c_stdout():
                node = tree.nodes.new(idname)
        except RuntimeError:  # not allowed in a compositor tree
            continue
        nodes[idname] = _describe_node(node, in_menu)
        if idname == RENDER_LAYERS:
            nodes[idname]["outputs"] += _pass_only_outputs(node)
        tree.nodes.remove(node)  # a crowded tree makes every nodes.new slower
    return nodes


def _pass_only_outputs(node) -> list[dict]:
    """Render Layers outputs that exist only while their pass is enabled (Cryptomatte, Denoising
    Data, Noisy Image, Shadow Catcher, Volume, ...; the node's own outputs stay, merely hidden).
    Every pass switch is turned on with each engine in turn (Cycles first) and the new sockets
    appended in the order they appear, `enabled` false as on a fresh node; then the view layer
    and engine are put back. Blender appends them after the node's own outputs in an order that
    depends on which passes are on, so their index here is not their index in a scene."""
    scene = bpy.context.scene
    switches = _pass_switches(scene.view_layers[0])
    saved_engine = scene.render.engine
    saved = [(owner, prop_id, getattr(owner, prop_id)) for _, owner, prop_id in switches]
    known = {socket.identifier for socket in node.outputs}
    found = []
    try:
        for engine in _engines(scene):
            scene.render.engine = engine
            _set_switches(switches, True)
            for socket in node.outputs:
                if socket.identifier not in known:
                    known.add(socket.identifier)
                    found.append(dict(_describe_output(socket), enabled=False))
    finally:
        for owner, prop_id, value in saved:
            setattr(owner, prop_id, value)
        scene.render.engine = saved_engine
    return found


# --- image formats and the File Output node -----------------------------------------------------

def _media_types(fmt) -> list[str]:
    return _enum_identifiers(fmt, "media_type") if hasattr(fmt, "media_type") else []


def _set_file_format(fmt, file_format: str, media_type: str | None) -> None:
    if media_type:  # 5.0: the media type decides which file formats are accepted
        fmt.media_type = media_type
    fmt.file_format = file_format


def _formats_by_media_type(tree) -> dict[str | None, list[str]]:
    node = tree.nodes.new(FILE_OUTPUT)
    fmt = node.format
    by_media = {}
    for media_type in _media_types(fmt) or [None]:
        if media_type:
            fmt.media_type = media_type
        by_media[media_type] = _enum_identifiers(fmt, "file_format")
    tree.nodes.remove(node)
    return by_media


def _format_capabilities(tree, file_format: str, media_type: str | None,
                         quality: list[str] | bool) -> dict:
    node = tree.nodes.new(FILE_OUTPUT)  # fresh, so items don't depend on the previous format
    fmt = node.format
    _set_file_format(fmt, file_format, media_type)
    entry = {"color_depth": _enum_identifiers(fmt, "color_depth"),
             "color_mode": _enum_identifiers(fmt, "color_mode"),
             "quality": bool(quality)}
    if file_format.startswith("OPEN_EXR"):
        entry["exr_codec"] = _enum_identifiers(fmt, "exr_codec")
        entry["quality_exr_codecs"] = quality
        entry["exr_codec_by_depth"] = {}
        for depth in entry["color_depth"]:
            fmt.color_depth = depth
            entry["exr_codec_by_depth"][depth] = _enum_identifiers(fmt, "exr_codec")
    tree.nodes.remove(node)
    return entry


def _noise_image():
    image = bpy.data.images.new("nodescript-quality-probe", 32, 32, float_buffer=True)
    noise = random.Random(0)
    image.pixels = [noise.random() for _ in range(32 * 32 * 4)]
    return image


def _quality_changes_output(image, scene, folder: str, name: str) -> bool:
    settings = scene.render.image_settings
    sizes = set()
    for quality in (5, 100):
        settings.quality = quality
        path = os.path.join(folder, f"{name}-{quality}")
        image.save_render(path, scene=scene)
        sizes.add(os.path.getsize(path))
    return len(sizes) > 1


def _exr_codecs_using_quality(image, scene, folder: str) -> list[str]:
    settings = scene.render.image_settings
    using = []
    for codec in _enum_identifiers(settings, "exr_codec"):
        settings.exr_codec = codec
        if _quality_changes_output(image, scene, folder, codec):
            using.append(codec)
    return using


def _quality_effects(media_of: dict[str, str | None]) -> dict[str, list[str] | bool]:
    """Which formats' output changes with `quality`: RNA doesn't say, so write a noise image at
    quality 5 and 100 and compare sizes. For OpenEXR: the codecs it matters for (DWA in 4.5+).
    A plain image can't be saved as multilayer EXR; that format shares OpenEXR's writer.
    """
    scene = bpy.data.scenes.new("nodescript-quality-probe")  # File Outputs copy the scene format
    image = _noise_image()
    effects = {}
    with tempfile.TemporaryDirectory() as folder:
        for file_format, media_type in media_of.items():
            if file_format == "OPEN_EXR_MULTILAYER":
                continue
            _set_file_format(scene.render.image_settings, file_format, media_type)
            if file_format == "OPEN_EXR":
                effects[file_format] = _exr_codecs_using_quality(image, scene, folder)
            else:
                effects[file_format] = _quality_changes_output(image, scene, folder, file_format)
    if "OPEN_EXR_MULTILAYER" in media_of:
        effects["OPEN_EXR_MULTILAYER"] = effects.get("OPEN_EXR", False)
    bpy.data.images.remove(image)
    bpy.data.scenes.remove(scene)
    return effects


def _format_state(fmt) -> dict:
    return {"file_format": fmt.file_format, "color_depth": fmt.color_depth,
            "exr_codec": fmt.exr_codec, "color_mode": fmt.color_mode,
            "media_type": getattr(fmt, "media_type", None)}


def _exr_switch_defaults(tree) -> dict:
    node = tree.nodes.new(FILE_OUTPUT)
    fmt = node.format
    _set_file_format(fmt, "OPEN_EXR", "IMAGE" if hasattr(fmt, "media_type") else None)
    state = {"color_depth": fmt.color_depth, "exr_codec": fmt.exr_codec}
    tree.nodes.remove(node)
    return state


def _new_file_output_defaults(tree) -> dict:
    node = tree.nodes.new(FILE_OUTPUT)
    state = _format_state(node.format)
    tree.nodes.remove(node)
    return state


def _image_format(tree) -> dict:
    defaults = _new_file_output_defaults(tree)
    by_media = _formats_by_media_type(tree)
    media_of = {f: media for media, formats in by_media.items() for f in formats}
    quality = _quality_effects(media_of)
    return {
        "file_formats": list(media_of),
        "media_types": [media for media in by_media if media],
        "formats_by_media_type": {media: f for media, f in by_media.items() if media},
        "per_format": {f: _format_capabilities(tree, f, media, quality[f])
                       for f, media in media_of.items()},
        "new_file_output_defaults": defaults,
        "exr_switch_defaults": _exr_switch_defaults(tree),
    }


def _accepted_item_socket_types(node) -> list[str]:
    """5.0: socket_type values file_output_items.new() really accepts (the enum lists them all)."""
    items = node.file_output_items
    candidates = items.bl_rna.functions["new"].parameters["socket_type"].enum_items
    accepted = []
    for socket_type in (item.identifier for item in candidates):
        try:
            item = items.new(socket_type, socket_type)
        except RuntimeError:
            continue
        accepted.append(socket_type)
        items.remove(item)
    return accepted


def _file_output(tree) -> dict:
    node = tree.nodes.new(FILE_OUTPUT)
    props = node.bl_rna.properties
    collections = sorted(p.identifier for p in props
                         if p.type == "COLLECTION" and p.identifier not in BASE_NODE_PROPERTIES)
    items_api = hasattr(node, "file_output_items")
    shape = {
        "api": "items" if items_api else "slots",
        "item_socket_types": _accepted_item_socket_types(node) if items_api else [],
        "properties": sorted(p.identifier for p in props
                             if p.identifier not in BASE_NODE_PROPERTIES | {"rna_type"}),
        "item_properties": {name: sorted(p.identifier for p in props[name].fixed_type.properties
                                         if p.identifier != "rna_type")
                            for name in collections},
    }
    tree.nodes.remove(node)
    return shape


# --- render passes -----------------------------------------------------------------------------

def _is_pass_switch(owner: str, prop) -> bool:
    if prop.type != "BOOLEAN" or prop.is_readonly:
        return False
    return "pass" in prop.identifier or (owner == "view_layer.cycles"
                                         and prop.identifier == "use_denoising")


def _pass_switches(view_layer) -> list[tuple[str, object, str]]:
    """(owner name, owner, property) for every view-layer switch that may add a pass."""
    owners = {"view_layer": view_layer, "view_layer.cycles": view_layer.cycles,
              "view_layer.eevee": view_layer.eevee}
    return [(name, owner, prop.identifier)
            for name in PASS_OWNERS
            for owner in [owners[name]]
            for prop in owner.bl_rna.properties if _is_pass_switch(name, prop)]


def _switch_name(owner_name: str, prop_id: str) -> str:
    """"use_pass_z", "cycles.use_pass_volume_direct": a switch relative to the view layer."""
    return ".".join([*owner_name.split(".")[1:], prop_id])


def _set_switches(switches, value: bool) -> None:
    for _, owner, prop_id in switches:
        setattr(owner, prop_id, value)


def _enabled_outputs(node) -> list[str]:
    return [socket.name for socket in node.outputs if socket.enabled]


def _required_switches(node, switches, output: str) -> list:
    """With every switch on, the switches whose removal disables `output`."""
    required = []
    for switch in switches:
        _, owner, prop_id = switch
        setattr(owner, prop_id, False)
        if output not in _enabled_outputs(node):
            required.append(switch)
        setattr(owner, prop_id, True)
    return required


def _probe_engine(scene, node, switches, engine: str) -> dict[str, dict]:
    """Output name -> how to enable it with `engine`, from all switches off."""
    scene.render.engine = engine
    _set_switches(switches, False)
    always = _enabled_outputs(node)
    found = {name: {"owner": "always", "property": None} for name in always}
    for owner_name, owner, prop_id in switches:
        setattr(owner, prop_id, True)
        for name in _enabled_outputs(node):
            found.setdefault(name, {"owner": owner_name, "property": prop_id})
        setattr(owner, prop_id, False)
    _set_switches(switches, True)
    for name in [n for n in _enabled_outputs(node) if n not in found]:  # needs two switches
        required = _required_switches(node, switches, name)
        if not required:  # enabled by alternatives, never by one switch: can't be attributed
            continue
        (owner_name, _, prop_id), *others = required
        found[name] = {"owner": owner_name, "property": prop_id,
                       "requires": [_switch_name(o, p) for o, _, p in others]}
    _set_switches(switches, False)
    return found


def _merge_engines(per_engine: dict[str, dict[str, dict]]) -> dict[str, dict]:
    """One entry per output, keyed to the first engine that has it; differences noted."""
    engines = list(per_engine)
    names = sorted({name for found in per_engine.values() for name in found})
    merged = {}
    for name in names:
        by_engine = {e: per_engine[e][name] for e in engines if name in per_engine[e]}
        entry = dict(next(iter(by_engine.values())))
        same = [e for e, how in by_engine.items() if how == entry]
        if same != engines:
            entry["engines"] = same
        others = {e: how for e, how in by_engine.items() if e not in same}
        if others:
            entry["by_engine"] = others
        merged[name] = entry
    return merged


def _engines(scene) -> list[str]:
    available = _enum_identifiers(scene.render, "engine")
    return ["CYCLES"] + [e for e in available if e.startswith("BLENDER_EEVEE")]


def _render_passes(scene, tree) -> tuple[dict, list[str], list[str]]:
    node = tree.nodes.new(RENDER_LAYERS)
    switches = _pass_switches(scene.view_layers[0])
    engines = _engines(scene)
    per_engine = {engine: _probe_engine(scene, node, switches, engine) for engine in engines}
    tree.nodes.remove(node)
    names = sorted(_switch_name(owner, prop_id) for owner, _, prop_id in switches)
    return _merge_engines(per_engine), engines, names


# --- catalogue ---------------------------------------------------------------------------------

def _compositor_tree(scene):
    if bpy.app.version >= (5, 0, 0):
        tree = bpy.data.node_groups.new("nodescript-catalog", "CompositorNodeTree")
        scene.compositing_node_group = tree
        return tree
    scene.use_nodes = True
    return scene.node_tree


def version_string() -> str:
    return ".".join(str(part) for part in bpy.app.version)


def catalog_filename() -> str:
    major, minor = bpy.app.version[:2]
    return f"blender-{major}.{minor}.json"


def build_catalog() -> dict:
    """The catalogue of the running bpy. Resets Blender to factory settings first."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    tree = _compositor_tree(scene)
    for node in list(tree.nodes):  # 4.x starts with Render Layers and Composite
        tree.nodes.remove(node)
    catalog = {"schema": SCHEMA, "blender": version_string(), "nodes": _nodes(tree)}
    catalog["image_format"] = _image_format(tree)
    catalog["file_output"] = _file_output(tree)
    passes, engines, switches = _render_passes(scene, tree)
    catalog.update(render_passes=passes, render_engines=engines, view_layer_passes=switches)
    return catalog


def dumps(catalog: dict) -> str:
    return json.dumps(catalog, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nodescript.catalog.generate",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="directory for the JSON file")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the existing file differs")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    text = dumps(build_catalog())
    elapsed = time.perf_counter() - started
    path = args.out / catalog_filename()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        print(f"{path}: {'up to date' if current == text else 'OUT OF DATE'} ({elapsed:.1f} s)")
        return 0 if current == text else 1
    args.out.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}: {len(text)} bytes in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
