"""The design card's line, alone in a file, applied to the example scene and rendered:

    RenderLayers.Z -> MapValue -> FileOutput(float32)

No scene block: apply enables the Depth pass the graph reads. The file written holds metric depth
exact to float32: bit for bit the raw Depth pass (written by a graph with nothing in between and
no compression), and within 2 float32 ulp of the analytic depth when the pixel filter is off.

The example scene (scripts/make_example_scene.py): a camera 10 m above a ground plane (depth 10)
and a 4 m ramp tilted 30 degrees about X, centred 1 m above the ground (depth 8-10 m).
"""

from __future__ import annotations


import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")
np = pytest.importorskip("numpy")
pytest.importorskip("OpenEXR")

from conftest import example_scene_module  # noqa: E402

from nodescript.inspect.image import load_image  # noqa: E402

CARD = "RenderLayers.Z -> MapValue -> FileOutput(float32)\n"
RAW = "rl = RenderLayers()\nrl.Depth -> FileOutput(format=exr, depth=32, codec=none)\n"
SIZE = (80, 60)


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
    """(planar camera-Z depth at each pixel centre, mask of pixels well inside one surface),
    from the example scene's own analytic model (scripts/make_example_scene.py truth())."""
    depth, on_ramp = example_scene_module().truth(width, height)
    # A pixel whose neighbours all see the same surface: no edge to guess about.
    padded = np.pad(on_ramp, 1, mode="edge")
    same = np.ones_like(on_ramp)
    for dy, dx in ((0, 1), (2, 1), (1, 0), (1, 2)):
        same &= padded[dy:dy + height, dx:dx + width] == on_ramp
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
    assert inside[truth < example_scene_module().CAMERA_HEIGHT].sum() > 100   # the ramp is in view
    ulp = np.spacing(truth.astype(np.float32)).astype(np.float64)
    worst = float(np.max(np.abs(values - truth)[inside] / ulp[inside]))
    assert worst <= 2.0, f"{worst:.2f} ulp"
