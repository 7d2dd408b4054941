"""Canonical formatting of `.nodes` files: one layout, idempotent, comments kept.

Layout: one statement per line, node kinds and presets in their canonical spelling (a bare kind
in a chain, `-> MapValue ->`, is kept as written: fmt sees one file, and in another included
file the word may be a node's name), 4-space indented blocks,
at most one blank line kept between statements, lines over MAX_WIDTH broken at `->` or between
arguments (and a list argument still too long, such as colour-ramp stops, between its items).
Comments inside a statement that is re-laid-out move to just above it; a comment at the end of a
statement's last line stays there.
"""

from __future__ import annotations

import re
from collections import deque

from nodescript import vocabulary
from nodescript import presets
from nodescript.diagnostics import source_lines
from nodescript.syntax import ast
from nodescript.syntax.names import dotted_socket, name_text, quoted
from nodescript.syntax.parser import parse

# The pattern lint reads (nodescript.lint.engine.SUPPRESSION); fmt must not import lint.
SUPPRESSION = re.compile(r"#\s*nodescript:\s*ignore(?:\[([A-Za-z0-9_,\s]+)\])?")
MAX_WIDTH = 100
INDENT = "    "


def format_source(source: str, path: str = "<string>") -> str:
    """Raises NodescriptError on syntax errors (nothing to format)."""
    module = parse(source, path)
    return _Formatter(module).run()


class _Formatter:
    def __init__(self, module: ast.Module):
        self.comments = deque(sorted(module.comments, key=lambda c: (c.span.line, c.span.col)))
        self.module = module
        self.source_lines = source_lines(module.source)

    def run(self) -> str:
        out: list[str] = []
        self._items(self.module.statements, "", out, end_line=10**9)
        text = "\n".join(out).strip("\n")
        return text + "\n" if text else ""

    # --- comment placement --------------------------------------------------
    # Comments are taken in source order from the front of a deque: linear in their number.
    def _take_comments(self, before_line: int) -> list[ast.Comment]:
        taken = []
        while self.comments and self.comments[0].span.line < before_line:
            taken.append(self.comments.popleft())
        return taken

    def _take_trailing(self, line: int) -> ast.Comment | None:
        if self.comments and self.comments[0].span.line == line:
            return self.comments.popleft()
        return None

    def _blank_before(self, line: int) -> bool:
        return line >= 2 and not self.source_lines[line - 2].strip()

    def _items(self, items, indent: str, out: list[str], end_line: int) -> None:
        prev_end = None
        for item in items:
            prev_end = self._comments(self._take_comments(item.span.line), indent, out, prev_end)
            if prev_end is not None and item.span.line > prev_end + 1 \
                    and self._blank_before(item.span.line):
                out.append("")
            suppression = None
            if not isinstance(item, (ast.SceneBlock, ast.GroupDef)):
                # Comments inside a statement that gets re-laid-out move above it, except a
                # `# nodescript: ignore`, which must stay on the statement's first line.
                inner = self._take_comments(item.span.end_line)
                suppression, inner = _suppression(inner)
                out.extend(indent + c.text for c in inner)
            lines = self._statement(item, indent)
            if suppression:
                lines[0] += "  " + suppression
            trailing = self._take_trailing(item.span.end_line)
            if trailing is not None:
                lines[-1] += "  " + trailing.text
            out.extend(lines)
            prev_end = item.span.end_line
        self._comments(self._take_comments(end_line), indent, out, prev_end)

    def _comments(self, comments, indent: str, out: list[str], prev_end: int | None) -> int | None:
        """Own-line comments, keeping (at most one) blank line where the source had some."""
        for c in comments:
            if prev_end is not None and c.span.line > prev_end + 1 and self._blank_before(c.span.line):
                out.append("")
            out.append(indent + c.text)
            prev_end = c.span.line
        return prev_end

    # --- statements -------------------------------------------------------------
    def _statement(self, stmt, indent: str) -> list[str]:
        if isinstance(stmt, ast.Target):
            high = f'..{quoted(stmt.high)}' if stmt.high else ""
            return [f"{indent}target {quoted(stmt.low)}{high}"]
        if isinstance(stmt, ast.Use):
            return [f"{indent}use {quoted(stmt.path)}"]
        if isinstance(stmt, ast.SceneBlock):
            return self._scene(stmt, indent)
        if isinstance(stmt, ast.GroupDef):
            return self._group(stmt, indent)
        if isinstance(stmt, ast.NodeStmt):
            return _node_stmt(stmt, indent)
        if isinstance(stmt, ast.Setting):
            return [f"{indent}{'.'.join(stmt.key)} = {value(stmt.value)}"]
        return _chain(stmt, indent)

    def _scene(self, block: ast.SceneBlock, indent: str) -> list[str]:
        out = [f"{indent}scene {{"]
        self._items(block.settings, indent + INDENT, out, block.span.end_line)
        out.append(f"{indent}}}")
        return out

    def _group(self, group: ast.GroupDef, indent: str) -> list[str]:
        params = lambda ps: ", ".join(_param(p) for p in ps)
        head = f"{indent}group {name_text(group.name)}({params(group.inputs)})"
        out = [f"{head} -> ({params(group.outputs)}) {{"]
        self._items(group.body, indent + INDENT, out, group.span.end_line)
        out.append(f"{indent}}}")
        return out


def _suppression(comments: list[ast.Comment]) -> tuple[str | None, list[ast.Comment]]:
    """(the `# nodescript: ignore[...]` text for the first line, the other comments). Several
    become one with every code (lint reads the first on a line); their texts stay above."""
    found = [c for c in comments if SUPPRESSION.search(c.text)]
    if not found:
        return None, comments
    if len(found) == 1:
        return found[0].text, [c for c in comments if c is not found[0]]
    codes = [SUPPRESSION.search(c.text).group(1) for c in found]
    if any(group is None for group in codes):
        return "# nodescript: ignore", comments
    merged = sorted({code.strip() for group in codes for code in group.split(",") if code.strip()})
    return f"# nodescript: ignore[{', '.join(merged)}]", comments


def _node_stmt(stmt: ast.NodeStmt, indent: str) -> list[str]:
    head = f"{indent}{name_text(stmt.name)} = "
    one_line = head + call(stmt.call)
    if len(one_line) <= MAX_WIDTH:
        return [one_line]
    lines = [f"{head}{_kind(stmt.call.kind)}("]
    for a in stmt.call.args:
        lines += _arg_lines(a, indent + INDENT)
    return lines + [f"{indent})"]


def _arg_lines(arg: ast.Arg, indent: str) -> list[str]:
    """One argument of a broken-up node statement; a list too long for its line (colour-ramp
    stops, curve points) gets one item per line."""
    line = f"{indent}{_arg(arg)},"
    if len(line) <= MAX_WIDTH or arg.name is None or not isinstance(arg.value, ast.List) \
            or not arg.value.items:
        return [line]
    return ([f"{indent}{arg.name}=["] + [f"{indent}{INDENT}{value(v)}," for v in arg.value.items]
            + [f"{indent}],"])


def _chain(chain: ast.Chain, indent: str) -> list[str]:
    parts = [element(e) for e in chain.elements]
    one_line = indent + " -> ".join(parts)
    if len(one_line) <= MAX_WIDTH:
        return [one_line]
    return [indent + parts[0]] + [f"{indent}{INDENT}-> {p}" for p in parts[1:]]


def element(elem) -> str:
    if isinstance(elem, ast.InlineNode):
        return call(elem.call) + (f" as {name_text(elem.alias)}" if elem.alias else "")
    name = "group" if elem.interface else name_text(elem.node)
    text = name + (socket(elem.socket) if elem.socket else "")
    if elem.args is not None:
        text += f"({_args(elem.args)})"
    return text


def socket(ref: ast.SocketRef) -> str:
    if isinstance(ref.key, int):
        return f"[{ref.key}]"
    return dotted_socket(ref.key)


def _param(p: ast.Param) -> str:
    if not p.type:
        return name_text(p.name)
    return f"{name_text(p.name)}: {p.type}" + (f"({_args(p.args)})" if p.args else "")


def call(c: ast.NodeCall) -> str:
    return f"{_kind(c.kind)}({_args(c.args)})"


def _args(args: tuple[ast.Arg, ...]) -> str:
    return ", ".join(_arg(a) for a in args)


def _arg(a: ast.Arg) -> str:
    if a.name is not None:
        return f"{a.name}={value(a.value)}"
    # A preset keeps the word the user chose (`half` or `float16`), spelled as the table does.
    word = presets.canonical(a.value.name) if isinstance(a.value, ast.Ident) else None
    return word or value(a.value)


def _kind(kind: str) -> str:
    canonical = vocabulary.find_kind(kind)
    return canonical if canonical and canonical not in vocabulary.STRUCTURAL_KINDS \
        else name_text(kind)


def value(v: ast.Value) -> str:
    if isinstance(v, ast.Number):
        return v.text
    if isinstance(v, ast.String):
        return quoted(v.value)
    if isinstance(v, ast.Bool):
        return "true" if v.value else "false"
    if isinstance(v, ast.Ident):
        return v.name
    if isinstance(v, ast.Tuple):
        return "(" + ", ".join(value(i) for i in v.items) + ")"
    return "[" + ", ".join(value(i) for i in v.items) + "]"


