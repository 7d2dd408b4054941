"""A fast tokenizer feeding lark's LALR parser: the fast path of `parser.parse`.

lark's contextual lexer costs about 2.5 us per token in Python; one compiled regex run with
`finditer` costs a fraction of that, which matters on graphs of 10k+ nodes. The tokens are the
grammar's own terminals, and the two choices that depend on the parser state are made exactly as
lark's contextual lexer makes them: a keyword (`scene`, `as`, `true`, ...) is a keyword only where
the parser accepts that keyword, else a NAME; digits are an INT only where an INT is accepted.

Anything unusual (a character no terminal matches, digits where both INT and a number fit) raises
`FastPathUnsure` and the caller parses with lark's own lexer, so error messages and every edge case
stay lark's. tests/unit/test_parser.py checks that both paths give the same AST.
"""

from __future__ import annotations

import re

from lark import Lark, Token

# Each match is one token with the blanks before it: half as many matches as tokens-and-blanks.
_TOKENS = re.compile(r"""
    [ \t\f\r]*
    (?:
        (?P<NL>\n)
      | (?P<COMMENT>\#[^\n]*)
      | (?P<STRING>"(?:\\.|[^"\\\n])*")
      | (?P<NUMBER>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<NAME>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*)
      | (?P<PUNCT>->|\.\.|[=,.()\[\]{}:])
      | (?P<OTHER>[^ \t\f\r])
      | (?P<WS>[ \t\f\r]+)              # blanks at the very end
    )
""", re.VERBOSE | re.DOTALL)


class _Token(Token):
    """lark's Token, made without its keyword-argument compatibility layer (half the cost)."""

    __slots__ = ()

    def __new__(cls, type, value, start_pos, line, column, end_line, end_column, end_pos):
        inst = str.__new__(cls, value)
        inst.type, inst.value, inst.start_pos, inst.end_pos = type, value, start_pos, end_pos
        inst.line, inst.column, inst.end_line, inst.end_column = line, column, end_line, end_column
        return inst


class FastPathUnsure(Exception):
    """The fast tokenizer cannot decide like lark would: parse with lark's lexer instead."""


def literal_terminals(lark: Lark) -> dict[str, str]:
    """Literal text -> terminal name, for the grammar's punctuation and keywords."""
    return {t.pattern.value: t.name for t in lark.terminals if t.pattern.type == "str"}


def parse_fast(lark: Lark, literals: dict[str, str], source: str):
    """Parse `source` with lark's LALR tables and this tokenizer; return what lark.parse would."""
    state = lark.parse_interactive("").parser_state
    states, stack, feed = state.parse_conf.states, state.state_stack, state.feed_token
    line, line_start = 1, 0
    last = None
    for match in _TOKENS.finditer(source):
        kind = match.lastgroup
        if kind == "WS" or kind == "COMMENT":
            continue
        start, end = match.span(kind)
        if kind == "NL":
            line, line_start = line + 1, end
            continue
        text = match.group(kind)
        if kind == "NAME":
            keyword = literals.get(text)
            kind = keyword if keyword is not None and keyword in states[stack[-1]] else "NAME"
        elif kind == "NUMBER":
            kind = _number_kind(text, states[stack[-1]])
        elif kind == "PUNCT":
            kind = literals[text]
        elif kind == "OTHER":
            raise FastPathUnsure(text)
        column = start - line_start + 1
        last = _Token(kind, text, start, line, column, line, column + end - start, end)
        feed(last)
    end = Token.new_borrow_pos("$END", "", last) if last else Token("$END", "", 0, 1, 1)
    return feed(end, True)


def _number_kind(text: str, accepted: dict) -> str:
    if not text.isdigit() or "INT" not in accepted:
        return "SIGNED_NUMBER"
    if "SIGNED_NUMBER" in accepted:
        raise FastPathUnsure(text)
    return "INT"
