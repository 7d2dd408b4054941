"""apply, check and lint on a scene already open in Blender: what the extension's operators call.

The command line's apply opens a .blend and saves it; here the scene is in memory and the caller
(an operator) owns undo and saving. The steps are the command line's own: the graph is linted
and judged by apply.graph_or_stop, lowered and bound by apply.plan_for, compared and changed by
the executor, and checked again after the change. Lint is `lint SCENE.blend`'s: the compositor
exported to text, linted, and each finding placed in Blender's terms (nodescript.lint.blend).

What apply would take that the file does not carry is said before it happens (the changes'
`lost()`, what the command line refuses without --prune): the extension asks first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import bpy

from nodescript.blender import apply, compositor, executor
from nodescript.diagnostics import Diagnostic, Severity, Span


class Refused(Exception):
    """Nothing was changed: one line of why, and the findings of the file (if any)."""

    def __init__(self, message: str, findings: list[Diagnostic] = (), graph=None):
        super().__init__(message)
        self.message = message
        self.findings = list(findings)
        self.graph = graph                     # ir.Graph when the file resolved


@dataclass
class Prepared:
    """A graph ready to apply to `scene`: the plan, what differs, and the file's findings."""

    scene: object
    plan: object
    lowering: object
    changes: object
    graph: object                                   # the file's ir.Graph
    findings: list[Diagnostic] = field(default_factory=list)

    def elsewhere(self) -> list[str]:
        """What this apply changes outside its scene: node groups other scenes' compositors use
        too, and passes it switches on in other scenes (`RenderLayers(scene="B")`)."""
        changed = {t.name: t for t in self.changes.trees}
        groups = [g.name for g in self.plan.groups if changed[g.name] and not changed[g.name].create]
        found = [f"node group {name!r} is also used by {', '.join(users)}"
                 for name, users in executor.shared_group_users(self.scene, groups).items()]
        return found + [f"it switches on a pass of scene {pv.scene!r}"
                        for pv in self.changes.passes if pv.scene and pv.scene != self.scene.name]

    def notes(self, copying: bool) -> list[str]:
        return apply.sharing_notes(executor, self.scene, self.plan, self.lowering,
                                    self.changes, copying)


def prepare(scene, graph_path: str, *, force: bool = False, effect: str | None = None) -> Prepared:
    """Lint `graph_path` and compare it with `scene`, changing nothing. Raises Refused."""
    from nodescript.blender.lowering import LoweringError, dialect
    from nodescript.lint import lint_file

    result = lint_file(graph_path)
    try:
        graph = apply.graph_or_stop(result, force)
        lowering = dialect(executor.running_version())
        p = apply.plan_for(graph, lowering, executor, scene)
        p.effect = effect or p.effect
        changes = executor.diff_all(p, executor.read_state(scene, p, lowering), lowering)
    except apply.Stop as stop:
        raise Refused(_why(stop.message, result.diagnostics, force), result.diagnostics,
                      result.graph) from None
    except (LoweringError, executor.ExecutionError) as exc:
        raise Refused(str(exc), result.diagnostics, result.graph) from None
    return Prepared(scene, p, lowering, changes, graph, result.diagnostics)


def _why(message: str, findings: list[Diagnostic], force: bool) -> str:
    """apply's Stop message in the panel's terms (no "above", no --force)."""
    errors, precision = apply.errors_and_precision(findings)
    if not errors:
        return message
    first = f"{errors[0].code}: {errors[0].message}"
    if len(errors) == len(precision) and not force:
        return (f"{len(precision)} precision error(s) in the file, nothing changed (fix them, "
                f"or apply with Force); {first}")
    return f"{len(errors)} error(s) in the file, nothing changed; {first}"


def apply_prepared(prep: Prepared) -> tuple[int, list[str]]:
    """Make the scene what the plan says, then check it is: (changes made, notes)."""
    notes = prep.notes(copying=False) if prep.changes else []
    try:
        made = executor.apply_plan(prep.scene, prep.plan, prep.lowering, notes)
        left = executor.diff_all(prep.plan, executor.read_state(prep.scene, prep.plan,
                                                                 prep.lowering), prep.lowering)
    except executor.ExecutionError as exc:
        raise Refused(f"{exc} (Blender stopped part way: undo to go back)") from None
    if left:
        raise Refused("Blender did not take these changes: " + "; ".join(left.describe()[:5]))
    return made, notes


def graph_files(graph_path: str) -> list[str]:
    """The file and every `.nodes` file it `use`s (those that could be read)."""
    from nodescript.resolve.program import load_program

    return [graph_path, *(p for p in load_program(graph_path).sources if p != graph_path)]


def lint_scene(scene, config=None) -> list[Diagnostic]:
    """`nodescript lint SCENE.blend` on the scene in memory: findings with Blender places."""
    from nodescript import dialects
    from nodescript.blender.export import ExportError, export_scene_with_names, running_version
    from nodescript.lint import lint_source
    from nodescript.lint.blend import place_findings

    blend = bpy.data.filepath or "untitled.blend"
    try:
        version = running_version()
        effects = compositor.effects(scene, dialects.get(version))
        names = [None]
        if dialects.get(version).COMPOSITOR_EFFECTS and len(effects) > 1:
            names = [e.name for e in effects if e.for_render and e.tree is not None]
        found = []
        for name in names:               # 5.3: every effect a render runs, in render order
            exported = export_scene_with_names(scene, version=version, effect=name)
            exported.effect = name
            where = scene.name + (f"/{name}" if name else "")
            result = lint_source(exported.text, f"{blend}[{where}]", config,
                                 measured_range=exported.depth_bounds)
            found += place_findings(result.diagnostics, result.graph, exported, blend)
    except (ExportError, compositor.CompositorError) as exc:
        return [Diagnostic("NS002", Severity.ERROR, str(exc), Span.point(blend))]
    return found
