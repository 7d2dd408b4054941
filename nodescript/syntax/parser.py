"""Parse `.nodes` text into the AST (nodescript.syntax.ast) with spans, or a syntax Diagnostic."""

from __future__ import annotations

import functools
import math
import re
import sys
import threading
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from nodescript.diagnostics import Diagnostic, NodescriptError, Severity, Span, source_lines
from nodescript.syntax import ast
from nodescript.syntax.lexer import FastPathUnsure, literal_terminals, parse_fast

SYNTAX_ERROR = "NS001"

MAX_NESTING = 32          # tuples and lists inside each other (curves need 3)
_MAX_INT_DIGITS = 400     # past 1e308 either way; int() of 4300+ digits raises
_MAX_FLOAT = sys.float_info.max

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
    # The AST is built by callbacks during the parse (_AstBuilder), with spans from the tokens
    # themselves (keep_all_tokens): much cheaper than a parse tree plus lark's propagate_positions
    # on large graphs, and it also covers closing brackets.
    return Lark.open(str(grammar_path()), parser="lalr", keep_all_tokens=True,
                     maybe_placeholders=False, cache=True, transformer=_BUILDER)


@functools.cache
def _literals() -> dict[str, str]:
    return literal_terminals(_parser())


def parse(source: str, path: str = "<string>") -> ast.Module:
    """Parse one file. Raises NodescriptError with a single NS001 diagnostic on bad syntax."""
    with _PARSE_LOCK:
        _BUILDER.path, _BUILDER.depths = path, {}
        try:
            module = _parse_module(source, path)
        finally:
            _BUILDER.depths = {}
    module.source = source
    module.comments = scan_comments(source, path)
    return module


def _parse_module(source: str, path: str) -> ast.Module:
    try:
        return parse_fast(_parser(), _literals(), source)
    except (FastPathUnsure, UnexpectedInput):
        pass    # lark's own lexer decides, and words the syntax error
    try:
        return _parser().parse(source)
    except UnexpectedInput as exc:
        raise NodescriptError(_every_syntax_error(source, exc, path)) from None


# Each further syntax error costs a parse of the rest of the file: a file of nothing but errors
# stops here, linear in its size.
MAX_SYNTAX_ERRORS = 50
# A line that may start a statement: a name (or quoted name) at column 1 (fmt indents
# continuations and bodies).
_STATEMENT_START = re.compile(r'[A-Za-z_"]')
# What moves the `{ }` depth: strings and comments are skipped whole.
_BRACES = re.compile(r'"(?:\\.|[^"\\\n])*"|#[^\n]*|[{}]')


def _every_syntax_error(source: str, first: UnexpectedInput, path: str) -> list[Diagnostic]:
    """Every syntax error of the file, not only the first: after each, parsing starts again at
    the next line that begins a statement (a name at column 1, outside any `scene { }` or
    `group { }` body), as if the file began there. Later errors only need reporting (no AST is
    used after a syntax error), so each restart parses a fresh copy of the rest of the file,
    padded with newlines to keep line numbers."""
    found = [_syntax_diagnostic(first, path)]
    lines = source.split("\n")
    top_level = _top_level_lines(lines)
    after = first
    while not _at_end(after) and len(found) < MAX_SYNTAX_ERRORS:
        restart = next((n for n in range(max(after.line, 1) + 1, len(lines) + 1)
                        if top_level[n - 1] and _STATEMENT_START.match(lines[n - 1])), None)
        if restart is None:
            break
        try:
            _parser().parse("\n" * (restart - 1) + "\n".join(lines[restart - 1:]))
            break
        except UnexpectedInput as exc:
            found.append(_syntax_diagnostic(exc, path))
            after = exc
            if exc.line < restart:          # lark gave no position: do not loop
                break
    return found


def _top_level_lines(lines: list[str]) -> list[bool]:
    """For each line, whether it starts outside every `{ }` block."""
    depth, out = 0, []
    for line in lines:
        out.append(depth == 0)
        for match in _BRACES.finditer(line):
            token = match.group()
            if token == "{":
                depth += 1
            elif token == "}":
                depth = max(depth - 1, 0)
    return out


def _at_end(exc: UnexpectedInput) -> bool:
    return isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken)
                                              and exc.token.type == "$END")


def scan_comments(source: str, path: str) -> list[ast.Comment]:
    """`#` comments, which the grammar ignores; `fmt` puts them back. Strings never span lines."""
    found = []
    for lineno, line in enumerate(source_lines(source), start=1):
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


def _name(tok: Token) -> str:
    """A node or group name: a bare word as written, a string's text."""
    return _unquote(tok) if tok.type == "STRING" else str(tok)


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


class _AstBuilder:
    """Builds the AST while lark parses (LALR callbacks): no parse tree is made and walked.

    Each callback gets its rule's children: tokens (punctuation included: keep_all_tokens) and
    the AST values of sub-rules; a value's span runs from its first child's start to its last
    child's end. `path` is set per parse (under _PARSE_LOCK).
    """

    path = "<string>"
    depths: dict[int, int] = {}

    def _span(self, children) -> Span:
        return Span(self.path, *_start(children[0]), *_end(children[-1]))

    def start(self, children):
        return ast.Module(self.path, "", children)

    def target_decl(self, c):
        strings = [_unquote(t) for t in c if isinstance(t, Token) and t.type == "STRING"]
        return ast.Target(strings[0], strings[1] if len(strings) > 1 else None, self._span(c))

    def use_decl(self, c):
        return ast.Use(_unquote(c[1]), self._span(c))

    def scene_block(self, c):
        return ast.SceneBlock(tuple(x for x in c if isinstance(x, ast.Setting)), self._span(c))

    def setting(self, c):
        return ast.Setting(tuple(str(t) for t in c[0] if t.type == "NAME"), c[2], self._span(c))

    def dotted_name(self, c):
        return tuple(c)

    def group_def(self, c):
        inputs, outputs = c[3], c[7]
        body = tuple(x for x in c[10:-1])
        return ast.GroupDef(_name(c[1]), inputs, outputs, body, self._span(c))

    def params(self, c):
        return tuple(x for x in c if isinstance(x, ast.Param))

    def param(self, c):
        args = c[4] if len(c) > 4 else ()            # name ":" NAME "(" args ")"
        return ast.Param(_name(c[0]), str(c[2]) if len(c) > 2 else None, self._span(c), args)

    def node_stmt(self, c):
        return ast.NodeStmt(_name(c[0]), c[2], self._span(c), _token_span(c[0], self.path))

    def chain(self, c):
        return ast.Chain(tuple(x for x in c if not isinstance(x, Token)), self._span(c))

    def inline_node(self, c):
        return ast.InlineNode(c[0], _name(c[2]) if len(c) > 2 else None, self._span(c))

    def endpoint(self, c):
        return ast.Endpoint(_name(c[0]), c[1] if len(c) > 1 else None, self._span(c),
                            c[3] if len(c) > 2 else None)

    def interface_endpoint(self, c):
        return ast.Endpoint("group", c[1], self._span(c), c[3] if len(c) > 2 else None,
                            interface=True)

    def socket_name(self, c):
        tok = c[1]
        key = _unquote(tok) if tok.type == "STRING" else str(tok)
        return ast.SocketRef(key, self._span(c))

    def socket_index(self, c):
        return ast.SocketRef(int(c[1]), self._span(c))

    def node_call(self, c):
        return ast.NodeCall(_name(c[0]), c[2], self._span(c), _token_span(c[0], self.path))

    def args(self, c):
        return tuple(x for x in c if not isinstance(x, Token))

    def arg(self, c):
        if len(c) == 1:                  # a bare value: a preset
            return ast.Arg(None, c[0], self._span(c))
        return ast.Arg(str(c[0]), c[2], self._span(c))

    # values
    def number(self, c):
        text = str(c[0])
        is_int = all(ch not in text for ch in ".eE")
        # Longer integers than any double, or out-of-range floats, would fail later (float(),
        # int-to-str limits): the literal itself is the error.
        value = int(text) if is_int and len(text) <= _MAX_INT_DIGITS else float(text)
        if abs(value) > _MAX_FLOAT if isinstance(value, int) else not math.isfinite(value):
            raise _value_error(f"number `{_shorten(text)}` is too large", self._span(c))
        return ast.Number(value, text, self._span(c))

    def string(self, c):
        return ast.String(_unquote(c[0]), self._span(c))

    def true(self, c):
        return ast.Bool(True, self._span(c))

    def false(self, c):
        return ast.Bool(False, self._span(c))

    def ident(self, c):
        return ast.Ident(str(c[0]), self._span(c))

    def tuple(self, c):
        return self._nested(ast.Tuple(_values(c), self._span(c)))

    def list(self, c):
        return self._nested(ast.List(_values(c), self._span(c)))

    def _nested(self, value):
        """Bound how deep tuples and lists nest, so nothing downstream recurses past Python's
        limit. Depths are kept by id while the file is parsed (reset per parse)."""
        depth = 1 + max((self.depths.get(id(v), 0) for v in value.items), default=0)
        if depth > MAX_NESTING:
            raise _value_error(f"brackets nested more than {MAX_NESTING} deep", value.span)
        self.depths[id(value)] = depth
        return value


def _value_error(message: str, span: Span) -> NodescriptError:
    return NodescriptError([Diagnostic(SYNTAX_ERROR, Severity.ERROR, message, span)])


def _shorten(text: str) -> str:
    return text if len(text) <= 20 else f"{text[:8]}...{text[-8:]} ({len(text)} characters)"


def _values(children) -> tuple:
    return tuple(x for x in children if not isinstance(x, Token))


def _start(x) -> tuple[int, int]:
    if isinstance(x, Token):
        return x.line, x.column
    if isinstance(x, tuple):            # dotted_name, params, args
        return _start(x[0])
    return x.span[1], x.span[2]


def _end(x) -> tuple[int, int]:
    if isinstance(x, Token):
        return x.end_line, x.end_column
    if isinstance(x, tuple):
        return _end(x[-1])
    return x.span[3], x.span[4]


_BUILDER = _AstBuilder()
_PARSE_LOCK = threading.Lock()
