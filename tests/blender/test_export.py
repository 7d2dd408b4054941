"""export: compositor trees built with bpy in this venv's Blender -> canonical `.nodes` text.

Trees are built the way a user (or an older pipeline script) would, with each version's own
API; the text must name the right nodes, settings and links, resolve without errors, and be
left unchanged by `nodescript fmt`. Round trips go through the apply side's executor.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import add, apply_text, empty_compositor  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from nodescript import vocabulary  # noqa: E402
from nodescript.blender.export import (  # noqa: E402
    ExportError,
    export_command,
    export_file,
    export_scene,
)
from nodescript.fmt import format_source  # noqa: E402
from nodescript.resolve import load_graph  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

V = "%d.%d" % tuple(bpy.app.version[:2])
IS_5 = bpy.app.version >= (5, 0)
# Render Layers' object index output: renamed in 5.0.
OBJECT_INDEX = 'rl."Object Index"' if IS_5 else "rl.IndexOB"


@pytest.fixture(autouse=True)
def factory_blender():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    yield
    bpy.ops.wm.read_factory_settings(use_empty=True)


# --- building trees with bpy --------------------------------------------------------------------

def compositor(scene=None):
    """The scene's compositor tree, empty."""
    return empty_compositor(scene or bpy.context.scene)


def render_layers(tree, *passes: str, scene=None):
    scene = scene or bpy.context.scene
    for name in passes:
        setattr(scene.view_layers[0], f"use_pass_{name}", True)
    node = add(tree, "RenderLayers", "rl")
    if scene != bpy.context.scene:
        node.scene = scene
    return node


def file_output(tree, name: str, directory: str, slots, file_format="OPEN_EXR", depth="32",
                codec=None, color_mode="RGB"):
    """A File Output with `slots` [(name, 5.0 item type)], in either API."""
    node = add(tree, "FileOutput", name)
    fmt = node.format
    if IS_5:
        node.directory, node.file_name = directory, ""
        fmt.media_type = "MULTI_LAYER_IMAGE" if file_format == "OPEN_EXR_MULTILAYER" else "IMAGE"
    else:
        node.base_path = directory
    fmt.file_format = file_format
    fmt.color_depth = depth
    if codec:
        fmt.exr_codec = codec
    if color_mode:
        fmt.color_mode = color_mode
    if IS_5:
        for slot, socket_type in slots:
            node.file_output_items.new(socket_type, slot)
    else:
        node.file_slots.clear()
        for slot, _ in slots:
            node.file_slots.new(slot)
    return node


def link(tree, src, out: str | int, dst, into: str | int):
    tree.links.new(src.outputs[out], dst.inputs[into])


def exported(scene=None) -> str:
    text = export_scene(scene or bpy.context.scene, version=V)
    assert format_source(text) == text, "export output must be canonical"
    loaded = load_graph("exported.nodes", text)
    errors = [d.render() for d in loaded.diagnostics if d.is_error]
    assert not errors, text + "\n".join(errors)
    return text


def assert_lines(text: str, *lines: str) -> None:
    present = text.splitlines()
    missing = [line for line in lines if line not in present]
    assert not missing, f"missing {missing} in:\n{text}"


# --- what trees export as -----------------------------------------------------------------------

def test_normalize_to_png_preview():
    tree = compositor()
    rl = render_layers(tree, "z")
    norm = add(tree, "Normalize", "norm")
    png = file_output(tree, "png", "//out/preview/", [("depth", "FLOAT")], "PNG", "8",
                      color_mode="BW")
    link(tree, rl, "Depth", norm, 0)
    link(tree, norm, 0, png, 0)
    text = exported()
    assert text.startswith(f'target "{V}"\n\nscene {{\n')
    assert_lines(text, "    passes = [depth]", "    use_compositing = true", "rl = RenderLayers()",
                 "norm = Normalize()",
                 'png = FileOutput(path="//out/preview/", format=png, depth=8, color_mode=bw)',
                 "rl.Depth -> norm.Value", "norm.Value -> png.depth")
    assert "# export:" not in text


def test_half_float_exr():
    tree = compositor()
    rl = render_layers(tree, "z")
    out = file_output(tree, "depth_half", "//out/half/", [("depth", "FLOAT")], "OPEN_EXR", "16",
                      codec="PIZ")
    link(tree, rl, "Depth", out, 0)
    assert_lines(exported(), 'depth_half = FileOutput(path="//out/half/", format=exr, depth=16, '
                             "codec=piz)", "rl.Depth -> depth_half.depth")


def test_multilayer_data_export_with_several_slots():
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    scene.cycles.samples = 16
    scene.cycles.filter_width = 0.01
    scene.render.resolution_x, scene.render.resolution_y = 640, 480
    tree = compositor()
    rl = render_layers(tree, "z", "normal", "position", "object_index")
    slots = [("depth", "FLOAT"), ("normal", "VECTOR"), ("position", "VECTOR"),
             ("object_index", "FLOAT")]
    data = file_output(tree, "data", "//out/data/", slots, "OPEN_EXR_MULTILAYER", "32", codec="ZIP")
    for i, socket in enumerate(("Depth", "Normal", "Position", "IndexOB")):
        link(tree, rl, socket if socket in rl.outputs else "Object Index", data, i)
    text = exported()
    passes = next(line for line in text.splitlines() if "passes =" in line)
    assert sorted(re.findall(r"\w+", passes.split("=")[1])) == ["depth", "normal", "object_index",
                                                                "position"]
    assert_lines(text, "    engine = cycles", "    resolution = (640, 480)",
                 "    cycles.samples = 16", "    cycles.filter_width = 0.01",
                 'data = FileOutput(path="//out/data/", format=exr-multilayer, depth=32, '
                 "codec=zip)", "rl.Depth -> data.depth", "rl.Normal -> data.normal",
                 "rl.Position -> data.position", f"{OBJECT_INDEX} -> data.object_index")
    slot_lines = [line for line in text.splitlines() if "-> data." in line]
    assert [line.rsplit(".", 1)[1] for line in slot_lines] == [s for s, _ in slots]  # slot order


def test_render_layers_of_another_scene():
    plate = bpy.data.scenes.new("Plate")
    plate.view_layers[0].name = "Beauty"
    tree = compositor()
    own = render_layers(tree)
    other = add(tree, "RenderLayers", "plate_rl", scene=plate)
    mix = add(tree, "AlphaOver", "over")
    background, foreground = ("Background", "Foreground") if IS_5 else (1, 2)
    link(tree, own, "Image", mix, background)
    link(tree, other, "Image", mix, foreground)
    text = exported()
    # 4.x names both Alpha Over image inputs "Image": the second one takes an index.
    into = "over.Foreground" if IS_5 else "over[2]"
    assert_lines(text, 'plate_rl = RenderLayers(scene="Plate", layer="Beauty")',
                 "rl = RenderLayers()", f"plate_rl.Image -> {into}")
    assert "passes" not in text                          # Image needs no pass


def test_render_layers_of_a_second_view_layer():
    scene = bpy.context.scene
    scene.view_layers.new("Data").use_pass_z = True
    tree = compositor()
    rl = add(tree, "RenderLayers", "rl", layer="Data")
    out = file_output(tree, "out", "//out/", [("depth", "FLOAT")])
    link(tree, rl, "Depth", out, 0)
    assert_lines(exported(), '    view_layer = "Data"', 'rl = RenderLayers(layer="Data")',
                 "rl.Depth -> out.depth")


def test_reroutes_and_frames():
    tree = compositor()
    rl = render_layers(tree, "z")
    frame = add(tree, "Frame", "outputs", label="Depth outputs")
    route = add(tree, "Reroute", "route")
    out = file_output(tree, "out", "//out/depth/", [("depth", "FLOAT")])
    out.parent = frame
    link(tree, rl, "Depth", route, 0)
    link(tree, route, 0, out, 0)
    text = exported()
    assert_lines(text, 'outputs = Frame(label="Depth outputs")', "route = Reroute()",
                 "rl.Depth -> route.Input", "route.Output -> out.depth")
    assert re.search(r"^out = FileOutput\(.*parent=outputs\)$", text, re.M), text
    assert "# export:" not in text
    # Applied onto an emptied compositor, the node is back in its frame, and nothing drifts.
    tree.nodes.clear()
    apply_text(text)
    tree = scene_tree(bpy.context.scene)
    assert tree.nodes["out"].parent == tree.nodes["outputs"]
    assert exported() == text


def make_depth_to_cm_group():
    group = bpy.data.node_groups.new("DepthToCm", "CompositorNodeTree")
    for name, side in (("depth", "INPUT"), ("scale", "INPUT"), ("cm", "OUTPUT")):
        group.interface.new_socket(name, in_out=side, socket_type="NodeSocketFloat")
    inputs = group.nodes.new("NodeGroupInput")
    outputs = group.nodes.new("NodeGroupOutput")
    mul = add(group, "Math", "mul", operation="MULTIPLY")
    link(group, inputs, 0, mul, 0)
    link(group, inputs, 1, mul, 1)
    link(group, mul, 0, outputs, 0)
    return group


def test_node_group():
    group = make_depth_to_cm_group()
    tree = compositor()
    rl = render_layers(tree, "z")
    node = add(tree, "Group", "g", node_tree=group)
    node.inputs[1].default_value = 100
    out = file_output(tree, "out", "//out/cm/", [("cm", "FLOAT")])
    link(tree, rl, "Depth", node, 0)
    link(tree, node, 0, out, 0)
    text = exported()
    assert textwrap.dedent("""\
        group DepthToCm(depth: float, scale: float) -> (cm: float) {
            mul = Math(operation=multiply)

            depth -> mul.Value
            scale -> mul[1]
            mul.Value -> cm
        }
        """) in text
    assert_lines(text, "g = DepthToCm(scale=100)", "rl.Depth -> g.depth", "g.cm -> out.cm")


def make_group(name: str, inputs, outputs):
    group = bpy.data.node_groups.new(name, "CompositorNodeTree")
    for side, sockets in (("INPUT", inputs), ("OUTPUT", outputs)):
        for socket, socket_type in sockets:
            group.interface.new_socket(socket, in_out=side, socket_type=socket_type)
    return group, group.nodes.new("NodeGroupInput"), group.nodes.new("NodeGroupOutput")


def test_nested_groups_and_names_the_language_reserves():
    color = "NodeSocketColor"
    # A group named like a node kind, with an input and an output both called "Image".
    inner, inner_in, inner_out = make_group("Blur", [("Image", color)], [("Image", color)])
    invert = add(inner, "InvertColor", "scene")               # `scene` is a keyword
    link(inner, inner_in, 0, invert, "Color")
    link(inner, invert, 0, inner_out, 0)
    outer, outer_in, outer_out = make_group("Outer Pass", [("Image", color)], [("Result", color)])
    nested = add(outer, "Group", "inner", node_tree=inner)
    link(outer, outer_in, 0, nested, 0)
    link(outer, nested, 0, outer_out, 0)
    tree = compositor()
    rl = render_layers(tree)
    node = add(tree, "Group", "outer", node_tree=outer)
    view = add(tree, "Viewer", "view")
    link(tree, rl, "Image", node, 0)
    link(tree, node, 0, view, 0)
    text = exported()
    assert text.index("group Blur(") < text.index('group "Outer Pass"(')   # used first
    # An output keeps the name it shares with an input: a link reads one and writes the other.
    # The group keeps its name "Blur": no Blur node is written, so in this file it calls the group.
    assert_lines(text, "group Blur(Image: color) -> (Image: color) {",
                 '    "scene" = InvertColor()',
                 '    Image -> "scene".Color', '    "scene".Color -> Image',
                 'group "Outer Pass"(Image: color) -> (Result: color) {', "    inner = Blur()",
                 "    Image -> inner.Image", "    inner.Image -> Result",
                 'outer = "Outer Pass"()', "rl.Image -> outer.Image", "outer.Result -> view.Image")

    add(tree, "Blur", "soft")              # now the kind is written too: the group gives way
    text = exported()
    assert_lines(text, "group BlurGroup(Image: color) -> (Image: color) {", "    inner = BlurGroup()",
                 "soft = Blur()")


def test_file_output_slots_with_different_formats():
    tree = compositor()
    rl = render_layers(tree, "z", "normal")
    exr = file_output(tree, "exr", "//out/exr/", [("depth", "FLOAT"), ("normal", "VECTOR")],
                      "OPEN_EXR", "32", codec="ZIP")
    png = file_output(tree, "png", "//out/png/", [("beauty", "RGBA")], "PNG", "16",
                      color_mode="RGBA")
    jpg = file_output(tree, "jpg", "//out/jpg/", [("beauty", "RGBA")], "JPEG", "8")
    jpg.format.quality = 75
    link(tree, rl, "Depth", exr, 0)
    link(tree, rl, "Normal", exr, 1)
    link(tree, rl, "Image", png, 0)
    link(tree, rl, "Image", jpg, 0)
    own = (exr.file_output_items[1] if IS_5 else exr.file_slots[1])
    if IS_5:
        own.override_node_format = True
    else:
        own.use_node_format = False
    own.format.file_format, own.format.color_depth = "OPEN_EXR", "16"
    own.format.exr_codec, own.format.color_mode = "PIZ", "RGB"
    text = exported()
    assert_lines(text, 'exr = FileOutput(path="//out/exr/", format=exr, depth=32, codec=zip)',
                 'png = FileOutput(path="//out/png/", format=png, depth=16, color_mode=rgba)',
                 'jpg = FileOutput(path="//out/jpg/", format=jpeg, depth=8, quality=75)',
                 "rl.Depth -> exr.depth", "rl.Normal -> exr.normal(format=exr, depth=16, codec=piz)",
                 "rl.Image -> png.beauty", "rl.Image -> jpg.beauty")
    assert "export:" not in text


def test_unlinked_inputs_values_and_enums():
    tree = compositor()
    rl = render_layers(tree, "z")
    math = add(tree, "Math", "scale", operation="MULTIPLY_ADD")
    math.inputs[1].default_value = 0.1
    math.inputs[2].default_value = -2.5
    ramp = add(tree, "MapRange", "near_far")
    ramp.inputs["From Max"].default_value = 20
    ramp.inputs["To Min"].default_value = 0.25
    link(tree, rl, "Depth", math, 0)
    link(tree, math, 0, ramp, 0)
    text = exported()
    assert_lines(text, "scale = Math(operation=multiply_add, inputs=(_, 0.1, -2.5))",
                 "near_far = MapRange(from_max=20, to_min=0.25)", "rl.Depth -> scale.Value",
                 "scale.Value -> near_far.Value")


def test_colour_menu_and_boolean_inputs():
    tree = compositor()
    rl = render_layers(tree)
    over = add(tree, "AlphaOver", "over")
    link(tree, rl, "Image", over, "Background" if IS_5 else 1)
    foreground = over.inputs["Foreground"] if IS_5 else over.inputs[2]
    foreground.default_value = (1.0, 0.5, 0.0, 1.0)
    if IS_5:                  # 5.0 made the options inputs: a menu and a boolean
        over.inputs["Type"].default_value = "Disjoint Over"
        over.inputs["Straight Alpha"].default_value = True
        expected = ('over = AlphaOver(foreground=(1, 0.5, 0, 1), type="Disjoint Over", '
                    "straight_alpha=true)")
    else:                     # 4.x: two inputs named Image, so by position
        expected = "over = AlphaOver(inputs=(_, _, (1, 0.5, 0, 1)))"
    assert_lines(exported(), expected)


def test_float_text_is_the_shortest_that_round_trips_float32():
    from nodescript.blender.export_text import float_text as _float

    assert [_float(x) for x in (0.1, 0.01, 20.0, -0.0, -2.5, 1e-07, 123456.789, 1 / 3)] == \
        ["0.1", "0.01", "20", "0", "-2.5", "1e-07", "123456.79", "0.33333333"]


def test_blender_names_are_kept_quoted_where_not_words():
    tree = compositor()
    rl = add(tree, "RenderLayers", "Render Layers")
    first = add(tree, "Math", "Math.001")
    second = add(tree, "Math", "Math_001")
    link(tree, rl, "Alpha", first, 0)
    link(tree, first, 0, second, 0)
    assert_lines(exported(), '"Render Layers" = RenderLayers()', '"Math.001" = Math()',
                 "Math_001 = Math()", '"Render Layers".Alpha -> "Math.001".Value',
                 '"Math.001".Value -> Math_001.Value')


def test_composite_output():
    """4.x Composite, or 5.0's Group Output with an Image interface socket, is Composite."""
    tree = compositor()
    rl = render_layers(tree)
    if IS_5:
        tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
        comp = add(tree, "GroupOutput", "comp")
    else:
        comp = add(tree, "Composite", "comp")
    link(tree, rl, "Image", comp, 0)
    assert_lines(exported(), "comp = Composite()", "rl.Image -> comp.Image")


def test_muted_node_and_unlinked_input_are_written():
    tree = compositor()
    rl = render_layers(tree, "z")
    norm = add(tree, "Normalize", "norm", mute=True)
    out = file_output(tree, "out", "//out/", [("depth", "FLOAT"), ("spare", "FLOAT")])
    link(tree, rl, "Depth", norm, 0)
    link(tree, norm, 0, out, 0)
    text = exported()
    assert_lines(text, "norm = Normalize(mute=true)")
    assert "muted" not in text
    assert 'inputs=["depth", "spare"]' in text and "export:" not in text
    assert "out.spare" not in text                    # nothing links into it


@pytest.mark.skipif(not IS_5, reason="5.0 File Output items declare their socket type")
def test_an_item_type_other_than_the_feeding_socket_is_written():
    tree = compositor()
    rl = render_layers(tree, "normal")
    route = add(tree, "Reroute", "route")
    out = file_output(tree, "out", "//out/", [("normal", "RGBA")])
    link(tree, rl, "Normal", route, 0)
    link(tree, route, 0, out, 0)
    # the Reroute carries the Normal pass: nodescript would declare VECTOR, so the text says RGBA
    text = exported()
    assert_lines(text, "route.Output -> out.normal(type=color)")
    assert "export:" not in text


def test_unsupported_version_is_an_export_error():
    with pytest.raises(ExportError, match="no catalogue for Blender 3.6"):
        export_scene(bpy.context.scene, version="3.6")


def test_scene_without_compositor():
    text = exported()
    assert text.startswith(f'target "{V}"\n')
    assert "RenderLayers" not in text


@pytest.mark.skipif(IS_5, reason="5.0 has no use_nodes switch")
def test_compositor_switched_off_is_noted():
    tree = compositor()
    render_layers(tree)
    bpy.context.scene.use_nodes = False
    text = exported()
    assert "# export: the scene has a compositor tree but does not use nodes" in text
    assert "RenderLayers" not in text


# --- files and the command line -----------------------------------------------------------------

@pytest.fixture
def saved_blend(tmp_path):
    bpy.context.scene.name = "Shot"
    tree = compositor()
    rl = render_layers(tree, "z")
    out = file_output(tree, "out", "//out/", [("depth", "FLOAT")])
    link(tree, rl, "Depth", out, 0)
    bpy.data.scenes.new("Other")
    path = tmp_path / "shot.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path), copy=True)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return path


def test_export_file_picks_the_named_or_active_scene(saved_blend):
    text = export_file(saved_blend, "Shot")
    assert "rl.Depth -> out.depth" in text
    assert export_file(saved_blend) == text             # Shot was the active scene
    assert "RenderLayers" not in export_file(saved_blend, "Other")


def test_export_file_unknown_scene_lists_the_scenes(saved_blend):
    with pytest.raises(ExportError, match=r'no scene "Nope"; the file has "Other", "Shot"'):
        export_file(saved_blend, "Nope")


def test_command_prints_or_writes(saved_blend, tmp_path):
    runner = CliRunner()
    printed = runner.invoke(export_command, [str(saved_blend), "--scene", "Shot"])
    assert printed.exit_code == 0, printed.output
    assert "rl.Depth -> out.depth" in printed.output
    target = tmp_path / "shot.nodes"
    written = runner.invoke(export_command,
                            [str(saved_blend), "--scene", "Shot", "-o", str(target)])
    assert written.exit_code == 0 and written.output == f"wrote {target}\n"     # as `graph` says
    assert target.read_text(encoding="utf-8") == printed.output


def test_command_errors_are_one_line(saved_blend, tmp_path):
    runner = CliRunner()
    unknown = runner.invoke(export_command, [str(saved_blend), "--scene", "Nope"])
    assert unknown.exit_code == 1
    assert unknown.output.strip().count("\n") == 0 and '"Shot"' in unknown.output
    corrupt = tmp_path / "corrupt.blend"
    corrupt.write_bytes(b"BLENDER-v402" + b"\0" * 20)
    broken = runner.invoke(export_command, [str(corrupt)])
    assert broken.exit_code == 1
    assert broken.output.startswith("Error: ") and broken.output.strip().count("\n") == 0


# --- round trips through apply ------------------------------------------------------------------



# The same graph in every version but for the Map Range output (Value in 4.2, Result in 4.5/5.0),
# written the way export writes it. In 5.0 MapValue and Composite are emulated by apply.
CANONICAL = """\
target "{version}"

scene {{
    engine = cycles
    passes = [depth, normal]
    resolution = (640, 480)
    use_compositing = true
    view_transform = standard
    cycles.samples = 16
    cycles.filter_width = 0.01
}}

group DepthToCm(depth: float, scale: float) -> (cm: float) {{
    mul = Math(operation=multiply)

    depth -> mul.Value
    scale -> mul[1]
    mul.Value -> cm
}}

rl = RenderLayers()
mv = MapValue(offset=0.5, size=0.1, use_min=true)
near_far = MapRange(from_max=20, to_min=0.25, label="0-20 m")
g = DepthToCm(scale=100)
route = Reroute()
data = FileOutput(path="//out/data/", format=exr-multilayer, depth=32, codec=zip)
preview = FileOutput(path="//out/preview/", format=png, depth=16, color_mode=bw)
comp = Composite()
note = Frame(label="Outputs")

rl.Depth -> mv.Value
rl.Depth -> near_far.Value
rl.Depth -> g.depth
rl.Normal -> route.Input
rl.Depth -> data.depth
g.cm -> data.cm
route.Output -> data.normal
near_far.{map_range_out} -> preview.near_far
mv.Value -> preview.scaled
rl.Image -> preview.beauty(format=jpeg, depth=8, quality=75)
rl.Image -> comp.Image(mute=true)
"""


# MapValue inside a group: emulated inside the group's tree in 5.0.
CANONICAL_GROUP = """\
target "{version}"

scene {{
    engine = eevee
    passes = [depth]
    resolution = (320, 240)
    use_compositing = false
    view_transform = raw
}}

group HalfDepth(depth: float, bias: float) -> (scaled: float) {{
    mv = MapValue(max=2, size=0.5, use_max=true, label="halve")
    add = Math()

    depth -> mv.Value
    mv.Value -> add.Value
    bias -> add[1]
    add.Value -> scaled
}}

rl = RenderLayers()
s = HalfDepth(bias=-1.5)
view = Viewer()

rl.Depth -> s.depth
s.scaled -> view.Image
"""


def canonical(template: str = CANONICAL) -> str:
    out = vocabulary.spec_for("MapRange", V)[0].outputs[0].name       # Value (4.2) or Result
    return template.format(version=V, map_range_out=out)


@pytest.mark.parametrize("template", [CANONICAL, CANONICAL_GROUP], ids=["scene", "group"])
def test_export_of_applied_canonical_graph_is_the_graph(template):
    text = canonical(template)
    assert format_source(text) == text
    apply_text(text)
    assert exported() == text


def test_export_reads_the_emulation_tags():
    apply_text(canonical())
    tree = bpy.context.scene.compositing_node_group if IS_5 else bpy.context.scene.node_tree
    if IS_5:   # MapValue is Math nodes, Composite the tree's Group Output
        assert {n.name for n in tree.nodes} >= {"mv.offset", "mv.size", "mv.min", "comp"}
        tree.nodes["mv.size"].inputs[1].default_value = 0.25      # edited in Blender
    else:
        tree.nodes["mv"].size[0] = 0.25
    assert_lines(exported(), "mv = MapValue(offset=0.5, size=0.25, use_min=true)")


def ir_summary(text: str, path: str = "graph.nodes"):
    """What a graph builds in this version: node kinds with every setting (defaults filled in),
    links by socket identifier, and scene settings. Labels and `preview` count (apply keeps
    the mark in the node's `nodescript` property)."""
    graph = load_graph(path, text).graph
    nodes = {}
    for node in graph.nodes.values():
        binding = node.bindings[V]
        spec = vocabulary.spec_for(node.kind, V)[0] if not node.group else None
        props = {k: p.default for k, p in spec.properties.items()} if spec else {}
        inputs = {s.identifier: s.default for s in spec.inputs} if spec else {}
        props.update(binding.properties)
        inputs.update(binding.inputs)
        nodes[node.name] = (node.kind, node.group, node.args.get("label"), node.is_preview,
                            _rounded(props), _rounded(inputs))
    links = sorted((link.from_node, link.bindings[V][0].identifier, link.to_node,
                    link.bindings[V][1].identifier) for link in graph.links)
    return nodes, links, {s.key: s.value for s in graph.scene}


def _rounded(value):
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items() if k not in ("layer",)}
    if isinstance(value, (list, tuple)):
        items = [_rounded(v) for v in value]
        return items[0] if len(items) == 1 else tuple(items)
    if isinstance(value, float):
        return float(f"{value:.6g}")
    return value


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.nodes")))
def test_examples_survive_apply_then_export(example):
    source = (EXAMPLES / example).read_text(encoding="utf-8")
    apply_text(source, path=str(EXAMPLES / example))
    text = exported()
    nodes, links, scene = ir_summary(source, str(EXAMPLES / example))
    out_nodes, out_links, out_scene = ir_summary(text)
    assert out_nodes == nodes
    assert out_links == links
    for key, value in scene.items():
        if key == "passes":     # the example names 5.0's sockets (its newest target)
            aliases = vocabulary.pass_aliases(V)
            assert {aliases[vocabulary.fold(p)] for p in value} == set(out_scene[key])
        else:
            assert out_scene[key] == value, key
    # Exporting what the export builds gives the same text: export is a fixed point of apply.
    bpy.ops.wm.read_factory_settings(use_empty=True)
    apply_text(text)
    assert exported() == text


def build_everything(scene):
    """A tree with most of what a compositor holds, built with this version's API."""
    plate = bpy.data.scenes.get("Plate") or bpy.data.scenes.new("Plate")
    scene.render.engine = "CYCLES"
    tree = compositor(scene)
    rl = render_layers(tree, "z", "normal", "object_index", scene=scene)
    other = add(tree, "RenderLayers", "plate_rl", scene=plate)
    over = add(tree, "AlphaOver", "over")
    background, foreground = ("Background", "Foreground") if IS_5 else (1, 2)
    route = add(tree, "Reroute", "route")
    link(tree, rl, "Image", route, 0)
    link(tree, route, 0, over, background)
    link(tree, other, "Image", over, foreground)
    math = add(tree, "Math", "scale", operation="MULTIPLY_ADD")
    math.inputs[1].default_value, math.inputs[2].default_value = 0.1, -2.5
    ramp = add(tree, "MapRange", "near_far", label="near/far")
    ramp.inputs["From Max"].default_value = 20
    group = add(tree, "Group", "g", node_tree=make_depth_to_cm_group())
    group.inputs[1].default_value = 100
    add(tree, "Frame", "note", label="Outputs", label_size=30)
    half = file_output(tree, "half", "//out/half/", [("depth", "FLOAT")], "OPEN_EXR", "16", "PIZ")
    data = file_output(tree, "data", "//out/data/", [("depth", "FLOAT"), ("normal", "VECTOR"),
                                                     ("index", "FLOAT")], "OPEN_EXR_MULTILAYER")
    png = file_output(tree, "png", "//out/png/", [("near_far", "FLOAT"), ("beauty", "RGBA")],
                      "PNG", "16", color_mode="BW")
    link(tree, rl, "Depth", math, 0)
    link(tree, math, 0, ramp, 0)
    link(tree, rl, "Depth", group, 0)
    link(tree, rl, "Depth", half, 0)
    link(tree, group, 0, data, 0)
    link(tree, rl, "Normal", data, 1)
    link(tree, rl, "Object Index" if IS_5 else "IndexOB", data, 2)
    link(tree, ramp, 0, png, 0)
    link(tree, over, 0, png, 1)
    own = png.file_output_items[1] if IS_5 else png.file_slots[1]    # beauty: its own format
    if IS_5:
        own.override_node_format = True
    else:
        own.use_node_format = False
    own.format.file_format, own.format.quality = "JPEG", 80
    heat = add(tree, "ColorRamp", "heat")
    heat.color_ramp.elements.new(0.4).color = (1, 0, 0, 1)
    link(tree, math, 0, heat, 0)
    view = add(tree, "Viewer", "view")
    link(tree, heat, 0, view, 0)
    tree.links[-1].is_muted = True


def snapshot(tree, scene) -> tuple:
    """Node types, settings, unlinked input values and links of a tree, by node name."""
    nodes = {}
    for node in tree.nodes:
        spec = catalog_spec(node.bl_idname)
        props = {k: _snap(getattr(node, k), scene) for k in (spec.properties if spec else ())
                 if k not in ("layer", "socket_idname", "ui_shortcut") and hasattr(node, k)
                 and spec.properties[k].type != "COLLECTION"}
        inputs = {s.identifier: _snap(s.default_value, scene) for s in node.inputs
                  if not s.is_linked and s.enabled and hasattr(s, "default_value")}
        ramp = node.color_ramp if hasattr(node, "color_ramp") else None
        stops = ramp and tuple((_snap(e.position, scene), _snap(tuple(e.color), scene))
                               for e in ramp.elements)
        nodes[node.name] = (node.bl_idname, node.label, props, inputs, file_output_state(node),
                            stops)
    links = sorted((l.from_node.name, l.from_socket.identifier, l.to_node.name,
                    l.to_socket.identifier, l.is_muted) for l in tree.links)
    return nodes, links


def catalog_spec(idname: str):
    from nodescript import catalog

    return catalog.load(V).nodes.get(idname)


def file_output_state(node):
    if node.bl_idname != "CompositorNodeOutputFile":
        return None
    fmt = node.format
    settings = (fmt.file_format, fmt.color_depth, fmt.exr_codec, fmt.color_mode)
    if IS_5:
        return settings + (node.directory, node.file_name,
                           tuple((i.name, i.socket_type, _own_format(i, i.override_node_format))
                                 for i in node.file_output_items))
    return settings + (node.base_path, tuple((s.path, _own_format(s, not s.use_node_format))
                                             for s in node.file_slots),
                       tuple(s.name for s in node.layer_slots))


def _own_format(owner, on: bool):
    fmt = owner.format
    return (fmt.file_format, fmt.color_depth, fmt.color_mode, fmt.quality) if on else None


def _snap(value, scene):
    if value == scene:
        return "<this scene>"
    if hasattr(value, "name") and hasattr(value, "users"):
        return value.name
    if hasattr(value, "bl_rna"):          # format settings, curves: compared elsewhere or not
        return None
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return tuple(_snap(v, scene) for v in value)


def scene_tree(scene):
    return scene.compositing_node_group if IS_5 else scene.node_tree


def test_applying_the_export_onto_an_emptied_copy_rebuilds_the_tree():
    scene = bpy.context.scene
    build_everything(scene)
    text = exported(scene)
    assert "png.beauty(format=jpeg, depth=8, quality=80)" in text
    assert "heat = ColorRamp(stops=" in text and "view.Image(mute=true)" in text
    copy = scene.copy()
    copy.name = "Copy"
    bpy.context.window.scene = copy     # apply makes Render Layers read the active scene
    if IS_5:
        copy.compositing_node_group = None
    else:
        copy.node_tree.nodes.clear()
    apply_text(text, scene=copy)
    assert snapshot(scene_tree(copy), copy) == snapshot(scene_tree(scene), scene)
    groups = [n.node_tree for n in scene_tree(copy).nodes if n.bl_idname == "CompositorNodeGroup"]
    assert [g.name for g in groups] == ["DepthToCm"]
    assert export_scene(copy, version=V) == text


@pytest.mark.skipif(V != "4.5", reason="4.5 offers shader Math/Map Range in the compositor")
def test_shader_nodes_of_4_5_round_trip_as_themselves():
    # What 4.5's Add menu builds (ShaderNodeMath, ShaderNodeMapRange) is what Math and MapRange
    # mean in 4.5, so a tree made in the UI exports plainly and rebuilds with the same types.
    tree = compositor()
    rl = render_layers(tree, "z")
    math = tree.nodes.new("ShaderNodeMath")
    math.name, math.operation = "scale", "MULTIPLY"
    math.inputs[1].default_value = 0.1
    ramp = tree.nodes.new("ShaderNodeMapRange")
    ramp.name = "near_far"
    ramp.inputs["From Max"].default_value = 20
    view = add(tree, "Viewer", "view")
    link(tree, rl, "Depth", math, 0)
    link(tree, math, 0, ramp, 0)
    link(tree, ramp, "Result", view, 0)
    text = exported()
    assert_lines(text, "scale = Math(operation=multiply, inputs=(_, 0.1))",
                 "near_far = MapRange(from_max=20)", "rl.Depth -> scale.Value",
                 "scale.Value -> near_far.Value", "near_far.Result -> view.Image")
    assert "# export:" not in text
    tree.nodes.clear()
    apply_text(text)
    assert {n.name: n.bl_idname for n in tree.nodes if n.name in ("scale", "near_far")} \
        == {"scale": "ShaderNodeMath", "near_far": "ShaderNodeMapRange"}
    assert exported() == text


def test_node_colour_and_quoted_names_are_written():
    tree = compositor()
    rl = render_layers(tree)
    blur = add(tree, "Blur", "Blur.001")
    blur.use_custom_color, blur.color = True, (0.5, 0.25, 1.0)
    link(tree, rl, "Image", blur, 0)
    text = exported()
    assert_lines(text, '"Blur.001" = Blur(color=(0.5, 0.25, 1))', 'rl.Image -> "Blur.001".Image')


@pytest.mark.skipif(V != "4.5", reason="4.5 keeps the legacy compositor types for old files")
def test_legacy_types_of_4_5_round_trip_as_their_own_types():
    # Scripts written for 4.2 still make CompositorNodeMixRGB, CompositorNodeMapRange (which does
    # not clamp) and CompositorNodeMath in 4.5: export writes each as its exact type, whose own
    # sockets and defaults resolve (the shader nodes have other ones), so apply rebuilds them.
    tree = compositor()
    rl = render_layers(tree, "z", "normal")
    mix = tree.nodes.new("CompositorNodeMixRGB")
    mix.name, mix.blend_type = "offset", "ADD"
    mix.inputs[2].default_value = (0.5, 0.5, 0.5, 0.0)
    ramp = tree.nodes.new("CompositorNodeMapRange")
    ramp.name = "near_far"
    ramp.inputs["To Max"].default_value = 20
    math = tree.nodes.new("CompositorNodeMath")
    math.name, math.operation = "scale", "DIVIDE"
    math.inputs[1].default_value = 65535      # past the UI's range: what Blender holds is written
    out = file_output(tree, "out", "//out/", [("normal", "RGBA"), ("depth", "FLOAT")])
    link(tree, rl, "Normal", mix, 1)
    link(tree, rl, "Depth", ramp, 0)
    link(tree, ramp, 0, math, 0)
    link(tree, mix, 0, out, 0)
    link(tree, math, 0, out, 1)
    text = exported()
    assert_lines(text,
                 'offset = Node("CompositorNodeMixRGB", blend_type=add, '
                 'inputs=(_, _, (0.5, 0.5, 0.5, 0)))',
                 'near_far = Node("CompositorNodeMapRange", to_max=20)',
                 'scale = Node("CompositorNodeMath", operation=divide, inputs=(_, 65535))',
                 "rl.Normal -> offset.Image", "rl.Depth -> near_far.Value",
                 "near_far.Value -> scale.Value")
    assert "# export:" not in text
    tree.nodes.clear()
    apply_text(text)
    types = {n.name: n.bl_idname for n in tree.nodes}
    assert {name: types[name] for name in ("offset", "near_far", "scale")} == {
        "offset": "CompositorNodeMixRGB", "near_far": "CompositorNodeMapRange",
        "scale": "CompositorNodeMath"}
    assert tree.nodes["near_far"].use_clamp is False
    assert exported() == text


def kindless_types() -> list[str]:
    """This version's node types that no kind is built as here (4.5's legacy compositor nodes,
    5.2's CompositorNodeSwitch beside the function node's Switch)."""
    from nodescript import catalog
    return sorted(i for i in catalog.load(V).nodes if vocabulary.kind_in(i, V) is None)


@pytest.mark.skipif(not kindless_types(), reason=f"every node type of {V} has a kind")
def test_every_type_without_a_kind_round_trips_as_its_exact_type():
    tree = compositor()
    for index, idname in enumerate(kindless_types()):
        tree.nodes.new(idname).name = f"n{index}"
    text = exported()
    for index, idname in enumerate(kindless_types()):
        assert f'n{index} = Node("{idname}"' in text, text
    tree.nodes.clear()
    apply_text(text)
    assert {n.name: n.bl_idname for n in tree.nodes} == {
        f"n{index}": idname for index, idname in enumerate(kindless_types())}
    assert exported() == text
