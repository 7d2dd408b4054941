"""The `nodescript` command line. Each command imports what it needs when it runs, so `lint` and
`fmt` start fast (pre-commit runs them on every commit) and never load bpy."""

from __future__ import annotations

import importlib
import sys
from fnmatch import fnmatch
from pathlib import Path

import click

from nodescript import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _codes(text: str | None) -> list[str]:
    return [c.strip().upper() for c in (text or "").split(",") if c.strip()]


def expand_paths(paths: tuple[str, ...], exclude: list[str] = (), suffix: str = ".nodes") -> list[Path]:
    """Files as given; folders searched for `*.nodes`, skipping hidden folders and excludes."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(path.rglob(f"*{suffix}")):
                parts = file.relative_to(path).parts
                if any(p.startswith(".") for p in parts[:-1]):
                    continue
                # fnmatch's `*` also matches `/`, so `build/**` excludes nested files too.
                relative = file.relative_to(path).as_posix()
                if any(fnmatch(relative, p) or fnmatch(file.as_posix(), p) for p in exclude):
                    continue
                found.append(file)
        else:
            found.append(path)
    return found


class _LazyGroup(click.Group):
    """Commands kept in other modules load only when used or listed (click's documented lazy
    loading): `lint`, run by pre-commit on every commit, never pays for importing them."""

    LAZY = {"apply": "nodescript.blender.commands:apply",
            "render": "nodescript.blender.commands:render",
            "export": "nodescript.blender.export:export_command",
            "inspect": "nodescript.inspect.command:inspect_command"}

    def list_commands(self, ctx):
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx, name):
        if name in self.LAZY:
            module, attr = self.LAZY[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nodescript")
def main() -> None:
    """Blender compositor graphs as text: lint, format, draw and apply `.nodes` files.

    Run `nodescript COMMAND --help` for each command, `nodescript rule CODE` for a rule's docs.
    """


def run() -> None:
    """The console entry point (`nodescript`, `python -m nodescript`): `main`, then an exit that
    skips bpy's teardown when a command loaded it (nodescript.process)."""
    from nodescript.process import exit_code, leave

    try:
        main()
        code = EXIT_OK
    except SystemExit as done:
        code = exit_code(done.code)
    leave(code)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]),
              default="text", show_default=True, help="How findings are printed.")
@click.option("--select", help="Only these rule codes or prefixes, comma-separated (e.g. NS2,NS301).")
@click.option("--ignore", help="Skip these rule codes or prefixes, comma-separated.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes in place (precision rules).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary (text format).")
@click.option("--scene", "scene_name", help="For .blend files: the scene to audit (default: active).")
def lint(paths, fmt, select, ignore, fix, quiet, scene_name):
    """Check `.nodes` files (or folders of them) for errors and risky settings.

    A `.blend` file is audited through `export` (needs bpy): its compositor is turned into a
    graph and linted, and each finding names the scene and the Blender node (in its node
    group), link or scene setting.

    Exit status: 0 when no error-severity finding, 1 when there is any (syntax errors included),
    2 on usage errors. Configure rules in `[tool.nodescript]` of pyproject.toml; silence one line
    with `# nodescript: ignore[CODE]`.
    """
    from nodescript.config import ConfigError, load_config
    from nodescript.lint import lint_file
    from nodescript.lint.report import render

    try:
        config = load_config().with_overrides(_codes(select), _codes(ignore))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    files = expand_paths(paths, config.exclude)
    _blend_needs_bpy(files)
    diags, errors = [], False
    for file in files:
        if file.suffix == ".blend":
            result = _lint_blend(file, scene_name, config)
            diags += result.diagnostics
            errors |= result.has_errors
            continue
        if fix:
            _fix(file, config)
        result = lint_file(str(file), config)
        diags += result.diagnostics
        errors |= result.has_errors
    text = render(diags, fmt, len(files))
    if fmt == "text" and quiet:
        text = "\n\n".join(d.render() for d in diags)
    if text:
        click.echo(text)
    sys.exit(EXIT_FINDINGS if errors else EXIT_OK)


def _blend_needs_bpy(files: list[Path]) -> None:
    """A .blend is linted through export, which needs bpy: say so once, before anything else."""
    if any(f.suffix == ".blend" for f in files):
        from nodescript.blender.needs_bpy import bpy_missing

        missing = bpy_missing("lint SCENE.blend")
        if missing:
            error = click.ClickException(missing)
            error.exit_code = EXIT_USAGE
            raise error


def _fix(file: Path, config) -> None:
    """`lint --fix` on one file; a file it cannot read is reported by the lint that follows."""
    from nodescript.files import SourceError
    from nodescript.lint.fixes import fix_file

    try:
        fixed = fix_file(str(file), config)
    except SourceError as exc:
        if exc.reason.startswith("cannot write"):
            click.echo(f"{file}:1:1: error[NS002]: {exc.reason}", err=True)
        return
    if fixed:
        click.echo(f"fixed {fixed} finding(s) in {file}", err=True)


def _lint_blend(path: Path, scene_name: str | None, config):
    """Export the scene's compositor and lint the text; findings name the scene and the node,
    link or setting (nodescript.lint.blend). A file problem is one error line."""
    from nodescript.blender.blendfile import BlendError
    from nodescript.blender.export import ExportError, export_file_rendering_effects
    from nodescript.diagnostics import Diagnostic, Severity, Span
    from nodescript.lint import LintResult, lint_source
    from nodescript.lint.blend import place_findings

    try:
        exports = export_file_rendering_effects(str(path), scene_name)
    except (ExportError, BlendError) as exc:
        return LintResult(str(path), [Diagnostic("NS002", Severity.ERROR, str(exc),
                                                 Span.point(str(path)))])
    diags, graph = [], None
    for exported in exports:            # 5.3: every effect a render runs, in render order
        where = exported.scene + (f"/{exported.effect}" if exported.effect else "")
        result = lint_source(exported.text, f"{path}[{where}]", config,
                             measured_range=exported.depth_bounds)
        diags += place_findings(result.diagnostics, result.graph, exported, str(path))
        graph = graph or result.graph
    return LintResult(str(path), diags, graph)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if any file would change.")
@click.option("--diff", is_flag=True, help="Change nothing; print a unified diff of the changes.")
def fmt(paths, check, diff):
    """Rewrite `.nodes` files in canonical form (idempotent; comments kept)."""
    import difflib

    from nodescript.diagnostics import NodescriptError, attach_source
    from nodescript.files import SOURCE_SUFFIX, SourceError, read_named_source, write_text
    from nodescript.fmt import format_source

    changed, failed = [], False
    for file in expand_paths(paths):
        try:
            source = read_named_source(file)
            formatted = format_source(source, str(file))
        except SourceError as exc:
            click.echo(f"{file}:{exc.line}:{exc.col}: error[NS002]: cannot read: {exc.reason}",
                       err=True)
            failed = True
            continue
        except NodescriptError as err:
            shown = {str(file): source} if file.suffix == SOURCE_SUFFIX else {}   # no other file's lines
            for d in attach_source(err.diagnostics, shown):
                click.echo(d.render(), err=True)
            failed = True
            continue
        if formatted == source:
            continue
        changed.append(file)
        if diff:
            click.echo("".join(difflib.unified_diff(source.splitlines(True), formatted.splitlines(True),
                                                    f"{file} (original)", f"{file} (formatted)")), nl=False)
        elif check:
            click.echo(f"would reformat {file}")
        else:
            try:
                write_text(file, formatted)
            except SourceError as exc:
                click.echo(f"{file}:1:1: error[NS002]: {exc.reason}", err=True)
                failed = True
                continue
            click.echo(f"reformatted {file}")
    if failed:
        sys.exit(EXIT_FINDINGS)
    if changed and (check or diff):
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Picture to write: .svg, .png (need Graphviz) or .dot.")
def graph(file, output):
    """Draw a `.nodes` graph as SVG, PNG or Graphviz DOT."""
    from nodescript.files import SourceError, output_problem
    from nodescript.graphviz import GraphvizMissing, render
    from nodescript.resolve import load_graph

    out = Path(output)
    if out.suffix.lower() not in (".svg", ".png", ".dot", ".gv"):
        raise click.UsageError("the output must end in .svg, .png or .dot")
    problem = output_problem(out, [file])
    if problem:
        raise click.UsageError(f"will not write {out}: {problem}")
    loaded = load_graph(file)
    for d in loaded.diagnostics:
        click.echo(d.render(), err=True)
    if loaded.graph is None or any(d.is_error for d in loaded.diagnostics):
        sys.exit(EXIT_FINDINGS)
    try:
        render(loaded.graph, out)
    except GraphvizMissing as exc:
        raise click.ClickException(str(exc)) from None
    except SourceError as exc:
        raise click.ClickException(f"{out}: {exc.reason}") from None
    click.echo(f"wrote {out}")


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule.")
def rule(code, show_all):
    """Explain rule CODE (e.g. `nodescript rule NS201`), or list all rules."""
    from nodescript.lint.registry import all_rules

    rules = all_rules()
    if code is None or show_all:
        for r in rules.values():
            click.echo(f"{r.code}  {r.severity.value:<7}  {r.name:<28} {r.summary}")
        return
    found = rules.get(code.upper())
    if found is None:
        raise click.UsageError(f"no rule {code}; `nodescript rule` lists them")
    click.echo(f"# {found.code} {found.name} ({found.severity.value}"
               f"{', fixable' if found.fixable else ''})\n\n{found.summary}\n\n{found.docs}")
