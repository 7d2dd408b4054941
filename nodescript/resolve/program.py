"""Reading a `.nodes` file with its `use` includes into one flat list of statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nodescript.diagnostics import Diagnostic, NodescriptError, Severity, Span
from nodescript.files import (SOURCE_SUFFIX, SourceError, include_problem, include_root,
                              read_named_source, read_source)
from nodescript.resolve import codes
from nodescript.syntax import ast
from nodescript.syntax.parser import parse


@dataclass
class Program:
    root: str
    statements: list[ast.Statement] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)     # path -> text, for error display
    diagnostics: list[Diagnostic] = field(default_factory=list)


def load_program(path: str, source: str | None = None) -> Program:
    """Parse `path` (or `source` as if it were that file) and splice in its includes, once each.
    Includes stay inside the project of `path` (nodescript.files.include_root)."""
    program = Program(path)
    try:
        root = include_root(path)
    except SourceError as exc:
        program.diagnostics.append(_unreadable(Path(path), exc, None))
        return program
    _include(program, Path(path), source, _Walk(root, [], set()), span=None)
    return program


@dataclass
class _Walk:
    root: Path
    stack: list[Path]
    seen: set[Path]


def _unreadable(path: Path, exc: SourceError, span: Span | None) -> Diagnostic:
    where = span or Span.point(str(path), exc.line, exc.col)
    return Diagnostic(codes.INCLUDE_NOT_FOUND, Severity.ERROR,
                      f"cannot read `{path}`: {exc.reason}", where)


def _include(program: Program, path: Path, source: str | None, walk: _Walk,
             span: Span | None) -> None:
    if span is not None:              # a `use`: the project's own .nodes files only
        problem = include_problem(path, walk.root)
        if problem is not None:
            program.diagnostics.append(Diagnostic(codes.INCLUDE_NOT_FOUND, Severity.ERROR,
                                                  f"cannot include `{path}`: {problem}", span))
            return
    try:
        key = path.resolve()
    except (OSError, RuntimeError, ValueError):
        program.diagnostics.append(_unreadable(path, SourceError("symlink loop"), span))
        return
    stack, seen = walk.stack, walk.seen
    if key in stack:
        chain = " -> ".join(p.name for p in stack + [key])
        program.diagnostics.append(Diagnostic(codes.INCLUDE_CYCLE, Severity.ERROR,
                                              f"include cycle: {chain}", span))
        return
    if key in seen:          # included twice through different files: once is enough
        return
    seen.add(key)
    in_memory = source is not None
    if source is None:
        try:
            source = read_source(path) if span is not None else read_named_source(path)
        except SourceError as exc:
            program.diagnostics.append(_unreadable(path, exc, span))
            return
    display = str(path)
    if in_memory or path.suffix == SOURCE_SUFFIX:
        program.sources[display] = source     # never echo lines of a file that is not a source
    try:
        module = parse(source, display)
    except NodescriptError as err:
        program.diagnostics.extend(err.diagnostics)
        return
    for stmt in module.statements:
        if isinstance(stmt, ast.Use):
            _include(program, path.parent / stmt.path, None,
                     _Walk(walk.root, stack + [key], seen), stmt.span)
        else:
            program.statements.append(stmt)
