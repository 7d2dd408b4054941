"""The design card's line, alone in a file, applied to the example scene and rendered:

    RenderLayers.Z -> MapValue -> FileOutput(float32)

No scene block: apply enables the Depth pass the graph reads. The file written holds metric depth
exact to float32: bit for bit the raw Depth pass (written by a graph with nothing in between and
no compression), and within 2 float32 ulp of the analytic depth when the pixel filter is off.

The example scene (scripts/make_example_scene.py): a camera 10 m above a ground plane (depth 10)
and a 4 m ramp tilted 30 degrees about X, centred 1 m above the ground (depth 8-10 m).
"""

from __future__ import annotations

import math

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")
np = pytest.importorskip("numpy")
pytest.importorskip("OpenEXR")

from nodescript.inspect.image import load_image  # noqa: E402

CARD = "RenderLayers.Z -> MapValue -> FileOutput(float32)\n"
RAW = "rl = RenderLayers()\nrl.Depth -> FileOutput(format=exr, depth=32, codec=none)\n"
SIZE = (80, 60)
CAMERA_Z, RAMP_Z, RAMP_HALF, TILT = 10.0, 1.0, 2.0, math.radians(30.0)
LENS_MM, SENSOR_MM = 50.0, 36.0        # a new camera's, as make_example_scene.py leaves them


def _no_depth_pass(filter_width=None):
    def edit(bpy):
        scene = bpy.context.scene
        for layer in scene.view_layers:
            layer.use_pass_z = False              # apply must turn it on
        if filter_width is not None:
            scene.cycles.filter_width = filter_width
    return edit


def _apply_and_render(cli, open_file, scene_file, graph_file, out):
    applied = scene_file.with_name("applied.blend")
    ran = cli("apply", scene_file, graph_file, "-o", applied)
    assert ran.code == 0, ran.out + ran.err
    scene = open_file(applied)
    assert all(layer.use_pass_z for layer in scene.view_layers[:1])
    ran = cli("render", applied, "--out", out)
    assert ran.code == 0, ran.out + ran.err
    (written,) = sorted(out.rglob("*.exr"))
    image = load_image(str(written))
    # A value input is one V channel in 4.2; 4.5 and 5.0 copy it into R, G, B of an RGB file.
    channel = image.channels[0]
    for other in image.channels[1:]:
        np.testing.assert_array_equal(other.pixels, channel.pixels)
    return np.asarray(channel.pixels, dtype=np.float64), channel


def _analytic_depth(width: int, height: int):
    """(planar camera-Z depth at each pixel centre, mask of pixels well inside one surface)."""
    def depth_at(cols, rows):
        scale = SENSOR_MM / LENS_MM / width            # sensor fit AUTO, width > height
        dx, dy = np.meshgrid((cols - width / 2.0) * scale, (height / 2.0 - rows) * scale)
        # Ray (dx t, dy t, CAMERA_Z - t). Ramp normal Rx(tilt)(0,0,1) = (0, -sin, cos) through
        # (0, 0, RAMP_Z): t = cos (CAMERA_Z - RAMP_Z) / (cos + sin dy).
        s, c = math.sin(TILT), math.cos(TILT)
        t = c * (CAMERA_Z - RAMP_Z) / (c + s * dy)
        # The hit in the ramp's own axes (Rx(tilt) transposed), inside its 4 m square or not.
        u = dx * t
        v = c * dy * t + s * (CAMERA_Z - RAMP_Z - t)
        on_ramp = (np.abs(u) <= RAMP_HALF) & (np.abs(v) <= RAMP_HALF) & (t < CAMERA_Z)
        return np.where(on_ramp, t, CAMERA_Z), on_ramp

    cols, rows = np.arange(width) + 0.5, np.arange(height) + 0.5
    depth, surface = depth_at(cols, rows)
    # A pixel whose corners all see the same surface as its centre: no edge to guess about.
    same = np.ones_like(surface)
    for ox in (-0.5, 0.5):
        for oy in (-0.5, 0.5):
            same &= depth_at(cols + ox, rows + oy)[1] == surface
    return depth, same


def test_the_card_line_writes_the_raw_depth_pass_bit_for_bit(make_scene, graph, cli, open_file,
                                                             tmp_path):
    scene_file = make_scene(size=SIZE, edit=_no_depth_pass())
    card, _ = _apply_and_render(cli, open_file, scene_file, graph(CARD, "card.nodes"),
                                tmp_path / "card")
    raw, raw_channel = _apply_and_render(cli, open_file, scene_file, graph(RAW, "raw.nodes"),
                                         tmp_path / "raw")
    assert raw_channel.pixel_type == "FLOAT"
    assert card.shape == (SIZE[1], SIZE[0])
    np.testing.assert_array_equal(card, raw)
    truth, inside = _analytic_depth(*SIZE)
    assert 0 < inside.mean() and np.max(np.abs(card - truth)[inside]) < 1e-4    # metres


def test_the_card_line_is_within_two_float32_ulp_of_analytic_depth(make_scene, graph, cli,
                                                                   open_file, tmp_path):
    scene_file = make_scene(size=SIZE, edit=_no_depth_pass(filter_width=0.01))
    values, channel = _apply_and_render(cli, open_file, scene_file, graph(CARD, "card.nodes"),
                                        tmp_path / "card")
    assert channel.pixel_type == "FLOAT"
    truth, inside = _analytic_depth(*SIZE)
    assert inside[truth < CAMERA_Z].sum() > 100          # the ramp is in view, not only ground
    ulp = np.spacing(truth.astype(np.float32)).astype(np.float64)
    worst = float(np.max(np.abs(values - truth)[inside] / ulp[inside]))
    assert worst <= 2.0, f"{worst:.2f} ulp"
