"""The demo's claim, in every version: on the example scene the half-float trap's depth file is
a staircase against the analytic depth and examples/depth.nodes' file follows the ramp
(scripts/demo_compare.py, the last step of scripts/demo.sh)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

pytestmark = pytest.mark.blender
pytest.importorskip("bpy")
np = pytest.importorskip("numpy")
pytest.importorskip("OpenEXR")
PIL = pytest.importorskip("PIL.Image")

from conftest import EXAMPLES, ROOT, example_scene_module  # noqa: E402


def _compare_module():
    spec = importlib.util.spec_from_file_location("demo_compare", ROOT / "scripts" / "demo_compare.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_compare"] = module          # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_ramp_steps_less_than_a_half_float_per_row():
    truth, ramp = example_scene_module().truth()
    middle = truth[:, truth.shape[1] // 2][ramp[:, truth.shape[1] // 2]]
    per_row = np.abs(np.diff(middle)).max()
    assert 8 <= middle.min() and middle.max() < 16          # one binade: half's step is 2^-7 m
    assert per_row < 2.0 ** -7 / 3                            # at least 3 rows per half step


def test_trap_staircases_and_the_good_graph_follows_the_truth(make_scene, cli, tmp_path, capsys):
    scene_file = make_scene(size=(160, 120))
    out = tmp_path / "out"
    trap = cli("render", scene_file, EXAMPLES / "traps" / "half-float.nodes", "--out", out, "--force")
    good = cli("render", scene_file, EXAMPLES / "depth.nodes", "--out", out)
    assert trap.code == 0 and good.code == 0, trap.err + good.err
    picture = tmp_path / "profile.png"
    capsys.readouterr()                            # bpy's own "Info: Saved ..." lines

    code = _compare_module().main([str(picture), f"trap={out / 'half' / 'depth0001.exr'}",
                                   f"good={out / 'depth' / 'depth0001.exr'}"])

    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"picture: {picture}")
    trap_line, good_line = lines[1:]
    assert trap_line.startswith("trap: ") and ": half, " in trap_line and "-> staircase (" in trap_line
    assert good_line.startswith("good: ") and ": float, " in good_line
    assert good_line.endswith("-> follows the ramp")
    worst_trap = float(trap_line.split("worst error ")[1].split(" mm")[0])
    assert 2.0 ** -9 * 1000 < worst_trap <= 2.0 ** -8 * 1000 + 0.01      # half of a 7.8 mm step
    assert " nm -> " in good_line or " um -> " in good_line                # below a micrometre-ish
    with PIL.open(picture) as image:
        assert image.size == (900, 640)
