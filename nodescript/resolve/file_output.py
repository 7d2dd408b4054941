"""FileOutput: one vocabulary for three File Output APIs (4.2 slots, 4.5 slots, 5.0 items).

Settings are nodescript's own, checked against the version's image formats from the catalogue;
the binding keeps them version-neutral (`directory`, `file_name`, `format`, `save_as_render`) and
each backend lowering maps them onto its API. Inputs are created by the links into the node.
"""

from __future__ import annotations

from nodescript import catalog, ir, vocabulary
from nodescript.catalog import PropSpec
from nodescript.diagnostics import did_you_mean
from nodescript.resolve import codes
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
    "label": ("label", None, "str"),
    "preview": ("preview", None, "bool"),
    "mute": ("mute", None, "bool"),
}

# What nodescript writes when a setting is not given: the same in every version (Blender's own
# defaults differ: PNG 8-bit in 4.x, multilayer EXR in 5.0), and lossless full float.
DEFAULTS = {"file_format": "OPEN_EXR", "color_depth": "32", "exr_codec": "ZIP", "color_mode": "RGB",
            "directory": "//render/", "file_name": ""}
FORMAT_KEYS = ("file_format", "color_depth", "exr_codec", "color_mode", "quality", "compression")


def resolve_file_output(call: ast.NodeCall, version: str, resolver) -> ir.NodeBinding:
    given = {}
    for arg in call.args:
        if arg.name == "parent":          # a setting of every node: the resolver checks it
            continue
        spec = ARGS.get(arg.name)
        if spec is None:
            resolver.error(codes.UNKNOWN_SETTING, f"FileOutput has no setting `{arg.name}`", arg.span,
                           did_you_mean(arg.name, [*ARGS, "parent"]))
            continue
        if spec[0] in given:
            resolver.error(codes.DUPLICATE_NAME, f"FileOutput `{given[spec[0]].name}` and "
                           f"`{arg.name}` set the same thing", arg.span)
            continue
        given[spec[0]] = arg
    settings = _settings(given, version, resolver)
    props = {k: settings[k] for k in ("directory", "file_name") if k in settings}
    props["format"] = {k: settings[k] for k in FORMAT_KEYS if k in settings}
    if "save_as_render" in settings:
        if "save_as_render" not in catalog.load(version).file_output.get("properties", []) \
                and version != "5.0":
            resolver.error(codes.NOT_IN_TARGET, f"FileOutput `save_as_render` is not available in "
                           f"Blender {version}", given["save_as_render"].span)
        props["save_as_render"] = settings["save_as_render"]
    return ir.NodeBinding("CompositorNodeOutputFile", properties=props)


def _settings(given: dict[str, ast.Arg], version: str, resolver) -> dict[str, object]:
    image = catalog.load(version).image_format
    out = {k: v for k, v in DEFAULTS.items() if k not in ("exr_codec", "color_depth", "color_mode")}
    for key, arg in given.items():
        _, prop, type_ = ARGS[arg.name]
        if type_ != "enum":
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


def format_label(props: dict) -> str:
    """Short description for drawings and messages: `exr 32 zip`."""
    fmt = props.get("format", {})
    words = [vocabulary.fold(fmt.get("file_format", "")).replace("openexr", "exr"),
             fmt.get("color_depth", ""), fmt.get("exr_codec", "").lower()]
    return " ".join(w for w in words if w)
