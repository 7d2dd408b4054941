"""Resolution against the versioned catalogues: what each construct becomes per Blender version,
and the errors people get (code, position, did-you-mean)."""

import textwrap

import pytest

from nodescript import catalog
from nodescript.resolve import compile_source


def resolve(text: str):
    return compile_source(textwrap.dedent(text).lstrip("\n"), "g.nodes")


def errors(text: str):
    return [(d.code, d.span.line, d.span.col, d.message, d.help)
            for d in resolve(text).diagnostics if d.is_error]


def only_error(text: str):
    found = errors(text)
    assert len(found) == 1, found
    return found[0]


def test_default_targets_are_every_shipped_version():
    graph = resolve("rl = RenderLayers()").graph
    assert graph.targets == catalog.supported_versions() and len(graph.targets) >= 6


def test_target_range_and_single_version():
    assert resolve('target "4.5".."5.0"\nrl = RenderLayers()').graph.targets == ("4.5", "5.0")
    assert resolve('target "4.2"\nrl = RenderLayers()').graph.targets == ("4.2",)


def test_unknown_target_version():
    code, line, col, message, _ = only_error('target "3.6"')
    assert code == "NS004" and "3.6" in message and "4.2" in message


def test_math_is_a_compositor_node_in_4x_and_a_shader_node_in_5_0():
    graph = resolve("m = Math(operation=multiply, inputs=(_, 0.5))").graph
    m = graph.nodes["m"]
    assert m.bindings["4.2"].idname == "CompositorNodeMath"
    assert m.bindings["5.0"].idname == "ShaderNodeMath"
    for binding in m.bindings.values():
        assert binding.properties == {"operation": "MULTIPLY"}
        assert list(binding.inputs.values()) == [0.5]


def test_map_value_is_emulated_in_5_0_with_the_4x_settings():
    m = resolve("m = MapValue(offset=-8, size=0.5, use_min=true, min=0)").graph.nodes["m"]
    assert not m.bindings["4.5"].emulated and m.bindings["5.0"].emulated
    assert m.bindings["5.0"].properties == {"offset": (-8,), "size": (0.5,), "use_min": True, "min": (0,)}


def test_renamed_pass_resolves_by_either_name_in_every_version():
    for socket in ('"Object Index"', "IndexOB"):
        graph = resolve(f"rl = RenderLayers()\nv = Viewer()\nrl.{socket} -> v").graph
        (link,) = graph.links
        assert link.bindings["4.2"][0].name == "IndexOB"
        assert link.bindings["5.0"][0].name == "Object Index"


def test_a_pass_listed_twice_under_any_name_is_an_error():
    code, line, col, message, help_ = only_error("scene { passes = [depth, normal, z] }")
    assert (code, line, col) == ("NS104", 1, 18)
    assert message == "scene setting `passes` lists the Depth pass twice (`depth` and `z`)"
    assert help_ == "list each pass once"
    assert errors("scene { passes = [IndexOB, normal] }") == []


def test_default_sockets_and_file_output_slots():
    graph = resolve("""
        rl = RenderLayers()
        out = FileOutput(path="//x/")
        rl -> out
        rl.Depth -> out.depth
    """).graph
    assert [(l.from_socket, l.to_socket) for l in graph.links] == [("Image", "Image"), ("Depth", "depth")]
    assert graph.links[1].bindings["5.0"][1].index == 1


def test_file_output_defaults_are_explicit_lossless_full_float():
    out = resolve('out = FileOutput(path="//x/")').graph.nodes["out"]
    for binding in out.bindings.values():
        assert binding.properties["format"]["file_format"] == "OPEN_EXR"
        assert binding.properties["format"]["color_depth"] == "32"
        assert binding.properties["format"]["exr_codec"] == "ZIP"


def test_inline_nodes_get_deterministic_names_that_avoid_explicit_ones():
    graph = resolve("""
        rl = RenderLayers()
        Blur_1 = Viewer()
        rl -> Blur() -> Blur() -> Blur_1
    """).graph
    assert list(graph.nodes) == ["rl", "Blur_1", "Blur_2", "Blur_3"]


def test_scene_block():
    graph = resolve("scene { passes = [z, object_index], engine = eevee, resolution = (160, 120) }").graph
    assert graph.setting("passes") == ("Depth", "Object Index")
    assert graph.setting("engine") == "eevee"
    assert graph.setting("resolution") == (160, 120)


def test_group_definition_and_use():
    graph = resolve("""
        group ToMeters(d: float) -> (m: float) {
            d -> Math(operation=multiply, inputs=(_, 0.001)) -> m
        }
        rl = RenderLayers()
        g = ToMeters()
        rl.Depth -> g.d
        g.m -> Viewer()
    """).graph
    assert graph.nodes["g"].kind == "Group" and graph.nodes["g"].group == "ToMeters"
    body = graph.groups["ToMeters"].body
    # the group's sockets are its interface nodes' (named like Blender's), the socket says which
    assert [(l.from_node, l.from_socket, l.to_node) for l in body.links] == [
        ("Group Input", "d", "Math_1"), ("Math_1", "Value", "Group Output")]
    assert body.links[1].to_socket == "m"


def test_a_group_named_like_a_node_type_is_what_the_name_calls_in_its_file():
    graph = resolve("""
        group Blur(a: color) -> (b: color) { a -> b }
        rl = RenderLayers()
        rl.Image -> Blur() as soft -> Viewer()
    """).graph
    assert not errors("group Blur(a: color) -> (b: color) { a -> b }")
    assert (graph.nodes["soft"].kind, graph.nodes["soft"].group) == ("Group", "Blur")


def test_two_groups_of_one_name_are_an_error():
    code, *_, message, _ = only_error("group G(a) -> (b) { a -> b }\ngroup G(a) -> (b) { a -> b }")
    assert code == "NS105" and "already a group" in message


def test_include_splices_statements_once(write_nodes):
    write_nodes("frag.nodes", "rl = RenderLayers()\n")
    main = write_nodes("main.nodes", 'use "frag.nodes"\nuse "frag.nodes"\nrl.Depth -> Viewer()\n')
    from nodescript.resolve import load_graph
    loaded = load_graph(str(main))
    assert not loaded.diagnostics
    assert list(loaded.graph.nodes) == ["rl", "Viewer_1"]


def test_include_cycle(write_nodes):
    write_nodes("a.nodes", 'use "b.nodes"\n')
    main = write_nodes("b.nodes", 'use "a.nodes"\n')
    from nodescript.resolve import load_graph
    (diag,) = load_graph(str(main)).diagnostics
    assert diag.code == "NS003" and "b.nodes -> a.nodes -> b.nodes" in diag.message


@pytest.mark.parametrize("text, code, line, col, fragment, help", [
    ("n = Normalise()", "NS101", 1, 5, "unknown node type `Normalise`", "`Normalize`"),
    ("m = MapValue(sise=1)", "NS102", 1, 14, "no setting `sise`", "`size`"),
    ("rl = RenderLayers()\nrl.Deph -> Viewer()", "NS103", 2, 3, "no output `Deph`", "`Depth`"),
    ("m = Math(operation=multiplyy)", "NS104", 1, 20, "`multiplyy` is not a value", "`multiply`"),
    ("m = Math(operation=add)\nm = Math()", "NS105", 2, 1, "already defined", None),
    ("rl.Depth -> Viewer()\nrl = RenderLayers()", "NS106", 1, 1, "defined later", None),
    ("s = SeparateColor()\ns -> Viewer()", "NS107", 2, 6, "say which output of `s`", "`s.Red`"),
    ("rl = RenderLayers()\nv = Viewer()\nrl.Depth -> v\nrl.Image -> v.Image", "NS109", 4, 13,
     "already linked from `rl` (line 3)", None),
    ("a = Math()\nb = Math()\na -> b\nb -> a", "NS110", 4, 6, "closes a cycle", None),
    ('target "4.2".."5.0"\nc = Composite()\nb = Blur(size_x=3)', "NS111", 3, 10,
     "not a setting of Blur in Blender 5.0", None),
    ("scene { engin = cycles }", "NS112", 1, 9, "unknown scene setting `engin`", "`engine`"),
    ("out = FileOutput(format=exr, depth=8)", "NS104", 1, 36, "expected one of 16, 32", None),
    ("out = FileOutput(format=png, codec=zip)", "NS104", 1, 30, "does not apply to png", None),
    ("group G(a: colr) -> (b) { }", "NS113", 1, 9, "unknown socket type `colr`", "`color`"),
])
def test_errors_have_codes_positions_and_help(text, code, line, col, fragment, help):
    found = errors(text)
    assert found, "expected an error"
    got_code, got_line, got_col, message, got_help = found[0]
    assert (got_code, got_line, got_col) == (code, line, col), found
    assert fragment in message
    if help:
        assert help in got_help


def test_node_missing_from_a_declared_target_names_the_version():
    code, *_, message, _ = only_error('target "4.5".."5.0"\nv = SunBeams()')
    assert code == "NS111" and "5.0" in message


def test_rendered_error_shows_the_line_and_a_caret():
    (diag,) = resolve("m = MapValue(sise=1)").diagnostics
    text = diag.render()
    assert text.splitlines() == [
        "g.nodes:1:14: error[NS102]: MapValue has no setting `sise`",
        "  m = MapValue(sise=1)",
        "               ^^^^^^",
        "  help: did you mean `size`?",
    ]


def test_renamed_node_types_keep_one_kind_in_every_version():
    graph = resolve("a = RGB()\nb = ZCombine()").graph
    assert graph.nodes["a"].kind == "Color" and graph.nodes["b"].kind == "DepthCombine"
    assert {b.idname for b in graph.nodes["a"].bindings.values()} == {"CompositorNodeRGB"}


def test_inline_node_names_use_the_canonical_kind():
    graph = resolve("rl = RenderLayers()\nrl.Depth -> map_value(size=0.1) -> Viewer()").graph
    assert "MapValue_1" in graph.nodes


def test_file_output_slot_names_match_loosely():
    loaded = resolve('rl = RenderLayers()\nout = FileOutput(path="//x/")\nrl.Depth -> out\nrl.Image -> out.depth')
    assert [d.code for d in loaded.diagnostics] == ["NS109"]


def test_exr_codecs_depend_on_bit_depth():
    assert not errors("out = FileOutput(format=exr, depth=16, codec=b44)")
    assert errors("out = FileOutput(format=exr, depth=32, codec=b44)")[0][0] == "NS104"


def test_scene_enum_values_are_stored_as_the_table_key():
    graph = resolve('scene { view_transform = "Filmic Log" }').graph
    assert graph.setting("view_transform") == "filmiclog"


def test_grey_level_for_a_colour_input_keeps_alpha_one():
    node = resolve("s = SetAlpha(image=0.5)").graph.nodes["s"]
    assert list(node.bindings["4.2"].inputs.values()) == [(0.5, 0.5, 0.5, 1.0)]


def test_parent_names_a_frame_of_the_same_graph():
    graph = resolve("""
        box = Frame()
        out = FileOutput(path="//d/", parent=box)
        b = Blur(parent="box")
    """).graph
    assert graph.nodes["out"].args["parent"] == "box" and graph.nodes["b"].args["parent"] == "box"
    assert [e[:2] + e[3:4] for e in errors("""
        rl = RenderLayers()
        a = Blur(parent=rl)
        b = Blur(parent=boxx)
        c = Blur(parent=3)
        box = Frame()
        f1 = Frame(parent=f2)
        f2 = Frame(parent=f1)
    """)] == [("NS104", 2, "`rl` is a RenderLayers, not a Frame: only frames hold nodes"),
              ("NS106", 3, "no Frame `boxx` to hold `b`"),
              ("NS104", 4, "parent takes the name of a Frame node"),
              ("NS110", 6, "frames hold each other in a loop through `f1`")]
    assert errors("box = Frame()\nb = Blur(parent=boxx)")[0][4] == "did you mean `box`?"


def test_a_node_blender_cannot_mute_is_an_error_for_that_target():
    # 5.0 refuses `viewer.mute = True` (the catalogue records it); 4.2 and 4.5 mute it.
    code, line, col, message, _ = only_error("rl = RenderLayers()\nrl.Image -> Viewer(mute=true)")
    assert (code, line, col) == ("NS111", 2, 20) and "5.3 cannot mute a Viewer" in message
    assert errors('target "4.2".."4.5"\nrl = RenderLayers()\nrl.Image -> Viewer(mute=true)') == []
    assert errors("rl = RenderLayers()\nrl.Image -> Viewer(mute=false)") == []


# --- the design card's line: bare kinds in chains, FileOutput presets ---------------------------

CARD = "RenderLayers.Z -> MapValue -> FileOutput(float32)"


def test_the_design_card_line_resolves_alone_in_every_version():
    loaded = resolve(CARD)
    assert loaded.diagnostics == []
    graph = loaded.graph
    assert sorted(graph.nodes) == ["FileOutput_1", "MapValue_1", "RenderLayers_1"]
    assert all(graph.nodes[n].anonymous for n in graph.nodes)
    first = graph.links[0]
    for version in graph.targets:
        assert first.bindings[version][0].name == "Depth"          # `Z` is the depth output
        fmt = graph.nodes["FileOutput_1"].bindings[version].properties["format"]
        assert (fmt["file_format"], fmt["color_depth"], fmt["exr_codec"]) == ("OPEN_EXR", "32", "ZIP")


def test_a_defined_name_wins_over_a_kind_and_the_same_word_names_one_node_everywhere():
    loaded = resolve("""
        rl = RenderLayers()
        Blur = Blur()
        rl -> Blur -> Viewer
        rl.Alpha -> Blur.Size
    """)
    graph = loaded.graph
    assert loaded.diagnostics == []
    assert sorted(graph.nodes) == ["Blur", "Viewer_1", "rl"]
    assert {l.to_node for l in graph.links} == {"Blur", "Viewer_1"}


def test_a_name_defined_later_is_not_taken_for_a_kind():
    code, line, col, message, help = only_error("rl = RenderLayers()\nrl -> Blur\nBlur = Blur()")
    assert (code, line, col) == ("NS106", 2, 7)
    assert "defined later" in message and "write `Blur()`" in help


def test_a_word_that_is_neither_name_nor_kind_suggests_both():
    code, _, col, message, help = only_error("rl = RenderLayers()\nrl -> MapVlaue")
    assert (code, col) == ("NS106", 7) and "neither a node of this graph nor a node kind" in message
    assert "`MapValue`" in help
    *_, help = only_error("rlayer = RenderLayers()\nrlayr.Depth -> Viewer")
    assert "`rlayer`" in help


def test_bare_kinds_work_anywhere_in_a_chain_and_take_sockets():
    graph = resolve("RenderLayers.Mist -> Math[1] -> FileOutput.mist").graph
    link = graph.links[0]
    assert link.to_node == "Math_1" and link.bindings["5.0"][1].index == 1
    assert graph.links[1].to_socket == "mist"


def _file_output(text: str, version: str = "5.0"):
    graph = resolve(text).graph
    return next(n for n in graph.nodes.values() if n.kind == "FileOutput").bindings[version]


@pytest.mark.parametrize("preset, spelled", [
    ("float32", "format=exr, depth=32"), ("half", "format=exr, depth=16"),
    ("Float16", "format=exr, depth=16"), ("png8", "format=png, depth=8"),
    ("png16", "format=png, depth=16"), ("exr_multilayer", "format=exr-multilayer, depth=32"),
])
def test_a_preset_is_exactly_the_settings_it_stands_for(preset, spelled):
    for version in ("4.2", "4.5", "5.0"):
        assert _file_output(f"o = FileOutput({preset}, path=\"//o/\")", version) == \
            _file_output(f"o = FileOutput({spelled}, path=\"//o/\")", version)


def test_an_inputs_own_format_takes_presets():
    text = 'rl = RenderLayers()\no = FileOutput()\nrl.Depth -> o.depth(png16)'
    spelled = text.replace("(png16)", "(format=png, depth=16)")
    assert _file_output(text) == _file_output(spelled)


@pytest.mark.parametrize("text, code, col, fragment, help", [
    ("o = FileOutput(float23)", "NS102", 16, "`float23` is not a FileOutput preset", "`float32`"),
    ("o = FileOutput(half, depth=32)", "NS105", 22, "preset `half` sets depth, and so does",
     "format=exr, depth=16"),
    ("o = FileOutput(png8, half)", "NS105", 22, "and so does preset `png8`", None),
    ("b = Blur(3)", "NS102", 10, "only FileOutput takes a preset", None),
    ("o = FileOutput(32)", "NS102", 16, "a bare value among FileOutput's settings must be a "
     "preset", "presets: float32"),
])
def test_preset_errors(text, code, col, fragment, help):
    got_code, _, got_col, message, got_help = only_error(text)
    assert (got_code, got_col) == (code, col) and fragment in message
    if help:
        assert help in got_help


# --- what a setting became in another version (nodescript/resolve/moved.py) ---------------------

@pytest.mark.parametrize("text, code, fragment", [
    ('b = Blur(size_x=3)', "NS111", "in Blender 5.0, 5.1, 5.2, 5.3 it is the input `Size`: write `size=`"),
    ('b = Blur(filter_type=gauss)', "NS111", "in Blender 5.0, 5.1, 5.2, 5.3 it is the input `Type`: write `type=`"),
    ('b = Blur(use_extended_bounds=true)', "NS111", "the input `Extend Bounds`: write `extend_bounds=`"),
    ('target "5.0"\nb = Blur(size_y=3)', "NS102", "in Blender 5.0 it is the input `Size`"),
    ('target "4.2"\nb = Blur(type=gauss)', "NS102",
     "in Blender 4.2 it is the setting `filter_type`: write `filter_type=`"),
])
def test_a_setting_missing_in_one_version_says_what_it_became(text, code, fragment):
    got_code, *_, help = only_error(text)
    assert got_code == code and fragment in help
    if code == "NS111":
        assert "narrow `target`" in help


@pytest.mark.parametrize("text", [
    "b = Blur(use_bokeh=true)",           # nothing in 5.0 shares its words
    "m = BoxMask(mask_width=0.5)",        # 5.0's input Mask shares only the kind's own word
    "m = Mix(data_type=float)",           # 4.2's blend_type is a choice of other items
    "t = Tonemap(adaptation=0.5)",        # 5.0 has Light and Chromatic Adaptation: no guess
])
def test_no_single_counterpart_no_hint(text):
    code, *_, help = only_error(text)
    assert code == "NS111" and help is None
