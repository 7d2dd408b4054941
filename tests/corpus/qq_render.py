"""QQ Render (Tybeos/qq_render), a compositing helper add-on: the "Generate Render Nodes"
operator (operators/render_nodes.py, core/tools.py, core/path_utils.py) with "Make Y Up" on,
for a scene with two view layers ("ViewLayer" with the beauty, "Data" with depth, normal and
position), the blend saved as "corpus".

Per view layer: a Render Layers node and an OpenEXR multilayer File Output (32-bit ZIP) named
after the layer, with one slot per enabled output (Image becomes "Beauty"); Position and
Normal go through a "Invert_<pass>" node group (Separate XYZ, Math x -1, Combine XYZ) with a
Vector interface. The layers' images are stacked by Alpha Over into Composite and Viewer.
The base path ends in a frame pattern ("...####.exr"). The add-on's code runs in 4.2 and 4.5
(`scene.node_tree`, `file_slots`, CompositorNodeMath), not 5.0.
"""

from corpus import Source

SOURCE = Source("Tybeos/qq_render", ("operators/render_nodes.py", "core/tools.py",
                                     "core/path_utils.py", "core/constants.py"),
                "37df66cdcd8fcd5a76a0eadc408bd27217fafd94",
                "read at d5b7c6c37a1a3bc32f2beabd9c26d77cf2fda159")
VERSIONS = ("4.2", "4.5")
PASSES = ("per view layer one multilayer EXR (32-bit ZIP): Beauty, Alpha, Depth, Normal and "
          "Position (Y inverted by a node group)")

SKIP_PASSES = {"Denoising Normal", "Denoising Albedo", "Denoising Depth"}
INVERT_Y_PASSES = {"Position", "Normal"}
COLORS = {"file_output": (0.55, 0.33, 0.17), "render_layers": (0.30, 0.45, 0.30),
          "composite": (0.55, 0.33, 0.17), "viewer": (0.55, 0.33, 0.17)}
PROJECT = "corpus"


def build(bpy) -> None:
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    data = scene.view_layers.new("Data")
    for name in ("z", "normal", "position"):
        setattr(data, f"use_pass_{name}", True)
    _generate_nodes(bpy, scene)


def _generate_nodes(bpy, scene) -> None:
    view_layers = [vl for vl in scene.view_layers if vl.use]
    scene.use_nodes = True
    tree = scene.node_tree
    for node in list(tree.nodes):                            # qq_render_clear_nodes (default)
        tree.nodes.remove(node)
    node_y_offset = _lowest(tree) - 50
    node_rl_offset = node_y_offset - 400
    render_layers_nodes = []
    for view_layer in view_layers:
        rl_node = tree.nodes.new(type="CompositorNodeRLayers")
        rl_node.layer = view_layer.name
        rl_node.location = (0, node_rl_offset)
        rl_node.use_custom_color = True
        rl_node.color = COLORS["render_layers"]
        render_layers_nodes.append(rl_node)
        fo_node = _file_output(tree, view_layer.name, (800, node_rl_offset),
                               _base_path(PROJECT, view_layer.name))
        _connect_passes(bpy, tree, rl_node, fo_node)
        node_rl_offset = _lowest(tree) - 50
    _composite_chain(tree, render_layers_nodes, (0, node_y_offset))


def _lowest(tree) -> float:
    # tools.get_lowest_node_position / estimate_lowest_node_position: in the background both
    # see node.dimensions as 0 (nothing is drawn), so the bottom is the lowest location.
    return min((n.location.y - n.dimensions.y for n in tree.nodes), default=0)


def _base_path(project_name: str, layer_name: str) -> str:
    result = f"{project_name}.l.{layer_name}"
    return f"//../render/render_master/{project_name}/{result}/{result}.####.exr"


def _file_output(tree, name, location, base_path):
    node = tree.nodes.new(type="CompositorNodeOutputFile")
    node.name = name
    node.label = name
    node.location = location
    node.use_custom_color = True
    node.color = COLORS["file_output"]
    node.width = 300
    node.format.file_format = "OPEN_EXR_MULTILAYER"
    node.format.color_depth = "32"
    node.format.exr_codec = "ZIP"
    node.base_path = base_path
    node.inputs.clear()
    return node


def _connect_passes(bpy, tree, rl_node, fo_node) -> None:
    rl_x, rl_y = rl_node.location
    middle_y_offset = 0
    for output in rl_node.outputs:
        if not output.enabled or output.name in SKIP_PASSES:
            continue
        slot_name = "Beauty" if output.name == "Image" else output.name
        fo_node.file_slots.new(name=slot_name)
        target = next(s for s in fo_node.inputs if s.name == slot_name)
        if output.name in INVERT_Y_PASSES:                   # qq_render_make_y_up
            group = _vector_invert_group(bpy, tree, (rl_x + 450, rl_y + middle_y_offset),
                                         f"Invert_{output.name}")
            tree.links.new(output, group.inputs[0])
            tree.links.new(group.outputs[0], target)
            middle_y_offset -= 30
        else:
            tree.links.new(output, target)


def _vector_invert_group(bpy, tree, location, name):
    group = bpy.data.node_groups.new(name=name, type="CompositorNodeTree")
    group_input = group.nodes.new(type="NodeGroupInput")
    group_input.location = (-400, 0)
    group_input.name = "Group Input"
    group_output = group.nodes.new(type="NodeGroupOutput")
    group_output.location = (400, 0)
    group_output.name = "Group Output"
    separate_xyz = group.nodes.new(type="CompositorNodeSeparateXYZ")
    separate_xyz.location = (-200, 0)
    separate_xyz.name = "Separate XYZ"
    multiply = group.nodes.new(type="CompositorNodeMath")
    multiply.location = (0, 100)
    multiply.operation = "MULTIPLY"
    multiply.inputs[1].default_value = -1.0
    multiply.name = "Multiply"
    multiply.use_clamp = False
    combine_xyz = group.nodes.new(type="CompositorNodeCombineXYZ")
    combine_xyz.location = (200, 0)
    combine_xyz.name = "Combine XYZ"
    group.interface.new_socket(name="Vector", in_out="INPUT", socket_type="NodeSocketVector")
    group.interface.new_socket(name="Vector", in_out="OUTPUT", socket_type="NodeSocketVector")
    group.links.new(group_input.outputs[0], separate_xyz.inputs[0])
    group.links.new(separate_xyz.outputs[0], combine_xyz.inputs[0])
    group.links.new(separate_xyz.outputs[1], multiply.inputs[0])
    group.links.new(multiply.outputs[0], combine_xyz.inputs[2])
    group.links.new(separate_xyz.outputs[2], combine_xyz.inputs[1])
    group.links.new(combine_xyz.outputs[0], group_output.inputs[0])
    node = tree.nodes.new(type="CompositorNodeGroup")
    node.node_tree = group
    node.name = name
    node.label = name
    node.location = location
    node.hide = True
    return node


def _composite_chain(tree, composite_nodes, location) -> None:
    # _build_composite_chain without a camera background image: the layers, last first, are
    # stacked by Alpha Over nodes into Composite and Viewer.
    current_x, current_y = location
    current_x += 800
    alpha_count = len(composite_nodes) - 1
    composite_x = current_x + alpha_count * 200 + (200 if alpha_count else 0)
    composite = tree.nodes.new(type="CompositorNodeComposite")
    composite.location = (composite_x, current_y)
    composite.use_custom_color = True
    composite.color = COLORS["composite"]
    viewer = tree.nodes.new(type="CompositorNodeViewer")
    viewer.location = (composite_x, current_y - 150)
    viewer.use_custom_color = True
    viewer.color = COLORS["viewer"]
    alpha_nodes = []
    for i in range(alpha_count):
        alpha = tree.nodes.new(type="CompositorNodeAlphaOver")
        alpha.name = alpha.label = f"Alpha_Over_{i + 1}"
        alpha.location = (current_x + i * 200, current_y)
        alpha.use_custom_color = True
        alpha.color = (0.4, 0.4, 0.4)
        if alpha_nodes:
            tree.links.new(alpha_nodes[-1].outputs[0], alpha.inputs[1])
        alpha_nodes.append(alpha)
    stacked = list(reversed(composite_nodes))
    tree.links.new(stacked[0].outputs["Image"], alpha_nodes[0].inputs[1])
    for i, rl_node in enumerate(stacked[1:], start=1):
        target = alpha_nodes[0] if i == 1 else alpha_nodes[i - 1]
        tree.links.new(rl_node.outputs["Image"], target.inputs[2])
    tree.links.new(alpha_nodes[-1].outputs["Image"], composite.inputs["Image"])
    tree.links.new(alpha_nodes[-1].outputs["Image"], viewer.inputs["Image"])
