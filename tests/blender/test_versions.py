"""What changed after 5.0, in real Blender: the same text writes the same data in every version.

Language defaults where fresh nodes differ (Mix's factor), Switch (GeometryNodeSwitch in 5.2's
Add menu), File Output's `use_file_extension` (5.2), and 5.3's stack of compositor effects.
Every test runs in every version; those about a feature skip where the dialect lacks it.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")
np = pytest.importorskip("numpy")

from conftest import compositor, links_of, running_dialect  # noqa: E402

from nodescript import vocabulary  # noqa: E402
from nodescript.blender.export import export_file  # noqa: E402
from nodescript.inspect.image import load_image  # noqa: E402

D = running_dialect()
V = D.VERSION


def test_mix_factor_is_the_language_default_in_every_version(make_scene, cli, graph, open_file):
    # 5.2 made a fresh (shader) Mix's factor 1.0; nodescript's keeps 0.5 as 4.5-5.1 have it.
    # 4.2's Mix is another node type (MixRGB), whose own default factor is 1.0.
    scene_file = make_scene()
    text = ('scene { passes = [depth] }\nrl = RenderLayers()\nm = Mix()\n'
            'rl.Image -> m.A\nrl.Image -> m.B\nm -> Viewer()\n')
    assert cli("apply", scene_file, graph(text)).code == 0
    mix = compositor(open_file(scene_file)).nodes["m"]
    shader_mix = mix.bl_idname == "ShaderNodeMix"
    assert mix.inputs[0].default_value == pytest.approx(0.5 if shader_mix else 1.0)
    again = cli("apply", scene_file, graph(text), "--check")
    assert again.code == 0 and "up to date" in again.out
    exported = export_file(scene_file)
    assert "Mix(" in exported and "Factor" not in exported and "Fac=" not in exported


SWITCH = """\
scene {{ engine = cycles, passes = [depth], use_compositing = true }}
rl = RenderLayers()
sw = Switch(Switch={on})
out = FileOutput(path="//out/", format=exr, depth=32)
rl.Image -> sw.On
rl.Image -> Invert() -> sw.Off
sw -> out.picked
rl.Image -> out.image
"""


def _red(path) -> np.ndarray:
    channels = {c.name: c.pixels for c in load_image(str(path)).channels}
    return np.asarray(channels["R"], dtype=np.float64)


@pytest.mark.parametrize("on", [True, False])
def test_switch_picks_the_same_input_in_every_version(make_scene, cli, graph, tmp_path, on):
    # 4.2 keeps the state in the setting `check`, 4.5 on in the input `Switch` (4.5 mirrors it
    # in `check`), 5.2's Add menu builds GeometryNodeSwitch: `Switch=` means the same in all.
    scene_file = make_scene()
    text = SWITCH.format(on=str(on).lower())
    assert cli("apply", scene_file, graph(text)).code == 0
    node = compositor(_open(scene_file)).nodes["sw"]
    assert node.bl_idname == vocabulary.spec_for("Switch", V)[0].idname
    ran = cli("render", scene_file, "--out", tmp_path / "r")
    assert ran.code == 0, ran.err
    folder = tmp_path / "r" / "out"
    picked, image = _red(folder / "picked0001.exr"), _red(folder / "image0001.exr")
    assert image.max() > 0.05                   # a lit scene, not black
    if on:
        assert np.allclose(picked, image, atol=1e-3)
    else:                                       # the inverted image
        assert np.allclose(picked, 1 - image, atol=1e-3)


def _open(path):
    bpy.ops.wm.open_mainfile(filepath=str(path), load_ui=False, use_scripts=False)
    return bpy.context.scene


@pytest.mark.skipif(not D.FILE_EXTENSION_SWITCH, reason="File Output has no use_file_extension")
def test_a_file_output_without_extension_is_drift_and_render_finds_its_files(
        make_scene, cli, graph, tmp_path):
    scene_file = make_scene()
    text = ('scene { passes = [depth], use_compositing = true }\nrl = RenderLayers()\n'
            'rl.Depth -> FileOutput(path="//out/", format=exr, depth=32) as out\n')
    assert cli("apply", scene_file, graph(text)).code == 0
    scene = _open(scene_file)
    compositor(scene).nodes["out"].use_file_extension = False    # as a user may set it
    bpy.ops.wm.save_mainfile()
    drift = cli("apply", scene_file, graph(text), "--check")
    assert drift.code == 1 and "use_file_extension" in drift.out
    exported = export_file(scene_file)
    assert "use_file_extension=false" in exported            # the language says it too
    assert cli("apply", scene_file, graph(exported, name="exported.nodes"), "--check").code == 0
    ran = cli("render", scene_file, "--out", tmp_path / "r")
    assert ran.code == 0, ran.err
    written = [p.name for p in (tmp_path / "r").rglob("*") if p.is_file() and "out" in p.parts]
    assert written == ["Depth0001"] or written == ["depth0001"], written
    assert "missing" not in ran.err


# --- 5.3: the compositor is a stack of effects ------------------------------------------------

needs_effects = pytest.mark.skipif(not D.COMPOSITOR_EFFECTS,
                                   reason="the compositor is one tree, not a stack of effects")


def _effect_tree(name: str, fo_dir: str, from_input: bool):
    """A tree as an artist builds an effect: Render Layers (or the effect's input) -> File Output,
    and its image on to the next effect."""
    tree = bpy.data.node_groups.new(name, "CompositorNodeTree")
    tree.interface.new_socket("Image", in_out="INPUT", socket_type="NodeSocketColor")
    tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
    gi, go = tree.nodes.new("NodeGroupInput"), tree.nodes.new("NodeGroupOutput")
    rl = tree.nodes.new("CompositorNodeRLayers")
    fo = tree.nodes.new("CompositorNodeOutputFile")
    fo.name, fo.directory, fo.file_name = "File Output", fo_dir, name
    fo.format.media_type, fo.format.file_format = "IMAGE", "OPEN_EXR"
    fo.file_output_items.new("RGBA", "img")
    source = gi.outputs[0] if from_input else rl.outputs["Image"]
    tree.links.new(source, fo.inputs[0])
    tree.links.new(source, go.inputs[0])
    return tree


def _two_effects(enable_second: bool = True):
    def edit(bpy):
        scene = bpy.context.scene
        for name, from_input in (("Grade", False), ("Data", True)):
            tree = _effect_tree(name, f"//fx/{name}/", from_input)
            tree.allow_usage_in_scene_compositor_effect = True
            effect = scene.compositor_effects.new(name)
            effect.node_group = tree
        scene.compositor_effects[1].enable_for_render = enable_second
        scene.compositor_effects.active = scene.compositor_effects[0]
    return edit


def _snapshot(tree) -> tuple:
    return ({n.name: n.bl_idname for n in tree.nodes}, links_of(tree))


DEPTH = ('scene { passes = [depth], use_compositing = true }\nrl = RenderLayers()\n'
         'rl.Depth -> FileOutput(path="//out/depth/", format=exr, depth=32) as depth\n')


@needs_effects
def test_apply_changes_only_the_effect_it_is_told_and_reports_the_others(make_scene, cli, graph):
    scene_file = make_scene(edit=_two_effects())
    scene = _open(scene_file)
    grade_before = _snapshot(scene.compositor_effects["Grade"].node_group)
    # Data's nodes are the user's, not in the graph: --prune lets apply replace them
    ran = cli("apply", scene_file, graph(DEPTH), "--effect", "Data", "--prune")
    assert ran.code == 0, ran.err
    assert "other compositor effects, left as they are: 'Grade'" in ran.out
    scene = _open(scene_file)
    effects = scene.compositor_effects
    assert [e.name for e in effects] == ["Grade", "Data"]
    assert _snapshot(effects["Grade"].node_group) == grade_before
    data = effects["Data"].node_group
    assert {n.bl_idname for n in data.nodes} == {"CompositorNodeRLayers", "CompositorNodeOutputFile"}
    check = cli("apply", scene_file, graph(DEPTH), "--effect", "Data", "--check")
    assert check.code == 0 and "up to date" in check.out
    # The graph can name its effect itself; --check against the other effect sees drift.
    named = graph('scene { effect = "Data" }\n' + DEPTH.replace("scene { ", "scene {\n", 1),
                  name="named.nodes")
    assert cli("apply", scene_file, named, "--check").code == 0
    assert cli("apply", scene_file, graph(DEPTH), "--effect", "Grade", "--check").code == 1


@needs_effects
def test_apply_to_a_scene_without_effects_makes_one(make_scene, cli, graph):
    scene_file = make_scene()
    assert cli("apply", scene_file, graph(DEPTH)).code == 0
    effects = _open(scene_file).compositor_effects
    assert [e.name for e in effects] == [D.DEFAULT_EFFECT_NAME]
    assert effects[0].node_group.allow_usage_in_scene_compositor_effect
    assert cli("apply", scene_file, graph(DEPTH), "--check").code == 0


@needs_effects
def test_apply_into_an_effect_without_a_group_makes_one_and_takes_no_other_effects(make_scene,
                                                                                   cli, graph):
    """The group name nodescript would use is another effect's group: a new group is made
    (Blender gives it the next free name), the other effect's is left alone."""
    tree_name = D.SCENE_TREE_NAME.format(scene="Scene")

    def edit(bpy):
        scene = bpy.context.scene
        grade = bpy.data.node_groups.new(tree_name, "CompositorNodeTree")
        grade.allow_usage_in_scene_compositor_effect = True
        grade.nodes.new("CompositorNodeBlur")
        scene.compositor_effects.new("Grade").node_group = grade
        scene.compositor_effects.new("Data")
    scene_file = make_scene(edit=edit)

    ran = cli("apply", scene_file, graph(DEPTH), "--effect", "Data")

    assert ran.code == 0, ran.err
    effects = _open(scene_file).compositor_effects
    grade, data = effects["Grade"].node_group, effects["Data"].node_group
    assert grade.name == tree_name and [n.bl_idname for n in grade.nodes] == [
        "CompositorNodeBlur"]
    assert data is not None and data != grade
    assert {n.bl_idname for n in data.nodes} == {"CompositorNodeRLayers", "CompositorNodeOutputFile"}
    assert cli("apply", scene_file, graph(DEPTH), "--effect", "Data", "--check").code == 0


@needs_effects
def test_an_unknown_effect_is_one_clear_error(make_scene, cli, graph):
    scene_file = make_scene(edit=_two_effects())
    before = scene_file.read_bytes()
    ran = cli("apply", scene_file, graph(DEPTH), "--effect", "Nope")
    assert ran.code == 2 and "no compositor effect 'Nope' (its effects: 'Grade', 'Data')" in ran.err
    assert scene_file.read_bytes() == before


@needs_effects
@pytest.mark.parametrize("second_on", [True, False])
def test_render_writes_the_file_outputs_of_every_enabled_effect(make_scene, cli, tmp_path,
                                                                second_on):
    # Measured: effects run in order, each receiving the image of the one before; a disabled
    # effect is skipped and its File Outputs write nothing.
    scene_file = make_scene(edit=_two_effects(enable_second=second_on))
    ran = cli("render", scene_file, "--out", tmp_path / "r")
    assert ran.code == 0, ran.err
    written = sorted(p.relative_to(tmp_path / "r").as_posix()
                     for p in (tmp_path / "r").rglob("*.exr") if "render" not in p.parts)
    if second_on:
        assert written == ["Data/File Output/Dataimg0001.exr", "Grade/File Output/Gradeimg0001.exr"]
        grade, data = (_red(tmp_path / "r" / w) for w in written[::-1])
        assert np.array_equal(grade, data)      # Data writes the image Grade passed on
    else:
        assert written == ["File Output/Gradeimg0001.exr"]


@needs_effects
def test_export_and_lint_read_each_effect(make_scene, tmp_path):
    scene_file = make_scene(edit=_two_effects())
    grade, data = (export_file(scene_file, effect=name) for name in ("Grade", "Data"))
    assert 'effect = "Grade"' in grade and 'effect = "Data"' in data
    assert 'other compositor effects, not in this file: "Data"' in grade
    from nodescript.cli import _lint_blend
    from nodescript.config import Config

    result = _lint_blend(scene_file, None, Config())
    assert {d.place.effect for d in result.diagnostics} <= {"Grade", "Data"}


def _moving_ramp(bpy):
    """The ramp moves in x and y between frames, so motion vectors have all four components."""
    ramp = bpy.data.objects["Ramp"]
    for frame, (x, y) in ((1, (0, 0)), (2, (1, 1)), (3, (3, 4))):
        ramp.location.x, ramp.location.y = x, y
        ramp.keyframe_insert("location", frame=frame)


def test_motion_vectors_keep_their_fourth_component_where_items_can(make_scene, cli, graph,
                                                                    tmp_path):
    # Measured: a 3D item (5.0 on) or a 4.2 slot writes X, Y, Z of the Vector pass and drops
    # W (the next frame's y motion); 4.5's slots keep it; nodescript declares items 4D.
    scene_file = make_scene(edit=_moving_ramp)
    text = ('scene { engine = cycles, passes = [vector], use_compositing = true }\n'
            'rl = RenderLayers()\n'
            'out = FileOutput(path="//out/", format=exr-multilayer, depth=32)\n'
            'rl.Vector -> out.motion\n')
    assert cli("apply", scene_file, graph(text)).code == 0
    ran = cli("render", scene_file, "--frames", "2", "--out", tmp_path / "r")
    assert ran.code == 0, ran.err
    (written,) = [p for p in (tmp_path / "r").rglob("*.exr") if "render" not in p.parts]
    channels = {c.name: np.asarray(c.pixels) for c in load_image(str(written)).channels}
    names = sorted(n.split(".")[-1] for n in channels)
    if D.FILE_OUTPUT_ITEMS or D.SLOT_KEEPS_MOTION_W:
        assert names == ["W", "X", "Y", "Z"]
        w = next(v for n, v in channels.items() if n.endswith("W"))
        assert np.abs(w).max() > 1                       # the ramp moves several pixels in y
    else:
        assert names == ["X", "Y", "Z"]
    assert cli("apply", scene_file, graph(text), "--check").code == 0
