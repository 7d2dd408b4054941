"""Render Layers outputs that exist only while their pass is on (Cryptomatte, Denoising Data):
the catalogue lists them, so a graph can link them, and apply enables the pass before linking."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import compositor, links_of  # noqa: E402

from nodescript.blender.export import export_scene  # noqa: E402

GRAPH = """
    rl = RenderLayers()
    ids = FileOutput(path="//ids/", format=exr-multilayer, depth=32)
    rl.CryptoObject00 -> ids.CryptoObject00
    rl.CryptoObject01 -> ids.CryptoObject01
    rl."Denoising Normal" -> ids.denoising_normal
"""


def test_cryptomatte_and_denoising_passes_are_enabled_and_linked(make_scene, cli, open_file,
                                                                  graph, version):
    scene_file = make_scene()
    before = open_file(scene_file).view_layers[0]
    assert not before.use_pass_cryptomatte_object and not before.cycles.denoising_store_passes

    ran = cli("apply", scene_file, graph(GRAPH))

    assert ran.code == 0, ran.out + ran.err
    scene = open_file(scene_file)
    layer = scene.view_layers[0]
    assert layer.use_pass_cryptomatte_object and layer.cycles.denoising_store_passes
    assert not layer.use_pass_cryptomatte_material          # only what the graph uses
    assert links_of(compositor(scene)) == {
        ("rl", "CryptoObject00", "ids", "CryptoObject00"),
        ("rl", "CryptoObject01", "ids", "CryptoObject01"),
        ("rl", "Denoising Normal", "ids", "denoising_normal")}
    assert all(link.is_valid for link in compositor(scene).links)

    text = export_scene(scene, version=version)
    assert "passes = [cryptomatte_object, denoising_data]" in text
    assert "rl.CryptoObject01 -> ids.CryptoObject01" in text
    assert 'rl."Denoising Normal" -> ids.denoising_normal' in text

    again = cli("apply", scene_file, graph(GRAPH), "--check")
    assert again.code == 0, again.out + again.err        # the dynamic sockets are no drift


def test_declared_cryptomatte_pass_renders_into_the_file(make_scene, cli, graph, tmp_path):
    from nodescript.inspect.image import load_image

    scene_file = make_scene()
    graph_file = graph("""
        scene { passes = [cryptomatte_object] }
        rl = RenderLayers()
        ids = FileOutput(path="//ids/", format=exr-multilayer, depth=32)
        rl.CryptoObject00 -> ids.CryptoObject00
    """)
    ran = cli("render", scene_file, graph_file, "--out", tmp_path / "out")
    assert ran.code == 0, ran.out + ran.err
    written = sorted((tmp_path / "out").rglob("*.exr"))
    assert written, ran.out
    channels = {ch.name: ch.pixel_type for ch in load_image(str(written[0])).channels}
    crypto = {name: kind for name, kind in channels.items() if "CryptoObject00" in name}
    assert len(crypto) == 4 and set(crypto.values()) == {"FLOAT"}, channels
