"""`nodescript lint --fix`: apply the safe fixes of the precision rules in place.

Fixable rules (see each rule's "Fix safety"):

- NS301 data-in-integer-format: `format=exr, depth=32, codec=zip` on a File Output that writes
  only data passes, dropping settings EXR does not take (`quality`, `compression`, an
  unsupported `color_mode`);
- NS302 data-in-half-float: `depth=32` (and `codec=zip` if the codec was B44/B44A, which exist
  only at depth 16);
- NS303 lossy-exr-codec: `codec=zip`.

The source is edited through the parser's spans (only the arguments that change are touched,
comments stay), then formatted with `nodescript.fmt.format_source`, and written atomically, only
when something changed. An input with its own format (`out.depth(format=png)`) is fixed in
its own settings. Outputs marked `preview=true`, rules the configuration disables, lines
with `# nodescript: ignore[...]` for the code and nodes defined in included files are left alone.
"""

from __future__ import annotations

from pathlib import Path

from nodescript import presets
from nodescript.config import Config
from nodescript.diagnostics import NodescriptError, Span, source_lines
from nodescript.files import read_named_source, write_text
from nodescript.lint.engine import SUPPRESSION
from nodescript.syntax import ast

MAX_ROUNDS = 4


def fix_file(path: str, config: Config | None = None) -> int:
    """Fix `path` in place; return the number of findings fixed (0 leaves the file untouched)."""
    config = config or Config()
    file = Path(path)
    original = read_named_source(file)        # SourceError: lint reports the same reason
    source, total = original, 0
    for _ in range(MAX_ROUNDS):
        fixed, count = fix_source(source, str(file), config)
        if count == 0 or fixed == source:
            break
        source, total = fixed, total + count
    if source != original:
        write_text(file, source)
    return total


def fix_source(source: str, path: str, config: Config | None = None) -> tuple[str, int]:
    """(fixed and formatted source, number of findings fixed) for one round of fixes."""
    from nodescript.fmt import format_source
    from nodescript.lint.rules import precision
    from nodescript.resolve import load_graph

    config = config or Config()
    loaded = load_graph(path, source)
    if loaded.graph is None or any(d.is_error for d in loaded.diagnostics):
        return source, 0
    analysis = precision.analysis(loaded.graph)
    lines = source_lines(source)
    edits_by_node: dict[Span, dict[str, str | None]] = {}
    fixed: set[tuple] = set()
    for code in precision.FIXABLE:
        if not config.enabled(code):
            continue
        for problem in precision.problems(analysis, code):
            node = problem.node
            if problem.edits is None or node is None or node.is_preview:
                continue
            where = problem.fix_at or node.span       # the node's settings or an input's own
            if where.file != path or _suppressed(lines, problem.span, code):
                continue
            edits_by_node.setdefault(where, {}).update(problem.edits)
            fixed.add((code, problem.key))
    if not edits_by_node:
        return source, 0
    try:
        module = ast_module(source, path)
    except NodescriptError:
        return source, 0
    edited = _apply(source, module, edits_by_node)
    if edited == source:
        return source, 0
    return format_source(edited, path), len(fixed)


def ast_module(source: str, path: str) -> ast.Module:
    from nodescript.syntax.parser import parse
    return parse(source, path)


def _suppressed(lines: list[str], span: Span, code: str) -> bool:
    if not 1 <= span.line <= len(lines):
        return False
    match = SUPPRESSION.search(lines[span.line - 1])
    if match is None:
        return False
    codes = match.group(1)
    return codes is None or code in {c.strip() for c in codes.split(",")}


# --- editing the text through spans -----------------------------------------------------------

def _calls(statements) -> list[ast.NodeCall | ast.Endpoint]:
    """Everything with settings in parentheses: node calls, and inputs given their own format."""
    found = []
    for stmt in statements:
        if isinstance(stmt, ast.NodeStmt):
            found.append(stmt.call)
        elif isinstance(stmt, ast.Chain):
            found.extend(e.call if isinstance(e, ast.InlineNode) else e for e in stmt.elements
                         if isinstance(e, ast.InlineNode) or e.args is not None)
        elif isinstance(stmt, ast.GroupDef):
            found.extend(_calls(stmt.body))
    return found


def _offsets(source: str) -> list[int]:
    starts, pos = [0], 0
    for line in source.split("\n"):          # the parser's lines: only \n ends one
        pos += len(line) + 1
        starts.append(pos)
    return starts


def _apply(source: str, module: ast.Module,
           edits_by_node: dict[Span, dict[str, str | None]]) -> str:
    starts = _offsets(source)

    def at(line: int, col: int) -> int:
        return starts[line - 1] + col - 1

    changes: list[tuple[int, int, str]] = []          # (start, end, replacement)
    for call in _calls(module.statements):
        edits = edits_by_node.get(call.span)
        if not edits:
            continue
        args = list(call.args)
        present = {arg.name: arg for arg in args}
        for key, arg in _presets_edited(args, edits):     # `half` with depth=32 is `float32`
            s = arg.span
            changes.append((at(s.line, s.col), at(s.end_line, s.end_col),
                            presets.replacement(key, edits)))
            present.update((name, arg) for name in presets.PRESETS[key])
        for name, value in edits.items():
            arg = present.get(name)
            if arg is None or arg.name is None:       # absent, or done with its preset
                continue
            if value is None:                         # remove `name=value` and one comma
                start = at(arg.span.line, arg.span.col)
                end = at(arg.span.end_line, arg.span.end_col)
                index = args.index(arg)
                if index + 1 < len(args):
                    nxt = args[index + 1]
                    end = at(nxt.span.line, nxt.span.col)
                elif index > 0:
                    prev = args[index - 1]
                    start = at(prev.span.end_line, prev.span.end_col)
                changes.append((start, end, ""))
            else:
                v = arg.value.span
                changes.append((at(v.line, v.col), at(v.end_line, v.end_col), value))
        added = [f"{name}={value}" for name, value in edits.items()
                 if value is not None and name not in present]
        if added:
            close = at(call.span.end_line, call.span.end_col) - 1     # the `)`
            before = source[:close].rstrip()
            sep = "" if before.endswith(("(", ",")) else ", "
            if before.endswith(","):
                sep = " "
            changes.append((close, close, sep + ", ".join(added)))
    for start, end, text in sorted(changes, key=lambda c: (c[0], c[1]), reverse=True):
        source = source[:start] + text + source[end:]
    return source


def _presets_edited(args: list[ast.Arg], edits: dict) -> list[tuple[str, ast.Arg]]:
    """(preset word, its arg) for each preset among `args` that sets a setting being edited."""
    found = []
    for arg in args:
        word = presets.canonical(arg.value.name) if arg.name is None and isinstance(
            arg.value, ast.Ident) else None
        if word is not None and any(k in edits for k in presets.PRESETS[word]):
            found.append((word, arg))
    return found

