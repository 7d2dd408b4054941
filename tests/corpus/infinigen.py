"""Infinigen (princeton-vl/infinigen), src/infinigen/core/rendering/render.py: render_image()
for the ground-truth ("flat") pass as configs_nature/base.gin sets it (passes_to_save z,
normal, vector, object_index; flat_shading=True; compositor_postprocessing color_correct and
distort off): configure_compositor() -> compositor_postprocessing() ->
configure_compositor_output().

NodeWrangler.new_node(type, input_args/input_kwargs, attrs) is expanded here into the
nodes.new / links.new / setattr calls it makes. render_image turns use_nodes on first, so the
default Render Layers and Composite stay in the tree next to the ones Infinigen adds.
Infinigen pins bpy 4.2.0 (pyproject.toml); the code runs in 4.2 and 4.5, not 5.0
(`scene.node_tree`, CompositorNodeMixRGB, `file_slots`).
"""

from corpus import Source

SOURCE = Source("princeton-vl/infinigen", ("src/infinigen/core/rendering/render.py",
                                           "src/infinigen_examples/configs_nature/base.gin"),
                "277c93c840dc9e4229cccf0788f6d7a274bc41f0",
                "read at 25a7d284dc21fdea6525cdfc6be4c10e4d79f28f")
VERSIONS = ("4.2", "4.5")
PASSES = ("one EXR File Output (RGB, default 32-bit) with slots Depth, Normal (through Mix ADD), "
          "Vector (Separate/Combine Color), IndexOB, UniqueInstances (Image); a PNG node with "
          "an unlinked Image slot")

FLAT_PASSES = [("z", "Depth"), ("normal", "Normal"), ("vector", "Vector"),
               ("object_index", "IndexOB")]
# get_suffix(dict(cam_rig=0, resample=0, frame="####", subcam=0))
FILESLOT_SUFFIX = "_0_0_####_0"


def build(bpy) -> None:
    scene = bpy.context.scene
    if not scene.use_nodes:
        scene.use_nodes = True
    tree = scene.node_tree
    render_layers = tree.nodes.new("CompositorNodeRLayers")
    image = render_layers.outputs["Image"]
    composite = tree.nodes.new("CompositorNodeComposite")       # compositor_postprocessing(show)
    tree.links.new(image, composite.inputs["Image"])
    for file_slot in _configure_compositor_output(bpy, tree, "//out/infinigen/frames", image):
        file_slot.path = f"{file_slot.path}{FILESLOT_SUFFIX}"


def _output_file(tree, frames_folder: str, file_format: str):
    node = tree.nodes.new("CompositorNodeOutputFile")
    node.base_path = frames_folder
    node.format.file_format = file_format
    node.format.color_mode = "RGB"
    return node


def _configure_compositor_output(bpy, tree, frames_folder, image):
    file_output_node_png = _output_file(tree, frames_folder, "PNG")  # noqa: F841 (made, unused)
    file_output_node_exr = _output_file(tree, frames_folder, "OPEN_EXR")
    default_file_output_node = file_output_node_exr                  # saving_ground_truth
    file_slot_list = []
    viewlayer = bpy.context.scene.view_layers["ViewLayer"]
    render_layers = tree.nodes.new("CompositorNodeRLayers")
    for viewlayer_pass, socket_name in FLAT_PASSES:
        setattr(viewlayer, f"use_pass_{viewlayer_pass}", True)
        file_output_node = default_file_output_node
        slot_input = file_output_node.file_slots.new(socket_name)
        render_socket = render_layers.outputs[socket_name]
        if viewlayer_pass == "vector":
            separate_color = tree.nodes.new("CompositorNodeSeparateColor")
            tree.links.new(render_socket, separate_color.inputs[0])
            combine_color = tree.nodes.new("CompositorNodeCombineColor")
            combine_color.inputs[0].default_value = 0
            tree.links.new(separate_color.outputs[3], combine_color.inputs[1])
            tree.links.new(separate_color.outputs[2], combine_color.inputs[2])
            combine_color.inputs[3].default_value = 0
            tree.links.new(combine_color.outputs[0], slot_input)
        elif viewlayer_pass == "normal":
            mix = tree.nodes.new("CompositorNodeMixRGB")
            mix.blend_type = "ADD"
            tree.links.new(render_socket, mix.inputs[1])
            mix.inputs[2].default_value = (0, 0, 0, 0)
            tree.links.new(mix.outputs[0], slot_input)
        else:
            tree.links.new(render_socket, slot_input)
        file_slot_list.append(file_output_node.file_slots[slot_input.name])
    slot_input = default_file_output_node.file_slots["Image"]
    tree.links.new(image, default_file_output_node.inputs["Image"])
    slot_input.path = "UniqueInstances"
    file_slot_list.append(default_file_output_node.file_slots[slot_input.path])
    return file_slot_list
