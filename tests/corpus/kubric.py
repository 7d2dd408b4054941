"""Kubric (google-research/kubric), kubric/renderer/blender_utils.py: activate_render_passes()
and set_up_exr_output_node(), as Blender.__init__ calls them (motion_blur=None), then
Blender.render() sets the output node's base_path to the frame prefix.

Two view layers: the default one renders Image and Depth; "AuxOutputs" (1 sample, a material
override writing an "ObjectCoordinates" AOV) renders Vector, UV, Normal and CryptoObject. One
OpenEXR multilayer File Output takes both Render Layers nodes. Kubric's Docker image builds
Blender 2.93; the code below runs unchanged in 4.2 and 4.5 (CompositorNodeSepRGBA/CombRGBA still
exist there) and not in 5.0 (`scene.node_tree`, `file_slots`).
"""

from corpus import Source

SOURCE = Source("google-research/kubric", ("kubric/renderer/blender_utils.py",
                                           "kubric/renderer/blender.py"),
                "9c23fa9a798a8ac993169a5899de0e856c4e0b00",
                "read at 0ee21e2a723b2131123d67e55d1f65b6d0e6cf0f")
VERSIONS = ("4.2", "4.5")
PASSES = ("multilayer EXR (default depth): Image, Depth from ViewLayer; UV, Normal, "
          "CryptoObject00, ObjectCoordinates (AOV) and Vector (through Separate/Combine RGBA) "
          "from AuxOutputs")


def build(bpy) -> None:
    bpy.context.scene.render.engine = "CYCLES"
    _activate_render_passes(bpy)
    out_node = _set_up_exr_output_node(bpy)
    out_node.base_path = "//out/kubric/frame_"      # Blender.render: base_path = path_prefix


def _add_coordinate_material(bpy):
    mat = bpy.data.materials.new("KubricObjectCoordinatesOverride")
    mat.use_nodes = True
    mat.node_tree.nodes.remove(mat.node_tree.nodes["Principled BSDF"])
    mat.node_tree.nodes.remove(mat.node_tree.nodes["Material Output"])
    tex_coordinates = mat.node_tree.nodes.new(type="ShaderNodeTexCoord")
    aov_out_node = mat.node_tree.nodes.new(type="ShaderNodeOutputAOV")
    aov_out_node.name = "ObjectCoordinates"
    unused_mat_out_node = mat.node_tree.nodes.new(type="ShaderNodeOutputMaterial")
    mat.node_tree.links.new(tex_coordinates.outputs.get("Generated"),
                            aov_out_node.inputs.get("Color"))
    mat.node_tree.links.new(tex_coordinates.outputs.get("Generated"),
                            unused_mat_out_node.inputs.get("Surface"))
    return mat


def _activate_render_passes(bpy) -> None:
    scene = bpy.context.scene
    scene.view_layers[0].use_pass_z = True
    aux_view_layer = scene.view_layers.new("AuxOutputs")
    aux_view_layer.samples = 1
    aux_view_layer.use_pass_z = False
    aux_view_layer.material_override = _add_coordinate_material(bpy)
    object_coords_aov = aux_view_layer.aovs.add()
    object_coords_aov.name = "ObjectCoordinates"
    aux_view_layer.cycles.use_denoising = False
    aux_view_layer.use_pass_vector = True
    aux_view_layer.use_pass_uv = True
    aux_view_layer.use_pass_normal = True
    aux_view_layer.use_pass_cryptomatte_object = True
    aux_view_layer.pass_cryptomatte_depth = 2


def _set_up_exr_output_node(bpy, default_layers=("Image", "Depth"),
                            aux_layers=("UV", "Normal", "CryptoObject00", "ObjectCoordinates")):
    scene = bpy.context.scene
    scene.use_nodes = True
    tree = scene.node_tree
    links = tree.links
    for node in list(tree.nodes):
        tree.nodes.remove(node)
    render_node = tree.nodes.new(type="CompositorNodeRLayers")
    render_node_aux = tree.nodes.new(type="CompositorNodeRLayers")
    render_node_aux.name = "Render Layers Aux"
    render_node_aux.layer = "AuxOutputs"
    out_node = tree.nodes.new(type="CompositorNodeOutputFile")
    out_node.format.file_format = "OPEN_EXR_MULTILAYER"
    out_node.file_slots.clear()
    for layer_name in default_layers:
        out_node.file_slots.new(layer_name)
        links.new(render_node.outputs.get(layer_name), out_node.inputs.get(layer_name))
    for layer_name in aux_layers:
        out_node.file_slots.new(layer_name)
        links.new(render_node_aux.outputs.get(layer_name), out_node.inputs.get(layer_name))
    split_rgba = tree.nodes.new(type="CompositorNodeSepRGBA")
    combine_rgba = tree.nodes.new(type="CompositorNodeCombRGBA")
    for channel in "RGBA":
        links.new(split_rgba.outputs.get(channel), combine_rgba.inputs.get(channel))
    out_node.file_slots.new("Vector")
    links.new(render_node_aux.outputs.get("Vector"), split_rgba.inputs.get("Image"))
    links.new(combine_rgba.outputs.get("Image"), out_node.inputs.get("Vector"))
    return out_node
