"""Blender 5.0: the compositor is a node group, Composite and Map Value are gone, File Output
was rewritten (directory + file_name + typed items), Math/Map Range are the shader nodes (the
IR bindings already name those)."""

from __future__ import annotations

from nodescript import ir, vocabulary
from nodescript.blender import plan
from nodescript.blender.lower_4_5 import Lowering45
from nodescript.blender.lowering import Expansion, LoweringError

MATH = "ShaderNodeMath"


class Lowering50(Lowering45):
    VERSION = "5.0"
    # `scene.node_tree` is gone: a CompositorNodeTree group is assigned to the scene.
    SCENE_TREE_IS_GROUP = True
    SCENE_TREE_NAME = "{scene} Compositing"
    EMULATIONS = {"MapValue": "map_value_as_math", "Composite": "composite_as_group_output"}
    # The composited image is the tree's output socket, read by the renderer by this name/type.
    COMPOSITE_SOCKET = plan.InterfaceSocket("Image", "OUTPUT", "NodeSocketColor")
    # Items declare their type (no longer taken from the link): it decides half vs full float.
    FILE_ITEM_SOCKET_TYPES = {"VALUE": "FLOAT", "INT": "FLOAT", "BOOLEAN": "FLOAT",
                              "VECTOR": "VECTOR", "RGBA": "RGBA"}
    # media_type must be set before file_format (OPEN_EXR is not an item of MULTI_LAYER_IMAGE).
    MEDIA_TYPES = {"OPEN_EXR_MULTILAYER": "MULTI_LAYER_IMAGE"}
    # Map Value's steps as Math operations: y = (x + offset) * size, then the optional clamps.
    MAP_VALUE_STEPS = (("offset", "ADD", None), ("size", "MULTIPLY", None),
                       ("min", "MAXIMUM", "use_min"), ("max", "MINIMUM", "use_max"))

    # --- File Output --------------------------------------------------------------------------
    def file_output_properties(self, props: dict, multilayer: bool) -> dict[str, object]:
        fmt = props.get("format", {})
        out: dict[str, object] = {"directory": props.get("directory", ""),
                                  "file_name": props.get("file_name", ""),
                                  "format.media_type": self.MEDIA_TYPES.get(fmt.get("file_format"),
                                                                            "IMAGE")}
        out.update(self.format_properties(fmt))
        if "save_as_render" in props:
            out["save_as_render"] = props["save_as_render"]
        return out

    def file_slot(self, name: str, type_: str, props: dict, multilayer: bool,
                  own_format: tuple | None) -> plan.FileSlot:
        if own_format is not None:            # an item's format has a media type too
            own_format = (("format.media_type", "IMAGE"), *own_format)
        type_ = props.get("input_types", {}).get(name, type_)     # `out.depth(type=float)`
        return plan.FileSlot(name, socket_type=self.FILE_ITEM_SOCKET_TYPES.get(type_, "RGBA"),
                             format=own_format)

    # --- Composite: a Group Output feeding the tree's "Image" output ----------------------------
    def composite_as_group_output(self, node: ir.Node, binding: ir.NodeBinding,
                                  group: ir.Group | None) -> Expansion:
        if group is not None:
            raise LoweringError(f"Composite `{node.name}` cannot be inside a group in Blender "
                                f"{self.VERSION}: its output is the compositor's Group Output")
        if node.args.get("mute"):
            raise LoweringError(f"Composite `{node.name}` cannot be muted in Blender {self.VERSION}, "
                                "where Composite is the tree's Group Output")
        if binding.properties or binding.inputs:
            given = ", ".join([*binding.properties, *binding.inputs])
            raise LoweringError(f"Composite `{node.name}`: {given} cannot be expressed in Blender "
                                f"{self.VERSION}, where Composite is the tree's Group Output")
        out = plan.Node(node.name, "NodeGroupOutput", label=str(node.args.get("label", "")),
                        tag={"kind": "Composite", "node": node.name, "role": "output", "args": {}})
        image = plan.Socket(node.name, 0, self.COMPOSITE_SOCKET.name, by_index=True)
        return Expansion([out], inputs={"Image": image})

    def scene_interface(self, tree: plan.Tree) -> tuple[plan.InterfaceSocket, ...]:
        has_composite = any(n.tag and n.tag["kind"] == "Composite" for n in tree.nodes)
        return (self.COMPOSITE_SOCKET,) if has_composite else ()

    # --- Map Value: a chain of Math nodes with the same result -------------------------------
    def map_value_as_math(self, node: ir.Node, binding: ir.NodeBinding,
                          group: ir.Group | None) -> Expansion:
        args = {**self.map_value_defaults(), **binding.properties}
        steps = [(role, op) for role, op, switch in self.MAP_VALUE_STEPS
                 if switch is None or args[switch]]
        tag_args = {k: _json_value(v) for k, v in sorted(args.items())}
        label = str(node.args.get("label", "")) or "Map Value"
        nodes = [plan.Node(f"{node.name}.{role}", MATH, label=f"{label} ({role})",
                           properties={"operation": op},
                           inputs={"Value_001": _scalar(args[role])},
                           tag={"kind": "MapValue", "node": node.name, "role": role, "args": tag_args})
                 for role, op in steps]
        if "Value" in binding.inputs:                 # MapValue's own unlinked input
            nodes[0].inputs["Value"] = binding.inputs["Value"]
        links = [plan.Link(plan.Socket(a.name, 0, "Value"), plan.Socket(b.name, 0, "Value"))
                 for a, b in zip(nodes, nodes[1:])]
        return Expansion(nodes, inputs={"Value": plan.Socket(nodes[0].name, 0, "Value")},
                         outputs={"Value": plan.Socket(nodes[-1].name, 0, "Value")}, links=links)

    def map_value_defaults(self) -> dict[str, object]:
        spec, _ = vocabulary.spec_for("MapValue", self.VERSION)   # borrowed from 4.5
        return {k: tuple(p.default) if isinstance(p.default, list) else p.default
                for k, p in spec.properties.items()}


def _json_value(value):
    if isinstance(value, (tuple, list)):
        return [_json_value(v) for v in value]
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _scalar(value):
    return float(value[0] if isinstance(value, (tuple, list)) else value)
