"""A File Output input with its own format (`out.preview(format=png, depth=8)`): built as
4.x `use_node_format` off / 5.0 `override_node_format` on, compared by `apply --check`,
exported back, and written by a render in that format."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import compositor, nodes_part, running_dialect  # noqa: E402

from nodescript.blender.export import export_scene  # noqa: E402
from nodescript.fmt import format_source  # noqa: E402
from nodescript.lint import lint_source  # noqa: E402

V = "%d.%d" % tuple(bpy.app.version[:2])
# Depth as full float EXR, a PNG preview of the image next to it, in one File Output.
GRAPH = """\
scene {
    passes = [depth]
}

rl = RenderLayers()
out = FileOutput(path="//out/", format=exr, depth=32, codec=zip)

rl.Depth -> out.depth
rl.Image -> out.preview(format=png, depth=16, color_mode=rgba)
"""


def inputs_of(node) -> list[tuple[str, bool, str, str]]:
    """(name, own format, file format, depth) per input."""
    if hasattr(node, "file_output_items"):
        return [(i.name, i.override_node_format, i.format.file_format, i.format.color_depth)
                for i in node.file_output_items]
    return [(layer.name, not slot.use_node_format, slot.format.file_format, slot.format.color_depth)
            for slot, layer in zip(node.file_slots, node.layer_slots)]




def own(node, index: int):
    return node.file_output_items[index] if hasattr(node, "file_output_items") \
        else node.file_slots[index]


def test_an_input_with_its_own_format_is_built_checked_and_exported(make_scene, cli, graph,
                                                                   open_file):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file).code == 0
    node = compositor(open_file(scene_file)).nodes["out"]
    depth, preview = inputs_of(node)
    assert depth[:2] == ("depth", False)
    assert preview == ("preview", True, "PNG", "16")
    assert own(node, 1).format.color_mode == "RGBA"
    assert node.format.file_format == "OPEN_EXR" and node.format.color_depth == "32"

    assert nodes_part(export_scene(bpy.context.scene, version=V)) == nodes_part(format_source(GRAPH))
    assert cli("apply", scene_file, graph_file, "--check").code == 0
    again = cli("apply", scene_file, graph_file)
    assert again.code == 0 and "up to date; nothing written" in again.out


def test_a_changed_own_format_is_drift_and_apply_restores_it(make_scene, cli, graph, open_file):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file).code == 0
    node = compositor(open_file(scene_file)).nodes["out"]
    own(node, 1).format.color_depth = "8"
    bpy.ops.wm.save_mainfile()

    drift = cli("apply", scene_file, graph_file, "--check")
    assert drift.code == 1
    assert "format.color_depth='8'" in drift.out and "format.color_depth='16'" in drift.out
    assert cli("apply", scene_file, graph_file).code == 0
    node = compositor(open_file(scene_file)).nodes["out"]
    assert inputs_of(node)[1] == ("preview", True, "PNG", "16")


def test_an_own_format_made_in_blender_exports_and_rebuilds(make_scene, cli, graph, open_file,
                                                            tmp_path):
    plain = GRAPH.replace("out.preview(format=png, depth=16, color_mode=rgba)", "out.preview")
    scene_file, graph_file = make_scene(), graph(plain)
    assert cli("apply", scene_file, graph_file).code == 0
    node = compositor(open_file(scene_file)).nodes["out"]
    slot = own(node, 1)                                # as a user does it in the sidebar
    if hasattr(slot, "override_node_format"):
        slot.override_node_format = True
    else:
        slot.use_node_format = False
    slot.format.file_format = "JPEG"
    slot.format.quality = 75
    bpy.ops.wm.save_mainfile()

    text = export_scene(bpy.context.scene, version=V)
    assert "rl.Image -> out.preview(format=jpeg, depth=8, quality=75)" in text
    assert "export:" not in text                       # nothing left out
    exported = tmp_path / "exported.nodes"
    exported.write_text(text)
    assert cli("apply", scene_file, exported, "--check").code == 0

    empty = make_scene("empty.blend")
    assert cli("apply", empty, exported).code == 0
    rebuilt = compositor(open_file(empty)).nodes["out"]
    assert inputs_of(rebuilt)[1] == ("preview", True, "JPEG", "8")
    assert own(rebuilt, 1).format.quality == 75
    assert export_scene(bpy.context.scene, version=V) == text


def test_a_render_writes_each_input_in_its_own_format(make_scene, cli, graph, tmp_path):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    out = tmp_path / "render"
    ran = cli("render", scene_file, graph_file, "--out", out)
    assert ran.code == 0, ran.out + ran.err
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    exr = [p for p in written if "depth" in p]
    png = [p for p in written if "preview" in p]
    assert len(exr) == 1 and exr[0].endswith(".exr"), written
    assert len(png) == 1 and png[0].endswith(".png"), written
    with open(out / png[0], "rb") as f:
        header = f.read(26)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert header[24] == 16 and header[25] == 6         # 16 bits per channel, RGBA


def test_an_own_format_does_not_take_the_node_quality(make_scene, cli, graph, open_file, tmp_path):
    # Blender starts a new input's format as a copy of the node's: apply sets every own setting.
    text = GRAPH.replace("format=exr, depth=32, codec=zip)", "format=jpeg, depth=8, quality=60)") \
        .replace("rl.Depth -> out.depth\n", "").replace("depth=16, color_mode=rgba", "depth=8")
    scene_file = make_scene()
    assert cli("apply", scene_file, graph(text)).code == 0
    node = compositor(open_file(scene_file)).nodes["out"]
    assert (node.format.quality, own(node, 0).format.quality) == (60, 90)
    assert own(node, 0).format.compression == 15
    assert nodes_part(export_scene(bpy.context.scene, version=V)) == nodes_part(format_source(text))


RAW = """\
scene {
    view_transform = agx
}

rl = RenderLayers()
out = FileOutput(path="//out/", format=png, depth=8, save_as_render=false)

rl.Image -> out.beauty
rl.Image -> out.graded(format=png, depth=8)
"""


def save_as_render_flags(node) -> tuple[bool, bool]:
    """(the node-format input's flag as Blender applies it, the own-format input's flag)."""
    if hasattr(node, "file_output_items"):
        return node.save_as_render, node.file_output_items[1].save_as_render
    if hasattr(node, "save_as_render"):                 # 4.5: the node's, unless own format
        return node.save_as_render, node.file_slots[1].save_as_render
    return node.file_slots[0].save_as_render, node.file_slots[1].save_as_render


def test_save_as_render_is_kept_in_every_version(make_scene, cli, graph, open_file):
    # 4.2 has it per input only (and applies each input's: measured); 4.5 and 5.0 apply the
    # node's, or an input's own when it has its own format.
    scene_file, graph_file = make_scene(), graph(RAW)
    assert cli("apply", scene_file, graph_file).code == 0
    node = compositor(open_file(scene_file)).nodes["out"]
    assert save_as_render_flags(node) == (False, True)
    assert nodes_part(export_scene(bpy.context.scene, version=V)) == nodes_part(format_source(RAW))
    assert cli("apply", scene_file, graph_file, "--check").code == 0

    if not running_dialect().NODE_SAVE_AS_RENDER:       # switched back on for one input
        compositor(open_file(scene_file)).nodes["out"].file_slots[0].save_as_render = True
        bpy.ops.wm.save_mainfile()
        drift = cli("apply", scene_file, graph_file, "--check")
        assert drift.code == 1 and "'beauty':beauty raw" in drift.out
        assert cli("apply", scene_file, graph_file).code == 0
        assert cli("apply", scene_file, graph_file, "--check").code == 0


def test_save_as_render_changes_what_is_written(make_scene, cli, graph, tmp_path):
    import numpy as np
    scene_file, graph_file = make_scene(), graph(RAW)
    out = tmp_path / "render"
    ran = cli("render", scene_file, graph_file, "--out", out)
    assert ran.code == 0, ran.out + ran.err
    pixels = {}
    for name in ("beauty", "graded"):
        (path,) = out.rglob(f"{name}*.png")
        image = bpy.data.images.load(str(path))
        pixels[name] = np.array(image.pixels[:])
    # AgX is applied to the graded input only: the raw one is sRGB-encoded, not tone-mapped.
    assert np.abs(pixels["beauty"] - pixels["graded"]).max() > 2 / 255


TYPED = f'target "{V}"\n' + """\

scene {
    passes = [depth]
}

rl = RenderLayers()
cc = CombineColor()
out = FileOutput(path="//out/", format=exr, depth=16, codec=zip)

rl.Depth -> cc.Red
cc.Image -> out.depth(type=float)
"""


@pytest.mark.skipif(not running_dialect().FILE_OUTPUT_ITEMS,
                    reason="only File Output items (5.0 on) declare their type")
def test_a_declared_input_type_is_built_exported_and_decides_the_precision(make_scene, cli,
                                                                           graph, open_file,
                                                                           tmp_path):
    # A colour socket into a 16-bit EXR is half float, unless the item is declared float.
    OpenEXR = pytest.importorskip("OpenEXR")
    scene_file, graph_file = make_scene(), graph(TYPED)
    def codes(text: str) -> set[str]:
        return {d.code for d in lint_source(text, "t.nodes").diagnostics}

    assert "NS302" not in codes(TYPED) and "NS302" in codes(TYPED.replace("(type=float)", ""))
    assert cli("apply", scene_file, graph_file).code == 0
    node = compositor(open_file(scene_file)).nodes["out"]
    assert node.file_output_items[0].socket_type == "FLOAT"
    text = export_scene(bpy.context.scene, version=V)
    assert "cc.Image -> out.depth(type=float)" in text and "export:" not in text
    assert cli("apply", scene_file, graph_file, "--check").code == 0

    out = tmp_path / "render"
    assert cli("render", scene_file, "--out", out).code == 0
    (path,) = (out / "out").glob("depth*.exr")
    kinds = {ch.type() for part in OpenEXR.File(str(path)).parts for ch in part.channels.values()}
    assert kinds == {OpenEXR.FLOAT}
