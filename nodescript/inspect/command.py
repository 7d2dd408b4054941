"""The `nodescript inspect` click command. Imports only click at module level: numpy, OpenEXR and
Pillow load when the command runs. Register with `main.add_command(inspect_command)`."""

from __future__ import annotations

import sys

import click

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def inspect_file(path: str, truth=None, reference_path: str | None = None,
                 channel: str | None = None, fit: bool = False) -> dict:
    """One file's report as a dict; `error` is a one-line message when it failed."""
    from nodescript.inspect.image import InspectError, load_image

    result: dict = {"path": path, "ok": True, "error": None, "format": None, "width": None,
                    "height": None, "notes": [], "parts": [], "channels": [], "reference": None}
    try:
        image = load_image(path)
        from nodescript.inspect.stats import channel_stats

        result.update(format=image.format, width=image.width, height=image.height,
                      notes=image.notes, parts=image.parts,
                      channels=[channel_stats(ch) for ch in image.channels])
    except InspectError as exc:
        return {**result, "ok": False, "error": str(exc)}
    except Exception as exc:  # never a traceback: report what broke, on one line
        first = str(exc).splitlines()[0] if str(exc) else ""
        return {**result, "ok": False, "error": f"internal error: {type(exc).__name__}: {first}"}

    if truth is not None:
        from nodescript.inspect.reference import compare, pick_channel
        from nodescript.inspect.stats import values_of

        ref: dict = {"path": reference_path, "channel": None}
        try:
            picked = pick_channel(image, channel)
            ref["channel"] = picked.label
            exclude = None
            if fit and picked.kind == "int":      # clamped pixels carry no scale to fit
                exclude = (picked.pixels == 0) | (picked.pixels == picked.full_scale)
            ref.update(compare(values_of(picked), truth, fit=fit, exclude=exclude))
        except InspectError as exc:
            ref["error"] = str(exc)
            result.update(ok=False, error=f"reference: {exc}")
        except Exception as exc:
            ref["error"] = f"internal error: {type(exc).__name__}: {exc}"
            result.update(ok=False, error=f"reference: {ref['error']}")
        result["reference"] = ref
    return result


@click.command("inspect")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of per-file objects.")
@click.option("--reference", type=click.Path(exists=True, dir_okay=False),
              help="Known truth (.npy 2-D array or .exr) to measure errors against.")
@click.option("--channel", metavar="NAME",
              help="Channel compared with --reference (default: the first named ...Z, then ...V, "
                   "...Depth, ...R; else the first).")
@click.option("--fit", is_flag=True,
              help="With --reference: fit value = scale * truth + offset before comparing "
                   "(normalized 8/16-bit depth).")
def inspect_command(files, as_json, reference, channel, fit):
    """Show what rendered image files really hold: per channel the stored type, codec (lossy or
    not), range, distinct values, quantization step and a staircase verdict.

    Reads OpenEXR (single-part, multi-part, multilayer), PNG and TIFF. Exit status 0 when every
    file was read, 1 when any failed (missing, corrupt, unsupported, reference mismatch), 2 on
    usage errors. See docs/inspect.md.
    """
    if (channel or fit) and not reference:
        raise click.UsageError("--channel and --fit need --reference")
    truth = None
    if reference:
        from nodescript.inspect.image import InspectError
        from nodescript.inspect.reference import load_reference

        try:
            truth, _label = load_reference(reference, channel)
        except InspectError as exc:
            raise click.BadParameter(f"{reference}: {exc}", param_hint="--reference") from None
        except Exception as exc:
            raise click.BadParameter(f"{reference}: {type(exc).__name__}: {exc}",
                                     param_hint="--reference") from None

    from nodescript.inspect.report import render_json, render_text

    results = []
    for path in files:
        result = inspect_file(path, truth, reference, channel, fit)
        results.append(result)
        if result["error"]:
            click.echo(f"{path}: error: {result['error']}", err=True)
        if not as_json and result["format"] is not None:
            click.echo(render_text(result))
    if as_json:
        click.echo(render_json(results))
    sys.exit(EXIT_FAILED if any(not r["ok"] for r in results) else EXIT_OK)
