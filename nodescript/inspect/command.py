"""The `nodescript inspect` click command. Imports only click at module level: numpy, OpenEXR and
Pillow load when the command runs. Register with `main.add_command(inspect_command)`."""

from __future__ import annotations

import os
import sys

import click

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


DEPTH_FILE_CHANNELS = frozenset({"R", "G", "B", "V", "Y", "Z"})


def _metric(path: str, label: str, depth: bool) -> bool:
    """Metres: `--depth`, a channel named as depth, or a value channel of a file named depth."""
    from nodescript.inspect.report import is_depth

    if depth or is_depth(label):
        return True
    name = label.rsplit("/", 1)[-1]
    return "depth" in os.path.basename(path).lower() and name in DEPTH_FILE_CHANNELS


def _same_channels(image, channels: list[dict]) -> None:
    """Mark channels holding exactly the values of an earlier one of the same part (`same_as`),
    and explain the single-layer EXR whose R, G and B are one value."""
    import numpy as np

    def reading_order(i: int) -> tuple[int, int]:       # R before G and B (EXR sorts B, G, R)
        last = image.channels[i].name.rsplit(".", 1)[-1]
        return ("RGBAXYZ".find(last) if last in "RGBAXYZ" else 7, i)

    order = sorted(range(len(image.channels)), key=reading_order)
    for n, i in enumerate(order):
        ch = image.channels[i]
        for j in order[:n]:
            earlier = image.channels[j]
            if earlier.part == ch.part and earlier.pixels.dtype == ch.pixels.dtype \
                    and not channels[j].get("same_as") \
                    and np.array_equal(earlier.pixels, ch.pixels, equal_nan=True):
                channels[i]["same_as"] = earlier.label
                break
    rgb = [c for c in channels if c["name"] in ("R", "G", "B")]
    bases = {c.get("same_as") or c["label"] for c in rgb}
    if image.format == "OpenEXR" and len(rgb) == 3 and len(bases) == 1:
        from nodescript import dialects

        copies = [d.VERSION for d in dialects.all_dialects() if d.SINGLE_LAYER_EXR_VALUE_AS_RGB]
        one = [d.VERSION for d in dialects.all_dialects() if not d.SINGLE_LAYER_EXR_VALUE_AS_RGB]
        image.notes.append("R, G and B hold the same values: one value written to a "
                           f"single-layer EXR (Blender {copies[0]} on copies a float input into "
                           f"R, G and B; {', '.join(one)} writes one V channel)")


def inspect_file(path: str, truth=None, reference_path: str | None = None,
                 channel: str | None = None, fit: bool = False, depth: bool = False) -> dict:
    """One file's report as a dict; `error` is a one-line message when it failed."""
    from nodescript.inspect.image import InspectError, load_image

    result: dict = {"path": path, "ok": True, "error": None, "format": None, "width": None,
                    "height": None, "notes": [], "parts": [], "channels": [], "reference": None}
    try:
        image = load_image(path)
        from nodescript.inspect.stats import channel_stats

        channels = [channel_stats(ch) for ch in image.channels]
        for stats in channels:
            stats["metric"] = _metric(path, stats["label"], depth)
        _same_channels(image, channels)
        result.update(format=image.format, width=image.width, height=image.height,
                      notes=image.notes, parts=image.parts, channels=channels)
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
@click.option("--depth", is_flag=True,
              help="Every channel holds depth: print its values and steps in metres (channels "
                   "named Depth or Z, and R/G/B/V of files named *depth*, are without it).")
def inspect_command(files, as_json, reference, channel, fit, depth):
    """Show what rendered image files really hold: per channel a one-line verdict (the stored
    type, lossless or not, the quantization step, staircase or not), then the details: codec,
    range, distinct values, the type's step apart from the surface's slope per pixel.

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
        result = inspect_file(path, truth, reference, channel, fit, depth)
        results.append(result)
        if result["error"]:
            click.echo(f"{path}: error: {result['error']}", err=True)
        if not as_json and result["format"] is not None:
            click.echo(render_text(result))
    if as_json:
        click.echo(render_json(results))
    sys.exit(EXIT_FAILED if any(not r["ok"] for r in results) else EXIT_OK)
