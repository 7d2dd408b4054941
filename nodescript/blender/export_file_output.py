"""Export of File Output nodes: 4.x base_path + file/layer slots, 5.x directory + file_name +
items, as FileOutput(path=..., format=...) and a slot name per input."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nodescript import vocabulary
from nodescript.blender.export_text import label_arg, language, string_text
from nodescript.blender.lower_file_output import FOUR_COMPONENT_PASSES
from nodescript.scene_settings import (FILE_COLOUR_SETTINGS, FILE_COLOUR_STARTS, VIEW_TRANSFORMS,
                                      file_colour_space)

if TYPE_CHECKING:
    from nodescript.blender.export_scene import SceneExporter
    from nodescript.blender.export_tree import Unit
OWN_FORMAT = ("has its own format, which a multilayer EXR ignores (its inputs are layers of one "
              "file); not exported")
RAW_SLOT = ("has save_as_render off while other inputs on the node's format have it on; "
            "nodescript gives them one value (this Blender keeps it per input); exported as on")


# --- File Output ----------------------------------------------------------------------------

class FileOutputReader:
    """4.x base_path + file_slots/layer_slots, or 5.0 directory + file_name + items, as
    FileOutput(path=..., format=..., ...) and one slot name per input."""

    def __init__(self, exporter: SceneExporter, node, unit: Unit):
        self.x = exporter
        self.node = node
        self.unit = unit
        self.fmt = node.format
        self.per_format = exporter.catalog.image_format.get("per_format", {}) \
            .get(self.fmt.file_format, {})

    def args(self) -> list[str]:
        directory, file_name = self.paths_and_slots()
        args = [f"path={string_text(directory)}"]
        if file_name != language().file_defaults["file_name"]:
            args.append(f"file_name={string_text(file_name)}")
        args += self.format_args()
        if not self.save_as_render():
            args.append("save_as_render=false")
        if self.x.dialect.FILE_EXTENSION_SWITCH and not self.node.use_file_extension:
            args.append("use_file_extension=false")
        self.unlinked_notes()
        return args + label_arg(self.node.label)

    def paths_and_slots(self) -> tuple[str, str]:
        if self.x.dialect.FILE_OUTPUT_ITEMS:
            items = list(self.node.file_output_items)
            self.unit.slots = [item.name for item in items]
            self.own_formats(items, [item.override_node_format for item in items])
            self.dimension_notes(items)
            return self.node.directory, self.node.file_name
        base = self.node.base_path
        layers = [slot.name for slot in self.node.layer_slots]
        if self.fmt.file_format == "OPEN_EXR_MULTILAYER":
            self.unit.slots = layers
            cut = max(base.rfind("/"), base.rfind("\\")) + 1
            return base[:cut], base[cut:]      # a multilayer base_path is directory + file name
        slots = list(self.node.file_slots)
        prefix = common_prefix([slot.path for slot in slots], layers)
        # Layer names edited apart from the paths: the paths name the files, so they win.
        self.unit.slots = layers if prefix is not None else [slot.path for slot in slots]
        self.own_formats(slots, [not slot.use_node_format for slot in slots])
        if not self.x.dialect.NODE_SAVE_AS_RENDER \
                and len({s.save_as_render for s in slots if s.use_node_format}) > 1:
            self.note_slots([s.use_node_format and not s.save_as_render for s in slots], RAW_SLOT)
        return base, prefix or ""

    def dimension_notes(self, items: list) -> None:
        """Vector items are 3D, or 4D when fed by the motion-vector pass (as lowering declares
        them); other dimensions cannot be written in the language yet."""
        for index, item in enumerate(items):
            if item.socket_type != "VECTOR" or index >= len(self.node.inputs):
                continue
            links = self.node.inputs[index].links
            source = links[0].from_socket if links else None
            how = self.x.catalog.render_passes.get(source.name) if source is not None \
                and links[0].from_node.bl_idname == "CompositorNodeRLayers" else None
            wanted = 4 if (how or {}).get("property") in FOUR_COMPONENT_PASSES else 3
            if item.vector_socket_dimensions != wanted:
                self.note_slots([i == index for i in range(len(items))],
                                f"is a {item.vector_socket_dimensions}D vector; nodescript "
                                f"builds it {wanted}D")

    def save_as_render(self) -> bool:
        """The node's; without a node-level flag (4.2) it is per input only: off when every
        input on the node's format has it off (apply sets the node's value on each)."""
        if self.x.dialect.NODE_SAVE_AS_RENDER:
            return self.node.save_as_render
        if self.fmt.file_format == "OPEN_EXR_MULTILAYER":
            return True
        flags = [s.save_as_render for s in self.node.file_slots if s.use_node_format]
        return not flags or any(flags)

    def note_slots(self, flags: list[bool], what: str) -> None:
        for name, flag in zip(self.unit.slots, flags):
            if flag:
                self.x.note(f'File Output "{self.node.name}": input "{name}" {what}')

    def own_formats(self, owners: list, flags: list[bool]) -> None:
        """Inputs written with their own format: `out.name(format=png, ...)` on the link."""
        multilayer = self.fmt.file_format == "OPEN_EXR_MULTILAYER"
        for index, (owner, on) in enumerate(zip(owners, flags)):
            if not on:
                continue
            fmt = owner.format
            if multilayer or fmt.file_format == "OPEN_EXR_MULTILAYER":
                self.note_slots([i == index for i in range(len(owners))], OWN_FORMAT)
                continue
            per = self.x.catalog.image_format.get("per_format", {}).get(fmt.file_format, {})
            args = format_args(fmt, per) + ([] if owner.save_as_render else ["save_as_render=false"])
            self.unit.input_args.setdefault(index, []).extend(args)

    def format_args(self) -> list[str]:
        return format_args(self.fmt, self.per_format)

    def unlinked_notes(self) -> None:
        for index, name in enumerate(self.unit.slots):
            if index < len(self.node.inputs) and not self.node.inputs[index].is_linked:
                self.x.note(f'File Output "{self.node.name}": input "{name}" is not linked; '
                            "Blender writes nothing for it, and nodescript creates inputs by "
                            "links, so it is left out")


def format_args(fmt, per: dict) -> list[str]:
    """Format and depth always (they decide precision, and Blender's defaults differ by
    version); codec for EXR; the rest when not what nodescript or Blender would pick."""
    args = [f"format={vocabulary.FORMAT_WORDS.get(fmt.file_format, fmt.file_format.lower())}"]
    if fmt.color_depth:
        args.append(f"depth={fmt.color_depth}")
    if per.get("exr_codec"):
        args.append(f"codec={fmt.exr_codec.lower()}")
    modes = per.get("color_mode", [])
    wanted = language().file_defaults["color_mode"]     # as the resolver picks it
    if fmt.color_mode != (wanted if wanted in modes else (modes or [None])[0]):
        args.append(f"color_mode={fmt.color_mode.lower()}")
    if uses_quality(fmt, per) and fmt.quality != language().quality:
        args.append(f"quality={fmt.quality}")
    if fmt.file_format == "PNG" and fmt.compression != language().compression:
        args.append(f"compression={fmt.compression}")
    return args + colour_args(fmt)


def colour_args(fmt) -> list[str]:
    """A format's own colour management: the fields that differ from what the language writes
    when they are not given, or the view alone when none does (there is an override)."""
    if getattr(fmt, "color_management", "FOLLOW_SCENE") != "OVERRIDE":
        return []
    view = fmt.view_settings
    words = {name: word for word, name in VIEW_TRANSFORMS.items()}
    wanted = dict(FILE_COLOUR_STARTS, color_space=file_colour_space(fmt.file_format))
    found = {"view_transform": view.view_transform, "look": view.look,
             "exposure": view.exposure, "gamma": view.gamma,
             "display_device": fmt.display_settings.display_device,
             "color_space": fmt.linear_colorspace_settings.name}
    args = []
    for name, key in FILE_COLOUR_SETTINGS.items():
        value = found[key]
        if value == wanted[key] and not (key == "view_transform" and
                                         all(found[k] == wanted[k] for k in found)):
            continue
        if key == "view_transform" and value in words:
            args.append(f"{name}={words[value]}")
        else:
            args.append(f"{name}={value:g}" if isinstance(value, float) else
                        f"{name}={string_text(value)}")
    return args


def uses_quality(fmt, per: dict) -> bool:
    if per.get("exr_codec"):                    # EXR: only its lossy DWA codecs (5.0)
        return fmt.exr_codec in per.get("quality_exr_codecs", [])
    return bool(per.get("quality"))


def common_prefix(paths: list[str], layers: list[str]) -> str | None:
    """P when every 4.x slot path is P + its layer name (how apply writes file_name), else None."""
    if not paths or len(paths) != len(layers) or not paths[0].endswith(layers[0]):
        return None
    prefix = paths[0][:len(paths[0]) - len(layers[0])]
    return prefix if all(p == prefix + l for p, l in zip(paths, layers)) else None


