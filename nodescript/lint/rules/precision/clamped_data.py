"""NS305 (clamped-data): see the rule's docstring below."""

from __future__ import annotations

import math

from nodescript.diagnostics import Severity
from nodescript.lint import dataflow as df
from nodescript.lint.context import LintContext
from nodescript.lint.registry import rule
from nodescript.lint import values
from nodescript.lint.rules.precision import mapped
from nodescript.lint.rules.precision.clamps import clamp_of
from nodescript.lint.rules.precision.common import (CLAMPING_KINDS, FLOAT_FORMATS, FORMAT_NAMES,
                                                    Analysis, Problem, check, findings,
                                                    for_sinks, for_slot, metres_text, num,
                                                    round_to)
from nodescript.lint.rules.precision.slots import bit_depth, reaches as _reaches, slot_format, \
    slot_span


@check("NS305")
def check_clamp(a: Analysis):
    yield from node_clamps(a)
    yield from file_clamps(a)


def node_clamps(a: Analysis):
    clamps = lambda flow, node: clamp_of(flow, node) is not None      # noqa: E731
    for flow, node, passes, sinks in a.data_nodes(CLAMPING_KINDS, clamps):
        found = clamp_of(flow, node)
        if found is None:
            continue
        interval, how, help_ = found
        detail = f"values outside [{num(interval[0])}, {num(interval[1])}] are flattened" \
            if interval else "values outside its range are flattened"
        data = flow.data_inputs(node.name)
        arriving = flow.transfer(data[0]) if len(data) == 1 else None
        if interval and arriving and arriving.source in df.DEPTH_PASSES and a.range.declared:
            sampled = values.sample(arriving, a.range.near, a.range.far)
            kept = sampled.survives(*interval)
            if kept >= 0.999:
                continue                   # the whole expected range passes unchanged
            inside = values.ranges(arriving, a.range.near, a.range.far,
                                   lambda v: interval[0] <= v <= interval[1])
            what = ", ".join(metres_text((round_to(lo), round_to(hi))) for lo, hi in inside)
            what = f"{what} ({kept:.0%})" if inside else "none"
            detail = f"only {what} of the expected range {a.range.over()} passes unchanged"
        elif interval:
            linear = flow.linear(data[0]) if len(data) == 1 else None
            if linear and linear[0] in df.METRIC_PASSES and linear[1]:
                p, scale, offset, _ = linear
                ends = sorted(((interval[0] - offset) / scale, (interval[1] - offset) / scale))
                if p in df.DEPTH_PASSES and ends[0] <= 0 and math.isinf(ends[1]):
                    continue               # depth is never negative: nothing is cut
                detail = f"only {metres_text(ends)} passes unchanged"
        severity = for_sinks(Severity.ERROR, sinks)
        yield Problem("NS305", ("node", node.span), flow.version,
                      f"{node.kind} `{node.name}` {how}, cutting {df.describe_passes(passes)}: "
                      f"{detail}", node.span, severity, help_)


def file_clamps(a: Analysis):
    """An integer file clamps to [0, 1]: the part of the scene's depth range the graph maps
    outside it is flattened (with a declared range: the message says how much survives)."""
    if not a.range.declared:
        return
    for flow, slot in a.slots():
        fmt = slot_format(slot)
        if fmt.get("file_format") in FLOAT_FORMATS:
            continue
        transfer = flow.transfer(slot.link)
        if transfer is None or transfer.identity or transfer.source not in df.DEPTH_PASSES:
            continue
        found = mapped.depth_in_file(a, transfer, bit_depth(fmt))
        if found.survives >= 0.999:
            continue
        kind = FORMAT_NAMES.get(fmt.get("file_format", ""), fmt.get("file_format", ""))
        lo, hi = found.out_range
        yield Problem("NS305", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{_reaches(slot)} as {kind}, which clamps to [0, 1]: the graph maps "
                      f"{a.range.over()} to {num(round(lo, 4))}-{num(round(hi, 4))}, so only "
                      f"{found.survives:.0%} of the range survives "
                      f"({mapped.saturation_text(found)})", slot_span(slot),
                      for_slot(Severity.ERROR, slot),
                      "map the scene's whole depth range into [0, 1] (or write OpenEXR, which "
                      "does not clamp)")


@rule("NS305", "clamped-data", Severity.ERROR,
      "A clamp that cuts the range of a data pass (warning when it only reaches previews).")
def clamped_data(ctx: LintContext):
    """## What it does
    Finds clamping on a data path: Map Value `use_min`/`use_max`, Math `use_clamp`, Math
    Maximum/Minimum with a constant (5.0's emulation of Map Value's min/max), Mix clamp, Clamp
    nodes and Map Range with its clamp on. Map Range clamps **by default in Blender 4.5 and
    5.0** (the shader node their Add menus build) unless `clamp=false` is written; 4.2's Map
    Range, and 4.5's legacy CompositorNodeMapRange kept in old files
    (`Node("CompositorNodeMapRange")`), have `use_clamp` off by default. When the scene declares `depth_range` (or the camera clip range) the values are
    followed from the pass through the graph: a clamp that keeps the whole range is not
    reported, one that cuts it says which part of the range passes unchanged.

    Also reports an integer File Output (PNG, TIFF, ...) whose [0, 1] clamp flattens part of
    the declared range after the graph's mapping (a Map Range 0-10 m with a scene at 8-16 m:
    only 25 % survives), or all of it (a scene at 8-10 m mapped to 10.58-13.4).

    ## Why is this bad?
    Values outside the clamp range are flattened to its ends: distant surfaces all get the same
    depth and the information is gone.

    ## Example
    ```
    target "5.0"
    rl = RenderLayers()
    rl.Depth -> MapRange(from_min=0, from_max=20) -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    target "5.0"
    rl = RenderLayers()
    rl.Depth -> MapRange(from_min=0, from_max=20, clamp=false) -> FileOutput(path="//depth/")
    ```
    """
    return findings(ctx, "NS305")
