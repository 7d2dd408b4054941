"""The version-independent vocabulary in real Blender: one `.nodes` text, the same node in each
version, linked to sockets Blender shows (4.5's and 5.0's Mix is ShaderNodeMix: A_Float, A_Color,
...)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import compositor  # noqa: E402

from nodescript import vocabulary  # noqa: E402
from nodescript.blender.export import export_scene  # noqa: E402
from nodescript.fmt import format_source  # noqa: E402

V = "%d.%d" % tuple(bpy.app.version[:2])

MIX = """\
rl = RenderLayers()
mix = Mix(blend_type=multiply, use_clamp=true, inputs=(0.25))
rl.Image -> mix.Fac
rl.Image -> mix.Image
rl.Normal -> mix.B
ranged = MapRange(clamp=false)
rl.Depth -> ranged
view = Viewer()
mix -> view
scene { passes = [normal, depth] }
"""


def applied(make_scene, cli, graph, open_file, text):
    scene_path = make_scene()
    ran = cli("apply", scene_path, graph(text), "--force")   # the clamp is wanted here
    assert ran.code == 0, ran.out + ran.err
    return open_file(scene_path)


def test_mix_and_map_range_mean_the_same_in_every_version(make_scene, cli, graph, open_file):
    scene = applied(make_scene, cli, graph, open_file, MIX)
    tree = compositor(scene)
    mix, ranged = tree.nodes["mix"], tree.nodes["ranged"]
    linked = {link.to_socket.identifier: link.from_socket.name for link in tree.links
              if link.to_node == mix}
    assert all(link.is_valid and link.to_socket.enabled and link.from_socket.enabled
               for link in tree.links)
    assert mix.blend_type == "MULTIPLY"
    if vocabulary.spec_for("Mix", V)[0].idname == "ShaderNodeMix":    # 4.5 on: the shader Mix
        assert (mix.bl_idname, mix.data_type, mix.clamp_result) == ("ShaderNodeMix", "RGBA", True)
        assert linked == {"Factor_Float": "Image", "A_Color": "Image", "B_Color": "Normal"}
        assert mix.inputs[0].identifier == "Factor_Float"
        assert mix.inputs[0].default_value == pytest.approx(0.25)
        assert ranged.clamp is False
    else:
        assert (mix.bl_idname, mix.use_clamp) == ("CompositorNodeMixRGB", True)
        assert linked == {"Fac": "Image", "Image": "Image", "Image_001": "Normal"}
        assert mix.inputs[0].default_value == pytest.approx(0.25)
        assert ranged.use_clamp is False
    assert cli("apply", bpy.data.filepath, graph(MIX), "--check", "--force").code == 0


def test_mix_exports_without_its_implied_data_type(make_scene, cli, graph, open_file):
    scene = applied(make_scene, cli, graph, open_file, MIX)
    text = export_scene(scene, version=V)
    assert "data_type" not in text
    assert "mix = Mix(" in text
    assert format_source(text) == text


def test_a_float_mix_links_its_float_sockets(make_scene, cli, graph, open_file):
    if vocabulary.spec_for("Mix", V)[0].idname != "ShaderNodeMix":
        pytest.skip("4.2's Mix (MixRGB) has no data_type: it always mixes colours")
    text = f'target "{V}"\n' + MIX.replace("multiply, ", "multiply, data_type=float, ").replace(
        "rl.Normal", "rl.Depth")
    tree = compositor(applied(make_scene, cli, graph, open_file, text))
    mix = tree.nodes["mix"]
    linked = {link.to_socket.identifier for link in tree.links if link.to_node == mix}
    assert mix.data_type == "FLOAT"
    assert linked == {"Factor_Float", "A_Float", "B_Float"}
    assert all(link.is_valid and link.to_socket.enabled for link in tree.links)
