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
