"""nodescript's version-independent node vocabulary, derived from the shipped catalogues.

A kind is the node's UI name in PascalCase ("Map Value" -> MapValue), so the same word names a
node in every version even where Blender moved it to another type (5.0's ShaderNodeMath is still
Math). Kinds a version lacks but nodescript can still build there are *emulated*: their spec is
borrowed from the newest version that has them and a backend lowering builds them from other nodes.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from nodescript import catalog
from nodescript.catalog import NodeSpec, SocketSpec

# Clearer names than the UI's where the UI name is ambiguous or odd.
KIND_OVERRIDES = {
    "CompositorNodeRLayers": "RenderLayers",
    "CompositorNodeOutputFile": "FileOutput",
    "CompositorNodeGroup": "Group",
    "NodeGroupInput": "GroupInput",
    "NodeGroupOutput": "GroupOutput",
    "NodeReroute": "Reroute",
    "NodeFrame": "Frame",
}

# Kinds that a version may lack but the backends can still express (see nodescript/blender/lower_*).
EMULATED_KINDS = frozenset({"MapValue", "Composite"})

# Kinds users write that are not nodes of their own in the tree.
STRUCTURAL_KINDS = frozenset({"GroupInput", "GroupOutput"})

# Settings nodescript gives a node type where Blender's fresh node differs from what the kind
# means in every version: 5.0's Mix is ShaderNodeMix, whose fresh node mixes floats, while Mix is
# the colour mix of 4.x (MixRGB), as the compositor's own Add menu sets it (data_type = 'RGBA').
IMPLIED_SETTINGS = {("Mix", "ShaderNodeMix"): {"data_type": "RGBA"},
                    # 5.2's Add menu builds the function node's Switch (FLOAT by default in 5.2,
                    # RGBA in 5.3); Switch is the colour switch of the compositor in every version.
                    ("Switch", "GeometryNodeSwitch"): {"input_type": "RGBA"}}

# Socket names that moved between versions, per kind: folded name -> the names it can have in
# another version, tried in order on the side being searched (Mix's `Image` is input A, output
# Result).
SOCKET_ALIASES = {
    "Mix": {"fac": ("Factor",), "factor": ("Fac",), "image": ("A", "Result"), "image001": ("B",),
            "a": ("Image",), "b": ("Image_001",), "result": ("Image",)},
    "MapRange": {"value": ("Result",), "result": ("Value",)},
    "ColorRamp": {"fac": ("Factor",), "factor": ("Fac",), "image": ("Color",), "color": ("Image",)},
    "VectorCurves": {"fac": ("Factor",), "factor": ("Fac",)},
    "Switch": {"off": ("False",), "on": ("True",), "false": ("Off",), "true": ("On",),
               "image": ("Output",), "output": ("Image",), "check": ("Switch",)},
}
SETTING_ALIASES = {"Mix": {"useclamp": "clamp_result", "clampresult": "use_clamp"},
                   "MapRange": {"useclamp": "clamp", "clamp": "use_clamp"},
                   "Switch": {"switch": "check"}}        # 4.2: the state is a setting
# Properties that only mirror an input where the node has that input (4.5's Switch keeps `check`
# in step with its `Switch` input): there the input is the setting, and the property is left
# alone (not written, not compared, not exported).
MIRRORED_PROPERTIES = {("CompositorNodeSwitch", "check"): "Switch"}

# Sockets a node's chain uses when none is named (first match wins).
MAIN_SOCKET_NAMES = ("image", "value", "result", "color", "vector", "float", "a")


_FOLD_NOISE = re.compile(r"[\s_\-]+")


@functools.lru_cache(maxsize=65536)   # called for every name on every node: names repeat a lot
def fold(text: str) -> str:
    """Case-, space-, underscore- and hyphen-insensitive form used for all name matching."""
    return _FOLD_NOISE.sub("", text).lower()


def pascal(ui_name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", ui_name) if part)


def _preference(idname: str, data: dict) -> tuple[int, int, str]:
    # When two node types share a UI name in one version, the one the compositor's Add menu
    # offers wins (4.5 offers ShaderNodeMath and keeps CompositorNodeMath only for old files),
    # then the compositor's own type.
    return (0 if data.get("in_add_menu", True) else 1,
            0 if idname.startswith("CompositorNode") else 1, idname)


def _kinds_of(cat: catalog.Catalog) -> dict[str, tuple[str, bool]]:
    """kind -> (idname, primary) for one version; primary kinds come from UI names, the others
    (a type that lost its UI name to another, like 4.5's legacy CompositorNodeMath) from idnames."""
    chosen: dict[str, tuple[str, bool]] = {}
    nodes = cat.raw["nodes"]
    for idname in sorted(nodes, key=lambda i: _preference(i, nodes[i])):
        kind, primary = KIND_OVERRIDES.get(idname) or pascal(nodes[idname].get("ui_name", idname)), True
        if kind in chosen:
            kind = pascal(re.sub(r"^(CompositorNode|ShaderNode|FunctionNode|GeometryNode|Node)", "", idname))
            primary = False
        chosen.setdefault(kind, (idname, primary))
    return chosen


@functools.cache
def _unified() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """(kind -> {version: idname}, renamed kind -> kind).

    A node type whose UI name changed between versions (RGB -> Color) keeps one kind, the newest
    version's name, so the same word works in every version; the older name stays an alias. A
    type named by its idname in one version (it lost its UI name there) keeps its kind from the
    versions where it had one, unless that kind is taken there.
    """
    versions = catalog.supported_versions()
    per_version = {v: _kinds_of(catalog.load(v)) for v in versions}
    newest_kind: dict[str, str] = {}
    for version in versions:                                # oldest first: newest wins
        for kind, (idname, primary) in per_version[version].items():
            if primary:
                newest_kind[idname] = kind
    table: dict[str, dict[str, str]] = {}
    renamed: dict[str, str] = {}
    for primary_pass in (True, False):
        for version, kinds in per_version.items():
            for kind, (idname, primary) in kinds.items():
                if primary != primary_pass:
                    continue
                canonical = newest_kind.get(idname, kind)
                if not primary and version in table.get(canonical, {}):
                    if idname in newest_kind:   # a legacy type (4.5's CompositorNodeMixRGB, Mix
                        continue                # in 4.2): no kind here, its exact type instead
                    canonical = kind
                if canonical != kind:
                    renamed[kind] = canonical
                table.setdefault(canonical, {})[version] = idname
    return table, {old: new for old, new in renamed.items() if old not in table}


def kind_table() -> dict[str, dict[str, str]]:
    """kind -> {version: idname} over every supported version."""
    return _unified()[0]


@functools.cache
def _kind_lookup() -> dict[str, str]:
    """folded name -> kind; accepts kinds, UI names and bl_idnames (with or without prefix)."""
    lookup: dict[str, str] = {fold(old): new for old, new in _unified()[1].items()}
    for kind, per_version in kind_table().items():
        lookup.setdefault(fold(kind), kind)
        for idname in per_version.values():
            lookup.setdefault(fold(idname), kind)
            bare = re.sub(r"^(CompositorNode|ShaderNode|Node)", "", idname)
            lookup.setdefault(fold(bare), kind)
    return lookup


def find_kind(name: str) -> str | None:
    return _kind_lookup().get(fold(name))


# --- exact types: `Node("CompositorNodeMath", ...)` ----------------------------------------------
# A node type that has no kind in a version (4.5's legacy CompositorNodeMath, which the Add menu
# replaced with ShaderNodeMath, or a type the vocabulary does not name) is written by its
# bl_idname. Its kind in the IR is that idname; its spec is the version's own.

EXACT_CALL = "Node"


@functools.cache
def idnames() -> frozenset[str]:
    return frozenset(i for v in catalog.supported_versions() for i in catalog.load(v).nodes)


def is_exact(kind: str) -> bool:
    """Whether `kind` is an exact type (a bl_idname), not a kind of the vocabulary."""
    return kind not in kind_table() and kind in idnames()


def kind_in(idname: str, version: str) -> str | None:
    """The kind built as `idname` in `version`, if any."""
    return next((k for k, per_version in kind_table().items()
                 if per_version.get(version) == idname), None)


@functools.cache
def semantics(kind: str) -> str:
    """The kind whose semantics a node of `kind` has, for lint: a kind its own; an exact type the
    kind it is in another version (4.5's legacy CompositorNodeMapRange is 4.2's MapRange, read
    with its own settings); else the idname itself, which no rule knows (nothing assumed)."""
    if not is_exact(kind):
        return kind
    return next((k for k, per_version in kind_table().items() if kind in per_version.values()),
                kind)


def all_kinds() -> list[str]:
    return sorted(k for k in kind_table() if k not in STRUCTURAL_KINDS)


@functools.cache
def spec_for(kind: str, version: str) -> tuple[NodeSpec, bool] | None:
    """(spec, emulated) for `kind` in `version`, or None if the version cannot express it.
    Implied settings are the spec's defaults, with the sockets they show."""
    if is_exact(kind):
        spec = catalog.load(version).nodes.get(kind)
        return (_with_language_defaults(spec, version), False) if spec else None
    per_version = kind_table().get(kind, {})
    if version in per_version:
        spec = _with_language_defaults(catalog.load(version).nodes[per_version[version]], version)
        implied = IMPLIED_SETTINGS.get((kind, spec.idname))
        return (_with_defaults(spec, implied) if implied else spec), False
    if kind in EMULATED_KINDS and per_version:
        newest = max(per_version, key=catalog.version_key)
        return catalog.load(newest).nodes[per_version[newest]], True
    return None


def implied_settings(kind: str, idname: str) -> dict[str, object]:
    return IMPLIED_SETTINGS.get((kind, idname), {})


# --- the language's defaults --------------------------------------------------------------------
# A setting's default is the language's, not each version's: where Blender changed a fresh node's
# default (Mix's factor 0.5 -> 1.0 in 5.2, Anti-Aliasing's threshold 1.0 -> 0.2 in 4.5), the same
# text would write other data in another version. The language's default is the one of the oldest
# version with that node type, setting and shape; the resolver writes it explicitly wherever a
# version's fresh node differs, and export leaves out what equals it.

VALUE_TYPES = frozenset({"VALUE", "INT", "BOOLEAN", "RGBA", "VECTOR"})
PROPERTY_TYPES = frozenset({"BOOLEAN", "INT", "FLOAT", "ENUM", "STRING"})


@functools.cache
def language_overrides(idname: str, version: str) -> tuple[dict[str, object], dict[str, object]]:
    """(properties, inputs) where `version`'s fresh `idname` differs from the language's default,
    mapped to the language's value (only where it has the same type and shape there)."""
    spec = catalog.load(version).nodes.get(idname)
    first = _first_spec(idname)
    if spec is None or first is None or first is spec:
        return {}, {}
    props = {}
    for key, prop in spec.properties.items():
        old = first.properties.get(key)
        if (old is not None and prop.type in PROPERTY_TYPES and not prop.readonly
                and old.type == prop.type and old.default != prop.default
                and _same_shape(old.default, prop.default)
                and (prop.type != "ENUM" or old.default in {i for i, _ in prop.items})):
            props[key] = _plain(old.default)
    old_inputs = {s.identifier: s for s in first.inputs}
    inputs = {}
    for sock in spec.inputs:
        old = old_inputs.get(sock.identifier)
        if (old is not None and sock.type in VALUE_TYPES and old.type == sock.type
                and old.default != sock.default and _same_shape(old.default, sock.default)):
            inputs[sock.identifier] = _plain(old.default)
    return props, inputs


def _first_spec(idname: str) -> NodeSpec | None:
    for version in catalog.supported_versions():
        spec = catalog.load(version).nodes.get(idname)
        if spec is not None:
            return spec
    return None


def _same_shape(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
    return a is not None and b is not None


def _plain(value):
    return tuple(value) if isinstance(value, list) else value


def mirrored_properties(spec: NodeSpec) -> frozenset[str]:
    """The spec's properties that mirror one of its inputs (MIRRORED_PROPERTIES)."""
    inputs = {s.identifier for s in spec.inputs}
    return frozenset(prop for (idname, prop), into in MIRRORED_PROPERTIES.items()
                     if idname == spec.idname and into in inputs and prop in spec.properties)


def _with_language_defaults(spec: NodeSpec, version: str) -> NodeSpec:
    mirrors = mirrored_properties(spec)
    if mirrors:
        spec = dataclasses.replace(spec, properties={k: p for k, p in spec.properties.items()
                                                     if k not in mirrors})
    props, inputs = language_overrides(spec.idname, version)
    if not props and not inputs:
        return spec
    new_props = {k: dataclasses.replace(p, default=list(props[k]) if isinstance(props[k], tuple)
                                        else props[k]) if k in props else p
                 for k, p in spec.properties.items()}
    new_inputs = tuple(dataclasses.replace(s, default=list(inputs[s.identifier])
                                           if isinstance(inputs[s.identifier], tuple)
                                           else inputs[s.identifier])
                       if s.identifier in inputs else s for s in spec.inputs)
    return dataclasses.replace(spec, properties=new_props, inputs=new_inputs)


def _with_defaults(spec: NodeSpec, settings: dict) -> NodeSpec:
    props = {k: dataclasses.replace(p, default=settings[k]) if k in settings else p
             for k, p in spec.properties.items()}
    return dataclasses.replace(spec, properties=props, inputs=shown_sockets(spec, "inputs", settings),
                               outputs=shown_sockets(spec, "outputs", settings))


def shown_sockets(spec: NodeSpec, side: str, settings: dict) -> tuple[SocketSpec, ...]:
    """The spec's sockets on `side`, `enabled` as Blender shows them with these settings (the
    rest at their defaults), from the catalogue's probed availability."""
    if not spec.availability:
        return getattr(spec, side)
    by = spec.availability["by"]
    values = settings.get(by[0]) if len(by) == 1 else tuple(settings.get(name) for name in by)
    key = (id(spec), side, values)
    if key not in _SHOWN:
        _SHOWN[key] = _shown(spec, side, values)
    return _SHOWN[key]


_SHOWN: dict[tuple, tuple[SocketSpec, ...]] = {}     # specs live as long as the process


def _shown(spec: NodeSpec, side: str, values: tuple) -> tuple[SocketSpec, ...]:
    by = spec.availability["by"]
    values = (values,) if len(by) == 1 else values
    case = " ".join(str(spec.properties[name].default if value is None else value)
                    for name, value in zip(by, values))
    sockets = getattr(spec, side)
    found = spec.availability["cases"].get(case)
    if found is None:
        return sockets
    shown = set(found[side])
    return tuple(s if s.enabled == (s.identifier in shown)
                 else dataclasses.replace(s, enabled=s.identifier in shown) for s in sockets)


def is_setting(kind: str, version: str, name: str) -> bool:
    """Whether `name` (or its alias) is a node setting of `kind` in `version`, not an input."""
    return fold(name) in _setting_names(kind, version)


@functools.cache
def _setting_names(kind: str, version: str) -> frozenset[str]:
    found = spec_for(kind, version)
    props = found[0].properties if found else {}
    aliases = {a for a, real in SETTING_ALIASES.get(kind, {}).items() if real in props}
    return frozenset({fold(p) for p in props} | aliases)


def setting_alias(kind: str, name: str) -> str | None:
    return SETTING_ALIASES.get(kind, {}).get(fold(name))


# --- sockets -----------------------------------------------------------------

# Pass words for view-layer switches whose property name is not the pass's name (the UI label).
# File Output's file_format -> the word `format=` takes (others: the identifier in lower case).
FORMAT_WORDS = {"OPEN_EXR": "exr", "OPEN_EXR_MULTILAYER": "exr-multilayer"}
PASS_WORDS = {"denoising_data": "denoising_store_passes"}


@functools.cache
def pass_aliases(version: str) -> dict[str, str]:
    """folded alias -> Render Layers output name in `version`.

    Passes renamed between versions (IndexOB -> Object Index) are matched through the view-layer
    property that enables them, which did not change, so either name works in every version.
    """
    by_property: dict[str, set[str]] = {}
    for v in catalog.supported_versions():
        for socket, how in catalog.load(v).render_passes.items():
            if how.get("property"):
                by_property.setdefault(how["property"], set()).add(socket)
    sockets = catalog.load(version).render_passes
    aliases: dict[str, str] = {fold(socket): socket for socket in sockets}   # own names first
    for socket, how in sockets.items():
        for other in by_property.get(how.get("property") or "", ()):
            aliases.setdefault(fold(other), socket)
        if how.get("property"):
            aliases.setdefault(fold(how["property"].removeprefix("use_pass_")), socket)
    for word, prop in PASS_WORDS.items():       # Blender's UI label for a switch named otherwise
        socket = next((s for s, how in sockets.items() if how.get("property") == prop), None)
        if socket is not None:
            aliases.setdefault(fold(word), socket)
    aliases.setdefault("z", aliases.get("depth", "Depth"))
    return aliases


def find_socket(sockets: tuple[SocketSpec, ...], key: str | int, *, kind: str = "",
                version: str = "") -> int | None:
    """Index of the socket named or numbered `key`, matching identifier or UI name loosely."""
    if isinstance(key, int):
        return key if 0 <= key < len(sockets) else None
    wanted = fold(key)
    # A name can repeat over sockets of which one shows (5.0 Mix: A_Float, A_Color, ...): the
    # first shown match wins, by UI name, then by identifier; else the first hidden match.
    hidden = None
    for attr in ("name", "identifier"):
        for i, sock in enumerate(sockets):
            if fold(getattr(sock, attr)) == wanted:
                if sock.enabled:
                    return i
                hidden = i if hidden is None else hidden
    if hidden is not None:
        return hidden
    if kind == "RenderLayers" and version:
        renamed = pass_aliases(version).get(wanted)
        return find_socket(sockets, renamed) if renamed is not None else None
    for other in SOCKET_ALIASES.get(kind, {}).get(wanted, ()):
        found = find_socket(sockets, other)
        if found is not None:
            return found
    return None


def main_socket(sockets: tuple[SocketSpec, ...], taken: set[int]) -> int | None:
    """The socket a chain uses when none is named: the only free one, else a main-named one."""
    free = [i for i, s in enumerate(sockets) if i not in taken and s.enabled]
    if len(free) == 1:
        return free[0]
    for wanted in MAIN_SOCKET_NAMES:
        for i in free:
            if fold(sockets[i].name) == wanted:
                return i
    return None


# --- enum values -------------------------------------------------------------

# Friendly spellings for enum items, per property identifier (folded alias -> item identifier).
ENUM_ALIASES = {
    "file_format": {"exr": "OPEN_EXR", "openexr": "OPEN_EXR", "exrmultilayer": "OPEN_EXR_MULTILAYER",
                    "multilayer": "OPEN_EXR_MULTILAYER", "tif": "TIFF", "jpg": "JPEG",
                    "jpeg2000": "JPEG2000", "jp2": "JPEG2000", "hdr": "HDR", "webp": "WEBP"},
    "color_depth": {"8": "8", "10": "10", "12": "12", "16": "16", "32": "32",
                    "half": "16", "full": "32", "float": "32"},
    "exr_codec": {"none": "NONE", "zip": "ZIP", "zips": "ZIPS", "piz": "PIZ", "rle": "RLE",
                  "pxr24": "PXR24", "b44": "B44", "b44a": "B44A", "dwaa": "DWAA", "dwab": "DWAB",
                  "ht256": "HTJ2K_256", "lossless": "ZIP"},
    "color_mode": {"bw": "BW", "grey": "BW", "gray": "BW", "rgb": "RGB", "rgba": "RGBA"},
}


def match_enum(value: str, items: tuple[tuple[str, str], ...], prop: str = "") -> str | None:
    """The item identifier `value` names (identifier, UI name or friendly alias), else None."""
    wanted = fold(str(value))
    alias = ENUM_ALIASES.get(prop, {}).get(wanted)
    if alias is not None and any(ident == alias for ident, _ in items):
        return alias
    for ident, name in items:
        if fold(ident) == wanted or fold(name) == wanted:
            return ident
    return None
