"""Export: a scene's compositor (bpy objects) -> canonical `.nodes` text.

`export_scene(scene, version=...)` reads the scene's tree (4.x `scene.node_tree`, 5.0
`scene.compositing_node_group`), its node groups and the scene settings the graph depends on,
and writes one `name = Kind(...)` statement per node, then one `a.Out -> b.In` line per link.
Only values that differ from what nodescript would build anyway are written: catalogue defaults
for node properties and unlinked inputs, nodescript's own defaults for File Output.

Nodes the apply side built to emulate a kind this version lacks carry a JSON tag
(`node["nodescript"]`, see nodescript.blender.plan.TAG) and fold back into one vocabulary node:
5.0's Math chain into MapValue, 5.0's Group Output into Composite. The same property keeps
`preview=true` (a mark Blender has no place for) on any node. What the language cannot say
(muted links, ...) is listed in `# export:` comments at the top, so a reader knows what the
text leaves out. Colour-ramp stops and curve points are settings like any other
(`stops=[...]`, `c=[...]`), written when they differ from a fresh node's; an input with its
own format is written on its link (`out.preview(format=png)`).

bpy is imported inside functions only: importing this module works without Blender.

The work is split: export_scene (one scene), export_tree (one tree), export_file_output
(File Output nodes), export_text (values, names, socket references).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from nodescript import catalog, dialects
from nodescript.blender import compositor
from nodescript.blender.export_scene import SceneExporter

__all__ = ["ExportError", "ExportedScene", "export_command", "export_file",
           "export_file_with_names", "export_scene", "export_scene_with_names"]


class ExportError(Exception):
    """The scene cannot be exported (no such scene, unsupported Blender); one line."""


@dataclass
class ExportedScene:
    """Export's text and the Blender names behind it, so lint can report in Blender's terms."""

    text: str
    version: str
    scene: str                                       # the Blender scene's name
    view_layer: str | None                           # its first view layer (passes are set there)
    # (nodescript group name or None for the scene's tree, nodescript node name) -> the Blender
    # node names it stands for (several for an emulation, the main one first)
    nodes: dict[tuple[str | None, str], tuple[str, ...]] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)   # nodescript group -> node tree name
    effect: str | None = None          # 5.3: the compositor effect, when the scene has several
    depth_bounds: tuple[float, float] | None = None  # what the camera sees (scene_bounds.py)

# --- entry points ---------------------------------------------------------------------------

def export_file(blend_path, scene_name: str | None = None, effect: str | None = None,
                pin_layout: bool = False) -> str:
    """Open `blend_path` (scripts disabled, never saved) and export one scene (default: active);
    with compositor effects (5.3), one effect (default: the only or active one). `pin_layout`:
    every node's location is written (`at=`)."""
    return export_file_with_names(blend_path, scene_name, effect, pin_layout).text


def export_file_with_names(blend_path, scene_name: str | None = None,
                           effect: str | None = None, pin_layout: bool = False) -> ExportedScene:
    """export_file, with the Blender names of what each line of the text stands for."""
    from nodescript.process import c_stdout_silenced

    # Blender's own printing ("Read blend", RNA warnings while properties are read) would land
    # in the printed text or in `lint --format json`: none of it reaches stdout.
    with c_stdout_silenced():
        return _export_quietly(blend_path, scene_name, effect, pin_layout)


def _export_quietly(blend_path, scene_name: str | None, effect: str | None,
                    pin_layout: bool) -> ExportedScene:
    try:
        import bpy
    except ImportError:
        from nodescript.dialects import install_hint

        raise ExportError(f"exporting needs Blender's Python module: {install_hint()}") from None
    from nodescript.blender.safe_io import open_blend

    # Opening an older file upgrades it in memory only: export never saves.
    open_blend(blend_path, allow_upgrade=True)
    scene = _pick_scene(bpy, scene_name, str(blend_path))
    return export_scene_with_names(scene, version=running_version(), effect=effect,
                                   pin_layout=pin_layout)


def export_file_rendering_effects(blend_path, scene_name: str | None = None) -> list[ExportedScene]:
    """One export per compositor effect a render runs, in render order (5.3; one export of the
    scene's compositor in other versions): what `lint SCENE.blend` audits."""
    from nodescript.process import c_stdout_silenced

    first = export_file_with_names(blend_path, scene_name)   # opens the file, checks the scene
    with c_stdout_silenced():
        return _effect_exports(first, scene_name, str(blend_path))


def _effect_exports(first: ExportedScene, scene_name: str | None, path: str) -> list[ExportedScene]:
    import bpy

    scene = _pick_scene(bpy, scene_name, path)
    version = running_version()
    effects = compositor.effects(scene, dialects.get(version))
    running = [e for e in effects if e.for_render and e.tree is not None]
    if not dialects.get(version).COMPOSITOR_EFFECTS or len(effects) <= 1:
        return [first]
    found = []
    for effect in running:
        exported = export_scene_with_names(scene, version=version, effect=effect.name)
        exported.effect = effect.name
        found.append(exported)
    return found


def running_version() -> str:
    import bpy

    version = f"{bpy.app.version[0]}.{bpy.app.version[1]}"
    if version not in catalog.supported_versions():
        raise ExportError(f"Blender {version} is not supported; nodescript knows "
                          f"{', '.join(catalog.supported_versions())}")
    return version


def _pick_scene(bpy, name: str | None, path: str):
    scenes = list(bpy.data.scenes)
    if name is None:
        active = getattr(bpy.context, "scene", None)
        return active if active is not None and active in scenes else scenes[0]
    for scene in scenes:
        if scene.name == name:
            return scene
    names = ", ".join(f'"{s.name}"' for s in scenes)
    raise ExportError(f'{path}: no scene "{name}"; the file has {names}')


def export_scene(scene, *, version: str, effect: str | None = None,
                 pin_layout: bool = False) -> str:
    """The scene's compositor as canonical `.nodes` text for Blender `version` ("4.2", ...)."""
    return export_scene_with_names(scene, version=version, effect=effect,
                                   pin_layout=pin_layout).text


def export_scene_with_names(scene, *, version: str, effect: str | None = None,
                            pin_layout: bool = False) -> ExportedScene:
    """export_scene, with the Blender names of what each line of the text stands for."""
    from nodescript.fmt import format_source

    if version not in catalog.supported_versions():
        raise ExportError(f"no catalogue for Blender {version}; nodescript knows "
                          f"{', '.join(catalog.supported_versions())}")
    exporter = SceneExporter(scene, version, effect, pin_layout)
    try:
        text = format_source(exporter.run())
    except compositor.CompositorError as exc:
        raise ExportError(str(exc)) from None
    layer = scene.view_layers[0].name if len(scene.view_layers) else None
    from nodescript.blender.scene_bounds import depth_bounds

    return ExportedScene(text, version, scene.name, layer, exporter.sources, exporter.group_trees,
                         depth_bounds=depth_bounds(scene))


@click.command("export")
@click.argument("blend", type=click.Path(dir_okay=False))
@click.option("--scene", "scene_name", metavar="NAME",
              help="Scene to export (default: the active one).")
@click.option("--effect", metavar="NAME",
              help=f"Blender {dialects.first_with('COMPOSITOR_EFFECTS')}+: the compositor effect to "
                   "export (default: the only or active one).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE.nodes",
              help="Write here instead of printing.")
@click.option("--pin-layout", is_flag=True,
              help="Write every node's location (`at=`), so apply puts nodes where they are "
                   "(default: the layout stays the user's).")
def export_command(blend, scene_name, effect, output, pin_layout):
    """Write a .blend scene's compositor as a `.nodes` file (needs bpy)."""
    from nodescript.blender.blendfile import BlendError
    from nodescript.blender.needs_bpy import bpy_missing

    if bpy_missing("export"):
        error = click.ClickException(bpy_missing("export"))
        error.exit_code = 2             # as apply and render: a Blender error, not a finding
        raise error
    from nodescript.files import SourceError, output_problem, write_text

    problem = output and (output_problem(output, [blend]) or _blend_file_problem(output))
    if problem:
        raise click.UsageError(f"will not write {output}: {problem}")
    try:
        text = export_file(blend, scene_name, effect, pin_layout)
    except (ExportError, BlendError) as exc:
        raise click.ClickException(str(exc)) from None
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_text(output, text)
    except SourceError as exc:
        raise click.ClickException(f"{output}: {exc.reason}") from None
    click.echo(f"wrote {output}")


_BLEND_MAGIC = (b"BLENDER", b"\x28\xb5\x2f\xfd", b"\x1f\x8b")    # plain, zstd, gzip


def _blend_file_problem(output: str) -> str | None:
    """An existing .blend is never replaced by text (`export S.blend -o S.blend` lost scenes)."""
    try:
        with open(output, "rb") as file:
            is_blend = file.read(7).startswith(_BLEND_MAGIC) or output.endswith(".blend")
    except OSError:
        return None
    return "it is a .blend file" if is_blend else None


