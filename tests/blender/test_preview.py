"""`preview=true` (an output for eyes, not measurements) has no place in Blender: apply keeps it in
the node's `nodescript` JSON property, --check sees it switched on or off, export writes it back,
and `lint SCENE.blend` lowers findings on it as it does in a .nodes file."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import compositor  # noqa: E402

from nodescript.blender.export import export_file  # noqa: E402
from nodescript.blender.plan import TAG  # noqa: E402
from nodescript.fmt import format_source  # noqa: E402

V = "%d.%d" % tuple(bpy.app.version[:2])
# As export writes it (the example scene at 32x24), so the round trip can be compared whole. In
# 5.0 MapValue is three Math nodes, each carrying the mark.
GRAPH = f"""\
target "{V}"

scene {{
    engine = cycles
    passes = [depth]
    resolution = (32, 24)
    use_compositing = true
    view_transform = agx
    cycles.samples = 1
    cycles.filter_width = 1.5
}}

rl = RenderLayers()
mv = MapValue(size=0.05, use_max=true, preview=true)
look = FileOutput(path="//out/look/", format=png, depth=16, color_mode=bw, preview=true)
depth = FileOutput(path="//out/depth/", format=exr, depth=32, codec=zip)
view = Viewer(label="eyes", preview=true)

rl.Depth -> mv.Value
mv.Value -> look.depth
rl.Depth -> depth.depth
mv.Value -> view.Image
"""


def marks(tree) -> dict[str, object]:
    """Node name -> its `nodescript` property as JSON (None where there is none)."""
    return {n.name: json.loads(n[TAG]) if TAG in n else None for n in tree.nodes}


def test_preview_is_kept_checked_and_exported(make_scene, cli, graph, open_file):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file, "--force").code == 0   # PNG preview: warnings
    stored = marks(compositor(open_file(scene_file)))
    assert stored["look"] == {"preview": True} and stored["view"] == {"preview": True}
    assert stored["rl"] is None and stored["depth"] is None      # unmarked: nothing stored
    mv = [name for name in stored if name == "mv" or name.startswith("mv.")]
    assert mv and all(stored[name]["preview"] is True for name in mv)
    assert export_file(str(scene_file)) == format_source(GRAPH)

    again = cli("apply", scene_file, graph_file, "--force")
    assert again.code == 0 and "up to date" in again.out + again.err
    assert cli("apply", scene_file, graph_file, "--check", "--force").code == 0


def test_preview_switched_in_the_scene_is_drift(make_scene, cli, graph, open_file):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file, "--force").code == 0

    # The graph drops the Viewer's mark and marks the EXR: the scene is out of date both ways.
    changed = graph(GRAPH.replace('label="eyes", preview=true', 'label="eyes"')
                    .replace("codec=zip)", "codec=zip, preview=true)"), "changed.nodes")
    drift = cli("apply", scene_file, changed, "--check", "--force")
    said = drift.out + drift.err
    assert drift.code == 1
    assert "~ node view preview: True -> False" in said
    assert "~ node depth preview: False -> True" in said
    assert cli("apply", scene_file, changed, "--force").code == 0
    stored = marks(compositor(open_file(scene_file)))
    assert stored["view"] is None and stored["depth"] == {"preview": True}
    assert cli("apply", scene_file, changed, "--check", "--force").code == 0
    assert export_file(str(scene_file)) == format_source(changed.read_text())

    # Cleared by hand in Blender: drift, and apply puts it back.
    tree = compositor(open_file(scene_file))
    del tree.nodes["look"][TAG]
    bpy.ops.wm.save_mainfile()
    drift = cli("apply", scene_file, changed, "--check", "--force")
    assert drift.code == 1 and "~ node look preview: False -> True" in drift.out + drift.err
    assert cli("apply", scene_file, changed, "--force").code == 0
    assert marks(compositor(open_file(scene_file)))["look"] == {"preview": True}
    assert cli("apply", scene_file, changed, "--check", "--force").code == 0


def test_lint_of_the_blend_honours_the_stored_mark(make_scene, cli, graph, open_file):
    """Depth into an 8-bit PNG is an error; marked preview in the .blend, one level lower."""
    text = """
        scene { passes = [depth] }
        rl = RenderLayers()
        look = FileOutput(path="//out/look/", format=png, depth=8, color_mode=bw, preview=true)
        rl.Depth -> look.depth
    """
    scene_file = make_scene()
    assert cli("apply", scene_file, graph(text), "--force").code == 0
    code, out = lint_blend(scene_file)
    assert code == 0 and 'node "look": warning[NS301]' in out, out

    tree = compositor(open_file(scene_file))
    del tree.nodes["look"][TAG]                        # the mark lost: a data output again
    bpy.ops.wm.save_mainfile()
    code, out = lint_blend(scene_file)
    assert code == 1 and 'node "look": error[NS301]' in out, out


def lint_blend(path) -> tuple[int, str]:
    from click.testing import CliRunner

    from nodescript.cli import main

    result = CliRunner().invoke(main, ["lint", str(path)], catch_exceptions=False)
    return result.exit_code, result.stdout
