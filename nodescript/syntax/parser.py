"""Parse `.nodes` text into the AST (nodescript.syntax.ast) with spans, or a syntax Diagnostic."""

from __future__ import annotations

import functools
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from nodescript.diagnostics import Diagnostic, NodescriptError, Severity, Span
from nodescript.syntax import ast

SYNTAX_ERROR = "NS001"

_TERMINAL_NAMES = {"NAME": "a name", "STRING": "a string", "INT": "an integer",
                   "SIGNED_NUMBER": "a number", "$END": "end of file"}


def grammar_path() -> Path:
    """The grammar ships inside the wheel (nodescript/grammar) and lives in grammar/ in a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "grammar" / "nodescript.lark", here.parent / "grammar" / "nodescript.lark"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("nodescript.lark not found next to the package")


@functools.cache
def _parser() -> Lark:
    # cache=True stores the compiled LALR tables in the temp dir, keyed by the grammar's hash:
    # this keeps a cold `nodescript lint` fast enough for pre-commit.
    return Lark.open(str(grammar_path()), parser="lalr", propagate_positions=True,
                     maybe_placeholders=False, cache=True)


def parse(source: str, path: str = "<string>") -> ast.Module:
    """Parse one file. Raises NodescriptError with a single NS001 diagnostic on bad syntax."""
    try:
        tree = _parser().parse(source)
    except UnexpectedInput as exc:
        raise NodescriptError([_syntax_diagnostic(exc, path)]) from None
    module = _ToAst(path).transform(tree)
    module.source = source
    module.comments = scan_comments(source, path)
    return module


def scan_comments(source: str, path: str) -> list[ast.Comment]:
    """`#` comments, which the grammar ignores; `fmt` puts them back. Strings never span lines."""
    found = []
    for lineno, line in enumerate(source.splitlines(), start=1):
        in_string = escaped = False
        for col, ch in enumerate(line, start=1):
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "#":
                text = line[col - 1:].rstrip()
                found.append(ast.Comment(text, Span(path, lineno, col, lineno, col + len(text))))
                break
    return found


def _token_span(tok: Token, path: str) -> Span:
    return Span(path, tok.line, tok.column, tok.end_line, tok.end_column)


def _meta_span(meta, path: str) -> Span:
    return Span(path, meta.line, meta.column, meta.end_line, meta.end_column)


def _describe_expected(expected) -> str:
    lark = _parser()
    by_name = {t.name: t for t in lark.terminals}
    shown = set()
    for name in expected:
        if name in _TERMINAL_NAMES:
            shown.add(_TERMINAL_NAMES[name])
        elif name in by_name and by_name[name].pattern.type == "str":
            shown.add(f"`{by_name[name].pattern.value}`")
        else:
            shown.add(name.lower())
    return ", ".join(sorted(shown))


def _syntax_diagnostic(exc: UnexpectedInput, path: str) -> Diagnostic:
    line, col = max(exc.line, 1), max(exc.column, 1)
    if isinstance(exc, UnexpectedToken) and exc.token.type == "$END":
        message = f"unexpected end of file; expected {_describe_expected(exc.expected)}"
    elif isinstance(exc, UnexpectedToken):
        message = f"unexpected `{exc.token}`; expected {_describe_expected(exc.expected)}"
    elif isinstance(exc, UnexpectedCharacters):
        message = f"unexpected character `{exc.char}`"
        if exc.allowed:
            message += f"; expected {_describe_expected(exc.allowed)}"
    elif isinstance(exc, UnexpectedEOF):
        message = f"unexpected end of file; expected {_describe_expected(exc.expected)}"
    else:  # pragma: no cover - lark has no other UnexpectedInput kinds today
        message = "syntax error"
    return Diagnostic(SYNTAX_ERROR, Severity.ERROR, message, Span(path, line, col, line, col + 1))


def _unquote(tok: Token) -> str:
    body = str(tok)[1:-1]
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@v_args(meta=True)
class _ToAst(Transformer):
    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def _span(self, meta) -> Span:
        return _meta_span(meta, self.path)

    def start(self, meta, items):
        return ast.Module(self.path, "", list(items))

    def target_decl(self, meta, items):
        strings = [_unquote(t) for t in items]
        return ast.Target(strings[0], strings[1] if len(strings) > 1 else None, self._span(meta))

    def use_decl(self, meta, items):
        return ast.Use(_unquote(items[0]), self._span(meta))

    def scene_block(self, meta, items):
        return ast.SceneBlock(tuple(items), self._span(meta))

    def setting(self, meta, items):
        return ast.Setting(items[0], items[1], self._span(meta))

    def dotted_name(self, meta, items):
        return tuple(str(t) for t in items)

    def group_def(self, meta, items):
        name, inputs, outputs, *body = items
        return ast.GroupDef(str(name), inputs, outputs, tuple(body), self._span(meta))

    def params(self, meta, items):
        return tuple(items)

    def param(self, meta, items):
        type_ = str(items[1]) if len(items) > 1 else None
        return ast.Param(str(items[0]), type_, self._span(meta))

    def node_stmt(self, meta, items):
        name, call = items
        return ast.NodeStmt(str(name), call, self._span(meta), _token_span(name, self.path))

    def chain(self, meta, items):
        return ast.Chain(tuple(items), self._span(meta))

    def inline_node(self, meta, items):
        alias = str(items[1]) if len(items) > 1 else None
        return ast.InlineNode(items[0], alias, self._span(meta))

    def endpoint(self, meta, items):
        socket = items[1] if len(items) > 1 else None
        return ast.Endpoint(str(items[0]), socket, self._span(meta))

    def socket_name(self, meta, items):
        tok = items[0]
        key = _unquote(tok) if tok.type == "STRING" else str(tok)
        return ast.SocketRef(key, self._span(meta))

    def socket_index(self, meta, items):
        return ast.SocketRef(int(items[0]), self._span(meta))

    def node_call(self, meta, items):
        kind, args = items
        return ast.NodeCall(str(kind), args, self._span(meta), _token_span(kind, self.path))

    def args(self, meta, items):
        return tuple(items)

    def arg(self, meta, items):
        return ast.Arg(str(items[0]), items[1], self._span(meta))

    # values
    def number(self, meta, items):
        text = str(items[0])
        is_int = all(c not in text for c in ".eE")
        return ast.Number(int(text) if is_int else float(text), text, self._span(meta))

    def string(self, meta, items):
        return ast.String(_unquote(items[0]), self._span(meta))

    def true(self, meta, items):
        return ast.Bool(True, self._span(meta))

    def false(self, meta, items):
        return ast.Bool(False, self._span(meta))

    def ident(self, meta, items):
        return ast.Ident(str(items[0]), self._span(meta))

    def tuple(self, meta, items):
        return ast.Tuple(tuple(items), self._span(meta))

    def list(self, meta, items):
        return ast.List(tuple(items), self._span(meta))
