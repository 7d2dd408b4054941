"""The numbers in precision messages, against what Blender really writes.

One render of the example scene (scripts/make_example_scene.py at 32x24: a ground plane at
depth 10 m seen from above, a ramp rising to 8 m; Cycles, 1 sample, AgX, dither 0) through
nodescript's own `render` code path, with one graph holding every case. Lint reads the same
graph; each test takes the number out of the finding's message and compares it with the file:
within a factor of 2 for steps and errors, exactly (one code) for written codes. Truth is the
same render's Depth and Normal written to 32-bit EXR.
"""

from __future__ import annotations

import glob
import re
import textwrap

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")
np = pytest.importorskip("numpy")
pytest.importorskip("OpenEXR")

from nodescript.inspect.image import load_image  # noqa: E402
from nodescript.lint import lint_file  # noqa: E402

GROUND_INDEX, RAMP_INDEX = 128, 129

GRAPH = """
target "4.2".."5.3"

scene {
    engine = cycles
    passes = [depth, normal, object_index]
    use_compositing = true
    cycles.samples = 1
    cycles.filter_width = 0.01
    resolution = (32, 24)
    view_transform = agx
    dither = 0
    depth_range = (8, 10)
}

rl = RenderLayers()
truth = FileOutput(path="//truth/", format=exr, depth=32, codec=zip)
rl.Depth -> truth.depth
rl.Normal -> truth.normal

mr20 = FileOutput(path="//mr20/", format=png, depth=8)
rl.Depth -> MapRange(from_min=0, from_max=20, to_min=0, to_max=1, clamp=false) -> mr20.depth

raw8 = FileOutput(path="//raw8/", format=png, depth=8)
rl.Depth -> raw8.depth

mr16 = FileOutput(path="//mr16/", format=png, depth=16)
rl.Depth -> MapRange(from_min=0, from_max=20, to_min=0, to_max=1, clamp=false) -> mr16.depth

mr9 = FileOutput(path="//mr9/", format=png, depth=8)
rl.Depth -> MapRange(from_min=0, from_max=9, to_min=0, to_max=1, clamp=false) -> mr9.depth

ma = Math(operation=multiply_add, inputs=(_, 1.41, -0.7))
mx = Math(operation=maximum, inputs=(_, 0))
emul = FileOutput(path="//emul/", format=png, depth=8)
rl.Depth -> ma -> mx -> emul.depth

hc = CombineColor()
half = FileOutput(path="//half/", format=exr, depth=16, codec=zip)
rl.Depth -> MapRange(from_min=0, from_max=20, to_min=0, to_max=1, clamp=false) -> hc.Red
hc -> half.depth

ids = FileOutput(path="//ids/", format=png, depth=8)
rl.IndexOB -> Math(operation=divide, inputs=(_, 256)) -> ids.index

normals = FileOutput(path="//normals/", format=png, depth=8)
rl.Normal -> normals.normal

sc = CombineColor()
srgb = FileOutput(path="//srgb/", format=png, depth=8, save_as_render=false)
rl.Depth -> MapRange(from_min=8, from_max=10, to_min=0, to_max=1, clamp=false) -> sc.Red
sc -> srgb.depth

uc = CombineColor()
cs = ConvertColorspace(from_color_space="sRGB", to_color_space="Linear Rec.709")
undo = FileOutput(path="//undo/", format=png, depth=8, save_as_render=false)
rl.Depth -> MapRange(from_min=8, from_max=10, to_min=0, to_max=1, clamp=false) -> uc.Red
uc -> cs
cs -> undo.depth

rawover = FileOutput(path="//rawover/", format=png, depth=8, view_transform=raw)
rl.Normal -> rawover.normal

sv = CombineColor()
stdover = FileOutput(path="//stdover/", format=png, depth=8, view_transform=standard)
rl.Depth -> MapRange(from_min=8, from_max=10, to_min=0, to_max=1, clamp=false) -> sv.Red
sv -> stdover.depth

nsep = SeparateXYZ()
ncomb = CombineXYZ()
remap = FileOutput(path="//remap/", format=png, depth=8, view_transform=raw)
rl.Normal -> nsep
nsep.X -> Math(operation=multiply_add, inputs=(_, 0.5, 0.5)) -> ncomb.X
nsep.Y -> Math(operation=multiply_add, inputs=(_, 0.5, 0.5)) -> ncomb.Y
nsep.Z -> Math(operation=multiply_add, inputs=(_, 0.5, 0.5)) -> ncomb.Z
ncomb -> remap.normal

lc = CombineColor()
linoff = FileOutput(path="//linoff/", format=png, depth=8, save_as_render=false,
                    color_space="Linear Rec.709")
rl.Depth -> MapRange(from_min=8, from_max=10, to_min=0, to_max=1, clamp=false) -> lc.Red
lc -> linoff.depth

dcomb = CombineXYZ()
dvec = FileOutput(path="//dvec/", format=png, depth=8, view_transform=raw)
rl.Depth -> Math(operation=multiply_add, inputs=(_, 0.5, -4)) -> dcomb.X
dcomb -> dvec.depth
"""


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """-> (graph path, {node: array H x W x C as float64}, truth depth, truth normal)."""
    import importlib.util

    from conftest import ROOT
    from nodescript.blender import render as render_module

    work = tmp_path_factory.mktemp("numbers")
    spec = importlib.util.spec_from_file_location("make_example_scene",
                                                  ROOT / "scripts" / "make_example_scene.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_scene()
    bpy.data.objects["Ground"].pass_index = GROUND_INDEX
    bpy.data.objects["Ramp"].pass_index = RAMP_INDEX
    scene_file = work / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(scene_file))
    bpy.ops.wm.read_factory_settings(use_empty=True)
    graph = work / "numbers.nodes"
    graph.write_text(textwrap.dedent(GRAPH).lstrip(), encoding="utf-8")
    out = work / "out"
    lines: list[str] = []
    code = render_module.run(render_module.Options(str(scene_file), str(graph), out_dir=str(out),
                                                   force=True), lines.append, lines.append)
    assert code == 0, "\n".join(lines)
    files = {}
    for path in glob.glob(str(out / "*" / "*")):
        node = path.split("/")[-2]
        image = load_image(path)
        files.setdefault(node, []).append(image)
    truth = files["truth"]
    depth = _channels(truth, "depth")[..., 0]
    normal = _channels(truth, "normal")
    return graph, files, depth, normal


def _channels(images, slot: str | None = None):
    """H x W x C float64 of one file's colour/vector/value channels (slot: by file name)."""
    for image in images:
        if slot is not None and slot not in image.path.split("/")[-1].lower():
            continue
        order = "RGBXYZV"                   # EXR stores channels sorted by name (B, G, R)
        chosen = sorted((c for c in image.channels if c.name.split(".")[-1] in order),
                        key=lambda c: order.index(c.name.split(".")[-1]))
        return np.stack([np.asarray(c.pixels, dtype=np.float64) for c in chosen], axis=-1)
    raise AssertionError(f"no file for {slot}")


def _message(graph, code: str, node: str) -> str:
    found = [d.message for d in lint_file(str(graph)).diagnostics
             if d.code == code and f"FileOutput `{node}`" in d.message]
    assert len(found) >= 1, (code, node, [d.render() for d in lint_file(str(graph)).diagnostics])
    return found[0]


def _mm(text: str, pattern: str) -> float:
    value, unit = re.search(pattern, text).groups()
    return float(value) / (1000 if unit == "mm" else 1)


def test_map_range_step_matches_the_codes(case):
    graph, files, depth, _ = case
    predicted = _mm(_message(graph, "NS301", "mr20"), r"steps of ([\d.]+) (mm|m) over")
    codes = _channels(files["mr20"])[..., 0]
    slope = np.polyfit(codes.ravel(), depth.ravel(), 1)[0]          # metres per code
    assert 0.5 <= predicted / slope <= 2, (predicted, slope)


def test_sixteen_bit_step_matches_the_codes(case):
    graph, files, depth, _ = case
    predicted = _mm(_message(graph, "NS301", "mr16"), r"steps of ([\d.]+) (mm|m) over")
    codes = _channels(files["mr16"])[..., 0]
    slope = np.polyfit(codes.ravel(), depth.ravel(), 1)[0]
    assert 0.5 <= predicted / slope <= 2, (predicted, slope)


def test_raw_depth_in_png_is_all_full_scale(case):
    graph, files, _, _ = case
    assert "everything beyond 1 m is written as 1.0" in _message(graph, "NS301", "raw8")
    assert (_channels(files["raw8"])[..., 0] == 255).all()


def test_saturation_boundary_matches_the_file(case):
    graph, files, depth, _ = case
    message = _message(graph, "NS305", "mr9")
    boundary = float(re.search(r"\(([\d.]+)-10 m is written as 1\.0\)", message).group(1))
    codes = _channels(files["mr9"])[..., 0]
    saturated = codes == 255
    assert saturated.any() and (~saturated).any()
    assert depth[saturated].min() >= boundary - 9 / 255
    assert depth[~saturated].max() <= boundary + 9 / 255
    survives = float(re.search(r"only (\d+)% of the range survives", message).group(1)) / 100
    assert survives == pytest.approx((boundary - 8) / 2, abs=0.01)


def test_saturating_emulation_says_nothing_survives(case):
    graph, files, _, _ = case
    message = _message(graph, "NS301", "emul")
    assert "no depth survives" in message
    assert (_channels(files["emul"])[..., 0] == 255).all()
    assert "only 0% of the range survives" in _message(graph, "NS305", "emul")


def test_half_float_step_through_the_mapping(case):
    graph, files, depth, _ = case
    predicted = _mm(_message(graph, "NS302", "half"), r"([\d.]+) (mm|m) steps at")
    written = _channels(files["half"])[..., 0] * 20                # back to metres
    error = np.abs(written - depth)
    assert 0.5 <= error.max() / (predicted / 2) <= 2, (error.max(), predicted)


def test_index_collision_is_what_the_file_holds(case):
    graph, files, depth, _ = case
    message = _message(graph, "NS301", "ids")
    first, second, code = map(int, re.search(r"but (\d+) and (\d+) are both written as (\d+)",
                                             message).groups())
    assert (first, second) == (GROUND_INDEX, RAMP_INDEX)
    codes = _channels(files["ids"])[..., 0]
    ground = depth > 9.999
    assert set(np.unique(codes[ground])) == {code}
    assert set(np.unique(codes[~ground])) == {code}


def test_agx_normal_codes_and_largest_difference(case):
    graph, files, _, normal = case
    message = _message(graph, "NS306", "normals")
    written = tuple(map(int, re.search(r"\(0, 0, 1\) is written as \((\d+), (\d+), (\d+)\)",
                                       message).groups()))
    codes = _channels(files["normals"])
    assert np.abs(codes[0, 0] - np.array(written)).max() <= 1         # a ground corner
    worst = int(re.search(r"up to (\d+) of 255 codes", message).group(1))
    linear = np.round(np.clip(normal, 0, 1) * 255)
    measured = np.abs(codes - linear).max()
    assert 0.5 <= measured / worst <= 2, (measured, worst)


def test_srgb_encoding_difference(case):
    graph, files, depth, _ = case
    worst = int(re.search(r"up to (\d+) of 255 codes", _message(graph, "NS306", "srgb")).group(1))
    codes = _channels(files["srgb"])[..., 0]
    linear = np.round(np.clip((depth - 8) / 2, 0, 1) * 255)
    measured = np.abs(codes - linear).max()
    assert 0.5 <= measured / worst <= 2, (measured, worst)


def test_undone_srgb_is_linear_and_not_reported(case):
    graph, files, depth, _ = case
    assert not [d for d in lint_file(str(graph)).diagnostics
                if d.code == "NS306" and "FileOutput `undo`" in d.message]
    codes = _channels(files["undo"])[..., 0]
    linear = np.round(np.clip((depth - 8) / 2, 0, 1) * 255)
    assert np.abs(codes - linear).max() <= 1


def test_a_raw_override_on_an_agx_scene_is_linear_and_not_reported(case):
    graph, files, _, normal = case
    assert not [d for d in lint_file(str(graph)).diagnostics
                if d.code == "NS306" and "FileOutput `rawover`" in d.message]
    codes = _channels(files["rawover"])
    assert np.abs(codes - np.round(np.clip(normal, 0, 1) * 255)).max() <= 1


def test_a_standard_override_is_the_srgb_curve(case):
    graph, files, depth, _ = case
    message = _message(graph, "NS306", "stdover")
    assert "the File Output's Standard view transform" in message
    worst = int(re.search(r"up to (\d+) of 255 codes", message).group(1))
    codes = _channels(files["stdover"])[..., 0]
    linear = np.round(np.clip((depth - 8) / 2, 0, 1) * 255)
    measured = np.abs(codes - linear).max()
    assert 0.5 <= measured / worst <= 2, (measured, worst)


def test_a_normal_remapped_per_component_has_the_predicted_step(case):
    graph, files, _, normal = case
    message = _message(graph, "NS301", "remap")
    assert "maps each component from -1 to 1 to 0 to 1" in message
    predicted = float(re.search(r"steps of ([\d.]+) per component", message).group(1))
    codes = _channels(files["remap"])
    assert np.abs(codes - np.round((normal * 0.5 + 0.5) * 255)).max() <= 1   # linear: raw view
    y = codes[..., 1].ravel()
    slope = np.polyfit(y, normal[..., 1].ravel(), 1)[0]        # normal units per code
    assert 0.5 <= predicted / slope <= 2, (predicted, slope)
    assert not [d for d in lint_file(str(graph)).diagnostics
                if d.code == "NS306" and "FileOutput `remap`" in d.message]


def test_depth_in_one_component_of_a_vector_keeps_its_range(case):
    graph, files, depth, _ = case
    predicted = _mm(_message(graph, "NS301", "dvec"), r"steps of ([\d.]+) (mm|m) over")
    codes = _channels(files["dvec"])[..., 0]
    slope = np.polyfit(codes.ravel(), depth.ravel(), 1)[0]
    assert 0.5 <= predicted / slope <= 2, (predicted, slope)


def test_an_override_colour_space_without_save_as_render_is_what_each_version_writes(case):
    """8-bit files: Linear Rec.709 is linear where the version honours it, sRGB-encoded where
    it does not (4.2, 5.2); lint names exactly the versions that encode."""
    graph, files, depth, _ = case
    found = [d.message for d in lint_file(str(graph)).diagnostics
             if d.code == "NS306" and "FileOutput `linoff`" in d.message]
    named = re.search(r"\(Blender ([\d., ]+)\)$", found[0]) if found else None
    reported = named is not None and \
        "%d.%d" % tuple(bpy.app.version[:2]) in named.group(1).split(", ")
    codes = _channels(files["linoff"])[..., 0]
    linear = np.abs(codes - np.round(np.clip((depth - 8) / 2, 0, 1) * 255)).max() <= 1
    assert reported != linear, (found, linear)
