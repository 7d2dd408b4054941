"""`a -> b.In(mute=true)`: a muted link (Blender draws it, passes nothing). Built muted, kept by
apply, compared by `apply --check`, exported, and by both build paths (small and chunked)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import compositor, nodes_part  # noqa: E402

from nodescript.blender import chunked  # noqa: E402
from nodescript.blender.export import export_scene  # noqa: E402
from nodescript.fmt import format_source  # noqa: E402

V = "%d.%d" % tuple(bpy.app.version[:2])
GRAPH = """\
scene {
    passes = [depth]
}

rl = RenderLayers()
soft = Blur()
out = FileOutput(path="//out/", format=exr, depth=32, codec=zip)

rl.Image -> soft.Image(mute=true)
soft.Image -> out.image
rl.Depth -> out.depth(mute=true)
"""


def muted(tree) -> set[tuple[str, str]]:
    return {(l.from_node.name, l.to_node.name + "." + l.to_socket.name) for l in tree.links
            if l.is_muted}




def test_muted_links_are_built_checked_and_exported(make_scene, cli, graph, open_file):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file).code == 0
    tree = compositor(open_file(scene_file))
    assert {(a, b.split(".")[0]) for a, b in muted(tree)} == {("rl", "soft"), ("rl", "out")}
    assert len(tree.links) == 3
    assert nodes_part(export_scene(bpy.context.scene, version=V)) == nodes_part(format_source(GRAPH))
    assert cli("apply", scene_file, graph_file, "--check").code == 0

    tree = compositor(open_file(scene_file))
    for link in tree.links:
        link.is_muted = False                           # unmuted in Blender
    bpy.ops.wm.save_mainfile()
    drift = cli("apply", scene_file, graph_file, "--check")
    assert drift.code == 1 and "(muted)" in drift.out
    assert cli("apply", scene_file, graph_file).code == 0
    assert len(muted(compositor(open_file(scene_file)))) == 2
    assert cli("apply", scene_file, graph_file, "--check").code == 0


def test_a_muted_link_survives_the_chunked_build(make_scene, cli, graph, open_file):
    many = chunked.MIN_NODES + 10                       # big enough for the grouped build
    text = GRAPH + "view = Viewer()\n" + "".join(f"rl.Image -> Blur() as b{i}\n"
                                                  for i in range(many))
    text += "b3.Image -> view.Image(mute=true)\n"
    scene_file, graph_file = make_scene(), graph(text)
    assert cli("apply", scene_file, graph_file).code == 0
    tree = compositor(open_file(scene_file))
    assert len(tree.nodes) > chunked.MIN_NODES
    assert ("b3", "view.Image") in muted(tree) and len(muted(tree)) == 3
    assert cli("apply", scene_file, graph_file, "--check").code == 0


def test_an_input_fed_by_a_muted_link_writes_nothing(make_scene, cli, graph, tmp_path):
    out = tmp_path / "render"
    direct = GRAPH.replace("soft.Image -> out.image", "rl.Image -> out.image")
    ran = cli("render", make_scene(), graph(direct), "--out", out)
    assert ran.code == 0, ran.out + ran.err
    assert sorted(p.name for p in (out / "out").iterdir()) == ["image0001.exr"]
