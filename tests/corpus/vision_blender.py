"""VisionBlender (Cartucho/vision_blender), addon_ground_truth_generation.py:
load_handler_render_init() with every ground-truth option on (the add-on's defaults), Cycles,
and one labelled object (segmentation masks need a non-zero pass index, as its panel says).

The add-on declares Blender 2.83; its compositor code runs in 4.2 and 4.5 (`scene.node_tree`,
`layer_slots`, CompositorNodeSepRGBA/CombRGBA), not in 5.0. Adapted: the temporary folder is
`os.path.join(os.path.dirname(scene.render.filepath), 'tmp_vision_blender')`; it is written
here as a relative path instead of the absolute one the handler computes.
"""

from corpus import Source

SOURCE = Source("Cartucho/vision_blender", ("addon_ground_truth_generation.py",),
                "6e260b70941c77331f4b37004e9fbfcacd80df2f")
VERSIONS = ("4.2", "4.5")
PASSES = ("one OpenEXR File Output (RGBA 32 PIZ) with layer slots ####_Normal, ####_Depth, "
          "####_Segmentation_Mask (IndexOB), ####_Optical_Flow (Vector B/A -> R/G)")


def _create_node(tree, node_type: str, node_name: str):
    if tree.nodes.find(node_name) == -1:
        v = tree.nodes.new(node_type)
        v.name = node_name
        return v
    return tree.nodes[node_name]


def build(bpy) -> None:
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    bpy.data.objects["Ramp"].pass_index = 1          # the user labels an object
    if not scene.use_nodes:
        scene.use_nodes = True
    view_layer = bpy.context.view_layer
    view_layer.use_pass_z = True
    view_layer.use_pass_normal = True
    view_layer.use_pass_object_index = True
    view_layer.use_pass_vector = True
    tree = scene.node_tree
    for node in list(tree.nodes):
        if "vision_blender" in node.name:
            tree.nodes.remove(node)
    node_output = _create_node(tree, "CompositorNodeOutputFile", "output_vision_blender")
    node_output.format.file_format = "OPEN_EXR"
    node_output.format.color_mode = "RGBA"
    node_output.format.color_depth = "32"
    node_output.format.exr_codec = "PIZ"
    node_output.base_path = "//out/vision_blender/tmp_vision_blender"
    node_output.layer_slots.clear()
    links = tree.links
    rl = scene.node_tree.nodes["Render Layers"]
    links.new(rl.outputs["Normal"], node_output.layer_slots.new("####_Normal"))
    links.new(rl.outputs["Depth"], node_output.layer_slots.new("####_Depth"))
    links.new(rl.outputs["IndexOB"], node_output.layer_slots.new("####_Segmentation_Mask"))
    slot_opt_flow = node_output.layer_slots.new("####_Optical_Flow")
    node_rg_separate = _create_node(tree, "CompositorNodeSepRGBA", "BA_sep_vision_blender")
    node_rg_combine = _create_node(tree, "CompositorNodeCombRGBA", "RG_comb_vision_blender")
    links.new(rl.outputs["Vector"], node_rg_separate.inputs["Image"])
    links.new(node_rg_separate.outputs["B"], node_rg_combine.inputs["R"])
    links.new(node_rg_separate.outputs["A"], node_rg_combine.inputs["G"])
    links.new(node_rg_combine.outputs["Image"], slot_opt_flow)
