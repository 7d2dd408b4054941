"""synthetic-rgbd-camera-model (tomasz-naklicki/synthetic-rgbd-camera-model): the compositor of
the project's .blend, as blender/README.md describes it and blender/data_generation.py uses it
(Cycles, Z pass, 16-bit BW PNG render output: Render Layers Depth -> Multiply 1000 -> Divide
65535 -> Composite, "to emulate the internal multiplier used in Orbbec Femto Mega camera").

The tree was built in Blender's node editor, so it is rebuilt as each version's Add menu makes
it: 4.2 offers CompositorNodeMath, 4.5 and 5.0 the shader Math node; 5.0 has no Composite
(the tree is a node group with an Image output and a Group Output). data_generation.py only
toggles `scene.use_nodes` and imports with bpy.ops.wm.obj_import, so it runs in all three.
"""

from corpus import Source

SOURCE = Source("tomasz-naklicki/synthetic-rgbd-camera-model",
                ("blender/README.md", "blender/data_generation.py"),
                "bbfcfd8b6ea0b3a9381deb71d81bb0313f6cab15",
                "README.md read at 3c139dbb14d6a137b719971798c466fb9053dd85")
VERSIONS = ("4.2", "4.5", "5.0")
PASSES = "16-bit BW PNG render output: depth x 1000 / 65535 (Composite / Group Output)"

# The Math node type the compositor's Add menu creates, per version (a named table: the
# dialect layer may own it later).
ADD_MENU_MATH = {"4.2": "CompositorNodeMath", "4.5": "ShaderNodeMath", "5.0": "ShaderNodeMath",
                 "5.1": "ShaderNodeMath", "5.2": "ShaderNodeMath", "5.3": "ShaderNodeMath"}


def build(bpy) -> None:
    scene = bpy.context.scene
    version = "%d.%d" % tuple(bpy.app.version[:2])
    scene.render.engine = "CYCLES"
    scene.view_layers["ViewLayer"].use_pass_z = True
    settings = scene.render.image_settings
    settings.file_format = "PNG"
    settings.color_mode = "BW"
    settings.color_depth = "16"
    tree, output_socket = _tree_and_output(bpy, scene)
    layers = tree.nodes.get("Render Layers") or tree.nodes.new("CompositorNodeRLayers")
    multiply = tree.nodes.new(ADD_MENU_MATH[version])
    multiply.operation = "MULTIPLY"
    multiply.inputs[1].default_value = 1000.0
    divide = tree.nodes.new(ADD_MENU_MATH[version])
    divide.operation = "DIVIDE"
    divide.inputs[1].default_value = 65535.0
    tree.links.new(layers.outputs["Depth"], multiply.inputs[0])
    tree.links.new(multiply.outputs[0], divide.inputs[0])
    tree.links.new(divide.outputs[0], output_socket)


def _tree_and_output(bpy, scene):
    """The editor's new compositor: 4.x `use_nodes` makes Render Layers -> Composite; 5.0's
    "New" button makes a "Compositing Nodetree" group with an Image output (Render Layers ->
    Group Output)."""
    if hasattr(scene, "compositing_node_group"):
        tree = bpy.data.node_groups.new("Compositing Nodetree", "CompositorNodeTree")
        tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
        scene.compositing_node_group = tree
        tree.nodes.new("CompositorNodeRLayers")
        return tree, tree.nodes.new("NodeGroupOutput").inputs[0]
    scene.use_nodes = True
    tree = scene.node_tree
    return tree, tree.nodes["Composite"].inputs["Image"]
