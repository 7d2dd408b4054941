"""Frames hold nodes: `parent=frame` puts a node in a frame, apply is idempotent with it, and a
node moved out of its frame in Blender is drift."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import compositor  # noqa: E402

GRAPH = """
    scene { passes = [depth] }
    rl = RenderLayers()
    outputs = Frame(label="Outputs")
    scaled = MapRange(from_max=20, clamp=false, parent=outputs)
    depth = FileOutput(path="//depth/", format=exr, depth=32, parent=outputs)
    rl.Depth -> depth.depth
    rl.Depth -> scaled -> Viewer()
"""


def test_parent_puts_nodes_in_a_frame_and_is_checked(make_scene, cli, graph, open_file):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file).code == 0
    tree = compositor(open_file(scene_file))
    frame = tree.nodes["outputs"]
    assert tree.nodes["depth"].parent == frame and tree.nodes["scaled"].parent == frame
    assert tree.nodes["rl"].parent is None
    again = cli("apply", scene_file, graph_file)
    assert again.code == 0 and "up to date" in again.out + again.err
    assert cli("apply", scene_file, graph_file, "--check").code == 0

    tree = compositor(open_file(scene_file))
    tree.nodes["depth"].parent = None                  # dragged out of the frame in Blender
    bpy.ops.wm.save_mainfile()
    drift = cli("apply", scene_file, graph_file, "--check")
    assert drift.code == 1 and "parent" in drift.out + drift.err
    assert cli("apply", scene_file, graph_file).code == 0
    assert compositor(open_file(scene_file)).nodes["depth"].parent.name == "outputs"
    assert cli("apply", scene_file, graph_file, "--check").code == 0
