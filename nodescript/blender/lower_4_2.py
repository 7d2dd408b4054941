"""Blender 4.2 LTS: the scene's compositor is `scene.node_tree`; File Output has file slots."""

from __future__ import annotations

from nodescript.blender import plan
from nodescript.blender.lowering import Lowering


class Lowering42(Lowering):
    VERSION = "4.2"
    # The compositor lives inside the scene (no datablock name of its own).
    SCENE_TREE_NAME = "{scene}.node_tree"
    # File Output's node-level save_as_render arrived in 4.5 (4.2 only has it per slot, and
    # uses each slot's; 4.5 and 5.0 use the node's unless the input has its own format).
    NODE_SAVE_AS_RENDER = False

    def file_output_properties(self, props: dict, multilayer: bool) -> dict[str, object]:
        """One `base_path`: a multilayer file is named by it (a prefix, not a folder), each
        single-layer file by its slot's path under it. Either way a file lands at
        directory + file_name [+ slot name] + frame + extension, as in 5.0."""
        directory, file_name = props.get("directory", ""), props.get("file_name", "")
        out: dict[str, object] = {"base_path": directory + file_name if multilayer else directory}
        out.update(self.format_properties(props.get("format", {})))
        if "save_as_render" in props and self.NODE_SAVE_AS_RENDER:
            out["save_as_render"] = props["save_as_render"]
        return out

    def file_slot(self, name: str, type_: str, props: dict, multilayer: bool,
                  own_format: tuple | None) -> plan.FileSlot:
        # Slots take the linked socket's type by themselves; the layer name is the item name.
        # 4.2 applies each input's save_as_render (measured): the node's setting goes onto each.
        per_input = None
        if not self.NODE_SAVE_AS_RENDER and own_format is None and not multilayer:
            per_input = bool(props.get("save_as_render", True))
        return plan.FileSlot(name, path=props.get("file_name", "") + name, format=own_format,
                             save_as_render=per_input)
