"""Nodes that clamp values on a data path, and how the clamped range reads in metres."""

from __future__ import annotations

import math

from nodescript import ir
from nodescript.lint import dataflow as df
from nodescript.lint import values
from nodescript.lint.rules.precision.common import num


def clamp_of(flow: df.Flow, node: ir.Node):
    """(clamped input interval or None, how it is described, help) if `node` clamps, else None."""
    binding = node.bindings[flow.version]
    props = binding.properties

    def constant(identifier):
        return flow.constant(node, identifier)

    if node.semantics == "MapRange":
        on = values.map_range_clamps(binding)
        declared = "clamp" in props or "use_clamp" in props
        if binding.idname == "ShaderNodeMapRange":
            why = "" if declared else " (on by default: Map Range is the shader node since 4.5)"
            help_ = "write clamp=false (4.x's use_clamp; either name works in every version)"
        else:
            why, help_ = "", "write use_clamp=false"
        if not on:
            return None
        lo, hi = constant("From Min"), constant("From Max")
        interval = (min(lo, hi), max(lo, hi)) if None not in (lo, hi) else None
        return interval, f"clamps to its From range{why}", help_
    if node.semantics == "MapValue":
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
    if node.semantics == "Math":
        bound = _math_bound(flow, node, props.get("operation", "ADD"))
        if bound is not None and not props.get("use_clamp", False):
            return bound
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
    if node.semantics == "Mix":
        if not (props.get("use_clamp", False) or props.get("clamp_result", False)):
            return None
        return None, "clamps its result to [0, 1]", "turn off the clamp"
    if node.semantics == "Clamp":
        lo, hi = constant("Min"), constant("Max")
        interval = (min(lo, hi), max(lo, hi)) if None not in (lo, hi) else None
        return interval, "clamps", "remove the Clamp node"
    return None


def _math_bound(flow: df.Flow, node: ir.Node, op: str):
    """Math Maximum/Minimum of a value and a constant: a one-sided clamp (5.0's emulation of
    Map Value's use_min/use_max is Multiply Add, then Maximum/Minimum)."""
    if op not in ("MAXIMUM", "MINIMUM"):
        return None
    links = flow.links_into(node.name)
    if len(links) != 1:
        return None
    ident = links[0].bindings[flow.version][1].identifier
    other = flow.constant(node, "Value_001" if ident == "Value" else "Value")
    if other is None:
        return None
    if op == "MAXIMUM":
        return (other, math.inf), f"keeps values of at least {num(other)} (Maximum)", \
            "remove the Maximum, or make sure nothing arrives below it"
    return (-math.inf, other), f"keeps values of at most {num(other)} (Minimum)", \
        "remove the Minimum, or make sure nothing arrives above it"
