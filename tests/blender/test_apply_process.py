"""`nodescript apply` as its own process, the way users run it. There (and only there: bpy is not
loaded yet) the graph is linted and lowered in a forked child while the process imports bpy; the
findings, the lint gate and the result must be exactly those of the in-process run."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import ROOT, compositor  # noqa: E402


def run_process(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "nodescript", "apply", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=300)


WARNS = """
    rl = RenderLayers()
    rl.Depth -> Math(operation=add, inputs=(_, 1)) as unused
    rl.Image -> Math(operation=multiply, inputs=(_, 2)) as m -> Viewer() as v
"""
BROKEN = """
    rl = RenderLayers()
    rl.Nope -> Viewer() as v
    this is not nodescript
"""
PRECISION = """
    rl = RenderLayers()
    rl.Depth -> Blur(size_x=2) as b -> FileOutput(path="//o/", format=exr, depth=16) as f
"""


def _ours(out: str) -> str:
    """Without Blender's own report lines: in this process bpy prints them through sys.stdout,
    which the test runner captures (a process has them on fd 1, silenced while saving)."""
    return "".join(line for line in out.splitlines(True) if not line.startswith("Info: "))


def test_process_applies_with_the_same_findings(make_scene, cli, open_file, graph, tmp_path):
    scene_file = make_scene()
    graph_file = graph(WARNS)
    inside = cli("apply", scene_file, graph_file, "-o", tmp_path / "inside.blend")

    ran = run_process(scene_file, graph_file, "-o", tmp_path / "process.blend")

    assert ran.returncode == 0, ran.stderr
    assert inside.code == 0 and "NS201" in ran.stderr
    assert ran.stderr == inside.err
    assert ran.stdout == _ours(inside.out).replace("inside.blend", "process.blend")
    tree = compositor(open_file(tmp_path / "process.blend"))
    assert {n.name for n in tree.nodes} == {"rl", "unused", "m", "v"}
    assert tree.nodes["m"].inputs[1].default_value == 2
    check = run_process(tmp_path / "process.blend", graph_file, "--check")
    assert check.returncode == 0 and "up to date" in check.stdout, check.stdout + check.stderr


@pytest.mark.parametrize("text", [BROKEN, PRECISION], ids=["errors", "precision"])
def test_process_lint_gate_stops_before_the_blend_is_touched(make_scene, cli, graph, tmp_path, text):
    scene_file = make_scene()
    graph_file = graph(text)
    before = scene_file.read_bytes()
    inside = cli("apply", scene_file, graph_file)

    ran = run_process(scene_file, graph_file)

    assert ran.returncode == inside.code == 1
    assert ran.stderr == inside.err and ran.stdout == inside.out == ""
    assert "error[" in ran.stderr or "precision error" in ran.stderr
    assert scene_file.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.nodes", "scene.blend"]
