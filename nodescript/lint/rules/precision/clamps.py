"""Nodes that clamp values on a data path, and how the clamped range reads in metres."""

from __future__ import annotations

import math

from nodescript import ir
from nodescript.lint import dataflow as df


def clamp_of(flow: df.Flow, node: ir.Node):
    """(clamped input interval or None, how it is described, help) if `node` clamps, else None."""
    binding = node.bindings[flow.version]
    props = binding.properties

    def constant(identifier):
        return flow.constant(node, identifier)

    if node.kind == "MapRange":
        if binding.idname == "ShaderNodeMapRange":
            on = props.get("clamp", True)
            why = " (on by default: Map Range is the shader node since 4.5)" if "clamp" not in props else ""
            help_ = "write clamp=false (4.x's use_clamp; either name works in every version)"
        else:
            on, why = props.get("use_clamp", False), ""
            help_ = "write use_clamp=false"
        if not on:
            return None
        lo, hi = constant("From Min"), constant("From Max")
        interval = (min(lo, hi), max(lo, hi)) if None not in (lo, hi) else None
        return interval, f"clamps to its From range{why}", help_
    if node.kind == "MapValue":
        use_min, use_max = props.get("use_min", False), props.get("use_max", False)
        if not (use_min or use_max):
            return None
        size, offset = df.scalar(props.get("size", 1.0)), df.scalar(props.get("offset", 0.0))
        lo = df.scalar(props.get("min", 0.0)) if use_min else -math.inf
        hi = df.scalar(props.get("max", 1.0)) if use_max else math.inf
        interval = None
        if size:
            ends = sorted((lo / size - offset, hi / size - offset))
            interval = (ends[0], ends[1])
        return interval, "clamps its result (use_min/use_max)", "turn off use_min and use_max"
    if node.kind == "Math":
        if not props.get("use_clamp", False):
            return None
        interval = None
        op = props.get("operation", "ADD")
        links = flow.links_into(node.name)
        if len(links) == 1 and links[0].bindings[flow.version][1].identifier == "Value":
            c = constant("Value_001")
            if c is not None:
                interval = {"ADD": (-c, 1 - c), "SUBTRACT": (c, 1 + c),
                            "MULTIPLY": tuple(sorted((0, 1 / c))) if c else None,
                            "DIVIDE": tuple(sorted((0, c))) if c else None}.get(op)
        return interval, "clamps its result to [0, 1] (use_clamp)", "write use_clamp=false"
    if node.kind == "Mix":
        if not (props.get("use_clamp", False) or props.get("clamp_result", False)):
            return None
        return None, "clamps its result to [0, 1]", "turn off the clamp"
    if node.kind == "Clamp":
        lo, hi = constant("Min"), constant("Max")
        interval = (min(lo, hi), max(lo, hi)) if None not in (lo, hi) else None
        return interval, "clamps", "remove the Clamp node"
    return None
