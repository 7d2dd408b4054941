"""The language forms that carry what export used to lose (issue 10), without bpy: `keys=[...]`
on any node, group socket settings `float(default=..., min=..., max=..., subtype=...)`, and
group outputs that share an input's name."""

from __future__ import annotations

import pytest

from nodescript.blender.lowering import LoweringError, lower
from nodescript.fmt import format_source
from nodescript.resolve import compile_source

TARGET = 'target "4.2".."5.3"\n'


def errors(source: str) -> list[tuple[str, str]]:
    loaded = compile_source(TARGET + source)
    return [(d.code, d.message) for d in loaded.diagnostics if d.is_error]


def graph(source: str):
    loaded = compile_source(TARGET + source)
    assert not [d for d in loaded.diagnostics if d.is_error], [d.render() for d in loaded.diagnostics]
    return loaded.graph


KEYED = """rl = RenderLayers()
scale = Math(operation=multiply, keys=[("inputs[1].default_value", (1, 0.5), (10, 2, linear))])
tint = Color(keys=[("outputs[0].default_value[2]", (1, 0.1), (5, 0.9, constant))])
rl.Image -> scale -> Viewer()
"""


@pytest.mark.parametrize("version", ["4.2", "4.5", "5.0", "5.3"])
def test_keys_become_the_plan_nodes_curves(version):
    p = lower(graph(KEYED), version)
    scale, tint = p.tree.node("scale"), p.tree.node("tint")
    assert [(c.path, c.index, c.keys) for c in scale.keys] == [
        ("inputs[1].default_value", 0, ((1.0, 0.5, "BEZIER"), (10.0, 2.0, "LINEAR")))]
    assert [(c.path, c.index, c.keys) for c in tint.keys] == [
        ("outputs[0].default_value", 2, ((1.0, 0.1, "BEZIER"), (5.0, 0.9, "CONSTANT")))]
    assert "keys=[inputs[1].default_value 1:0.5 10:2/linear]" in p.describe()


@pytest.mark.parametrize("keys, message", [
    ("[(1, 2)]", "each curve is"),
    ('[("inputs[1].default_value")]', "each curve is"),
    ('[("inputs[1]. x", (1, 2))]', "is not a value's path"),
    ('[("inputs[1].default_value", (2, 0), (1, 1))]', "in frame order"),
    ('[("inputs[1].default_value", (1, 0, smooth))]', "`smooth` is not an interpolation"),
    ('[("inputs[1].default_value", (1, "a"))]', "(frame, value)"),
    ('[("size", (1, 0)), ("size", (2, 1))]', "keyed twice"),
    ("3", "keys takes a list of curves"),
])
def test_bad_keys_are_ns104(keys, message):
    found = errors(f"m = Math(keys={keys})\n")
    assert len(found) == 1 and found[0][0] == "NS104" and message in found[0][1], found


def test_keys_on_a_node_built_from_several_is_refused():
    g = graph('rl = RenderLayers()\nrl.Depth -> MapValue(size=2, keys=[("size", (1, 0.5))]) '
              "-> Viewer()\n")
    lower(g, "4.5")                                   # one node: fine
    with pytest.raises(LoweringError, match="built from several nodes"):
        lower(g, "5.0")                               # Math nodes emulate it


GROUP = """group Blend(Fac: float(default=0.25, min=0, max=1, subtype=factor), Offset: vector(default=(1, 2, 3.5)), Tint: color(default=(1, 0.5, 0.25))) -> (Fac: float) {
    Fac -> Fac
}

rl = RenderLayers()
blend = Blend(fac=0)
rl.Alpha -> blend.Offset
blend -> Viewer()
"""


def test_group_socket_settings_reach_the_plan():
    p = lower(graph(GROUP), "4.5")
    fac, offset, tint, out = p.groups[0].interface
    assert (fac.default, fac.min, fac.max, fac.subtype) == (0.25, 0.0, 1.0, "FACTOR")
    assert offset.default == (1.0, 2.0, 3.5) and offset.subtype == "NONE"
    assert tint.default == (1.0, 0.5, 0.25, 1.0) and tint.min is None     # alpha 1 added
    assert (out.name, out.in_out, out.default, out.max) == ("Fac", "OUTPUT", 0.0, 3.4028234663852886e38)
    assert "interface input 'Fac' NodeSocketFloat default=0.25 min=0.0 max=1.0 subtype='FACTOR'" \
        in p.describe()
    assert "interface output 'Fac' NodeSocketFloat\n" in p.describe()


def test_group_socket_settings_are_formatted_in_place():
    source = TARGET + GROUP
    assert format_source(source) == source


@pytest.mark.parametrize("param, message", [
    ("c: color(min=0)", "a color socket has no `min`"),
    ("v: vector(default=1)", "takes 3 numbers"),
    ("f: float(default=true)", "default takes a number"),
    ("f: float(size=2)", "`size` is not a socket setting"),
    ("f: float(subtype=1)", "subtype takes a name"),
    ("f: float(0.5)", "name=value, each once"),
])
def test_bad_socket_settings_are_ns113(param, message):
    found = errors(f"group G({param}) -> () {{\n}}\n")
    assert len(found) == 1 and found[0][0] == "NS113" and message in found[0][1], found


def test_an_output_may_share_an_input_name_but_not_another_outputs():
    g = graph("group G(Image: color) -> (Image: color) {\n    Image -> Blur() -> Image\n}\n"
              "rl = RenderLayers()\nrl.Image -> G() -> Viewer()\n")
    group = g.groups["G"]
    assert [s.name for s in group.inputs] == [s.name for s in group.outputs] == ["Image"]
    found = errors("group G(a: float) -> (a: float, a: float) {\n}\n")
    assert [code for code, _ in found] == ["NS105"], found


SHARED = """group Shade(Image: color, "Depth Scale": float) -> (Image: color) {
    "Depth Scale" = Math(operation=multiply)
    Image = InvertColor()

    group."Depth Scale" -> "Depth Scale".Value
    "Depth Scale".Value -> Image.Fac
    group.Image -> Image.Color
    Image.Color -> group.Image
}

rl = RenderLayers()
rl.Image -> Shade(depth_scale=2) -> Viewer()
"""


def test_group_dot_names_the_groups_socket_where_a_node_has_its_name():
    body = graph(SHARED).groups["Shade"].body
    assert set(body.nodes) == {"Depth Scale", "Image"}
    ends = [(l.from_node, l.from_socket, l.to_node, l.to_socket) for l in body.links]
    assert ("Group Input", "Depth Scale", "Depth Scale", "Value") in ends
    assert ("Group Input", "Image", "Image", "Color") in ends
    assert ("Image", "Color", "Group Output", "Image") in ends
    p = lower(graph(SHARED), "4.5")
    assert "link Group Input[0] -> Image.Color\n  link Image.Color -> Group Output[0]" \
        in p.describe()


def test_sockets_named_like_nodes_and_quoted_socket_names_are_formatted_in_place():
    source = TARGET + "\n" + SHARED
    assert format_source(source) == source


def test_a_bare_socket_name_is_the_node_where_one_has_it():
    # `Image` here is the Invert node: the group's input is only reached as `group.Image`
    found = errors("group G(Image: color) -> (Image: color) {\n    Image = InvertColor()\n"
                   "    Image -> Image\n}\n")
    assert found == [("NS110", "this link closes a cycle: `Image` feeds `Image`")], found


@pytest.mark.parametrize("body, code, message", [
    ("group.Nope -> Blur() -> group.Image", "NS103", "the group has no socket `Nope`"),
    ("group[0] -> Blur() -> group.Image", "NS103", "a group's sockets are named"),
    ('"Group Input" = Blur()', "NS105", "the group's own interface node"),
])
def test_bad_group_socket_references(body, code, message):
    found = errors(f"group G(Image: color) -> (Image: color) {{\n    {body}\n}}\n")
    assert any(c == code and message in m for c, m in found), found


def test_group_dot_outside_a_group_is_an_error():
    found = errors("rl = RenderLayers()\nrl.Image -> group.Image\n")
    assert found and "here is no group" in found[0][1], found


LAYERS = """scene { passes = [depth] }
rl = RenderLayers()
aux = RenderLayers(layer="Aux", passes=[normal, uv])
rl.Depth -> Viewer()
aux.Normal -> FileOutput(path="//normal/")
"""


def test_render_layers_passes_are_enabled_on_its_layer():
    p = lower(graph(LAYERS), "4.5")
    assert [(v.property, v.view_layer) for v in p.passes] == [
        ("use_pass_z", None), ("use_pass_normal", "Aux"), ("use_pass_uv", "Aux")]


def test_a_pass_the_node_reads_and_its_passes_leave_out_is_ns309():
    from nodescript.lint import lint_source

    source = TARGET + LAYERS.replace("passes=[normal, uv]", "passes=[uv]")
    found = [d for d in lint_source(source, "layers.nodes").diagnostics if d.code == "NS309"]
    assert len(found) == 1 and "`aux`'s `passes`" in found[0].message, found
    assert errors(LAYERS.replace("passes=[normal, uv]", "passes=[bogus]"))[0][0] == "NS104"
