"""Export's leaf helpers: what the language calls things, sockets by index and reference,
values as text, unique names."""

from __future__ import annotations

import functools
import json
import math
import re
import struct
from types import SimpleNamespace
from typing import TYPE_CHECKING

from nodescript import catalog, group_sockets, vocabulary
from nodescript.blender.plan import TAG
from nodescript.catalog import SocketSpec
from nodescript.syntax.names import RESERVED, dotted_socket, quoted

if TYPE_CHECKING:
    from nodescript.blender.export_tree import Param

# Properties that are UI state or follow from links, never written.
SKIPPED_PROPERTIES = frozenset({"ui_shortcut", "active_input_index", "active_item_index",
                                "socket_idname", "node_tree", "is_active_output"})
# Datablock pointers apply can set by name (executor.POINTER_COLLECTIONS, less node_tree).
POINTER_PROPERTIES = frozenset({"scene", "image", "clip", "mask"})
# Input socket types whose unlinked value the language can write.
VALUE_SOCKET_TYPES = frozenset({"VALUE", "INT", "BOOLEAN", "RGBA", "VECTOR", "MENU", "STRING"})
# What a fresh node-group interface socket holds (a param that declares no default has it).
GROUP_SOCKET_DEFAULTS = {type_: group_sockets.new_socket(type_)["default"]
                         for type_ in group_sockets.NEW_SOCKET}
GROUP_WORDS = {"VALUE": "float", "RGBA": "color", "VECTOR": "vector", "INT": "int",
               "BOOLEAN": "bool"}
INTERFACE_TYPES = {idname: type_ for type_, idname in group_sockets.SOCKET_IDNAMES.items()}
# 5.0 item type -> the word `out.name(type=...)` takes (resolve.file_output.INPUT_TYPES).
ITEM_TYPE_WORDS = {"FLOAT": "float", "VECTOR": "vector", "RGBA": "color"}
# 5.0 MapValue emulation: Math node role -> (MapValue property, switch property).
MAP_VALUE_ROLES = {"offset": ("offset", None), "size": ("size", None),
                   "min": ("min", "use_min"), "max": ("max", "use_max")}
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")



@functools.cache
def language() -> SimpleNamespace:
    """The resolver's setting names and defaults, which export must match. Imported on first
    use: the resolver brings the parser along, and the CLI should start without it."""
    from nodescript.resolve import file_output, resolver

    return SimpleNamespace(common_args=resolver.COMMON_ARGS,
                           scene_enums=resolver.SCENE_DEPENDENT_ENUMS,
                           file_defaults=file_output.DEFAULTS,
                           quality=file_output.BLENDER_QUALITY,
                           compression=file_output.BLENDER_COMPRESSION)


def writable(prop, cat: catalog.Catalog, node) -> bool:
    """A property the language can set on this node (not UI state, not a collection)."""
    raw = cat.raw["nodes"].get(node.bl_idname, {}).get("properties", {}).get(prop.identifier, {})
    return not (prop.identifier in SKIPPED_PROPERTIES or prop.identifier in language().common_args
                or prop.readonly or raw.get("enum_flag") or not hasattr(node, prop.identifier))


def input_changed(socket, spec: SocketSpec) -> bool:
    """An unlinked input showing on the node, holding something else than its default."""
    return (not socket.is_linked and socket.enabled and socket.type in VALUE_SOCKET_TYPES
            and not same_value(socket.default_value, spec.default))


def node_call(kind: str, args: list[str]) -> str:
    """`Math(...)`, or `Node("CompositorNodeMath", ...)` for an exact type."""
    if vocabulary.is_exact(kind):
        args = [string_text(kind), *args]
        kind = vocabulary.EXACT_CALL
    return f"{kind}({', '.join(args)})"


def kinds_by_idname(version: str) -> dict[str, str]:
    """{idname: kind} of `version` (a type with no kind here is written as its exact type)."""
    return {idname: kind for kind, per_version in vocabulary.kind_table().items()
            for v, idname in per_version.items() if v == version}


# --- sockets ----------------------------------------------------------------------------------

def aov_of(node, scene, socket):
    """The view layer's AOV behind a Render Layers output, or None for a pass."""
    if node.bl_idname != "CompositorNodeRLayers":
        return None
    source = node.scene if node.scene is not None else scene
    layer = source.view_layers.get(node.layer) if source is not None else None
    aovs = getattr(layer, "aovs", None) or ()
    return next((a for a in aovs if a.name == socket.name), None)



def index_of(sockets, socket) -> int:
    return next((i for i, s in enumerate(sockets) if s == socket), -1)


def spec_index(sockets: tuple[SocketSpec, ...], identifier: str) -> int | None:
    return next((i for i, s in enumerate(sockets) if s.identifier == identifier), None)


def socket_ref(sockets: tuple[SocketSpec, ...], socket, kind: str, version: str) -> str | None:
    """`.Name` when the name finds this socket, else `[index]` (Math's second `Value`); None
    for a socket the kind does not have (a view layer's AOV output)."""
    index = spec_index(sockets, socket.identifier)
    if index is None:
        index = vocabulary.find_socket(sockets, socket.name, kind=kind, version=version)
    if index is None:
        return None
    name = sockets[index].name
    if vocabulary.find_socket(sockets, name, kind=kind, version=version) == index:
        return ref(name)
    return f"[{index}]"


def param_ref(params: list[Param], identifier: str) -> str | None:
    param = next((p for p in params if p.identifier == identifier), None)
    return None if param is None else ref(param.name)


def ref(name: str) -> str:
    return dotted_socket(name)


def input_setting_name(sockets: tuple[SocketSpec, ...], index: int, properties: set[str],
                        shown: list[str]) -> str | None:
    """`from_max` for "From Max" when that name finds this input and no other input showing on
    the node has it (5.0 Map Range's hidden vector "From Max" is fine, Math's second Value not)."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", sockets[index].name).strip("_").lower()
    folded = vocabulary.fold(name)
    if not NAME_PATTERN.match(name) or name in language().common_args or name in RESERVED:
        return None
    if folded in {vocabulary.fold(p) for p in properties}:
        return None                             # a property of that name would win
    if shown.count(folded) > 1:
        return None
    return name if vocabulary.find_socket(sockets, name) == index else None


def tag_of(node) -> dict | None:
    """The node's emulation record (TAG with "kind" and "node"), or None."""
    tag = record_of(node)
    return tag if tag is not None and "kind" in tag and "node" in tag else None


def is_preview(node) -> bool:
    """Marked `preview=true` by apply (the TAG property's "preview")."""
    record = record_of(node)
    return record is not None and record.get("preview") is True


def record_of(node) -> dict | None:
    raw = node.get(TAG) if hasattr(node, "get") else None
    if raw is None:
        return None
    try:
        tag = json.loads(raw) if isinstance(raw, str) else raw.to_dict()
    except (ValueError, AttributeError):
        return None
    return tag if isinstance(tag, dict) else None


# --- values -----------------------------------------------------------------------------------

def property_text(value, prop) -> str | None:
    """The setting's text, or None when it is the default (or not writable)."""
    if prop.type == "POINTER":
        if prop.identifier not in POINTER_PROPERTIES or value is None:
            return None
        return string_text(value.name)
    if prop.default is not None and same_value(value, prop.default):
        return None
    if prop.type == "ENUM":
        if not isinstance(value, str) or not value:
            return None
        if prop.identifier in language().scene_enums:
            return string_text(value)
        return value.lower() if NAME_PATTERN.match(value) else string_text(value)
    if prop.type == "BOOLEAN":
        return bool_text(value)
    if prop.type == "STRING":
        return string_text(value)
    if prop.type in ("INT", "FLOAT"):
        return numbers_text(value, prop.type == "INT")
    return None


def socket_text(value, socket_type: str) -> str:
    if socket_type in ("MENU", "STRING"):
        return string_text(str(value))
    if socket_type == "BOOLEAN":
        return bool_text(value)
    return numbers_text(value, socket_type == "INT")


def numbers_text(value, integer: bool) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if integer else float_text(value)
    items = list(value)
    if len(items) == 1:                         # a one-element array: a scalar fills it
        return numbers_text(items[0], integer)
    return "(" + ", ".join(numbers_text(v, integer) for v in items) + ")"


def float_text(value: float) -> str:
    """Shortest text that is the same float32: 0.1 stays 0.1, whole numbers have no point."""
    if math.isnan(value):
        return "0"
    if math.isinf(value):
        return "1e39" if value > 0 else "-1e39"    # past float32's range: infinity again
    single = f32(value)
    text = next(t for t in (f"{value:.{d}g}" for d in range(1, 18)) if f32(float(t)) == single)
    number = float(text)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def f32(value: float) -> float:
    try:
        return struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def same_value(value, default) -> bool:
    """Equal at the catalogue's precision (6 significant digits; booleans and strings exact)."""
    if isinstance(default, (list, tuple)):
        items = list(value) if not isinstance(value, (str, int, float)) else [value]
        return len(items) == len(default) and all(same_value(a, b) for a, b in zip(items, default))
    if isinstance(value, bool) or isinstance(default, bool) or isinstance(value, str):
        return value == default
    if isinstance(value, (int, float)) and isinstance(default, (int, float)):
        return f"{float(value):.6g}" == f"{float(default):.6g}"
    try:                                         # a bpy array against a scalar default
        items = list(value)
    except TypeError:
        return value == default
    return len(items) == 1 and same_value(items[0], default)


def point_text(point, default_handle: str) -> str:
    x, y, handle = point
    extra = f", {handle.lower()}" if handle != default_handle else ""
    return f"({float_text(x)}, {float_text(y)}{extra})"


def bool_text(value) -> str:
    return "true" if value else "false"


def string_text(text: str) -> str:
    return quoted(text)


def label_arg(label: str) -> list[str]:
    return [f"label={string_text(label)}"] if label else []


# --- names ------------------------------------------------------------------------------------

class Names:
    """Blender names as nodescript names, unique. `keep`: a node keeps its Blender name (written
    quoted where it is not a bare word, see nodescript.syntax.names) unless another one took
    it; otherwise, and for group sockets, a valid word ("Math.001" -> Math_001)."""

    def __init__(self, reserved: set[str], keep: bool = False):
        self.taken = set(reserved)
        self.keep = keep

    def take(self, blender_name: str, avoid: frozenset[str] = frozenset()) -> str:
        """A unique name for `blender_name`: itself where it is free and not in `avoid` (for
        groups: the kinds the file writes, which a group of that name would hide)."""
        if self.keep and blender_name and blender_name not in self.taken \
                and blender_name not in avoid:
            self.taken.add(blender_name)
            return blender_name
        base = re.sub(r"[^A-Za-z0-9_]+", "_", blender_name).strip("_") or "node"
        if base[0].isdigit():
            base = f"n_{base}"
        if base in RESERVED or base in avoid:
            base = f"{base}_" if not avoid else f"{base}Group"
        name, counter = base, 1
        while name in self.taken or name in avoid:
            counter += 1
            name = f"{base}_{counter}"
        self.taken.add(name)
        return name


def is_kind(name: str) -> bool:
    return vocabulary.find_kind(name) is not None

