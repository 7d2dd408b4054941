"""stanford-shapenet-renderer (panmari/stanford-shapenet-renderer), render_blender.py with its
default arguments (--format PNG --color_depth 8 --depth_scale 1.4), for the first view.

The script's header says "Tested with Blender 2.9"; its compositor part runs in 4.2 and 4.5
(CompositorNodeMapValue, CompositorNodeMixRGB, `scene.node_tree`), not in 5.0. Adapted: the Z
pass is enabled (see build); the script names the view layer "View Layer" (2.9's startup
file); the empty factory scene's layer is "ViewLayer". Its own render settings (EEVEE,
600x600) are left to the tiny scene; film_transparent and the image settings are kept.
"""

from corpus import Source

SOURCE = Source("panmari/stanford-shapenet-renderer", ("render_blender.py",),
                "d59a53e8ae42f7ab1767b30977f980cfe6896fc3")
VERSIONS = ("4.2", "4.5")
PASSES = ("8-bit PNGs: depth (Map Value offset -0.7 size 1.4, BW), normal (Mix MULTIPLY/ADD "
          "0.5), albedo (Set Alpha, RGBA), object index (Math DIVIDE 256, BW)")

FORMAT, COLOR_DEPTH, DEPTH_SCALE = "PNG", "8", 1.4
VIEW_LAYER = "ViewLayer"           # the script: scene.view_layers["View Layer"]


def build(bpy) -> None:
    scene = bpy.context.scene
    render = scene.render
    render.image_settings.color_mode = "RGBA"
    render.image_settings.color_depth = COLOR_DEPTH
    render.image_settings.file_format = FORMAT
    render.film_transparent = True
    scene.use_nodes = True
    scene.view_layers[VIEW_LAYER].use_pass_normal = True
    scene.view_layers[VIEW_LAYER].use_pass_diffuse_color = True
    scene.view_layers[VIEW_LAYER].use_pass_object_index = True
    # Adapted: 2.9's startup file had the Z pass on, so the script never enables it; from 3.0
    # "the depth-pass must be activated separately" (Kubric's blender_utils.py does
    # `default_view_layer.use_pass_z = True`), and in 4.x `outputs['Depth']` is a KeyError
    # while the pass is off.
    scene.view_layers[VIEW_LAYER].use_pass_z = True
    nodes = scene.node_tree.nodes
    links = scene.node_tree.links
    for n in list(nodes):
        nodes.remove(n)
    render_layers = nodes.new("CompositorNodeRLayers")
    outputs = {}
    outputs["depth"] = _depth(nodes, links, render_layers)
    outputs["normal"] = _normal(nodes, links, render_layers)
    outputs["albedo"] = _albedo(nodes, links, render_layers)
    outputs["id"] = _index(nodes, links, render_layers)
    bpy.data.objects["Ball"].pass_index = 1       # "Set objekt IDs": the imported model
    # the render loop, first view: fp + '_r_{0:03d}'.format(0) + "_depth", ...
    for kind, node in outputs.items():
        node.file_slots[0].path = f"//out/shapenet/model/model_r_000_{kind}"


def _file_output(nodes, label: str):
    node = nodes.new(type="CompositorNodeOutputFile")
    node.label = label
    node.base_path = ""
    node.file_slots[0].use_node_format = True
    node.format.file_format = FORMAT
    return node


def _depth(nodes, links, render_layers):
    depth_file_output = _file_output(nodes, "Depth Output")
    depth_file_output.format.color_depth = COLOR_DEPTH
    depth_file_output.format.color_mode = "BW"
    map = nodes.new(type="CompositorNodeMapValue")  # noqa: A001 (the script's name)
    map.offset = [-0.7]
    map.size = [DEPTH_SCALE]
    map.use_min = True
    map.min = [0]
    links.new(render_layers.outputs["Depth"], map.inputs[0])
    links.new(map.outputs[0], depth_file_output.inputs[0])
    return depth_file_output


def _normal(nodes, links, render_layers):
    scale_node = nodes.new(type="CompositorNodeMixRGB")
    scale_node.blend_type = "MULTIPLY"
    scale_node.inputs[2].default_value = (0.5, 0.5, 0.5, 1)
    links.new(render_layers.outputs["Normal"], scale_node.inputs[1])
    bias_node = nodes.new(type="CompositorNodeMixRGB")
    bias_node.blend_type = "ADD"
    bias_node.inputs[2].default_value = (0.5, 0.5, 0.5, 0)
    links.new(scale_node.outputs[0], bias_node.inputs[1])
    normal_file_output = _file_output(nodes, "Normal Output")
    links.new(bias_node.outputs[0], normal_file_output.inputs[0])
    return normal_file_output


def _albedo(nodes, links, render_layers):
    alpha_albedo = nodes.new(type="CompositorNodeSetAlpha")
    links.new(render_layers.outputs["DiffCol"], alpha_albedo.inputs["Image"])
    links.new(render_layers.outputs["Alpha"], alpha_albedo.inputs["Alpha"])
    albedo_file_output = _file_output(nodes, "Albedo Output")
    albedo_file_output.format.color_mode = "RGBA"
    albedo_file_output.format.color_depth = COLOR_DEPTH
    links.new(alpha_albedo.outputs["Image"], albedo_file_output.inputs[0])
    return albedo_file_output


def _index(nodes, links, render_layers):
    id_file_output = _file_output(nodes, "ID Output")
    id_file_output.format.color_depth = COLOR_DEPTH
    id_file_output.format.color_mode = "BW"
    divide_node = nodes.new(type="CompositorNodeMath")
    divide_node.operation = "DIVIDE"
    divide_node.use_clamp = False
    divide_node.inputs[1].default_value = 2 ** int(COLOR_DEPTH)
    links.new(render_layers.outputs["IndexOB"], divide_node.inputs[0])
    links.new(divide_node.outputs[0], id_file_output.inputs[0])
    return id_file_output
