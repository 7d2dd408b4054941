"""`nodescript lint SCENE.blend` audits an existing scene's compositor through export."""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

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
    assert "error[NS302]" in result.stdout and "half float" in result.stdout
    assert "scene.blend[active scene]" in result.stdout


def test_lint_blend_clean_scene_and_unknown_scene(scene_file, tmp_path):
    (tmp_path / "depth.nodes").write_text(HALF.replace("depth=16", "depth=32"))
    assert nodescript("apply", "scene.blend", "depth.nodes", cwd=tmp_path).returncode == 0
    clean = nodescript("lint", "scene.blend", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout
    missing = nodescript("lint", "scene.blend", "--scene", "Nope", cwd=tmp_path)
    assert missing.returncode == 1 and "Nope" in missing.stdout
