"""NeRF's synthetic-scene script (bmild/nerf), 360_view.py with its constants (FORMAT 'PNG',
COLOR_DEPTH 8, DEPTH_SCALE 1.4, DEBUG False).

It keeps the default tree `use_nodes` creates (Render Layers -> Composite) and adds a second
Render Layers with a depth File Output (through Map Value) and a normal File Output; both get
base_path ''. Adapted: the Depth and Normal passes are enabled (see build). The script runs in
4.2 and 4.5 (`scene.node_tree`, CompositorNodeMapValue), not in 5.0.
"""

from corpus import Source

SOURCE = Source("bmild/nerf", ("360_view.py",), "37474148fd05fb07fd355a4fc25981c16f3b4d4e")
VERSIONS = ("4.2", "4.5")
PASSES = ("8-bit PNG depth (Map Value offset -0.7 size 1.4 min 0), 8-bit PNG normal, "
          "composited image")

FORMAT, COLOR_DEPTH, DEPTH_SCALE = "PNG", 8, 1.4


def build(bpy) -> None:
    scene = bpy.context.scene
    scene.render.use_persistent_data = True
    scene.use_nodes = True
    tree = scene.node_tree
    links = tree.links
    # Adapted: the script enables no pass (2.8x's startup file had Z on; the Normal line is
    # commented out: `#bpy.context.scene.view_layers["RenderLayer"].use_pass_normal = True`).
    # In 4.x `outputs['Depth']` / `outputs['Normal']` are KeyErrors while a pass is off, and
    # "the depth-pass must be activated separately" from 3.0 (Kubric's blender_utils.py).
    scene.view_layers["ViewLayer"].use_pass_z = True
    scene.view_layers["ViewLayer"].use_pass_normal = True
    scene.render.image_settings.file_format = str(FORMAT)
    scene.render.image_settings.color_depth = str(COLOR_DEPTH)
    render_layers = tree.nodes.new("CompositorNodeRLayers")
    depth_file_output = tree.nodes.new(type="CompositorNodeOutputFile")
    depth_file_output.label = "Depth Output"
    map = tree.nodes.new(type="CompositorNodeMapValue")  # noqa: A001 (the script's name)
    map.offset = [-0.7]
    map.size = [DEPTH_SCALE]
    map.use_min = True
    map.min = [0]
    links.new(render_layers.outputs["Depth"], map.inputs[0])
    links.new(map.outputs[0], depth_file_output.inputs[0])
    normal_file_output = tree.nodes.new(type="CompositorNodeOutputFile")
    normal_file_output.label = "Normal Output"
    links.new(render_layers.outputs["Normal"], normal_file_output.inputs[0])
    scene.render.dither_intensity = 0.0
    scene.render.film_transparent = True
    scene.render.image_settings.file_format = "PNG"
    for output_node in [depth_file_output, normal_file_output]:
        output_node.base_path = ""
