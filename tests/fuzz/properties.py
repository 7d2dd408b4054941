"""What must hold for every input, however broken or hostile (issue 14); shared by the
hypothesis tests, the corpus of inputs that once failed, and the atheris target.

- lint: only diagnostics (NS codes, 1-based positions), never an exception, and no line of
  any other file shown;
- fmt: a syntax error or text that parses to the same statements with the same comments, and
  formatting that text again changes nothing;
- graph: a valid graph always draws as DOT.
"""

from __future__ import annotations

import dataclasses

from nodescript.diagnostics import Diagnostic, NodescriptError, Span
from nodescript.fmt import _kind, format_source
from nodescript.graphviz import to_dot
from nodescript.lint import lint_source
from nodescript.syntax import ast
from nodescript.syntax.parser import parse

PATH = "fuzz.nodes"


def check_input(source: str) -> None:
    result = lint_source(source, PATH)
    for d in result.diagnostics:
        assert isinstance(d, Diagnostic)
        assert d.span.line >= 1 and d.span.col >= 1
        assert d.code.startswith("NS") and d.message
        assert d.source_line is None or d.span.file == PATH, "echoed a line of another file"
        d.render()
    if result.graph is not None and not result.has_errors:
        assert to_dot(result.graph).startswith("digraph")
    try:
        formatted = format_source(source, PATH)
    except NodescriptError as err:
        assert all(d.code == "NS001" for d in err.diagnostics), err.diagnostics
        return
    assert format_source(formatted, PATH) == formatted, "fmt is not idempotent"
    before, after = parse(source, PATH), parse(formatted, PATH)
    assert meaning(before.statements) == meaning(after.statements), "fmt changed the meaning"
    assert sorted(c.text for c in before.comments) == sorted(c.text for c in after.comments), \
        "fmt lost or changed a comment"


def meaning(value):
    """The AST without positions, with node kinds in fmt's canonical spelling."""
    if isinstance(value, ast.NodeCall):
        return ("call", _kind(value.kind), meaning(value.args))
    if dataclasses.is_dataclass(value):
        return (type(value).__name__,) + tuple(
            meaning(getattr(value, f.name)) for f in dataclasses.fields(value)
            if not isinstance(getattr(value, f.name), Span))
    if isinstance(value, (list, tuple)):
        return tuple(meaning(v) for v in value)
    return value
