"""Reading a `.nodes` file with its `use` includes into one flat list of statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nodescript.diagnostics import Diagnostic, NodescriptError, Severity, Span
from nodescript.resolve import codes
from nodescript.syntax import ast
from nodescript.syntax.parser import parse


@dataclass
class Program:
    root: str
    statements: list[ast.Statement] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)     # path -> text, for error display
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load_program(path: str, source: str | None = None) -> Program:
    """Parse `path` (or `source` as if it were that file) and splice in its includes, once each."""
    program = Program(path)
    _include(program, Path(path), source, stack=[], seen=set(), span=None)
    return program


def _include(program: Program, path: Path, source: str | None, stack: list[Path],
             seen: set[Path], span: Span | None) -> None:
    key = path.resolve()
    if key in stack:
        chain = " -> ".join(p.name for p in stack + [key])
        program.diagnostics.append(Diagnostic(codes.INCLUDE_CYCLE, Severity.ERROR,
                                              f"include cycle: {chain}", span))
        return
    if key in seen:          # included twice through different files: once is enough
        return
    seen.add(key)
    if source is None:
        try:
            source = read_text(path)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
            where = span or Span.point(str(path))
            program.diagnostics.append(Diagnostic(codes.INCLUDE_NOT_FOUND, Severity.ERROR,
                                                  f"cannot read `{path}`: {reason}", where))
            return
    display = str(path)
    program.sources[display] = source
    try:
        module = parse(source, display)
    except NodescriptError as err:
        program.diagnostics.extend(err.diagnostics)
        return
    for stmt in module.statements:
        if isinstance(stmt, ast.Use):
            _include(program, path.parent / stmt.path, None, stack + [key], seen, stmt.span)
        else:
            program.statements.append(stmt)
