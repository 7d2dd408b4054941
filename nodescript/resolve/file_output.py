"""FileOutput: one vocabulary for three File Output APIs (4.2 slots, 4.5 slots, 5.0 items).

Settings are nodescript's own, checked against the version's image formats from the catalogue;
the binding keeps them version-neutral (`directory`, `file_name`, `format`, `save_as_render`) and
each backend lowering maps them onto its API. Inputs are created by the links into the node.
"""

from __future__ import annotations

from nodescript import catalog, dialects, ir, vocabulary
from nodescript.catalog import PropSpec
from nodescript.diagnostics import did_you_mean
from nodescript.resolve import codes, file_colour, presets
from nodescript.resolve.values import ValueError_, describe, for_property, plain
from nodescript.syntax import ast

FILE_OUTPUT = "FileOutput"

# Written name -> (binding key, format property or None, value type)
ARGS = {
    "path": ("directory", None, "str"),
    "directory": ("directory", None, "str"),
    "file_name": ("file_name", None, "str"),
    "format": ("file_format", "file_format", "enum"),
    "depth": ("color_depth", "color_depth", "enum"),
    "codec": ("exr_codec", "exr_codec", "enum"),
    "color_mode": ("color_mode", "color_mode", "enum"),
    "quality": ("quality", None, "int"),
    "compression": ("compression", None, "int"),
    "save_as_render": ("save_as_render", None, "bool"),
    "use_file_extension": ("use_file_extension", None, "bool"),
    **{name: (name, None, "colour") for name in file_colour.SETTINGS},   # an override
    "label": ("label", None, "str"),
    "preview": ("preview", None, "bool"),
    "mute": ("mute", None, "bool"),
}

# What nodescript writes when a setting is not given: the same in every version (Blender's own
# defaults differ: PNG 8-bit in 4.x, multilayer EXR in 5.0), and lossless full float.
DEFAULTS = {"file_format": "OPEN_EXR", "color_depth": "32", "exr_codec": "ZIP", "color_mode": "RGB",
            "directory": "//render/", "file_name": ""}
FORMAT_KEYS = ("file_format", "color_depth", "exr_codec", "color_mode", "quality", "compression")
# ImageFormatSettings' RNA defaults. A new input's own format starts as a copy of the node's, so
# an own format always sets these too: it never depends on the node's.
BLENDER_QUALITY, BLENDER_COMPRESSION = 90, 15


# What an input's own format takes: `out.preview(format=png, depth=8)`.
FORMAT_INPUT_ARGS = ("format", "depth", "codec", "color_mode", "quality", "compression",
                     "save_as_render", *file_colour.SETTINGS)
# Blender 5.0 inputs (items) declare their type, which decides half or full float in a 16-bit
# EXR; nodescript declares the linked socket's type unless `out.depth(type=float)` says.
INPUT_TYPES = {"float": "VALUE", "vector": "VECTOR", "color": "RGBA"}
INPUT_ARGS = (*FORMAT_INPUT_ARGS, "type", "mute")
MULTILAYER = "OPEN_EXR_MULTILAYER"


def resolve_file_output(call: ast.NodeCall, version: str, resolver) -> ir.NodeBinding:
    given = _given(call.args, [*ARGS, "parent"], "FileOutput has", resolver)
    given.pop("parent", None)             # a setting of every node: the resolver checks it
    settings = _settings(given, version, resolver)
    props = {k: settings[k] for k in ("directory", "file_name") if k in settings}
    props["format"] = {k: settings[k] for k in FORMAT_KEYS if k in settings}
    _colour(props["format"], given, version, resolver)
    if "save_as_render" in settings:    # 4.2 has it per input only: its lowering sets each
        props["save_as_render"] = settings["save_as_render"]
    if settings.get("use_file_extension") is False:
        _without_extension(given["use_file_extension"], version, resolver)
        props["use_file_extension"] = False
    return ir.NodeBinding("CompositorNodeOutputFile", properties=props)


def _without_extension(arg: ast.Arg, version: str, resolver) -> None:
    """Files without an extension exist only where File Output has the switch (5.2 on)."""
    if not dialects.get(version).FILE_EXTENSION_SWITCH:
        since, newest = dialects.first_with("FILE_EXTENSION_SWITCH"), dialects.versions()[-1]
        resolver.error(codes.NOT_IN_TARGET, f"File Output writes files without an extension "
                       f"from Blender {since} on only (use_file_extension)", arg.span,
                       f'target "{since}".."{newest}", or leave use_file_extension out')


def resolve_input_settings(endpoint: ast.Endpoint, node: ir.Node, link: ir.Link, version: str,
                           resolver) -> None:
    """`out.name(...)`: the input's declared type and/or its own format."""
    args = presets.expand(endpoint.args, "FileOutput", resolver.error)
    given = _given(args, INPUT_ARGS, "a File Output input has", resolver)
    mute = given.pop("mute", None)                # the link's, not the format's
    if mute is not None and _check_plain(mute, "bool"):
        resolver.error(codes.BAD_VALUE, "mute takes true or false", mute.value.span)
    elif mute is not None:
        link.muted = mute.value.value
    declared = given.pop("type", None)
    if declared is not None:
        _input_type(declared, node, link, version, resolver)
    if given or not endpoint.args:                # `out.x()`: its own format, all defaults
        _input_format(given, endpoint, node, link.to_socket, version, resolver)


def _input_type(arg: ast.Arg, node: ir.Node, link: ir.Link, version: str, resolver) -> None:
    word = arg.value.name.lower() if isinstance(arg.value, ast.Ident) else None
    if word not in INPUT_TYPES:
        resolver.error(codes.BAD_VALUE, f"an input's type is {', '.join(INPUT_TYPES)}, not "
                       f"{describe(arg.value)}", arg.value.span)
        return
    if not dialects.get(version).FILE_OUTPUT_ITEMS:
        typed = [d.VERSION for d in dialects.all_dialects() if d.FILE_OUTPUT_ITEMS]
        resolver.error(codes.NOT_IN_TARGET, f"File Output inputs declare a type in Blender "
                       f"{typed[0]} on only: before it an input takes the type of the socket "
                       "linked into it", arg.span,
                       f'target "{typed[0]}".."{typed[-1]}", or link from a socket of that type')
        return
    type_ = INPUT_TYPES[word]
    node.bindings[version].properties.setdefault("input_types", {})[link.to_socket] = type_
    src, dst = link.bindings[version]
    link.bindings[version] = (src, ir.SocketBinding(dst.index, dst.identifier, dst.name, type_))


def _input_format(given: dict[str, ast.Arg], endpoint: ast.Endpoint, node: ir.Node, slot: str,
                  version: str, resolver) -> None:
    """An input written with its own format, not the node's (4.x `use_node_format` off, 5.0
    `override_node_format` on). The same settings and defaults as the node's format."""
    binding = node.bindings[version]
    if binding.properties["format"].get("file_format") == MULTILAYER:
        resolver.error(codes.BAD_VALUE, f"`{node.name}` writes one multilayer EXR: its inputs are "
                       "layers of that file and cannot have a format of their own", endpoint.span,
                       "drop the settings, or link into a FileOutput of its own")
        return
    settings = _settings(given, version, resolver)
    if settings["file_format"] == MULTILAYER:
        resolver.error(codes.BAD_VALUE, "one input cannot be a multilayer EXR", given["file_format"].span,
                       "link it into a FileOutput(format=exr-multilayer) of its own")
        return
    fmt = {"quality": BLENDER_QUALITY, "compression": BLENDER_COMPRESSION}
    fmt.update((k, settings[k]) for k in FORMAT_KEYS if k in settings)
    own = {k: fmt[k] for k in FORMAT_KEYS if k in fmt}
    own["save_as_render"] = settings.get("save_as_render", True)     # Blender's, not the node's
    _colour(own, given, version, resolver)
    binding.properties.setdefault("input_formats", {})[slot] = own


def _colour(fmt: dict, given: dict[str, ast.Arg], version: str, resolver) -> None:
    """The format's own colour management, when a colour setting is given."""
    found = file_colour.resolve(given, fmt.get("file_format", ""), version, resolver)
    if found is not None:
        fmt["color_management"] = found


def _given(args, allowed, owner: str, resolver) -> dict[str, ast.Arg]:
    """Settings by binding key; unknown and repeated ones are errors."""
    given: dict[str, ast.Arg] = {}
    for arg in args:
        spec = ARGS.get(arg.name) if arg.name in allowed else None
        key = arg.name if arg.name in ("parent", "type", "mute") and arg.name in allowed \
            else spec and spec[0]
        if key is None and arg.name in ARGS:
            resolver.error(codes.UNKNOWN_SETTING, f"`{arg.name}` is a setting of the whole File "
                           "Output, not of one input", arg.span,
                           f"an input takes {', '.join(allowed)}")
        elif key is None:
            resolver.error(codes.UNKNOWN_SETTING, f"{owner} no setting `{arg.name}`", arg.span,
                           did_you_mean(arg.name, list(allowed)))
        elif key in given:
            resolver.error(codes.DUPLICATE_NAME, f"FileOutput `{given[key].name}` and "
                           f"`{arg.name}` set the same thing", arg.span)
        else:
            given[key] = arg
    return given


def _settings(given: dict[str, ast.Arg], version: str, resolver) -> dict[str, object]:
    image = catalog.load(version).image_format
    out = {k: v for k, v in DEFAULTS.items() if k not in ("exr_codec", "color_depth", "color_mode")}
    for key, arg in given.items():
        _, prop, type_ = ARGS[arg.name]
        if type_ not in ("enum", "colour"):
            problem = _check_plain(arg, type_)
            if problem:
                resolver.error(codes.BAD_VALUE, problem, arg.value.span)
            else:
                out[key] = plain(arg.value)
    fmt = _enum(given.get("file_format"), "file_format", image.get("file_formats", []), resolver)
    out["file_format"] = fmt or DEFAULTS["file_format"]
    per = image.get("per_format", {}).get(out["file_format"], {})
    for key in ("color_depth", "exr_codec", "color_mode"):
        items = per.get(key, [])
        if key == "exr_codec" and "color_depth" in out:   # B44/B44A exist only at half float
            items = per.get("exr_codec_by_depth", {}).get(out["color_depth"], items)
        if key in given:
            value = _enum(given[key], key, items, resolver, fmt=out["file_format"])
            if value is not None:
                out[key] = value
        elif items:
            out[key] = _default_for(key, items)
    return out


def _default_for(key: str, items: list[str]) -> str:
    wanted = DEFAULTS[key]
    if key == "color_depth":          # the deepest the format offers: 32 for EXR, 16 for PNG/TIFF
        return max(items, key=lambda i: int(i) if i.isdigit() else 0)
    return wanted if wanted in items else items[0]


def _enum(arg: ast.Arg | None, key: str, items: list[str], resolver, fmt: str = "") -> str | None:
    if arg is None:
        return None
    if not items:
        resolver.error(codes.BAD_VALUE, f"`{arg.name}` does not apply to {fmt.lower()} files", arg.span)
        return None
    prop = PropSpec(key, "ENUM", items=tuple((i, i) for i in items))
    try:
        return for_property(arg.value, prop, f"FileOutput {arg.name}" + (f" for {fmt.lower()}" if fmt else ""))
    except ValueError_ as exc:
        resolver.error(codes.BAD_VALUE, str(exc), arg.value.span, exc.help)
        return None


def _check_plain(arg: ast.Arg, type_: str) -> str | None:
    value = arg.value
    if type_ == "str" and not isinstance(value, ast.String):
        return f"FileOutput {arg.name} takes a string, not {describe(value)}"
    if type_ == "bool" and not isinstance(value, ast.Bool):
        return f"FileOutput {arg.name} takes true or false, not {describe(value)}"
    if type_ == "int" and not (isinstance(value, ast.Number) and isinstance(value.value, int)
                               and 0 <= value.value <= 100):
        return f"FileOutput {arg.name} takes a whole number from 0 to 100"
    return None
