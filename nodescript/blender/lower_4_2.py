"""Blender 4.2 LTS: the scene's compositor is `scene.node_tree`; File Output has file slots."""

from __future__ import annotations

from nodescript.blender import plan
from nodescript.blender.lowering import Lowering, LoweringError


class Lowering42(Lowering):
    VERSION = "4.2"
    # The compositor lives inside the scene (no datablock name of its own).
    SCENE_TREE_NAME = "{scene}.node_tree"
    # File Output's node-level save_as_render arrived in 4.5 (4.2 only has it per slot).
    NODE_SAVE_AS_RENDER = False

    def file_output_properties(self, props: dict, multilayer: bool) -> dict[str, object]:
        """One `base_path`: a multilayer file is named by it (a prefix, not a folder), each
        single-layer file by its slot's path under it. Either way a file lands at
        directory + file_name [+ slot name] + frame + extension, as in 5.0."""
        directory, file_name = props.get("directory", ""), props.get("file_name", "")
        out: dict[str, object] = {"base_path": directory + file_name if multilayer else directory}
        out.update(self.format_properties(props.get("format", {})))
        if "save_as_render" in props:
            if not self.NODE_SAVE_AS_RENDER:
                raise LoweringError(f"FileOutput `save_as_render` is not available in Blender "
                                    f"{self.VERSION}")
            out["save_as_render"] = props["save_as_render"]
        return out

    def file_slot(self, name: str, type_: str, props: dict, multilayer: bool,
                  own_format: tuple | None) -> plan.FileSlot:
        # Slots take the linked socket's type by themselves; the layer name is the item name.
        return plan.FileSlot(name, path=props.get("file_name", "") + name, format=own_format)
