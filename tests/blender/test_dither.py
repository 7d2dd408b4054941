"""What `dither` (render.dither_intensity) does to 8-bit files, measured: NS307's premise.

The ramp scene of scripts/measure_depth_accuracy.py is rendered twice through nodescript's own
`render` code path, with `dither = 1` and `dither = 0`, and the 8-bit PNGs compared: Blender
dithers colour (4-channel) inputs and the render result only; float and vector inputs, and 16-bit
PNG, come out identical.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")
np = pytest.importorskip("numpy")

from test_depth_accuracy import M  # noqa: E402

from nodescript.inspect.image import load_image  # noqa: E402
from nodescript.lint import lint_source  # noqa: E402

GRAPH = """\
target "4.2".."5.3"

scene {{
    engine = cycles
    passes = [depth, position]
    dither = {dither}
    view_transform = standard
    cycles.samples = 1
    cycles.filter_width = 0.01
    resolution = (160, 120)
}}

rl = RenderLayers()
mv = MapValue(offset=-8.6, size=0.3)
cc = CombineColor()
out = FileOutput(path="//out/", format=png, depth=8)
out16 = FileOutput(path="//out16/", format=png, depth=16)
rl.Depth -> mv
mv -> cc.Red
mv -> cc.Green
mv -> cc.Blue
mv -> out.value
rl.Position -> out.vector
cc -> out.color
cc -> out16.color
cc -> Composite()
"""
FILES = {"value": "out/value0001.png", "vector": "out/vector0001.png",
         "color": "out/color0001.png", "color16": "out16/color0001.png"}


def _pixels(path):
    channels = load_image(str(path)).channels
    return np.stack([np.asarray(ch.pixels, dtype=np.int64) for ch in channels])


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    """dither -> {case: pixels}, plus the render result as "render"."""
    work = tmp_path_factory.mktemp("dither")
    scene_file = M.make_scene(work / "ramp.blend")
    found = {}
    for dither in (0, 1):
        graph = work / f"dither{dither}.nodes"
        graph.write_text(GRAPH.format(dither=dither), encoding="utf-8")
        out = work / f"out{dither}"
        code, text = M.render(scene_file, graph, out, force=True)
        assert code == 0, text
        found[dither] = {case: _pixels(out / name) for case, name in FILES.items()}
        rendered = sorted(out.glob("render/*.png"))
        assert len(rendered) == 1, text
        found[dither]["render"] = _pixels(rendered[0])
    return found


def test_float_vector_and_16_bit_outputs_are_not_dithered(renders):
    for case in ("value", "vector", "color16"):
        assert np.array_equal(renders[0][case], renders[1][case]), case
    # the ramp spans most of the 8-bit range, so dither would have had values to change
    assert np.ptp(renders[0]["value"]) > 200


def test_colour_inputs_and_the_render_result_are_dithered(renders):
    for case in ("color", "render"):
        diff = np.abs(renders[0][case][:3] - renders[1][case][:3])
        assert (diff > 0).mean() > 0.1, case          # measured: 45 % (4.2), 28 % (4.5, 5.0)
        assert diff.max() <= 2, case                  # about one step of 1/255 at dither 1


def test_ns307_flags_exactly_the_dithered_slot(renders):
    diags = lint_source(GRAPH.format(dither=1), "dither.nodes").diagnostics
    flagged = [d for d in diags if d.code == "NS307"]
    assert len(flagged) == 1 and "slot `color`" in flagged[0].message
    assert [d for d in lint_source(GRAPH.format(dither=0), "d.nodes").diagnostics
            if d.code == "NS307"] == []
