"""`nodescript apply`: make a .blend scene's compositor exactly what a .nodes graph says.

Order: lint the graph (no bpy), read the .blend header (no bpy), then load the file through
safe_io (scripts off, version checks), compare, change what differs, check the result and save
atomically. Nothing is written for --dry-run, --check, a failure, or when nothing changed.
From the command line the lint (and lowering) runs in a forked process while this one imports
bpy, the two largest fixed costs side by side; the .blend is still opened only once the graph
has passed.
"""

from __future__ import annotations

import gc
import os
import pickle
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from nodescript.blender.blendfile import BlendError, read_blend_header

if TYPE_CHECKING:
    from nodescript import ir
    from nodescript.blender.lowering import Lowering

# Imported when used: lint and the lowering (parser, catalogues) load in the forked child while
# this process imports bpy (see "lint while bpy loads" below).

EXIT_OK, EXIT_DIFFERS, EXIT_ERROR = 0, 1, 2
# Error findings from this rule number on (precision rules) stop apply unless --force.
FORCE_FROM = 300

Echo = Callable[[str], None]


class Stop(Exception):
    """End the command with `code` after printing `message` (if any) to stderr."""

    def __init__(self, code: int, message: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Options:
    scene_path: str
    graph_path: str | None
    scene_name: str | None = None
    output: str | None = None
    dry_run: bool = False
    check: bool = False
    force: bool = False
    allow_upgrade: bool = False
    effect: str | None = None        # 5.3+: the compositor effect (overrides the graph's)
    prune: bool = False              # delete what the graph does not have that apply did not build


def checked_graph(path: str, force: bool, err: Echo) -> ir.Graph:
    """The linted graph; every finding is printed. What stops, as lint's exit status would:
    errors (syntax, resolution: NS0xx-NS2xx) always, precision errors (NS3xx) unless `force`.
    Warnings and info never stop: that is where precision rules put findings that only reach
    outputs marked `preview=true` (and Viewers), so a preview never blocks apply."""
    from nodescript.lint import lint_file

    result = lint_file(path)
    for d in result.diagnostics:
        err(d.render())
    return graph_or_stop(result, force)


def graph_or_stop(result, force: bool) -> ir.Graph:
    """checked_graph's verdict on a LintResult (the extension shows the findings itself)."""
    path = result.path
    errors, precision = errors_and_precision(result.diagnostics)
    if result.graph is None or len(errors) > len(precision):
        raise Stop(EXIT_DIFFERS, f"{path}: fix the errors above first")
    if precision and not force:
        raise Stop(EXIT_DIFFERS, f"{path}: {len(precision)} precision error(s) above; fix "
                   "them or pass --force")
    return result.graph


def errors_and_precision(diagnostics) -> tuple[list, list]:
    """(every error, the precision errors among them: NS3xx, which --force lets through)."""
    errors = [d for d in diagnostics if d.is_error]
    return errors, [d for d in errors if _rule_number(d.code) >= FORCE_FROM]


def _rule_number(code: str) -> int:
    digits = "".join(c for c in code if c.isdigit())
    return int(digits) if digits else 0


def load_executor():
    """The bpy side, imported only now: lint and fmt never load Blender."""
    try:
        from nodescript.blender import executor
    except ImportError as exc:
        from nodescript.dialects import install_hint

        raise Stop(EXIT_ERROR, f"this Python has no Blender module ({exc}): "
                   f"{install_hint()}") from None
    return executor


def open_scene(opts: Options, echo: Echo):
    """(executor, scene, lowering) with the .blend loaded, after printing who reads what."""
    try:
        header = read_blend_header(opts.scene_path)
    except BlendError as exc:
        raise Stop(EXIT_ERROR, str(exc)) from None
    executor = load_executor()
    from nodescript.blender.lowering import LoweringError, dialect
    from nodescript.blender.safe_io import open_blend

    echo(f"Blender {executor.running_version_string()} reading {opts.scene_path} "
         f"(saved by Blender {header.version_string})")
    try:
        lowering = dialect(executor.running_version())
        with executor.quiet():
            open_blend(opts.scene_path, allow_upgrade=opts.allow_upgrade)
        scene = executor.find_scene(opts.scene_name)
    except (BlendError, LoweringError, executor.ExecutionError) as exc:
        raise Stop(EXIT_ERROR, str(exc)) from None
    return executor, scene, lowering


def plan_for(graph: ir.Graph, lowering: Lowering, executor, scene):
    from nodescript.blender.lowering import LoweringError

    try:
        p = lowering.lower(graph)
        executor.bind_to_scene(p, scene)
    except (LoweringError, executor.ExecutionError) as exc:
        raise Stop(EXIT_DIFFERS, f"{graph.path}: {exc}") from None
    return p


def run_stoppable(body, opts, echo: Echo, err: Echo) -> int:
    """Run a command body; a Stop becomes its exit code after printing its one-line message."""
    try:
        return body(opts, echo, err)
    except Stop as stop:
        if stop.message:
            err(stop.message)
        return stop.code


def run(opts: Options, echo: Echo, err: Echo) -> int:
    return run_stoppable(_run, opts, echo, err)


def _run(opts: Options, echo: Echo, err: Echo) -> int:
    _refuse_output(opts)
    if opts.dry_run or opts.check:
        return _run_locked(opts, echo, err)
    from nodescript.blender.safe_io import BlendSaveError, writers_locked

    try:
        with writers_locked([opts.scene_path, opts.output or opts.scene_path]):
            return _run_locked(opts, echo, err)
    except BlendSaveError as exc:
        raise Stop(EXIT_ERROR, str(exc)) from None


def _refuse_output(opts: Options) -> None:
    """`-o` must not be the graph, another file that is not a .blend, a device, FIFO or folder."""
    from nodescript.files import output_problem

    if opts.output is None:
        return
    problem = output_problem(opts.output, [opts.graph_path] if opts.graph_path else [])
    if problem is None and not _blend_or_empty(opts.output):
        problem = "it exists and is not a .blend file"
    if problem and "does not exist" not in problem:       # a missing folder: save says so
        raise Stop(EXIT_ERROR, f"will not write {opts.output}: {problem}")


def _blend_or_empty(path: str) -> bool:
    """A missing or empty file, or one that starts like a .blend (plain, zstd or gzip)."""
    try:
        with open(path, "rb") as file:
            head = file.read(7)
    except OSError:
        return True
    return not head or head.startswith((b"BLENDER", b"\x28\xb5\x2f\xfd", b"\x1f\x8b"))


def _run_locked(opts: Options, echo: Echo, err: Echo) -> int:
    early = _lint_while_bpy_loads(opts, err)
    graph = None if early else checked_graph(opts.graph_path, opts.force, err)
    executor, scene, lowering = open_scene(opts, echo)
    if early and early.version != lowering.version:     # not the bpy found on disk: lower here
        early, graph = None, checked_graph(opts.graph_path, opts.force, lambda _: None)
    p = early.bind(executor, scene) if early else plan_for(graph, lowering, executor, scene)
    p.effect = opts.effect or p.effect
    try:
        changes = executor.diff_all(p, executor.read_state(scene, p, lowering), lowering)
    except executor.ExecutionError as exc:
        raise Stop(EXIT_ERROR, str(exc)) from None
    lost = [] if opts.prune else changes.lost()
    if opts.dry_run or opts.check:
        notes = sharing_notes(executor, scene, p, lowering, changes, copying=True)
        notes += [f"note: apply stops here without --prune: {what}" for what in lost]
        return _report(changes, f"scene {scene.name!r}", opts.check, echo, notes)
    if lost:
        raise Stop(EXIT_ERROR, "apply would delete what the graph does not have (nodescript "
                   "did not build it); nothing was written:\n  " + "\n  ".join(lost)
                   + "\nadd it to the graph (nodescript export shows it), or pass --prune")
    return _write(executor, scene, p, lowering, changes, opts, echo)


def sharing_notes(executor, scene, p, lowering, changes, copying: bool) -> list[str]:
    """What else a change reaches: a 5.0 compositor other scenes share (apply copies it for this
    scene first; with `copying`, say so), node groups other scenes' compositors use (one
    datablock for all: they change too)."""
    notes = executor.other_effects_notes(scene, p, lowering)
    notes += executor.animation_notes(scene, p, lowering, changes)
    tree_changes = dict(zip((t.name for t in p.trees()), changes.trees))
    if copying and tree_changes[p.tree.name] and not tree_changes[p.tree.name].create:
        sharers = executor.scene_tree_sharers(scene, lowering)
        if sharers:
            notes.append(f"scene {scene.name!r} shares its compositor with {', '.join(sharers)}: "
                         f"apply gives {scene.name!r} its own copy and leaves theirs as it is")
    groups = [g.name for g in p.groups if tree_changes[g.name] and not tree_changes[g.name].create]
    for name, users in executor.shared_group_users(scene, groups).items():
        notes.append(f"node group {name!r} is also used by the compositor of {', '.join(users)}: "
                     "changing it changes theirs too")
    return [f"note: {n}" for n in notes]


def _report(changes, where: str, check: bool, echo: Echo, notes: list[str] = ()) -> int:
    for line in notes:
        echo(line)
    for line in changes.describe():
        echo(line)
    echo(f"{where} would change ({changes.count()} changes)" if changes else f"{where} is up to date")
    return EXIT_DIFFERS if (check and changes) else EXIT_OK


def _write(executor, scene, p, lowering, changes, opts: Options, echo: Echo) -> int:
    where = f"scene {scene.name!r}"
    dest = opts.output or opts.scene_path
    in_place = _same_file(dest, opts.scene_path)
    if not changes and in_place:
        echo(f"{where} is up to date; nothing written")
        return EXIT_OK
    notes = sharing_notes(executor, scene, p, lowering, changes, copying=False) if changes else []
    made = _apply(executor, scene, p, lowering, notes) if changes else 0
    _save(executor, dest, in_place)
    for line in notes:
        echo(line if line.startswith("note: ") else f"note: {line}")
    did = f"applied {made} changes to {where}" if changes else f"{where} was up to date"
    echo(f"{did}; wrote {dest}" + (f" (previous file kept as {dest}1)" if in_place else ""))
    return EXIT_OK


def _apply(executor, scene, p, lowering, notes: list[str]) -> int:
    try:
        made = executor.apply_plan(scene, p, lowering, notes)
        left = executor.diff_all(p, executor.read_state(scene, p, lowering), lowering)
    except executor.ExecutionError as exc:
        raise Stop(EXIT_ERROR, f"{exc}; nothing was written") from None
    if left:
        raise Stop(EXIT_ERROR, "Blender did not take these changes; nothing was written:\n  "
                   + "\n  ".join(left.describe()[:10]))
    return made


def _save(executor, dest: str, in_place: bool) -> None:
    from nodescript.blender.safe_io import save_blend_atomic

    try:
        with executor.quiet():
            save_blend_atomic(dest, backup=in_place)
    except BlendError as exc:
        raise Stop(EXIT_ERROR, str(exc)) from None


def _same_file(a: str, b: str) -> bool:
    if os.path.exists(a) and os.path.exists(b):
        return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


# --- lint while bpy loads ------------------------------------------------------------------------
# `import bpy` (~0.45 s) and lint (~0.15 s per 1,000 nodes) are apply's largest fixed costs and
# need nothing from each other. A process that has not loaded bpy yet (the command line) forks:
# the child lints and lowers the graph (pure Python) and sends back the printed findings and the
# plan; meanwhile this process imports bpy. Anything unusual (no fork, bpy already loaded, a
# child that fails) and apply lints here as before, so the results never depend on the child.

@dataclass
class _Linted:
    version: str                     # the Blender version lowered for
    lines: list[str]                 # findings, printed as checked_graph prints them
    path: str | None = None
    plan: object = None              # plan.Plan, or None with `error` or `stop`
    error: str | None = None         # LoweringError message
    stop: tuple[int, str] | None = None   # checked_graph's Stop: code, message

    def bind(self, executor, scene):
        if self.error is not None:
            raise Stop(EXIT_DIFFERS, f"{self.path}: {self.error}")
        try:
            executor.bind_to_scene(self.plan, scene)
        except executor.ExecutionError as exc:
            raise Stop(EXIT_DIFFERS, f"{self.path}: {exc}") from None
        return self.plan


def _lint_while_bpy_loads(opts: Options, err: Echo) -> _Linted | None:
    if not hasattr(os, "fork") or "bpy" in sys.modules or _cores() < 2:
        return None
    version = _bpy_version_on_disk()
    if version is None:
        return None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                                         # the child: never returns
        status = 1
        try:
            os.close(read)
            data = pickle.dumps(_lint_and_lower(opts, version), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)                             # no atexit, no buffers of the parent's
    os.close(write)
    try:
        load_executor()                                  # import bpy meanwhile
    except Stop:
        pass                                             # said again, in order, by open_scene
    with os.fdopen(read, "rb") as results:
        data = results.read()
    _, status = os.waitpid(pid, 0)
    gc.disable()                                         # many small objects, no cycles
    try:
        linted = pickle.loads(data) if status == 0 else None
    except Exception:                                    # noqa: BLE001 - any doubt: lint here
        linted = None
    finally:
        gc.enable()
    if not isinstance(linted, _Linted):
        return None                                      # the child failed: lint here
    for line in linted.lines:
        err(line)
    if linted.stop is not None:
        raise Stop(*linted.stop)
    return linted


def _lint_and_lower(opts: Options, version: str) -> _Linted:
    """In the child: what checked_graph printed and decided, and the plan."""
    from nodescript.blender.lowering import LoweringError, dialect

    lines: list[str] = []
    try:
        graph = checked_graph(opts.graph_path, opts.force, lines.append)
    except Stop as stop:
        return _Linted(version, lines, stop=(stop.code, stop.message))
    try:
        return _Linted(version, lines, graph.path, dialect(version).lower(graph))
    except LoweringError as exc:
        return _Linted(version, lines, graph.path, error=str(exc))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _bpy_version_on_disk() -> str | None:
    """The installed bpy's version folder (site-packages/bpy/4.5/...), without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("bpy")
        folder = os.path.dirname(spec.origin) if spec and spec.origin else None
        found = [n for n in os.listdir(folder) if re.fullmatch(r"\d+\.\d+", n)] if folder else []
    except (ImportError, ValueError, OSError):
        return None
    return found[0] if len(found) == 1 else None
