"""`nodescript fmt`: golden files, idempotence, comments kept, meaning unchanged."""

from pathlib import Path

import pytest

from nodescript.fmt import format_source
from nodescript.resolve import compile_source
from nodescript.syntax.parser import parse

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "fmt"
EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
CASES = sorted(p for p in GOLDEN.glob("*.nodes") if not p.name.endswith(".expected.nodes"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_golden(case):
    expected = case.with_name(case.stem + ".expected.nodes").read_text()
    assert format_source(case.read_text()) == expected


@pytest.mark.parametrize("case", CASES + sorted(EXAMPLES.glob("*.nodes")), ids=lambda p: p.name)
def test_stable_and_equivalent(case):
    source = case.read_text()
    once = format_source(source)
    assert format_source(once) == once, "a second pass changed the output"
    before = [c.text for c in parse(source).comments]
    after = [c.text for c in parse(once).comments]
    assert sorted(before) == sorted(after), "comments lost or changed"
    a, b = compile_source(source, str(case)), compile_source(once, str(case))
    assert [d.code for d in a.diagnostics] == [d.code for d in b.diagnostics]
    if a.graph is not None:
        assert _shape(a.graph) == _shape(b.graph)


def _shape(graph):
    nodes = {n.name: (n.kind, {v: (b.idname, b.properties, b.inputs) for v, b in n.bindings.items()})
             for n in graph.nodes.values()}
    return nodes, [l.key() for l in graph.links], [(s.key, s.value) for s in graph.scene]


@pytest.mark.parametrize("case", sorted(EXAMPLES.glob("*.nodes")), ids=lambda p: p.name)
def test_examples_are_already_formatted(case):
    assert format_source(case.read_text()) == case.read_text()


def test_kinds_are_spelled_canonically():
    assert format_source("n = map_value()\nm = RLAYERS()\n") == "n = MapValue()\nm = RenderLayers()\n"


def test_empty_and_comment_only_files():
    assert format_source("") == ""
    assert format_source("# only\n\n\n# comments\n") == "# only\n\n# comments\n"
