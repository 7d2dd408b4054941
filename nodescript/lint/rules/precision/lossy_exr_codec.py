"""NS303 (lossy-exr-codec): see the rule's docstring below."""

from __future__ import annotations

from nodescript.diagnostics import Severity
from nodescript.lint import dataflow as df
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint.rules.precision.common import (Analysis, DWA_LOSSY_CHANNELS, EXR_FORMATS,
                                                    Problem, check, findings, for_slot, length,
                                                    pxr24_step)
from nodescript.lint.rules.precision.slots import (exr_channels, fix_edits, is_half, primary_pass,
                                                   reaches, slot_format, slot_span)


@check("NS303")
def check_codec(a: Analysis):
    for flow, slot in a.slots():
        fmt = slot_format(slot)
        codec = fmt.get("exr_codec")
        if fmt.get("file_format") not in EXR_FORMATS or codec is None:
            continue
        half = is_half(slot)
        p = primary_pass(slot.passes)
        channels = exr_channels(slot)
        if codec == "PXR24" and not half:
            if p == "Cryptomatte":
                loss = "the float ID hashes are changed"
            elif p in df.METRIC_PASSES:
                loss = f"{length(pxr24_step(a.range.far))} steps {a.range.at_far()}"
            else:
                loss = "relative errors up to 1.5e-5"
            detail = f"PXR24 rounds 32-bit floats to 24 bits: {loss}"
        elif codec in ("B44", "B44A") and half:
            detail = (f"{codec} packs each 4x4 block of half floats lossily: errors grow with the "
                      "spread inside a block, so they are largest at object edges (depth at 8-10 m: "
                      "1.1 mm mean, up to 58 mm, measured)")
        elif codec in ("DWAA", "DWAB"):
            lossy = [c for c in channels if c in DWA_LOSSY_CHANNELS]
            if not lossy:
                continue
            multilayer = fmt.get("file_format") == "OPEN_EXR_MULTILAYER"
            names = ", ".join(f"{slot.slot}.{c}" if multilayer else c for c in lossy)
            detail = (f"{codec} applies a lossy DCT (like JPEG) to channels named R, G, B or Y: "
                      f"here {names} (depth at 8-10 m: 9.2 mm mean, up to 164 mm, measured)")
        else:
            continue
        severity = for_slot(Severity.ERROR, slot)
        yield Problem("NS303", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{reaches(slot)} with the lossy {codec} codec. {detail}", slot_span(slot),
                      severity, "write codec=zip (lossless; piz, zips, rle and none are too)",
                      slot.node, fix_edits(flow, slot, "NS303"), slot_span(slot))


@rule("NS303", "lossy-exr-codec", Severity.ERROR,
      "A lossy EXR codec on the channels it really damages.", fixable=True)
def lossy_exr_codec(ctx: LintContext):
    """## What it does
    Finds data passes written with an EXR codec that loses information on those channels:
    PXR24 on 32-bit float channels (it rounds them to 24 bits), B44/B44A on half channels, and
    DWAA/DWAB on channels named R, G, B or Y: a vector's `Normal.Y`, any colour input, and in
    Blender 4.5/5.0 a float input of a single-layer EXR, which is copied into R, G and B.

    ## Why is this bad?
    Data values are compared exactly downstream; lossy codecs change them by amounts that depend
    on the image content, largest at object edges. Measured on the example scene's depth (8-10 m,
    through a colour socket; benchmarks/exr_codec_loss.py, the same in 4.2, 4.5 and 5.0), against
    32-bit ZIP:

    | codec | mean error | largest error |
    | --- | --- | --- |
    | PXR24, 32-bit | 0.027 mm | 0.12 mm |
    | ZIP, 16-bit (half float alone, for scale) | 0.94 mm | 3.9 mm |
    | B44 / B44A, 16-bit | 1.1 mm | 58 mm |
    | DWAA / DWAB, 16- or 32-bit | 9.2 mm | 164 mm |

    ## Example
    ```
    rl = RenderLayers()
    out = FileOutput(path="//data/", format=exr-multilayer, codec=dwaa)
    rl.Normal -> out.normal
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    out = FileOutput(path="//data/", format=exr-multilayer, codec=zip)
    rl.Normal -> out.normal
    ```

    ## Fix safety
    `--fix` writes `codec=zip`, which is lossless: always safe, files may get larger. Outputs
    marked `preview=true` are left alone.
    """
    return findings(ctx, "NS303")
