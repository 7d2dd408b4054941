"""The `apply` and `render` commands (loaded lazily by nodescript.cli); bpy is imported only when
one of them runs."""

from __future__ import annotations

import sys

import click

from nodescript.dialects import first_with


def _echo_err(text: str) -> None:
    click.echo(text, err=True)


def _require_bpy(command: str) -> None:
    from nodescript.blender.needs_bpy import bpy_missing

    missing = bpy_missing(command)
    if missing:
        _echo_err(missing)
        sys.exit(2)                 # as a file or Blender error


@click.command()
@click.argument("scene_blend", type=click.Path(dir_okay=False))
@click.argument("graph", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the result here instead of over SCENE_BLEND.")
@click.option("--scene", "scene_name", help="Scene to change (default: the file's active scene).")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the scene differs from GRAPH.")
@click.option("--force", is_flag=True, help="Apply despite precision errors (NS3xx); other errors always stop.")
@click.option("--prune", is_flag=True,
              help="Delete nodes GRAPH does not have that apply did not build (without it, apply "
                   "stops and lists them).")
@click.option("--allow-upgrade", is_flag=True,
              help="Accept a .blend saved by an older Blender (it is saved in this version's format).")
@click.option("--effect", metavar="NAME",
              help=f"Blender {first_with('COMPOSITOR_EFFECTS')}+: the compositor effect to make GRAPH (default: the graph's "
                   "`effect`, else the scene's only or active effect; the others are left alone).")
def apply(scene_blend, graph, output, scene_name, dry_run, check, force, prune, allow_upgrade,
          effect):
    """Make SCENE_BLEND's compositor exactly GRAPH (a .nodes file), and set its scene settings.

    Applying twice changes nothing. Writing in place keeps the previous file as `.blend1`; files
    are written atomically and scripts in the .blend never run. Exit status: 0 done or up to
    date, 1 lint errors (precision errors only without --force) or the scene differs
    (--check), 2 file or Blender errors, or nodes of yours GRAPH does not have (without --prune).
    Warnings, and findings on preview=true outputs, never stop.
    """
    _require_bpy("apply")
    from nodescript.blender import apply as apply_module

    opts = apply_module.Options(scene_blend, graph, scene_name, output, dry_run, check, force,
                                allow_upgrade, effect, prune)
    sys.exit(apply_module.run(opts, click.echo, _echo_err))


@click.command()
@click.argument("scene_blend", type=click.Path(dir_okay=False))
@click.argument("graph", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--frames", help="Frames to render: 5, 1-3 or 1,4,9 (default: the current frame).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Write every File Output (as OUT/<node name>/...) and the render result "
                   "(OUT/render/...) under this folder.")
@click.option("--scene", "scene_name", help="Scene to render (default: the file's active scene).")
@click.option("--force", is_flag=True, help="Render despite precision errors (NS3xx) in GRAPH.")
@click.option("--allow-upgrade", is_flag=True, help="Accept a .blend saved by an older Blender.")
@click.option("--effect", metavar="NAME",
              help=f"Blender {first_with('COMPOSITOR_EFFECTS')}+: the compositor effect GRAPH is "
                   "applied to (as apply --effect).")
def render(scene_blend, graph, frames, out_dir, scene_name, force, allow_upgrade, effect):
    """Render SCENE_BLEND, with GRAPH applied in memory if given (the .blend is never written).

    Prints every file written; exits 1 if a File Output that should have written a file did not.
    """
    _require_bpy("render")
    from nodescript.blender import render as render_module

    opts = render_module.Options(scene_blend, graph, scene_name, frames, out_dir, force,
                                 allow_upgrade, effect)
    sys.exit(render_module.run(opts, click.echo, _echo_err))

