"""tests/blender/snapshot.py notices what a user would miss: each change below, made to a small
compositor built with bpy, is reported, and nothing else is."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import empty_compositor  # noqa: E402
from snapshot import compositor, differences, snapshot, summary  # noqa: E402

IS_5 = "compositing_node_group" in bpy.types.Scene.bl_rna.properties


@pytest.fixture(autouse=True)
def factory_blender():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    yield
    bpy.ops.wm.read_factory_settings(use_empty=True)


def small_setup():
    """Render Layers (depth) -> a group (float input with min/max) -> Math -> Viewer, one muted
    link, a second view layer with its own pass, and a driver on the Math input."""
    scene = bpy.context.scene
    scene.view_layers[0].use_pass_z = True
    scene.view_layers.new("Aux").use_pass_normal = True
    tree = empty_compositor(scene)
    group = bpy.data.node_groups.new("Scale", "CompositorNodeTree")
    socket = group.interface.new_socket("Value", in_out="INPUT", socket_type="NodeSocketFloat")
    socket.min_value, socket.max_value, socket.default_value = -2.0, 2.0, 0.5
    group.interface.new_socket("Value", in_out="OUTPUT", socket_type="NodeSocketFloat")
    g_in, g_out = group.nodes.new("NodeGroupInput"), group.nodes.new("NodeGroupOutput")
    group.links.new(g_in.outputs[0], g_out.inputs[0])
    rl = tree.nodes.new("CompositorNodeRLayers")
    node = tree.nodes.new("CompositorNodeGroup")
    node.node_tree = group
    math = tree.nodes.new("ShaderNodeMath" if IS_5 else "CompositorNodeMath")
    viewer = tree.nodes.new("CompositorNodeViewer")
    tree.links.new(rl.outputs["Depth"], node.inputs[0])
    tree.links.new(node.outputs[0], math.inputs[0])
    tree.links.new(math.outputs[0], viewer.inputs[0]).is_muted = True
    driver = math.inputs[1].driver_add("default_value").driver
    driver.expression = "frame / 10"
    return scene, tree, math


def test_a_snapshot_is_the_same_twice():
    scene, _, _ = small_setup()
    assert not differences(snapshot(scene), snapshot(scene))


def test_the_driver_muted_link_interface_and_passes_are_in_it():
    scene, tree, math = small_setup()
    shot = snapshot(scene)
    drivers = shot["tree"]["animation"]["drivers"]
    assert [(d["data_path"], d["expression"]) for d in drivers] == [
        (f'nodes["{math.name}"].inputs[1].default_value', "frame / 10")]
    assert [link[4] for link in shot["tree"]["links"]].count(True) == 1
    value = next(i for i in shot["groups"]["Scale"]["interface"] if i["in_out"] == "INPUT")
    assert (value["min_value"], value["max_value"], value["default_value"]) == (-2.0, 2.0, 0.5)
    assert shot["view_layers"]["Aux"]["use_pass_normal"] is True
    assert shot["view_layers"]["ViewLayer"]["use_pass_normal"] is False


@pytest.mark.parametrize("change, expected", [
    (lambda s, t, m: setattr(t.links[-1], "is_muted", False), "Math.Value -> Viewer"),
    (lambda s, t, m: setattr(t.animation_data.drivers[0].driver, "expression", "frame"),
     "animation"),
    (lambda s, t, m: setattr(bpy.data.node_groups["Scale"].interface.items_tree[0],
                             "max_value", 3.0), "group 'Scale': interface"),
    (lambda s, t, m: setattr(s.view_layers["Aux"], "use_pass_normal", False),
     "view layer 'Aux'"),
    (lambda s, t, m: setattr(m, "operation", "MULTIPLY"), "node 'Math'"),
    (lambda s, t, m: setattr(m.inputs[2], "default_value", 7.0), "node 'Math'"),
])
def test_each_change_is_reported(change, expected):
    scene, tree, math = small_setup()
    before = snapshot(scene)
    change(scene, tree, math)
    lines = summary(before, snapshot(scene))
    assert lines and all(expected in line for line in lines), lines
    assert differences(before, snapshot(scene))


def _own_format(tree):
    """A File Output whose one input has its own format (4.x slot / 5.0 item), returned."""
    out = tree.nodes.new("CompositorNodeOutputFile")
    if hasattr(out, "file_output_items"):
        out.file_output_items.clear()
        owner = out.file_output_items.new("FLOAT", "depth")
        owner.override_node_format = True
    else:
        owner = out.file_slots[0]
        owner.use_node_format = False
    owner.format.file_format = "OPEN_EXR"
    owner.format.color_depth = "32"
    return owner


def test_a_file_output_input_s_own_format_is_in_it():
    scene, tree, _ = small_setup()
    owner = _own_format(tree)
    before = snapshot(scene)
    owner.format.color_depth = "16"
    lines = summary(before, snapshot(scene))
    assert len(lines) == 1 and "node 'File Output'" in lines[0] and "color_depth" in lines[0], \
        lines


def test_layout_is_apart_when_asked():
    scene, tree, math = small_setup()
    before = snapshot(scene)
    math.location = (500.0, -300.0)
    after = snapshot(scene)
    assert any("layout.location" in line for line in differences(before, after))
    assert not differences(before, after, layout=False)
    assert compositor(scene) is tree
