"""What each operator does to a scene, kept apart from bpy.types.Operator so live reload runs
the same code. Every action ends in an Outcome and leaves its record in `scene.nodescript`
(status, report lines, findings)."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import findings
from .props import graph_path


@dataclass
class Outcome:
    ok: bool
    status: str                                    # one line for the panel and the info bar
    lines: list = field(default_factory=list)      # details (drift, notes), also in report


def is_nodes(path: str) -> bool:
    """The add-on reads and writes .nodes files only: a .blend from anywhere may name any path
    in scene.nodescript.file, and a script's export() writes there."""
    from nodescript.files import SOURCE_SUFFIX

    return path.endswith(SOURCE_SUFFIX)


def record(scene, outcome: Outcome) -> Outcome:
    settings = scene.nodescript
    settings.status = outcome.status
    settings.report.clear()
    for line in outcome.lines:
        settings.report.add().text = line
    return outcome


def prepare(scene, force: bool):
    """(Prepared, None), or (None, the refusal's Outcome); either way the file's findings are
    the scene's findings now."""
    from nodescript.blender import in_scene

    path = graph_path(scene)
    if not path:
        return None, Outcome(False, f"scene {scene.name!r} has no .nodes file: choose one")
    if not is_nodes(path):
        return None, Outcome(False, f"will not read {path}: not a .nodes file")
    try:
        prep = in_scene.prepare(scene, path, force=force)
    except in_scene.Refused as refused:
        findings.fill(scene, refused.findings, "file", findings.nodes_by_line(refused.graph))
        return None, Outcome(False, refused.message)
    findings.fill(scene, prep.findings, "file", findings.nodes_by_line(prep.graph))
    return prep, None


def apply(scene, *, force=False, confirm_removal=False, live=False) -> Outcome:
    """Make the scene's compositor its file. Refuses (changing nothing) what the command line's
    apply refuses without --prune (removing or retyping nodes apply did not build, dropping File
    Output inputs), unless `confirm_removal`; live, also to change a node group another scene
    uses."""
    from nodescript.blender import in_scene

    prep, refused = prepare(scene, force)
    if refused:
        return record(scene, refused)
    if not prep.changes:
        return record(scene, Outcome(True, f"scene {scene.name!r} is up to date"))
    lost = prep.changes.lost()
    if lost and not confirm_removal:
        return record(scene, Outcome(False, removal_question(prep.changes) + "; nothing changed",
                                     lost))
    elsewhere = prep.elsewhere() if live else []
    if elsewhere:
        return record(scene, Outcome(False, "live reload changes only this scene: "
                                     + "; ".join(elsewhere) + " (Apply it by hand)"))
    try:
        made, notes = in_scene.apply_prepared(prep)
    except in_scene.Refused as refused:
        return record(scene, Outcome(False, refused.message))
    return record(scene, Outcome(True, f"applied {made} changes to scene {scene.name!r}", notes))


def removal_question(changes) -> str:
    """What apply would take that the file does not carry (diff's losses, as the CLI says them,
    without the trees they are in: the list below the question has those)."""
    lost = [what for tree in changes.trees for what in tree.lost]
    shown = "; ".join(lost[:3]) + ("; ..." if len(lost) > 3 else "")
    return f"apply would remove {len(lost)} thing(s) the file does not carry: {shown}"


def check(scene) -> Outcome:
    """The drift: what apply would change, changing nothing."""
    prep, refused = prepare(scene, force=True)
    if refused:
        scene.nodescript.drift = -1
        return record(scene, refused)
    changes = prep.changes
    scene.nodescript.drift = changes.count()
    lines = prep.notes(copying=True) + changes.describe()
    where = f"scene {scene.name!r}"
    status = f"{where} would change ({changes.count()} changes)" if changes \
        else f"{where} is up to date"
    return record(scene, Outcome(True, status, lines))


def lint(scene) -> Outcome:
    """`nodescript lint SCENE.blend` on this scene: the findings name Blender's nodes."""
    from nodescript.blender import in_scene
    from nodescript.config import ConfigError

    try:
        found = in_scene.lint_scene(scene, _config(scene))
    except ConfigError as exc:
        return record(scene, Outcome(False, str(exc)))
    findings.fill(scene, found, "scene")
    counts = {s: sum(d.severity.value == s for d in found) for s in ("error", "warning", "info")}
    return record(scene, Outcome(True, f"{counts['error']} error(s), {counts['warning']} "
                                       f"warning(s), {counts['info']} info"))


def _config(scene):
    """[tool.nodescript] of the pyproject.toml above the scene's file (else above the .blend),
    as `nodescript lint` reads it from the folder it runs in."""
    import bpy

    from nodescript.config import Config, load_config

    start = graph_path(scene) or bpy.data.filepath
    return load_config(Path(start).parent) if start else Config()


def export(scene, path: str) -> Outcome:
    """Write the scene's compositor as `.nodes` text to `path` (the CLI's export text)."""
    from nodescript.blender.export import (ExportError, _blend_file_problem, export_scene,
                                           running_version)
    from nodescript.files import SourceError, output_problem, write_text

    from .props import set_file

    problem = (None if is_nodes(path) else "not a .nodes file") \
        or output_problem(path, []) or _blend_file_problem(path)
    if problem:
        return record(scene, Outcome(False, f"will not write {path}: {problem}"))
    try:
        text = export_scene(scene, version=running_version())
        write_text(path, text)
    except ExportError as exc:
        return record(scene, Outcome(False, str(exc)))
    except SourceError as exc:
        return record(scene, Outcome(False, f"{path}: {exc.reason}"))
    if not scene.nodescript.file:
        set_file(scene, path)
    return record(scene, Outcome(True, f"wrote {os.path.basename(path)}"))
