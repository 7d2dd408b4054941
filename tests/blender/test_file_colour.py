"""A File Output's own colour management (`FileOutput(view_transform=raw)`): built as the
format's Color Management override with every field set (Blender starts them by version),
compared by `apply --check`, and exported back."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import compositor  # noqa: E402

V = "%d.%d" % tuple(bpy.app.version[:2])
GRAPH = """\
scene {
    view_transform = agx
}

rl = RenderLayers()
out = FileOutput(path="//out/", format=png, depth=8, view_transform=raw)

rl.Image -> out.preview
rl.Image -> out.beauty(format=exr, depth=32, codec=zip, color_space="Linear Rec.2020")
"""


def own(node, index: int):
    return node.file_output_items[index] if hasattr(node, "file_output_items") \
        else node.file_slots[index]


def settings(fmt) -> tuple:
    view = fmt.view_settings
    return (fmt.color_management, view.view_transform, view.look, view.exposure, view.gamma,
            fmt.display_settings.display_device, fmt.linear_colorspace_settings.name)


def test_the_override_is_built_with_every_field_and_checked(make_scene, cli, graph, open_file):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file).code == 0
    node = compositor(open_file(scene_file)).nodes["out"]
    assert settings(node.format) == ("OVERRIDE", "Raw", "None", 0.0, 1.0, "sRGB", "sRGB")
    assert settings(own(node, 1).format) == ("OVERRIDE", "AgX", "None", 0.0, 1.0, "sRGB",
                                             "Linear Rec.2020")
    assert bpy.context.scene.view_settings.view_transform == "AgX"
    assert cli("apply", scene_file, graph_file, "--check").code == 0


def test_a_changed_override_is_drift_and_apply_restores_it(make_scene, cli, graph, open_file):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file).code == 0
    node = compositor(open_file(scene_file)).nodes["out"]
    node.format.view_settings.view_transform = "Standard"
    bpy.ops.wm.save_mainfile()
    drift = cli("apply", scene_file, graph_file, "--check")
    assert drift.code == 1 and "view_transform" in drift.out
    assert cli("apply", scene_file, graph_file).code == 0
    node = compositor(open_file(scene_file)).nodes["out"]
    assert node.format.view_settings.view_transform == "Raw"


def test_an_override_exports_and_rebuilds(make_scene, cli, graph, open_file, tmp_path):
    from conftest import nodes_part

    from nodescript.blender.export import export_scene
    from nodescript.fmt import format_source

    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file).code == 0
    open_file(scene_file)
    text = export_scene(bpy.context.scene, version=V)
    assert nodes_part(text) == nodes_part(format_source(GRAPH))
    node = compositor(bpy.context.scene).nodes["out"]      # as a user sets it in the sidebar
    node.format.view_settings.exposure = 0.5
    node.format.view_settings.look = "None"
    bpy.ops.wm.save_mainfile()
    text = export_scene(bpy.context.scene, version=V)
    assert "view_transform=raw, exposure=0.5" in text
    exported = tmp_path / "exported.nodes"
    exported.write_text(text)
    assert cli("apply", scene_file, exported, "--check").code == 0
