"""File Output inputs keep their names in real bpy: the dialect's FILE_LAYER_NAME_LENGTH is what
this Blender keeps, a 4.x slot path set apart from its name survives export and apply, and an
unlinked input stays."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import compositor, running_dialect  # noqa: E402

from nodescript.blender.export import export_file  # noqa: E402

D = running_dialect()


def test_the_layer_name_length_is_what_this_blender_keeps():
    tree = bpy.data.node_groups.new("measure", "CompositorNodeTree")
    node = tree.nodes.new("CompositorNodeOutputFile")
    if D.FILE_OUTPUT_ITEMS:
        item = node.file_output_items.new("FLOAT", "n" * 200)
        assert D.FILE_LAYER_NAME_LENGTH is None and len(item.name) == 200
        return
    node.file_slots.new("x")
    node.layer_slots[-1].name = "n" * 200
    assert len(node.layer_slots[-1].name) == D.FILE_LAYER_NAME_LENGTH


@pytest.mark.skipif(D.FILE_OUTPUT_ITEMS, reason="4.x slots have a path apart from their name")
def test_a_slot_path_apart_from_its_name_and_an_unlinked_input_come_back(make_scene, cli,
                                                                         open_file, tmp_path):
    def build(bpy):
        scene = bpy.context.scene
        scene.use_nodes = True
        scene.view_layers[0].use_pass_z = True
        tree = scene.node_tree
        out = tree.nodes.new("CompositorNodeOutputFile")
        out.name, out.base_path = "File Output.001", "//out/"
        out.format.file_format, out.format.color_depth = "OPEN_EXR", "32"
        out.file_slots[0].path = "depth_"                  # input Image, file depth_
        out.file_slots.new("spare")                         # nothing links into it
        tree.links.new(tree.nodes["Render Layers"].outputs["Depth"], out.inputs[0])
    scene_file = make_scene(edit=build)
    exported = tmp_path / "exported.nodes"
    text = export_file(scene_file)
    exported.write_text(text, encoding="utf-8")
    assert '"Render Layers".Depth -> "File Output.001".Image(path="depth_")' in text, text
    assert 'inputs=["Image", "spare"]' in text, text
    assert cli("apply", scene_file, exported, "--check").code == 0

    rebuilt = tmp_path / "rebuilt.blend"
    open_file(scene_file)
    compositor(bpy.context.scene).nodes.remove(
        compositor(bpy.context.scene).nodes["File Output.001"])
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "without.blend"))
    ran = cli("apply", tmp_path / "without.blend", exported, "-o", rebuilt)
    assert ran.code == 0, ran.err
    node = compositor(open_file(rebuilt)).nodes["File Output.001"]
    assert [s.name for s in node.inputs] == ["Image", "spare"]
    assert [s.path for s in node.file_slots] == ["depth_", "spare"]
    assert [s.name for s in node.layer_slots] == ["Image", "spare"]
