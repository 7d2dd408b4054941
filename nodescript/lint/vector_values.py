"""Values through vector and colour nodes, one component at a time (nodescript.lint.values).

A chain into a vector or colour socket is followed per component: `n * 0.5 + 0.5` through Vector
Math maps each of a normal's components from -1..1 to 0..1, and a depth put into Combine XYZ's X
keeps its range in the vector's first component. Separate XYZ / Color pick a component, Combine
XYZ / Color (RGB) take it from the input of that component, Vector Math applies its operation
per component with the constants' component. A component that a constant feeds carries no pass.
"""

from __future__ import annotations

from typing import Callable

from nodescript import ir, vocabulary
from nodescript.lint import values

SEPARATE_KINDS = frozenset({"SeparateXYZ", "SeparateColor"})
COMBINE_KINDS = frozenset({"CombineXYZ", "CombineColor"})
VECTOR_INPUTS = ("Vector", "Vector_001", "Vector_002")
# Vector Math operation -> the scalar Math operation it applies to each component (node_math.h).
PER_COMPONENT = {"ADD": "ADD", "SUBTRACT": "SUBTRACT", "MULTIPLY": "MULTIPLY",
                 "DIVIDE": "DIVIDE", "MULTIPLY_ADD": "MULTIPLY_ADD", "ABSOLUTE": "ABSOLUTE",
                 "MINIMUM": "MINIMUM", "MAXIMUM": "MAXIMUM", "FLOOR": "FLOOR", "CEIL": "CEIL",
                 "FRACTION": "FRACT", "MODULO": "MODULO", "WRAP": "WRAP", "SNAP": "SNAP",
                 "SINE": "SINE", "COSINE": "COSINE", "TANGENT": "TANGENT", "POWER": "POWER",
                 "SIGN": "SIGN"}


def _rgb(node: ir.Node, version: str) -> bool:
    return node.bindings[version].properties.get("mode", "RGB") == "RGB"


def separate(flow, node: ir.Node, link: ir.Link) -> tuple[ir.Link, int] | None:
    """(the link into the vector or colour input, the component the output picks)."""
    index = link.bindings[flow.version][0].index
    data = [i for i in flow.links_into(node.name) if flow.out_passes(i)]
    if not _rgb(node, flow.version) or index > 2 or len(data) != 1:
        return None                          # alpha, HSV/YUV modes: not one component
    return data[0], index


def combine(flow, node: ir.Node, component: int) -> ir.Link | None:
    """The link into the input that makes `component`, when it carries a pass."""
    spec = vocabulary.spec_for(node.kind, flow.version)
    if spec is None or not _rgb(node, flow.version) or component >= len(spec[0].inputs):
        return None
    into = flow.link_into(node.name, spec[0].inputs[component].identifier)
    return into if into is not None and flow.out_passes(into) else None


def _constant(flow, node: ir.Node, identifier: str, component: int) -> float | None:
    """One component of an unlinked vector input (or a float input's value)."""
    if flow.link_into(node.name, identifier) is not None:
        return flow.constant(node, identifier)          # a group input holding a constant
    spec = vocabulary.spec_for(node.kind, flow.version)
    defaults = {s.identifier: s.default for s in spec[0].inputs} if spec else {}
    value = node.bindings[flow.version].inputs.get(identifier, defaults.get(identifier))
    if isinstance(value, (tuple, list)):
        return float(value[component]) if component < len(value) else None
    return float(value) if isinstance(value, (int, float)) else None


def vector_math(flow, node: ir.Node, out: ir.SocketBinding, into: ir.Link,
                component: int | None) -> Callable[[float], float] | None:
    """The function Vector Math applies to `component` of the vector arriving on `into`.
    Without a component (a vector read as one value), only when every component would get the
    same function."""
    if out.identifier != "Vector":
        return None                          # Dot Product, Length, Distance: not per component
    op = PER_COMPONENT.get(node.bindings[flow.version].properties.get("operation", "ADD"))
    ident = into.bindings[flow.version][1].identifier
    if node.bindings[flow.version].properties.get("operation") == "SCALE":
        if ident != "Vector":
            return None
        scale = flow.constant(node, "Scale")
        return None if scale is None else values._affine(scale, 0.0)
    if op is None or ident not in VECTOR_INPUTS:
        return None
    if component is None:
        per = [_operands(flow, node, ident, c) for c in range(3)]
        if None in per or any(p != per[0] for p in per):
            return None
        component = 0
    operands = _operands(flow, node, ident, component)
    if operands is None:
        return None
    return _apply(op, operands, VECTOR_INPUTS.index(ident))


def _operands(flow, node, ident, component) -> tuple[float, ...] | None:
    found = tuple(0.0 if i == ident else _constant(flow, node, i, component)
                  for i in VECTOR_INPUTS)
    return None if None in found else found


def _apply(op: str, operands: tuple[float, ...], at: int) -> Callable[[float], float]:
    fn = values.MATH[op]

    def apply(x: float) -> float:
        args = list(operands)
        args[at] = x
        return fn(*args)

    if op in ("ADD", "SUBTRACT", "MULTIPLY", "MULTIPLY_ADD") or \
            (op == "DIVIDE" and at == 0 and operands[1] != 0):
        return values._affine(apply(1.0) - apply(0.0), apply(0.0))
    return apply
