"""A File Output input with its own format: `out.preview(format=png, depth=8)`. Parsing,
formatting, resolution errors and the precision rules reading the input's format, not the node's."""

from __future__ import annotations

import textwrap

from nodescript.fmt import format_source
from nodescript.lint import lint_source
from nodescript.lint.fixes import fix_source
from nodescript.resolve import compile_source

HEAD = """\
scene { passes = [depth] }
rl = RenderLayers()
out = FileOutput(path="//out/", format=exr, depth=32, codec=zip)
"""


def resolve(body: str):
    return compile_source(HEAD + textwrap.dedent(body), "g.nodes")


def errors(body: str) -> list[tuple[str, int, int, str]]:
    return [(d.code, d.span.line, d.span.col, d.message) for d in resolve(body).diagnostics
            if d.is_error]


def test_the_input_format_is_bound_per_version_with_the_node_format_defaults():
    graph = resolve("rl.Image -> out.preview(format=png)\nrl.Depth -> out.depth\n").graph
    for version in graph.targets:
        props = graph.nodes["out"].bindings[version].properties
        # quality and compression too: Blender starts a new input's format as the node's copy.
        assert props["input_formats"] == {"preview": {"file_format": "PNG", "color_depth": "16",
                                                      "color_mode": "RGB", "quality": 90,
                                                      "compression": 15, "save_as_render": True}}
        assert props["format"]["file_format"] == "OPEN_EXR"


def test_empty_parentheses_mean_an_own_format_with_every_default():
    graph = resolve('rl.Depth -> out."my depth"()\n').graph
    own = graph.nodes["out"].bindings["5.0"].properties["input_formats"]["my depth"]
    assert own == {"file_format": "OPEN_EXR", "color_depth": "32", "exr_codec": "ZIP",
                   "color_mode": "RGB", "quality": 90, "compression": 15,
                   "save_as_render": True}


def test_format_writes_the_settings_after_the_socket_canonically():
    text = HEAD + 'rl.Image -> out["pre view"]( format=png,depth=8 )\n'
    assert format_source(text).splitlines()[-1] == 'rl.Image -> out."pre view"(format=png, depth=8)'
    assert format_source(format_source(text)) == format_source(text)


def test_errors_name_the_setting_and_where_it_is():
    found = errors("rl.Image -> out.preview(directory=\"//x/\", depth=7)\n")
    assert ("NS102", 4, 25, "`directory` is a setting of the whole File Output, not of one input") \
        in found
    assert any(code == "NS104" and line == 4 and col == 49 for code, line, col, _ in found)


def test_only_file_output_inputs_take_a_format():
    ((code, line, col, message),) = errors("b = Blur()\nrl.Image -> b.Image(format=png)\n")
    assert (code, line, col) == ("NS102", 5, 21) and "takes only `mute`" in message
    ((code, line, col, message),) = errors("rl.Image(format=png) -> out.x\n")
    assert (code, line, col) == ("NS104", 4, 1) and "first socket is an output" in message


def test_multilayer_files_have_no_per_input_formats():
    text = HEAD.replace("format=exr,", "format=exr-multilayer,")
    diags = compile_source(text + "rl.Depth -> out.depth(format=png)\n", "g.nodes").diagnostics
    assert [d.code for d in diags if d.is_error] == ["NS104"]
    assert "multilayer" in diags[0].message
    ((code, _, _, message),) = errors("rl.Depth -> out.depth(format=exr-multilayer)\n")
    assert code == "NS104" and "multilayer" in message


def test_precision_rules_read_the_input_format_and_point_at_the_link():
    body = "rl.Depth -> out.depth(format=png, depth=8)\nrl.Image -> out.beauty\n"
    result = lint_source(HEAD + body, "g.nodes")
    (finding,) = [d for d in result.diagnostics if d.code == "NS301"]
    assert finding.span.line == 4 and finding.span.col == 13
    assert "out.depth(format=exr, depth=32, codec=zip)" in finding.help
    # The node's own format is EXR: the same depth without an own format is clean.
    clean = lint_source(HEAD + "rl.Depth -> out.depth\n", "g.nodes")
    assert not [d for d in clean.diagnostics if d.code.startswith("NS3")]


def test_an_own_half_float_format_is_found_on_a_colour_input():
    body = "cc = CombineColor()\nrl.Depth -> cc.Red\ncc -> out.depth(format=exr, depth=16)\n"
    result = lint_source(HEAD + body, "g.nodes")
    assert [d.span.line for d in result.diagnostics if d.code == "NS302"] == [6]


def test_fix_rewrites_the_input_own_format_and_leaves_the_node_alone():
    source = HEAD.replace("format=exr, depth=32, codec=zip", "format=png, depth=8") + \
        "rl.Depth -> out.depth(format=png, depth=16, compression=90)  # keep me\n" + \
        "rl.Image -> out.beauty\n"
    fixed, count = fix_source(source, "g.nodes")
    assert count == 1
    lines = fixed.splitlines()
    assert "rl.Depth -> out.depth(format=exr, depth=32, codec=zip)  # keep me" in lines
    assert 'out = FileOutput(path="//out/", format=png, depth=8)' in lines   # the beauty stays PNG


def test_fix_turns_an_own_half_float_into_full_float():
    source = HEAD + "cc = CombineColor()\nrl.Depth -> cc.Red\ncc -> out.depth(depth=16)\n"
    fixed, count = fix_source(source, "g.nodes")
    assert count == 1 and fixed.splitlines()[-1] == "cc -> out.depth(depth=32)"


def test_drawings_show_an_input_own_format():
    from nodescript.graphviz import to_dot

    graph = resolve("rl.Depth -> out.depth\nrl.Image -> out.preview(format=png, depth=8)\n").graph
    dot = to_dot(graph)
    assert "format=exr" in dot and "codec=zip" in dot and "preview: format=png, depth=8" in dot


def test_a_declared_type_is_not_an_own_format_and_is_blender_5_only():
    text = 'target "5.0"\n' + HEAD + "rl.Image -> out.mask(type=float)\nrl.Depth -> out.d(type=color, depth=16)\n"
    graph = compile_source(text, "g.nodes").graph
    props = graph.nodes["out"].bindings["5.0"].properties
    assert props["input_types"] == {"mask": "VALUE", "d": "RGBA"}
    assert list(props["input_formats"]) == ["d"]            # `type` alone keeps the node's format
    types = {link.to_socket: link.bindings["5.0"][1].type for link in graph.links}
    assert types == {"mask": "VALUE", "d": "RGBA"}
    ((code, line, col, message),) = errors("rl.Image -> out.mask(type=float)\n")
    assert (code, line, col) == ("NS111", 4, 22) and "input takes the type" in message


def test_any_link_can_be_muted_and_muted_links_carry_no_data():
    graph = resolve("b = Blur()\nrl.Image -> b.Image(mute=true)\nrl.Depth -> out.depth(mute=true)\n").graph
    assert [link.muted for link in graph.links] == [True, True]
    assert "input_formats" not in graph.nodes["out"].bindings["5.0"].properties
    source = HEAD.replace("format=exr, depth=32, codec=zip", "format=png") + \
        "rl.Depth -> out.depth(mute=true)\n"
    assert not [d for d in lint_source(source, "g.nodes").diagnostics if d.code == "NS301"]
    ((code, _, _, message),) = errors("b = Blur()\nrl.Image -> b.Image(format=png)\n")
    assert code == "NS102" and "takes only `mute`" in message
