"""BlenderProc 2.8 (DLR-RM/BlenderProc), blenderproc/python/renderer/RendererUtility.py:
enable_depth_output(activate_antialiasing=False),
enable_distance_output(activate_antialiasing=True), enable_normals_output() and
enable_segmentation_output(), called on the scene BlenderProc's initializer leaves (use_nodes
on: the default Render Layers and Composite).

BlenderProc pins Blender 4.2.1 (InstallUtility.py); its compositor code also runs in 4.5
(`scene.node_tree`, CompositorNodeSepRGBA/CombRGBA/Math/MapRange still exist there), not in 5.0.
"""

from corpus import Source

SOURCE = Source("DLR-RM/BlenderProc", ("blenderproc/python/renderer/RendererUtility.py",),
                "f2123e4b3c5614c64082c63dea10c88b292b6c62",
                "read at a80f75d89681ecd1cb876371139a8132d0987e3d (2.8.0)")
VERSIONS = ("4.2", "4.5")
PASSES = ("depth (Depth -> Combine Color HSV V -> EXR), distance (Mist -> Map Range 0..20 -> "
          "Combine Color -> EXR), normals (camera-space rotation by keyframed Math nodes -> "
          "EXR), object index (Combine Color -> EXR)")

OUT = "//out/blenderproc/"
DISTANCE_MAX = 20.0          # DefaultConfig.antialiasing_distance_max


def build(bpy) -> None:
    scene = bpy.context.scene
    scene.render.use_compositing = True
    scene.use_nodes = True
    tree = scene.node_tree
    _depth(bpy, tree)
    _distance(bpy, tree)
    _normals(bpy, tree)
    _segmentation(bpy, tree)


def _render_layers(tree):
    # Utility.get_the_one_node_with_type(tree.nodes, 'CompositorNodeRLayers')
    return next(n for n in tree.nodes if n.bl_idname == "CompositorNodeRLayers")


def _file_output(tree, prefix: str):
    output_file = tree.nodes.new("CompositorNodeOutputFile")
    output_file.base_path = OUT
    output_file.format.file_format = "OPEN_EXR"
    output_file.file_slots.values()[0].path = prefix
    return output_file


def _depth(bpy, tree) -> None:
    render_layer_node = _render_layers(tree)
    bpy.context.view_layer.use_pass_z = True
    output_file = _file_output(tree, "depth_")
    combine_color = tree.nodes.new("CompositorNodeCombineColor")
    combine_color.mode = "HSV"
    tree.links.new(render_layer_node.outputs["Depth"], combine_color.inputs[2])
    tree.links.new(combine_color.outputs["Image"], output_file.inputs["Image"])


def _distance(bpy, tree) -> None:
    scene = bpy.context.scene
    render_layer_node = _render_layers(tree)
    if scene.world is None:                  # the tiny scene has no world; BlenderProc's has one
        scene.world = bpy.data.worlds.new("World")
    scene.world.mist_settings.start = 0
    scene.world.mist_settings.depth = DISTANCE_MAX
    scene.world.mist_settings.falloff = "LINEAR"
    bpy.context.view_layer.use_pass_mist = True
    mapper_node = tree.nodes.new("CompositorNodeMapRange")
    tree.links.new(render_layer_node.outputs["Mist"], mapper_node.inputs["Value"])
    mapper_node.inputs["From Max"].default_value = 1.0
    mapper_node.inputs["To Min"].default_value = 0
    mapper_node.inputs["To Max"].default_value = DISTANCE_MAX
    output_file = _file_output(tree, "distance_")
    combine_color = tree.nodes.new("CompositorNodeCombineColor")
    combine_color.mode = "HSV"
    tree.links.new(mapper_node.outputs["Value"], combine_color.inputs[2])
    tree.links.new(combine_color.outputs["Image"], output_file.inputs["Image"])


def _normals(bpy, tree) -> None:
    import math

    import mathutils

    scene = bpy.context.scene
    bpy.context.view_layer.use_pass_normal = True
    links = tree.links
    render_layer_node = _render_layers(tree)
    separate_rgba = tree.nodes.new("CompositorNodeSepRGBA")
    dx, dy = 200, -300
    separate_rgba.location = (dx, dy)
    links.new(render_layer_node.outputs["Normal"], separate_rgba.inputs["Image"])
    combine_rgba = tree.nodes.new("CompositorNodeCombRGBA")
    combine_rgba.location.x = dx * 14
    channels = ["R", "G", "B"]
    offset = dx * 2
    matrix_nodes = [[], [], []]
    results = {}
    for row, channel in enumerate(channels):
        multipliers = []
        for column in range(3):
            multiply = tree.nodes.new("CompositorNodeMath")
            multiply.operation = "MULTIPLY"
            multiply.inputs[1].default_value = 0
            multiply.location = (column * dx + offset, row * dy)
            links.new(separate_rgba.outputs[channels[column]], multiply.inputs[0])
            multipliers.append(multiply)
            matrix_nodes[row].append(multiply)
        first_add = tree.nodes.new("CompositorNodeMath")
        first_add.operation = "ADD"
        first_add.location = (dx * 5 + offset, row * dy)
        links.new(multipliers[0].outputs["Value"], first_add.inputs[0])
        links.new(multipliers[1].outputs["Value"], first_add.inputs[1])
        second_add = tree.nodes.new("CompositorNodeMath")
        second_add.operation = "ADD"
        second_add.location = (dx * 6 + offset, row * dy)
        links.new(first_add.outputs["Value"], second_add.inputs[0])
        links.new(multipliers[2].outputs["Value"], second_add.inputs[1])
        results[channel] = second_add
    # "set the matrix accordingly": one keyframe per frame on each matrix entry.
    # CameraUtility.get_camera_pose(frame) is the camera's world matrix at that frame.
    rot_around_x_axis = mathutils.Matrix.Rotation(math.radians(-90.0), 4, "X")
    for frame in range(scene.frame_start, scene.frame_end):
        scene.frame_set(frame)
        used_rotation_matrix = scene.camera.matrix_world @ rot_around_x_axis
        for row in range(3):
            for column in range(3):
                node = matrix_nodes[row][column]
                node.inputs[1].default_value = used_rotation_matrix[column][row]
                node.inputs[1].keyframe_insert(data_path="default_value", frame=frame)
    scene.frame_set(scene.frame_start)
    offset = 8 * dx
    for index, channel in enumerate(channels):
        multiply = tree.nodes.new("CompositorNodeMath")
        multiply.operation = "MULTIPLY"
        multiply.location = (dx * 2 + offset, index * dy)
        links.new(results[channel].outputs["Value"], multiply.inputs[0])
        multiply.inputs[1].default_value = -0.5 if channel == "G" else 0.5
        add = tree.nodes.new("CompositorNodeMath")
        add.operation = "ADD"
        add.location = (dx * 3 + offset, index * dy)
        links.new(multiply.outputs["Value"], add.inputs[0])
        add.inputs[1].default_value = 0.5
        output_channel = {"G": "B", "B": "G"}.get(channel, channel)
        links.new(add.outputs["Value"], combine_rgba.inputs[output_channel])
    output_file = _file_output(tree, "normals_")
    output_file.location.x = dx * 15
    links.new(combine_rgba.outputs["Image"], output_file.inputs["Image"])


def _segmentation(bpy, tree) -> None:
    scene = bpy.context.scene
    # "give all objects an id, background is always zero"
    meshes = [o for o in scene.objects if o.type == "MESH"]
    for index, obj in enumerate(meshes):
        obj.pass_index = index + 1
    scene.view_layers["ViewLayer"].use_pass_object_index = True
    render_layer_node = tree.nodes.get("Render Layers")
    output_node = _file_output(tree, "segmap_")
    combine_color = tree.nodes.new("CompositorNodeCombineColor")
    combine_color.mode = "HSV"
    tree.links.new(render_layer_node.outputs["IndexOB"], combine_color.inputs[2])
    tree.links.new(combine_color.outputs["Image"], output_node.inputs["Image"])
    scene.view_layers["ViewLayer"].pass_alpha_threshold = 0.05
