"""File Output lowering: the version-neutral settings onto the version's File Output API
(4.x `base_path` + slots, 5.0+ `directory` + `file_name` + typed items), as the dialect says."""

from __future__ import annotations

from nodescript.blender import plan
from nodescript.dialects import Dialect

# What the data a link carries is declared as on a 5.0+ item: the type decides half vs full
# float in a 16-bit EXR, so a value stays a value.
ITEM_SOCKET_TYPES = {"VALUE": "FLOAT", "INT": "FLOAT", "BOOLEAN": "FLOAT", "VECTOR": "VECTOR",
                     "RGBA": "RGBA"}
# Render passes with four components: motion vectors (previous and next frame's x and y). An
# item declares them 4D, else Blender writes X, Y, Z and drops the next frame's y (measured in
# 5.0 and 5.1; a 4.2 slot drops it too, 4.5's keeps it).
FOUR_COMPONENT_PASSES = frozenset({"use_pass_vector"})
# file_format first: switching format resets depth, codec and colour mode.
FORMAT_KEYS = ("file_format", "color_depth", "exr_codec", "color_mode", "quality", "compression")


# A format's own colour management (`view_transform=raw` on a FileOutput), after the format:
# switching file_format resets the colour space, and the display resets the view.
COLOUR_PATHS = (("display_device", "display_settings.display_device"),
                ("view_transform", "view_settings.view_transform"),
                ("look", "view_settings.look"), ("exposure", "view_settings.exposure"),
                ("gamma", "view_settings.gamma"),
                ("color_space", "linear_colorspace_settings.name"))


def format_properties(fmt: dict) -> dict[str, object]:
    out = {f"format.{k}": fmt[k] for k in FORMAT_KEYS if k in fmt}
    colour = fmt.get("color_management")
    if colour is not None:                 # every field: Blender starts them by version
        out["format.color_management"] = "OVERRIDE"
        out.update((f"format.{path}", colour[key]) for key, path in COLOUR_PATHS)
    return out


def own_format(props: dict, name: str) -> tuple[tuple[str, object], ...] | None:
    """An input's own format (`out.preview(format=png)`) as RNA paths under its slot."""
    fmt = props.get("input_formats", {}).get(name)
    if fmt is None:
        return None
    return (*format_properties(fmt).items(), ("save_as_render", fmt["save_as_render"]))


def node_properties(dialect: Dialect, props: dict, multilayer: bool) -> dict[str, object]:
    fmt = props.get("format", {})
    directory, file_name = props.get("directory", ""), props.get("file_name", "")
    if dialect.FILE_OUTPUT_ITEMS:
        out: dict[str, object] = {
            "directory": directory, "file_name": file_name,
            "format.media_type": dialect.MEDIA_TYPES.get(fmt.get("file_format"), "IMAGE")}
    else:
        # One `base_path`: a multilayer file is named by it (a prefix, not a folder), each
        # single-layer file by its slot's path under it. Either way a file lands at
        # directory + file_name [+ slot name] + frame + extension, as with items.
        out = {"base_path": directory + file_name if multilayer else directory}
    if dialect.FILE_EXTENSION_SWITCH:
        out["use_file_extension"] = bool(props.get("use_file_extension", True))
    out.update(format_properties(fmt))
    if "save_as_render" in props and dialect.NODE_SAVE_AS_RENDER:
        out["save_as_render"] = props["save_as_render"]
    return out


def slot(dialect: Dialect, name: str, type_: str, props: dict, multilayer: bool,
         components: int = 3) -> plan.FileSlot:
    fmt = own_format(props, name)
    if dialect.FILE_OUTPUT_ITEMS:
        if fmt is not None:                   # an item's format has a media type too
            fmt = (("format.media_type", "IMAGE"), *fmt)
        type_ = props.get("input_types", {}).get(name, type_)      # `out.depth(type=float)`
        socket_type = ITEM_SOCKET_TYPES.get(type_, "RGBA")
        dims = components if socket_type == "VECTOR" and components != 3 else None
        return plan.FileSlot(name, socket_type=socket_type, format=fmt, dimensions=dims)
    # Slots take the linked socket's type by themselves; the layer name is the item name.
    # Without a node-level save_as_render each input's own flag applies (measured in 4.2):
    # the node's setting goes onto each.
    per_input = None
    if not dialect.NODE_SAVE_AS_RENDER and fmt is None and not multilayer:
        per_input = bool(props.get("save_as_render", True))
    return plan.FileSlot(name, path=props.get("file_name", "") + name, format=fmt,
                         save_as_render=per_input)
