"""`nodescript lint SCENE.blend` audits an existing scene's compositor through export."""

import json
import re
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import add  # noqa: E402
from test_export import compositor, file_output, link, make_group, render_layers  # noqa: E402

from nodescript.cli import main  # noqa: E402

HALF = textwrap.dedent("""\
    scene {
        passes = [depth]
        depth_range = (1, 10)
    }

    rl = RenderLayers()
    c = CombineColor()
    depth = FileOutput(path="//out/depth/", format=exr, depth=16, codec=zip)
    rl.Depth -> c.Red
    c -> depth.depth
    """)


def nodescript(*args, cwd):
    return subprocess.run([sys.executable, "-m", "nodescript", *args], cwd=cwd,
                          capture_output=True, text=True)


@pytest.fixture
def scene_file(tmp_path):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "scene.blend"))
    return tmp_path / "scene.blend"


def test_lint_blend_finds_half_float_depth(scene_file, tmp_path):
    (tmp_path / "half.nodes").write_text(HALF)
    applied = nodescript("apply", "scene.blend", "half.nodes", "--force", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    result = nodescript("lint", "scene.blend", cwd=tmp_path)
    assert result.returncode == 1
    assert "half float" in result.stdout
    assert 'scene.blend: scene "Scene", node "depth": error[NS302]: ' in result.stdout


def test_lint_blend_clean_scene_and_unknown_scene(scene_file, tmp_path):
    (tmp_path / "depth.nodes").write_text(HALF.replace("depth=16", "depth=32"))
    assert nodescript("apply", "scene.blend", "depth.nodes", cwd=tmp_path).returncode == 0
    clean = nodescript("lint", "scene.blend", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout
    missing = nodescript("lint", "scene.blend", "--scene", "Nope", cwd=tmp_path)
    assert missing.returncode == 1 and "Nope" in missing.stdout


# --- findings named as Blender names them ------------------------------------------------------

def lint(*args):
    """`nodescript lint ...` in this process -> (exit code, stdout)."""
    result = CliRunner().invoke(main, ["lint", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout


@pytest.fixture
def ui_blend(tmp_path):
    """A tree as made in Blender's UI (default node names), with a node group: Depth through
    Combine Color into a half-float EXR, and a Blur on depth inside the group."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.context.scene.name = "Shot 1"
    tree = compositor()
    rl = render_layers(tree, "z")
    rl.name = "Render Layers"
    combine = add(tree, "CombineColor", "Combine Color")
    half = file_output(tree, "File Output.001", "//out/", [("depth", "RGBA")], "OPEN_EXR", "16")
    link(tree, rl, "Depth", combine, 0)
    link(tree, combine, 0, half, 0)
    group, group_in, group_out = make_group("Soft Edges", [("x", "NodeSocketFloat")],
                                            [("y", "NodeSocketColor")])
    blur = add(group, "Blur", "Blur")
    inner = add(group, "CombineColor", "Combine Color")
    link(group, group_in, 0, inner, 0)
    link(group, inner, 0, blur, 0)
    link(group, blur, 0, group_out, 0)
    soft = add(tree, "Group", "Group", node_tree=group)
    full = file_output(tree, "File Output", "//soft/", [("soft", "RGBA")], "OPEN_EXR", "32")
    link(tree, rl, "Depth", soft, 0)
    link(tree, soft, 0, full, 0)
    path = tmp_path / "ui.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return path


@pytest.fixture
def settings_blend(tmp_path):
    """Scene-level problems: compositing off, camera depth of field, and a Depth link whose
    pass was switched off after linking."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.use_compositing = False
    scene.render.engine = "CYCLES"          # depth of field jitters data passes in Cycles only
    camera = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    camera.data.dof.use_dof = True
    scene.collection.objects.link(camera)
    scene.camera = camera
    tree = compositor()
    rl = render_layers(tree, "z")
    rl.name = "Render Layers"
    out = file_output(tree, "File Output", "//d/", [("depth", "FLOAT")])
    link(tree, rl, "Depth", out, 0)
    scene.view_layers[0].use_pass_z = False
    path = tmp_path / "settings.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return path


def test_findings_name_the_scene_and_the_blender_nodes(ui_blend):
    code, out = lint(ui_blend)
    assert code == 1
    assert f'{ui_blend}: scene "Shot 1", node "File Output.001": error[NS302]: ' in out
    assert f'{ui_blend}: scene "Shot 1", group "Soft Edges", node "Blur": error[NS308]: ' in out
    assert not re.search(re.escape(str(ui_blend)) + r":\d", out)       # no line numbers
    # The messages name Blender's nodes too, not the exported names (File_Output_001).
    assert "FileOutput `File Output.001` slot `depth`" in out
    assert "colour socket `Combine Color.Image`" in out


def test_scene_level_findings_name_the_setting(settings_blend):
    code, out = lint(settings_blend)
    assert code == 1
    head = f'{settings_blend}: scene "Scene", '
    assert head + "setting render.use_compositing: error[NS310]: " in out
    assert head + "setting camera.data.dof.use_dof: warning[NS311]: " in out
    assert (head + 'link "Render Layers".Depth -> "File Output".depth, setting '
            'view_layers["ViewLayer"].use_pass_z: error[NS309]: ') in out
    assert 'help: switch on view_layers["ViewLayer"].use_pass_z, or apply a graph' in out


def test_json_sarif_and_github_formats(ui_blend, settings_blend):
    code, out = lint(ui_blend, settings_blend, "--format", "json")
    found = json.loads(out)                 # nothing else on stdout (Blender's "Read blend" too)
    by_code = {f["code"]: f for f in found}
    assert by_code["NS302"]["file"] == str(ui_blend)
    assert (by_code["NS302"]["scene"], by_code["NS302"]["node"]) == ("Shot 1", "File Output.001")
    assert (by_code["NS308"]["group"], by_code["NS308"]["node"]) == ("Soft Edges", "Blur")
    assert by_code["NS310"]["setting"] == "render.use_compositing"
    assert by_code["NS309"]["link"] == {"from_node": "Render Layers", "from_socket": "Depth",
                                        "to_node": "File Output", "to_socket": "depth"}
    assert all(f["line"] is None for f in found)

    code, out = lint(ui_blend, "--format", "sarif")
    doc = json.loads(out)
    names = {r["ruleId"]: [l["fullyQualifiedName"] for l in r["locations"][0]["logicalLocations"]]
             for r in doc["runs"][0]["results"]}
    assert names["NS302"] == ["Shot 1/File Output.001"]
    assert names["NS308"] == ["Shot 1/Soft Edges/Blur"]
    for result in doc["runs"][0]["results"]:
        assert result["locations"][0]["physicalLocation"] == {
            "artifactLocation": {"uri": str(ui_blend)}}

    code, out = lint(settings_blend, "--format", "github")
    assert f"::error file={settings_blend},title=NS310::" in out
    assert 'scene "Scene", setting render.use_compositing: use_compositing = false' in out


def test_nodes_files_still_report_lines(tmp_path):
    (tmp_path / "g.nodes").write_text(HALF)
    code, out = lint(tmp_path / "g.nodes")
    assert code == 1 and f"{tmp_path / 'g.nodes'}:8:9: error[NS302]" in out


def test_the_blends_dither_is_what_ns307_checks(tmp_path):
    """Export writes `dither` when it is not Blender's default, so NS307 follows the file."""
    def build(dither):
        bpy.ops.wm.read_factory_settings(use_empty=True)
        bpy.context.scene.render.dither_intensity = dither
        tree = compositor()
        rl = render_layers(tree, "z")
        combine = add(tree, "CombineColor", "Combine Color")
        png = file_output(tree, "File Output", "//png/", [("depth", "RGBA")], "PNG", "8")
        link(tree, rl, "Depth", combine, 0)
        link(tree, combine, 0, png, 0)
        path = tmp_path / f"dither{dither}.blend"
        bpy.ops.wm.save_as_mainfile(filepath=str(path))
        return path

    dithered, plain = build(1.0), build(0.0)
    _, out = lint(dithered, plain, "--format", "json")
    flagged = [(f["file"], f["node"]) for f in json.loads(out) if f["code"] == "NS307"]
    assert flagged == [(str(dithered), "File Output")]
