"""Findings with source positions, and how they are shown to people.

Every problem nodescript reports, from a syntax error to a precision rule, is a Diagnostic that
points at a Span of a source file. Spans are 1-based (line, column) like editors and compilers.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple


class Span(NamedTuple):
    # A NamedTuple, not a dataclass: big graphs create one per AST node, and this is ~5x cheaper.
    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def point(cls, file: str, line: int = 1, col: int = 1) -> Span:
        return cls(file, line, col, line, col + 1)


@dataclass(frozen=True)
class Place:
    """Where a finding is in a .blend, in Blender's terms (`nodescript lint SCENE.blend`)."""

    scene: str
    group: str | None = None                # node tree name of the node group the finding is in
    node: str | None = None                 # Blender node name
    link: tuple[str, str, str, str] | None = None   # from node, from socket, to node, to socket
    setting: str | None = None              # property path from the scene: render.use_compositing
    effect: str | None = None               # the compositor effect (5.3), when the scene has several

    def text(self) -> str:
        """`scene "Scene", group "Soft", node "Blur"`, `scene "Scene", setting render.use_...`."""
        parts = [f"scene {_quoted(self.scene)}"]
        if self.effect:
            parts.append(f"effect {_quoted(self.effect)}")
        if self.group:
            parts.append(f"group {_quoted(self.group)}")
        if self.node:
            parts.append(f"node {_quoted(self.node)}")
        if self.link:
            a, a_socket, b, b_socket = self.link
            parts.append(f"link {_quoted(a)}.{_socket(a_socket)} -> "
                         f"{_quoted(b)}.{_socket(b_socket)}")
        if self.setting:
            parts.append(f"setting {self.setting}")
        return ", ".join(parts)

    def as_dict(self) -> dict:
        link = None if self.link is None else dict(zip(
            ("from_node", "from_socket", "to_node", "to_socket"), self.link))
        return {"scene": self.scene, "group": self.group, "node": self.node, "link": link,
                "setting": self.setting}


def _socket(name: str) -> str:
    return name if name.isidentifier() else _quoted(name)


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span
    help: str | None = None
    # Set by the loader so renderers can show the offending line without rereading files.
    source_line: str | None = field(default=None, compare=False)
    # Findings in a .blend: the scene, node, link or setting (the span is in the exported text).
    place: Place | None = field(default=None, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        if self.place is not None:
            return f"{self.span.file}: {self.place.text()}"
        return f"{self.span.file}:{self.span.line}:{self.span.col}"

    def render(self) -> str:
        """`file:line:col: error[NS101]: message`, the source line, a caret, and any help."""
        head = shown(f"{self.location()}: {self.severity.value}[{self.code}]: {self.message}")
        lines = [head]
        if self.source_line is not None:
            text = shown(self.source_line.rstrip("\n"))
            width = 1
            if self.span.end_line == self.span.line:
                width = max(1, self.span.end_col - self.span.col)
            width = min(width, max(1, len(text) - self.span.col + 1))
            text, col, width = _window(text, self.span.col, width)
            lines.append(f"  {text}")
            lines.append("  " + " " * (col - 1) + "^" * width)
        if self.help:
            lines.append(shown(f"  help: {self.help}"))
        return "\n".join(lines)


SHOWN_WIDTH = 160      # longer source lines are cut around the caret


def _window(text: str, col: int, width: int) -> tuple[str, int, int]:
    """(the part of a long line around the span, its column there, the caret width)."""
    if len(text) <= SHOWN_WIDTH:
        return text, col, width
    start = max(0, min(col - 1 - SHOWN_WIDTH // 4, len(text) - SHOWN_WIDTH))
    part = text[start:start + SHOWN_WIDTH]
    left = "..." if start > 0 else ""
    right = "..." if start + SHOWN_WIDTH < len(text) else ""
    col = col - start + len(left)
    return left + part + right, col, max(1, min(width, SHOWN_WIDTH - (col - len(left)) + 1))


# Control characters (terminal escapes, carriage returns) and line separators from a file never
# reach the terminal: each becomes U+FFFD, one character wide, so carets stay in place.
_UNSHOWN = {c: "\ufffd" for c in [*range(0, 9), *range(10, 32), *range(0x7F, 0xA0), 0x2028, 0x2029]}


def shown(text: str) -> str:
    return text.translate(_UNSHOWN)


class NodescriptError(Exception):
    """One or more error diagnostics that stop a command."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.render() for d in diagnostics))


def did_you_mean(word: str, choices, n: int = 1) -> str | None:
    """'did you mean `X`?' text for the closest choice, compared case-insensitively."""
    by_folded = {}
    for choice in choices:
        by_folded.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(word.lower(), list(by_folded), n=n, cutoff=0.6)
    if not close:
        return None
    return "did you mean " + " or ".join(f"`{by_folded[c]}`" for c in close) + "?"


def source_lines(text: str) -> list[str]:
    """The lines as the parser counts them: only `\n` ends a line (str.splitlines also splits
    at form feeds, U+0085, U+2028 and others, which a comment or string may hold)."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def attach_source(diags: list[Diagnostic], sources: dict[str, str]) -> list[Diagnostic]:
    """Copy each diagnostic with its source line filled in from `sources` (path -> text)."""
    out = []
    split: dict[str, list[str]] = {}        # once per file: thousands of findings share one
    for d in diags:
        text = sources.get(d.span.file)
        line = None
        if text is not None:
            rows = split.get(d.span.file)
            if rows is None:
                rows = split[d.span.file] = source_lines(text)
            if 1 <= d.span.line <= len(rows):
                line = rows[d.span.line - 1]
        out.append(Diagnostic(d.code, d.severity, d.message, d.span, d.help, line))
    return out
