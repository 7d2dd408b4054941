"""`nodescript render`: real Cycles renders (tiny, 1 sample), files checked with OpenEXR."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")
OpenEXR = pytest.importorskip("OpenEXR")
np = pytest.importorskip("numpy")

from conftest import EXAMPLES, ROOT, empty_compositor, example_scene_module  # noqa: E402

# The example scene: camera 10 m above the ground, a 4 m ramp at about 8.05-8.26 m.
SCENE = example_scene_module()
GROUND = SCENE.CAMERA_HEIGHT


def channels(path) -> dict:
    """name -> (pixel type, pixels) over every part (5.0 writes multilayer files as one part
    per layer; 4.x as one part)."""
    return {name: (ch.type(), ch.pixels) for part in OpenEXR.File(str(path)).parts
            for name, ch in part.channels.items()}


def first_channel(path):
    kind, pixels = next(iter(channels(path).values()))
    return kind, pixels if pixels.ndim == 2 else pixels[..., 0]


def test_depth_example_writes_full_float_metric_depth(make_scene, cli, tmp_path):
    scene_file = make_scene()
    before = scene_file.read_bytes()
    out = tmp_path / "out"

    ran = cli("render", scene_file, EXAMPLES / "depth.nodes", "--out", out)

    assert ran.code == 0, ran.err
    exr = out / "depth" / "depth0001.exr"
    assert f"wrote {exr}" in ran.out
    found = channels(exr)
    assert found and all(kind == OpenEXR.FLOAT for kind, _ in found.values())
    kind, depth = first_channel(exr)
    assert depth.shape == (120, 160)
    truth, _ = SCENE.truth(160, 120)
    assert depth.max() == pytest.approx(GROUND, abs=1e-4)          # the ground, straight below
    assert np.abs(depth - truth).max() < 1e-5                       # and the ramp, to float32
    assert scene_file.read_bytes() == before                         # render never writes the .blend
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "scene.blend"]


def test_frames_are_rendered_one_by_one_with_progress(make_scene, cli, graph, tmp_path):
    scene_file = make_scene()
    graph_file = graph("""
        scene { passes = [depth] use_compositing = true cycles.samples = 1 }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//never/", file_name="d_", format=exr, depth=32) as fo
    """)
    out = tmp_path / "frames"

    ran = cli("render", scene_file, graph_file, "--frames", "2-3", "--out", out)

    assert ran.code == 0, ran.err
    assert "frame 2 [1/2]" in ran.out and "frame 3 [2/2]" in ran.out
    names = sorted(p.name for p in (out / "fo").iterdir())
    assert names == ["d_Depth0002.exr", "d_Depth0003.exr"]         # same names in every version
    assert sorted(p.name for p in (out / "render").iterdir()) == ["0002.png", "0003.png"]
    assert not (tmp_path / "never").exists()


def test_missing_output_is_an_error(make_scene, cli, graph, tmp_path):
    def compositing_off(bpy):
        bpy.context.scene.render.use_compositing = False
    scene_file = make_scene(edit=compositing_off)
    graph_file = graph("""
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//o/", format=exr) as fo
    """)

    ran = cli("render", scene_file, graph_file, "--out", tmp_path / "out")

    assert ran.code == 1
    assert "use_compositing is off" in ran.err
    assert "missing" in ran.err and "fo" in ran.err


def test_map_value_with_clamps_renders_the_same_numbers(make_scene, cli, graph, tmp_path, version):
    """5.0 builds Map Value from Math nodes; 4.x has the node: the file must hold the same values."""
    scene_file = make_scene()
    graph_file = graph("""
        scene { passes = [depth] use_compositing = true cycles.filter_width = 0.01 }
        rl = RenderLayers()
        out = FileOutput(path="//o/", format=exr, depth=32)
        rl.Depth -> out.raw
        rl.Depth -> MapValue(offset=-8.1, size=2, use_min=true, min=0, use_max=true, max=1.5) -> out.mapped
    """)

    ran = cli("render", scene_file, graph_file, "--out", tmp_path / "r", "--force")

    assert ran.code == 0, ran.err
    _, raw = first_channel(tmp_path / "r" / "out" / "raw0001.exr")
    _, mapped = first_channel(tmp_path / "r" / "out" / "mapped0001.exr")
    expected = np.clip((raw.astype(np.float64) - 8.1) * 2.0, 0.0, 1.5)
    assert np.abs(mapped - expected).max() < 1e-5
    assert mapped.min() == 0.0 and mapped.max() == 1.5            # both clamps were hit
    assert 0 < np.count_nonzero((mapped > 0) & (mapped < 1.5))      # and the ramp in between


def test_render_without_a_graph_uses_the_scene_as_saved(make_scene, cli, tmp_path):
    scene_file = make_scene()
    applied = tmp_path / "applied.blend"
    assert cli("apply", scene_file, EXAMPLES / "multipass.nodes", "-o", applied).code == 0

    ran = cli("render", applied, "--out", tmp_path / "out")

    assert ran.code == 0, ran.err
    exr = tmp_path / "out" / "data" / "0001.exr"
    assert f"wrote {exr}" in ran.out
    names = set(channels(exr))
    assert {"depth.V", "normal.X", "position.X", "object_index.V"} <= names
    assert all(kind == OpenEXR.FLOAT for kind, _ in channels(exr).values())


def test_render_error_is_one_message_not_a_traceback(make_scene, cli, tmp_path):
    def no_camera(bpy):
        bpy.context.scene.camera = None
    scene_file = make_scene(edit=no_camera)

    ran = cli("render", scene_file, "--out", tmp_path / "out")

    assert ran.code == 2 and "could not render frame 1" in ran.err and "camera" in ran.err.lower()


def test_file_output_inside_a_node_group_writes_and_follows_out(make_scene, cli, graph, tmp_path):
    # Blender runs File Outputs inside node groups in every version: render sends them under
    # --out (out/<group>/<node>/) and checks that they wrote.
    scene_file = make_scene()
    ran = cli("render", scene_file, graph("""
        scene { passes = [depth] }
        group SaveDepth(d: float) -> () {
            out = FileOutput(path="//elsewhere/", format=exr, depth=32, codec=zip)
            d -> out.depth
        }
        rl = RenderLayers()
        save = SaveDepth()
        rl.Depth -> save.d
    """), "--out", tmp_path / "out")
    assert ran.code == 0, ran.err
    exr = tmp_path / "out" / "SaveDepth" / "out" / "depth0001.exr"
    assert f"wrote {exr}" in ran.out
    kind, depth = first_channel(exr)
    assert kind == OpenEXR.FLOAT and depth.max() == pytest.approx(GROUND, abs=1e-4)
    assert not (tmp_path / "elsewhere").exists()


def test_an_unlinked_file_output_input_writes_nothing(make_scene, cli, tmp_path):
    # Why export may leave unlinked inputs out: Blender writes no file for them (4.2, 4.5, 5.0).
    def add_unlinked_input(bpy):
        scene = bpy.context.scene
        tree = empty_compositor(scene)
        rl = tree.nodes.new("CompositorNodeRLayers")
        out = tree.nodes.new("CompositorNodeOutputFile")
        out.name = "out"
        if hasattr(out, "file_output_items"):
            out.format.media_type, out.file_name = "IMAGE", ""
            out.file_output_items.new("RGBA", "linked")
            out.file_output_items.new("RGBA", "spare")
        else:
            out.file_slots.clear()
            out.file_slots.new("linked")
            out.file_slots.new("spare")
        out.format.file_format = "PNG"
        tree.links.new(rl.outputs["Image"], out.inputs[0])

    ran = cli("render", make_scene(edit=add_unlinked_input), "--out", tmp_path / "out")
    assert ran.code == 0, ran.out + ran.err
    written = sorted(p.name for p in (tmp_path / "out" / "out").iterdir())
    assert written == ["linked0001.png"]


def test_inputs_fed_only_by_single_values_write_no_file(make_scene, cli, graph, tmp_path):
    # What NS205 warns about, measured: only the inputs with an image upstream write files.
    text = (ROOT / "tests" / "golden" / "lint" / "ns205_constant_file_input.nodes").read_text()
    ran = cli("render", make_scene(), graph(text), "--out", tmp_path / "out")
    assert ran.code == 1 and "missing" in ran.out + ran.err       # render expects every input
    written = sorted(p.name for p in (tmp_path / "out" / "out").iterdir())
    assert written == ["depth0001.exr", "image0001.exr"]


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.nodes")))
def test_shipped_examples_render_without_force(make_scene, cli, tmp_path, name):
    """preview.nodes's findings are on a preview=true output: printed as warnings, not blocking."""
    out = tmp_path / "out"
    ran = cli("render", make_scene(), EXAMPLES / name, "--out", out)
    assert ran.code == 0, ran.err
    assert "error[" not in ran.err and "--force" not in ran.err
    written = [p for p in out.rglob("*") if p.is_file() and p.parent.name != "render"]
    assert written, f"{name} wrote no File Output file"
