"""Precision proofs: what lint predicts is what Blender writes, against analytic depth.

One scene (scripts/measure_depth_accuracy.py: a camera 10 m above a single tilted plane filling
the 160x120 view, Cycles CPU, 1 sample, filter width 0.01), rendered through nodescript's own
`render` code path with three graphs:

  (a) tests/golden/accuracy/recipe_png.nodes   Depth -> Map Value -> Normalize -> 8-bit PNG
  (b) tests/golden/accuracy/half_color.nodes   Depth -> Combine Color -> EXR depth=16 (half)
  (c) examples/depth.nodes                     Depth -> EXR depth=32, zip

Truth is the planar camera Z at every pixel centre (ray through the centre meets the plane).
"""

from __future__ import annotations

import importlib.util
import re

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")
np = pytest.importorskip("numpy")
pytest.importorskip("OpenEXR")

from conftest import ROOT  # noqa: E402

from nodescript.lint import lint_file  # noqa: E402


def _measure_module():
    spec = importlib.util.spec_from_file_location(
        "measure_depth_accuracy", ROOT / "scripts" / "measure_depth_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


M = _measure_module()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """case -> (values as float64, Channel), each rendered once through `nodescript render`."""
    work = tmp_path_factory.mktemp("accuracy")
    scene_file = M.make_scene(work / "ramp.blend")
    found = {}
    for case, graph in M.GRAPHS.items():
        out = work / f"out_{case}"
        code, text = M.render(scene_file, graph, out, force=case != "nodescript")
        assert code == 0, text
        found[case] = M.read_depth(out / M.OUTPUT_FILES[case])
    return found


@pytest.fixture(scope="module")
def truth():
    return M.truth()


def _errors(path, code=None):
    diags = lint_file(str(path)).diagnostics
    return [d for d in diags if d.is_error and (code is None or d.code == code)]


def test_the_golden_graphs_declare_the_ramps_depth_range():
    low, high = M.depth_range()
    for name in ("recipe", "half"):
        text = M.GRAPHS[name].read_text(encoding="utf-8")
        declared = [float(v) for v in re.search(r"depth_range = \(([\d.]+), ([\d.]+)\)",
                                                 text).groups()]
        assert declared == pytest.approx([low, high], abs=0.01)


def test_lint_flags_the_bad_graphs_and_passes_nodescripts():
    assert _errors(M.GRAPHS["recipe"], "NS301") and _errors(M.GRAPHS["recipe"], "NS304")
    assert _errors(M.GRAPHS["half"], "NS302")
    assert _errors(M.GRAPHS["nodescript"]) == []


def test_the_plane_fills_the_view(rendered, truth):
    values, _ = rendered["nodescript"]
    assert values.shape == truth.shape == (M.HEIGHT, M.WIDTH)
    assert values.max() < 100            # no background (1e10) anywhere: no edges to exclude


def test_nodescripts_graph_is_exact_to_two_float32_ulp(rendered, truth):
    values, channel = rendered["nodescript"]
    assert channel.pixel_type == "FLOAT"
    mask = M.interior_mask(2)
    ulp = np.spacing(truth.astype(np.float32)).astype(np.float64)
    worst = float(np.max(np.abs(values - truth)[mask] / ulp[mask]))
    assert worst <= 2.0, f"{worst:.2f} ulp"


def test_half_float_error_matches_lints_predicted_step(rendered, truth):
    """NS302 names the half-float step at the far end of depth_range. Round-to-nearest makes the
    largest error half a step, so predicted_step / 2 is compared with the measured max |error|
    (the measured max is what a user cares about, and it is cheaper to state than the measured
    step, which needs distinct-value analysis)."""
    (ns302,) = _errors(M.GRAPHS["half"], "NS302")
    predicted_step = float(re.search(r"([\d.]+) mm steps", ns302.message).group(1)) / 1000
    values, channel = rendered["half"]
    assert channel.pixel_type == "HALF"
    measured = float(np.max(np.abs(values - truth)[M.interior_mask(2)]))
    assert 0.5 <= measured / (predicted_step / 2) <= 2.0, (measured, predicted_step)
    assert measured > 1e-4                      # really quantized, not a float in disguise


def test_recipe_is_off_by_about_one_8bit_step_after_refitting(rendered, truth):
    """The recipe loses the metric scale (Normalize); even after refitting scale and offset by
    least squares (clamped codes 0 and 255 excluded) the error is about the 8-bit step of the
    ramp's range, range / 255."""
    codes, channel = rendered["recipe"]
    assert channel.full_scale == 255
    fitted, used, scale, _ = M.refit(codes, truth, channel.full_scale)
    step = (truth.max() - truth.min()) / 255
    assert scale == pytest.approx(step, rel=0.05)          # Normalize spreads min..max over 0..255
    (ns301,) = _errors(M.GRAPHS["recipe"], "NS301")        # "8-bit steps are 12.4 mm over ..."
    predicted_step = float(re.search(r"steps are ([\d.]+) mm", ns301.message).group(1)) / 1000
    assert scale == pytest.approx(predicted_step, rel=0.05)
    error = np.abs(fitted - truth)[used & M.interior_mask(2)]
    assert step / 4 <= error.max() <= 1.5 * step, (error.max(), step)
    assert used.sum() > 0.9 * used.size
