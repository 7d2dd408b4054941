"""Parse `.nodes` text into the AST (nodescript.syntax.ast) with spans, or a syntax Diagnostic."""

from __future__ import annotations

import functools
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from nodescript.diagnostics import Diagnostic, NodescriptError, Severity, Span
from nodescript.syntax import ast

SYNTAX_ERROR = "NS001"

_CONTENT_TOKENS = frozenset({"NAME", "STRING", "INT", "SIGNED_NUMBER"})
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
    # Spans come from the tokens themselves (keep_all_tokens), which is much cheaper than lark's
    # propagate_positions on large graphs and also covers closing brackets.
    return Lark.open(str(grammar_path()), parser="lalr", keep_all_tokens=True,
                     maybe_placeholders=False, cache=True)


def parse(source: str, path: str = "<string>") -> ast.Module:
    """Parse one file. Raises NodescriptError with a single NS001 diagnostic on bad syntax."""
    try:
        tree = _parser().parse(source)
    except UnexpectedInput as exc:
        raise NodescriptError([_syntax_diagnostic(exc, path)]) from None
    module, _, _ = _ToAst(path).build(tree)
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


class _ToAst:
    """Lark tree -> AST, computing each node's span from its first and last token.

    A direct walk: lark's Transformer with v_args(meta=True) wraps every call and was half the
    parse time on large graphs. Handlers get (span, content) where content drops punctuation.
    """

    def __init__(self, path: str):
        self.path = path

    def build(self, tree: Tree):
        content, start, end = [], None, None
        for child in tree.children:
            if isinstance(child, Tree):
                value, first, last = self.build(child)
                content.append(value)
            else:
                first, last = (child.line, child.column), (child.end_line, child.end_column)
                if child.type in _CONTENT_TOKENS:
                    content.append(child)
            if first is not None:
                start = start or first
                end = last
        span = Span(self.path, *start, *end) if start else None
        return getattr(self, tree.data)(span, content), start, end

    def start(self, span, items):
        return ast.Module(self.path, "", list(items))

    def target_decl(self, span, items):
        strings = [_unquote(t) for t in items]
        return ast.Target(strings[0], strings[1] if len(strings) > 1 else None, span)

    def use_decl(self, span, items):
        return ast.Use(_unquote(items[0]), span)

    def scene_block(self, span, items):
        return ast.SceneBlock(tuple(items), span)

    def setting(self, span, items):
        return ast.Setting(items[0], items[1], span)

    def dotted_name(self, span, items):
        return tuple(str(t) for t in items)

    def group_def(self, span, items):
        name, inputs, outputs, *body = items
        return ast.GroupDef(str(name), inputs, outputs, tuple(body), span)

    def params(self, span, items):
        return tuple(items)

    def param(self, span, items):
        type_ = str(items[1]) if len(items) > 1 else None
        return ast.Param(str(items[0]), type_, span)

    def node_stmt(self, span, items):
        name, call = items
        return ast.NodeStmt(str(name), call, span, _token_span(name, self.path))

    def chain(self, span, items):
        return ast.Chain(tuple(items), span)

    def inline_node(self, span, items):
        alias = str(items[1]) if len(items) > 1 else None
        return ast.InlineNode(items[0], alias, span)

    def endpoint(self, span, items):
        socket = items[1] if len(items) > 1 else None
        return ast.Endpoint(str(items[0]), socket, span)

    def socket_name(self, span, items):
        tok = items[0]
        key = _unquote(tok) if tok.type == "STRING" else str(tok)
        return ast.SocketRef(key, span)

    def socket_index(self, span, items):
        return ast.SocketRef(int(items[0]), span)

    def node_call(self, span, items):
        kind, args = items
        return ast.NodeCall(str(kind), args, span, _token_span(kind, self.path))

    def args(self, span, items):
        return tuple(items)

    def arg(self, span, items):
        return ast.Arg(str(items[0]), items[1], span)

    # values
    def number(self, span, items):
        text = str(items[0])
        is_int = all(c not in text for c in ".eE")
        return ast.Number(int(text) if is_int else float(text), text, span)

    def string(self, span, items):
        return ast.String(_unquote(items[0]), span)

    def true(self, span, items):
        return ast.Bool(True, span)

    def false(self, span, items):
        return ast.Bool(False, span)

    def ident(self, span, items):
        return ast.Ident(str(items[0]), span)

    def tuple(self, span, items):
        return ast.Tuple(tuple(items), span)

    def list(self, span, items):
        return ast.List(tuple(items), span)
