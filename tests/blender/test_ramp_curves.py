"""Colour-ramp stops and curve points in real Blender: apply builds them, export writes them back
(the graph, as `fmt` writes it), applying the export onto an emptied scene rebuilds them, and
`apply --check` sees a stop or point moved in Blender. Also a tree edited the way a UI user
would (a stop added, a curve point moved) exports and round-trips."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import apply_text, compositor, empty_compositor  # noqa: E402

from nodescript import vocabulary  # noqa: E402
from nodescript.blender.export import export_scene  # noqa: E402
from nodescript.fmt import format_source  # noqa: E402
from nodescript.resolve import load_graph  # noqa: E402

V = "%d.%d" % tuple(bpy.app.version[:2])
IS_5 = bpy.app.version >= (5, 0)
_RAMP_SPEC = vocabulary.spec_for("ColorRamp", V)[0]
RAMP = _RAMP_SPEC.idname
# Color Ramp's sockets: Fac/Image in 4.2's compositor node, Fac/Color in 4.5's shader node,
# Factor/Color from 5.0.
FAC, COLOR = _RAMP_SPEC.inputs[0].name, _RAMP_SPEC.outputs[0].name

# Written the way export writes it, so export gives it back unchanged.
CANONICAL = """\
target "{version}"

scene {{
    engine = eevee
    resolution = (320, 240)
    use_compositing = true
    view_transform = standard
}}

group Grade(image: color) -> (graded: color) {{
    curves = RGBCurves(c=[(0, 0), (0.3, 0.2), (1, 1)], tone=filmlike)

    image -> curves.Image
    curves.Image -> graded
}}

rl = RenderLayers()
heat = ColorRamp(
    stops=[(0, (0, 0, 0, 1)), (0.25, (0, 0, 1, 1)), (0.5, (1, 0, 0, 0.5)), (1, (1, 1, 1, 1))],
    interpolation=ease,
    color_mode=hsv,
    hue_interpolation=far,
)
grade = RGBCurves(c=[(0, 0.1), (0.5, 0.4), (1, 1)], r=[(0, 0), (0.75, 0.9, vector), (1, 1)])
hue = HueCorrect(s=[(0, 0.5), (0.5, 0.75), (1, 0.5)])
g = Grade()
view = Viewer()
bend = VectorCurves(
    x=[(-2, -2), (0, 0.5, auto_clamped), (2, 2)],
    clip=(-2, -2, 2, 2),
    extend=horizontal,
)
time = TimeCurve(curve=[(0, 0), (1, 0.5)], use_clip=false)

rl.Image -> heat.{fac}
heat.{color} -> grade.Image
grade.Image -> hue.Image
hue.Image -> g.image
g.graded -> view.Image
"""


@pytest.fixture(autouse=True)
def factory_blender():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    yield
    bpy.ops.wm.read_factory_settings(use_empty=True)


def canonical() -> str:
    return CANONICAL.format(version=V, fac=FAC, color=COLOR)




def exported(scene=None) -> str:
    text = export_scene(scene or bpy.context.scene, version=V)
    assert format_source(text) == text, "export output must be canonical"
    loaded = load_graph("exported.nodes", text)
    assert not [d for d in loaded.diagnostics if d.is_error], text
    return text


def tree_of(scene=None):
    scene = scene or bpy.context.scene
    return scene.compositing_node_group if IS_5 else scene.node_tree


def r(value):
    return round(float(value), 5)


def stops(node) -> list:
    return [(r(e.position), tuple(r(c) for c in e.color)) for e in node.color_ramp.elements]


def points(mapping, index: int) -> list:
    return [(r(p.location[0]), r(p.location[1]), p.handle_type) for p in mapping.curves[index].points]


def ramp_and_curves(tree) -> dict:
    """Every ramp and curve of a tree (and of the groups it uses), by node name."""
    found = {}
    for node in tree.nodes:
        if hasattr(node, "color_ramp"):
            ramp = node.color_ramp
            found[node.name] = (node.bl_idname, stops(node), ramp.interpolation, ramp.color_mode,
                                ramp.hue_interpolation)
        mapping = getattr(node, "mapping", None) or getattr(node, "curve", None)
        if mapping is not None and hasattr(mapping, "curves"):
            found[node.name] = (node.bl_idname, [points(mapping, i) for i in range(len(mapping.curves))],
                                mapping.use_clip, [r(getattr(mapping, f"clip_{e}")) for e in
                                                   ("min_x", "min_y", "max_x", "max_y")],
                                mapping.extend, mapping.tone)
        if getattr(node, "node_tree", None) is not None:
            found[node.name] = ramp_and_curves(node.node_tree)
    return found


# --- a graph with custom ramps and curves ---------------------------------------------------

def test_apply_builds_the_ramp_and_curves():
    apply_text(canonical())
    tree = tree_of()
    heat = tree.nodes["heat"]
    assert heat.bl_idname == RAMP
    assert stops(heat) == [(0, (0, 0, 0, 1)), (0.25, (0, 0, 1, 1)), (0.5, (1, 0, 0, 0.5)),
                           (1, (1, 1, 1, 1))]
    ramp = heat.color_ramp
    assert (ramp.interpolation, ramp.color_mode, ramp.hue_interpolation) == ("EASE", "HSV", "FAR")
    grade = tree.nodes["grade"].mapping
    assert points(grade, 3) == [(0, 0.1, "AUTO"), (0.5, 0.4, "AUTO"), (1, 1, "AUTO")]   # C
    assert points(grade, 0) == [(0, 0, "AUTO"), (0.75, 0.9, "VECTOR"), (1, 1, "AUTO")]   # R
    assert points(grade, 1) == [(0, 0, "AUTO"), (1, 1, "AUTO")]                           # as new
    hue = tree.nodes["hue"].mapping
    assert points(hue, 1) == [(0, 0.5, "AUTO"), (0.5, 0.75, "AUTO"), (1, 0.5, "AUTO")]
    assert len(hue.curves[0].points) == 8                                    # H as a new node's
    bend = tree.nodes["bend"].mapping
    assert points(bend, 0) == [(-2, -2, "AUTO"), (0, 0.5, "AUTO_CLAMPED"), (2, 2, "AUTO")]
    assert (bend.clip_min_x, bend.clip_max_y, bend.extend) == (-2, 2, "HORIZONTAL")
    time = tree.nodes["time"].curve
    assert points(time, 0) == [(0, 0, "AUTO"), (1, 0.5, "AUTO")] and time.use_clip is False
    inner = tree.nodes["g"].node_tree.nodes["curves"].mapping
    assert points(inner, 3) == [(0, 0, "AUTO"), (0.3, 0.2, "AUTO"), (1, 1, "AUTO")]
    assert inner.tone == "FILMLIKE"


def test_export_of_the_applied_graph_is_the_graph_and_rebuilds_it_on_an_emptied_scene():
    text = canonical()
    assert format_source(text) == text
    apply_text(text)
    assert exported() == text
    scene = bpy.context.scene
    before = ramp_and_curves(tree_of(scene))
    copy = scene.copy()
    copy.name = "Copy"
    bpy.context.window.scene = copy
    if IS_5:
        copy.compositing_node_group = None
    else:
        copy.node_tree.nodes.clear()
    apply_text(exported(scene), scene=copy)
    assert ramp_and_curves(tree_of(copy)) == before
    assert exported(copy) == text


# --- drift: a stop or point moved in Blender ------------------------------------------------

GRAPH = """
    rl = RenderLayers()
    heat = ColorRamp(stops=[(0, (0, 0, 0, 1)), (0.5, (1, 0, 0, 1)), (1, (1, 1, 1, 1))])
    plain = ColorRamp()
    grade = RGBCurves(c=[(0, 0), (0.25, 0.15), (1, 1)])
    rl.Image -> heat -> grade -> Viewer()
    rl.Alpha -> plain
"""


def test_a_moved_stop_or_point_is_drift_and_apply_puts_it_back(make_scene, cli, graph, open_file):
    scene_file, graph_file = make_scene(), graph(GRAPH)
    assert cli("apply", scene_file, graph_file).code == 0
    assert cli("apply", scene_file, graph_file, "--check").code == 0

    tree = compositor(open_file(scene_file))
    tree.nodes["heat"].color_ramp.elements[1].position = 0.6          # dragged in Blender
    bpy.ops.wm.save_mainfile()
    drift = cli("apply", scene_file, graph_file, "--check")
    out = drift.out + drift.err
    assert drift.code == 1, out
    assert ("~ node heat color_ramp.elements: ((0, (0, 0, 0, 1)), (0.6, (1, 0, 0, 1)), "
            "(1, (1, 1, 1, 1))) -> ((0, (0, 0, 0, 1)), (0.5, (1, 0, 0, 1)), (1, (1, 1, 1, 1)))") \
        in out, out
    assert cli("apply", scene_file, graph_file).code == 0
    assert stops(compositor(open_file(scene_file)).nodes["heat"])[1] == (0.5, (1, 0, 0, 1))
    assert cli("apply", scene_file, graph_file, "--check").code == 0

    tree = compositor(open_file(scene_file))
    grade = tree.nodes["grade"].mapping
    grade.curves[3].points[1].location = (0.3, 0.1)                   # a curve point moved
    grade.update()
    tree.nodes["plain"].color_ramp.elements.new(0.5)                  # a stop the graph lacks
    bpy.ops.wm.save_mainfile()
    drift = cli("apply", scene_file, graph_file, "--check")
    out = drift.out + drift.err
    assert drift.code == 1 and "~ node grade mapping.curves[3].points:" in out, out
    assert "(0.3, 0.1, 'AUTO')" in out and "~ node plain color_ramp.elements:" in out, out
    assert cli("apply", scene_file, graph_file).code == 0
    tree = compositor(open_file(scene_file))
    assert points(tree.nodes["grade"].mapping, 3) == [(0, 0, "AUTO"), (0.25, 0.15, "AUTO"),
                                                      (1, 1, "AUTO")]
    assert stops(tree.nodes["plain"]) == [(0, (0, 0, 0, 1)), (1, (1, 1, 1, 1))]
    assert cli("apply", scene_file, graph_file, "--check").code == 0


# --- a tree edited the way a UI user would ----------------------------------------------------

def test_a_ramp_and_curves_edited_in_blender_export_and_round_trip():
    scene = bpy.context.scene
    tree = empty_compositor(scene)
    rl = tree.nodes.new("CompositorNodeRLayers")
    rl.name = "rl"
    ramp = tree.nodes.new(RAMP)                           # what the Add menu builds
    ramp.name = "ramp"
    stop = ramp.color_ramp.elements.new(0.3)              # the + button, then a colour picked
    stop.color = (0.2, 0.4, 0.8, 1.0)
    ramp.color_ramp.elements[0].position = 0.05           # the first stop dragged right
    ramp.color_ramp.interpolation = "CONSTANT"
    curves = tree.nodes.new("CompositorNodeCurveRGB")
    curves.name = "curves"
    combined = curves.mapping.curves[3]
    combined.points[0].location = (0.0, 0.12)             # the black point raised
    combined.points.new(0.6, 0.7)                         # a click on the curve
    curves.mapping.update()
    hue = tree.nodes.new("CompositorNodeHueCorrect")
    hue.name = "hue"
    hue.mapping.curves[0].points[3].location = (hue.mapping.curves[0].points[3].location[0], 0.8)
    hue.mapping.update()
    tree.links.new(rl.outputs["Image"], ramp.inputs[0])
    tree.links.new(ramp.outputs[0], curves.inputs["Image"])
    tree.links.new(curves.outputs["Image"], hue.inputs["Image"])

    text = exported(scene)
    lines = text.splitlines()
    at = lines.index("ramp = ColorRamp(")
    assert lines[at + 1:at + 4] == [
        "    stops=[(0.05, (0, 0, 0, 1)), (0.3, (0.2, 0.4, 0.8, 1)), (1, (1, 1, 1, 1))],",
        "    interpolation=constant,", ")"], text
    assert "curves = RGBCurves(c=[(0, 0.12), (0.6, 0.7), (1, 1)])" in lines, text
    at = lines.index("hue = HueCorrect(")                 # eight points: one per line
    moved = hue.mapping.curves[0].points[3].location[0]
    assert lines[at + 1] == "    h=[" and f"        ({moved:g}, 0.8)," in lines[at + 2:at + 10], text
    assert "# export:" not in text

    before = ramp_and_curves(tree)
    tree.nodes.clear()
    apply_text(text)
    assert ramp_and_curves(tree_of(scene)) == before
    assert exported(scene) == text


CURVE_RENDER = """\
scene {
    view_transform = standard
}

rl = RenderLayers()
out = FileOutput(path="//out/", format=exr)

rl.Image -> out.plain
rl.Image -> RGBCurves(c=[(0, 0), (1, 0.5)]) -> out.c
rl.Image -> RGBCurves(r=[(0, 0), (1, 0.5)]) -> out.r
"""


def test_the_curves_act_on_the_channels_their_names_say(make_scene, cli, graph, tmp_path):
    # `c` is the combined curve (curves[3]): it halves every channel; `r` only the red one.
    OpenEXR = pytest.importorskip("OpenEXR")
    import numpy as np

    out = tmp_path / "render"
    ran = cli("render", make_scene(), graph(CURVE_RENDER), "--out", out)
    assert ran.code == 0, ran.out + ran.err
    means = {}
    for name in ("plain", "c", "r"):
        (path,) = (out / "out").glob(f"{name}*.exr")
        with OpenEXR.File(str(path)) as f:
            means[name] = np.asarray(f.channels()["RGB"].pixels).reshape(-1, 3).mean(axis=0)
    assert means["plain"].min() > 0.05
    assert np.allclose(means["c"], means["plain"] / 2, rtol=0.02)
    assert np.isclose(means["r"][0], means["plain"][0] / 2, rtol=0.02)
    assert np.allclose(means["r"][1:], means["plain"][1:], rtol=0.02)
