"""`mute=true` mutes a node (Blender then passes its input through); apply keeps it so, --check
sees a node muted or unmuted in Blender, and export writes it back."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import compositor  # noqa: E402

from nodescript.blender.export import export_scene  # noqa: E402

V = "%d.%d" % tuple(bpy.app.version[:2])
GRAPH = """
    rl = RenderLayers()
    soft = Blur(label="off for now", mute=true)
    rl.Image -> soft -> Viewer()
"""


def test_mute_is_applied_checked_and_exported(make_scene, cli, graph, open_file):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file).code == 0
    tree = compositor(open_file(scene_file))
    assert tree.nodes["soft"].mute is True and tree.nodes["rl"].mute is False
    assert "mute=true" in export_scene(bpy.context.scene, version=V)
    assert cli("apply", scene_file, graph_file, "--check").code == 0

    tree = compositor(open_file(scene_file))
    tree.nodes["soft"].mute = False                    # switched back on in Blender
    bpy.ops.wm.save_mainfile()
    drift = cli("apply", scene_file, graph_file, "--check")
    assert drift.code == 1 and "mute" in drift.out + drift.err
    assert cli("apply", scene_file, graph_file).code == 0
    assert compositor(open_file(scene_file)).nodes["soft"].mute is True


def test_a_viewer_is_muted_where_blender_can_mute_it(make_scene, cli, graph, open_file):
    # 5.0 refuses `viewer.mute = True`; the catalogue says so and the resolver stops it (NS111).
    scene_file = make_scene()
    before = scene_file.read_bytes()
    ran = cli("apply", scene_file, graph('target "%s"\nrl = RenderLayers()\n'
                                         "rl.Image -> Viewer(mute=true) as view\n" % V))
    from nodescript import vocabulary

    if not vocabulary.spec_for("Viewer", V)[0].mutable:
        assert ran.code != 0 and "NS111" in ran.out + ran.err
        assert scene_file.read_bytes() == before
    else:
        assert ran.code == 0
        assert compositor(open_file(scene_file)).nodes["view"].mute is True
