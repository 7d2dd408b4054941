"""The grammar and the AST: constructs parse to the right nodes with the right spans."""

import pytest

from nodescript.diagnostics import NodescriptError
from nodescript.syntax import ast
from nodescript.syntax.parser import parse


def test_node_statement_and_chain_with_spans():
    module = parse('rl = RenderLayers(layer="ViewLayer")\nrl.Depth -> MapValue(size=0.1) as mv -> out\n',
                   "g.nodes")
    stmt, chain = module.statements
    assert isinstance(stmt, ast.NodeStmt) and stmt.name == "rl"
    assert stmt.call.kind == "RenderLayers"
    assert stmt.call.args[0].value == ast.String("ViewLayer", stmt.call.args[0].value.span)
    assert (stmt.call.kind_span.line, stmt.call.kind_span.col) == (1, 6)
    start, inline, end = chain.elements
    assert start.node == "rl" and start.socket.key == "Depth"
    assert (start.socket.span.line, start.socket.span.col) == (2, 3)
    assert inline.call.kind == "MapValue" and inline.alias == "mv"
    assert inline.call.args[0].value.value == pytest.approx(0.1)
    assert end.node == "out" and end.socket is None


@pytest.mark.parametrize("text, key", [
    ('rl."Object Index" -> x', "Object Index"),
    ('rl["Object Index"] -> x', "Object Index"),
    ("rl[2] -> x", 2),
    ("rl.Depth -> x", "Depth"),
])
def test_socket_forms(text, key):
    chain = parse(text).statements[0]
    assert chain.elements[0].socket.key == key


def test_literals():
    call = parse('n = X(a=-8, b=1e10, c="s\\"q", d=true, e=false, f=exr-multilayer, '
                 'g=(1, 0.5, 0), h=[depth, normal], i=(_, 0.5))').statements[0].call
    values = {a.name: a.value for a in call.args}
    assert values["a"].value == -8 and isinstance(values["a"].value, int)
    assert values["b"].value == 1e10
    assert values["c"].value == 's"q'
    assert values["d"].value is True and values["e"].value is False
    assert values["f"] == ast.Ident("exr-multilayer", values["f"].span)
    assert [v.value for v in values["g"].items] == [1, 0.5, 0]
    assert [v.name for v in values["h"].items] == ["depth", "normal"]
    assert values["i"].items[0].name == "_"


def test_arrow_without_spaces_is_not_part_of_a_name():
    chain = parse("a->b").statements[0]
    assert [e.node for e in chain.elements] == ["a", "b"]


def test_declarations():
    module = parse('target "4.2".."5.0"\nuse "x.nodes"\nscene { passes = [depth], cycles.samples = 4 }\n'
                   "group G(a: float, b: color) -> (c: float) { a -> c }")
    target, use, scene, group = module.statements
    assert (target.low, target.high) == ("4.2", "5.0")
    assert use.path == "x.nodes"
    assert [s.key for s in scene.settings] == [("passes",), ("cycles", "samples")]
    assert [(p.name, p.type) for p in group.inputs] == [("a", "float"), ("b", "color")]
    assert group.outputs[0].name == "c" and len(group.body) == 1


def test_comments_are_collected_but_not_inside_strings():
    module = parse('# top\nn = X(a="# not a comment")  # trailing\n')
    assert [c.text for c in module.comments] == ["# top", "# trailing"]
    assert module.comments[1].span.line == 2


@pytest.mark.parametrize("text, line, col, expected", [
    ("rl = RenderLayers(", 1, 18, "unexpected end of file"),
    ("rl.Depth -> -> x", 1, 13, "unexpected `->`"),
    ("x = Foo(a=1 b=2)", 1, 13, "expected `)`, `,`"),
    ("a $ b", 1, 3, "unexpected character `$`"),
    ("scene { passes }", 1, 16, "expected `.`, `=`"),
])
def test_syntax_errors_say_where_and_what_was_expected(text, line, col, expected):
    with pytest.raises(NodescriptError) as info:
        parse(text, "bad.nodes")
    (diag,) = info.value.diagnostics
    assert diag.code == "NS001"
    assert (diag.span.line, diag.span.col) == (line, col)
    assert expected in diag.message


def test_a_bare_value_among_settings_is_a_preset_and_a_bare_kind_an_endpoint():
    (chain,) = parse("RenderLayers.Z -> MapValue -> FileOutput(float32, path=\"//o/\")").statements
    first, middle, last = chain.elements
    assert (first.node, first.socket.key, middle.node, middle.socket) == ("RenderLayers", "Z",
                                                                          "MapValue", None)
    preset, path = last.call.args
    assert preset.name is None and preset.value.name == "float32"
    assert (preset.span.col, preset.span.end_col) == (42, 49) and path.name == "path"


def test_every_syntax_error_of_a_file_is_reported_in_one_run():
    source = "\n".join([
        "rl = RenderLayers()",
        "rl.Depth -> MapValue( -> x",       # 2: unclosed call
        "b = Blur(size=)",                  # 3: missing value
        "ok = Viewer()",
        "scene {",
        "    passes = [depth",              # 7: the `}` ends a list
        "}",
        "d $ e",                            # 8: a character no token starts
        "RenderLayers.Z -> FileOutput(float32",   # 9: end of file
    ])
    with pytest.raises(NodescriptError) as info:
        parse(source, "bad.nodes")
    found = [(d.code, d.span.file, d.span.line, d.span.col) for d in info.value.diagnostics]
    assert found == [("NS001", "bad.nodes", 2, 23), ("NS001", "bad.nodes", 3, 15),
                     ("NS001", "bad.nodes", 7, 1), ("NS001", "bad.nodes", 8, 3),
                     ("NS001", "bad.nodes", 9, 30)]
    assert "unexpected end of file" in info.value.diagnostics[-1].message


def test_reading_restarts_outside_blocks_so_an_unindented_body_adds_no_false_errors():
    source = "scene {\nengin = = 3\nengine = cycles\n}\nrl = RenderLayers(\nv = Viewer()\n"
    with pytest.raises(NodescriptError) as info:
        parse(source, "bad.nodes")
    assert [(d.span.line, d.span.col) for d in info.value.diagnostics] == [(2, 9), (6, 11)]


def test_a_file_of_nothing_but_errors_reports_the_first_fifty():
    with pytest.raises(NodescriptError) as info:
        parse("x = = 1\n" * 10_000, "bad.nodes")
    lines = [d.span.line for d in info.value.diagnostics]
    assert lines == list(range(1, parser_module.MAX_SYNTAX_ERRORS + 1))


def test_a_file_with_one_error_reports_one():
    with pytest.raises(NodescriptError) as info:
        parse("rl = RenderLayers()\nrl.Depth -> -> x\nv = Viewer()\nrl -> v", "bad.nodes")
    assert len(info.value.diagnostics) == 1


# --- the fast tokenizer (nodescript/syntax/lexer.py) against lark's own lexer ---------------------

from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from lark.exceptions import UnexpectedInput  # noqa: E402

from nodescript.syntax import parser as parser_module  # noqa: E402
from nodescript.syntax.lexer import FastPathUnsure, parse_fast  # noqa: E402

ROOT = Path(__file__).parents[2]
SOURCES = sorted(ROOT.glob("examples/*.nodes")) + sorted(ROOT.glob("tests/golden/**/*.nodes"))
WORDS = ["rl", "out", "=", "->", ".", "(", ")", "[", "]", "{", "}", ",", ":", "as", "scene", "group",
         "target", "use", "true", "false", '"4.2"', "..", '"x"', "0", "7", "-1.5e3", ".5", "+2", "_",
         "Depth", "Math", "inputs", "exr-multilayer", "# c", "\n", " ", '"Object Index"', "n[1]",
         "float32", "FileOutput(half)", "group.Image", 'group["x"]']


def both_ways(source: str):
    """(fast path result or None when it stepped aside, lark's own result or None on error)."""
    lark = parser_module._parser()
    with parser_module._PARSE_LOCK:
        parser_module._BUILDER.path = "t.nodes"
        try:
            fast = parse_fast(lark, parser_module._literals(), source)
        except (FastPathUnsure, UnexpectedInput):
            fast = None
        try:
            slow = lark.parse(source)
        except UnexpectedInput:
            slow = None
    return fast, slow


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fast_path_parses_every_shipped_file_exactly_like_lark(path):
    fast, slow = both_ways(path.read_text())
    assert slow is not None and fast == slow      # the fast path really ran, and agrees


def test_keywords_are_names_where_the_parser_wants_a_name():
    fast, slow = both_ways("scene = RenderLayers()\nscene.Depth -> as = Math(inputs=(_, true))")
    assert fast is None and slow is None          # `as` cannot be a name: both refuse
    fast, slow = both_ways('n = X(group=scene, use=target)\nn[1] -> m.true')
    assert fast is not None and fast == slow
    assert [a.value.name for a in fast.statements[0].call.args] == ["scene", "target"]


def test_group_socket_endpoints_parse_alike_both_ways():
    source = ('group G(Image: color, "Depth Scale": float) -> (Image: color) {\n'
              '    Image = InvertColor()\n    group.Image -> Image -> group["Image"](mute=true)\n'
              '    group."Depth Scale" -> Image.Fac\n}\nrl = RenderLayers()\nrl.Image -> G()\n')
    fast, slow = both_ways(source)
    assert fast is not None and fast == slow
    chain = fast.statements[0].body[1]
    assert [(e.node, e.interface) for e in chain.elements] == [
        ("group", True), ("Image", False), ("group", True)]
    assert fast.statements[0].inputs[1].name == "Depth Scale"
    fast, slow = both_ways("group G() -> () {\n    group = Blur()\n}\n")
    assert fast is None and slow is None          # `group` is a keyword in a body too


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join))
def test_fast_path_never_disagrees_with_lark(source):
    fast, slow = both_ways(source)
    if fast is not None:
        assert fast == slow


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SOURCES), st.data())
def test_fast_path_agrees_on_mutated_files(path, data):
    words = path.read_text().split(" ")
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(words) - 1))
        words[i] = data.draw(st.sampled_from(WORDS + [""]))
    fast, slow = both_ways(" ".join(words))
    if fast is not None:
        assert fast == slow
