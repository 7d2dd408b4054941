"""`apply --check` sees a File Output input switched to its own format in Blender (4.x
use_node_format off, 5.0 override_node_format on), and `apply` puts it back on the node's format."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import compositor  # noqa: E402

GRAPH = """
    scene { passes = [depth, normal] }
    rl = RenderLayers()
    data = FileOutput(path="//out/", format=exr, depth=32, codec=zip)
    rl.Depth -> data.depth
    rl.Normal -> data.normal
"""


def own_format_to_half(open_file, path) -> None:
    node = compositor(open_file(path)).nodes["data"]
    if hasattr(node, "file_output_items"):
        item = node.file_output_items[0]
        item.override_node_format = True
        item.format.file_format, item.format.color_depth = "OPEN_EXR", "16"
    else:
        slot = node.file_slots[0]
        slot.use_node_format = False
        slot.format.file_format, slot.format.color_depth = "OPEN_EXR", "16"
    bpy.ops.wm.save_mainfile()


def own_formats(open_file, path) -> list[bool]:
    node = compositor(open_file(path)).nodes["data"]
    if hasattr(node, "file_output_items"):
        return [item.override_node_format for item in node.file_output_items]
    return [not slot.use_node_format for slot in node.file_slots]


def test_an_input_with_its_own_format_is_drift_and_apply_resets_it(make_scene, cli, graph,
                                                                    open_file):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file).code == 0
    assert cli("apply", scene_file, graph_file, "--check").code == 0
    own_format_to_half(open_file, scene_file)

    drift = cli("apply", scene_file, graph_file, "--check")
    assert drift.code == 1
    assert "(own format: format.file_format='OPEN_EXR' format.color_depth='16')" in drift.out

    assert cli("apply", scene_file, graph_file).code == 0
    assert own_formats(open_file, scene_file) == [False, False]
    assert cli("apply", scene_file, graph_file, "--check").code == 0
