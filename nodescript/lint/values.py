"""What a data pass's values become on the way to an output: the chain of per-pixel functions
between a Render Layers pass and a link, and the scene's values sampled through it.

The precision rules size their messages with it: the depth step a Map Range 0-20 m leaves in an
8-bit PNG (78 mm), the part of the scene's depth range a chain saturates, what a group or 5.0's
Math emulation of Map Value (multiply-add, then maximum) does. A chain is followed through
Reroute, Map Value, Map Range (float; linear, stepped, smoothstep), Math (every operation that
maps one value to one value, with its clamp), Clamp, Combine Color/XYZ with one data input (the
channel that carries it) and node groups (into their bodies and out again). Vector and colour
values are followed one component at a time (`component`) through Separate and Combine XYZ /
Color and Vector Math (nodescript.lint.vector_values). Anything else (Normalize, filters, a
node mixing two data inputs) ends the chain: `transfer` returns None.

Rather than carrying intervals node by node (which loses the saturation points of non-monotonic
operations such as modulo or ping-pong), the scene's range is sampled and every sample is run
through the chain: the interval of the result, the fraction of the range that is not flattened,
and the local step per output level all come from the samples.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

from nodescript import ir
from nodescript.vocabulary import fold

SAMPLES = 257           # samples over the scene's range; edges are refined by bisection (ranges)


def _affine(a: float, b: float) -> Callable[[float], float]:
    fn = lambda x: a * x + b      # noqa: E731
    fn.affine = (a, b)
    return fn


@dataclass(frozen=True)
class Transfer:
    """`source` pass -> (functions, in order) -> the value on the link."""

    source: str
    steps: tuple[tuple[str, Callable[[float], float]], ...]     # (node name, function)
    component: int | None = None     # the pass's component it starts from (Normal's x: 0)

    @property
    def nodes(self) -> list[str]:
        return [name for name, _ in self.steps]

    @functools.cached_property
    def compiled(self) -> tuple[Callable[[float], float], ...]:
        """The functions with runs of affine ones folded into one (a chain of ten Math adds
        is one multiply-add): sampling cost follows the non-linear steps only."""
        out: list = []
        run: tuple[float, float] | None = None
        for _, fn in self.steps:
            affine = getattr(fn, "affine", None)
            if affine is not None:
                a, b = affine
                run = (a, b) if run is None else (a * run[0], a * run[1] + b)
                continue
            if run is not None:
                out.append(_affine(*run))
                run = None
            out.append(fn)
        if run is not None:
            out.append(_affine(*run))
        return tuple(out)

    def __call__(self, x: float) -> float:
        for fn in self.compiled:
            x = fn(x)
        return x

    @property
    def identity(self) -> bool:
        return not self.steps


@dataclass(frozen=True)
class Sampled:
    """The scene's range [lo, hi] sampled through a chain and an output's [0, 1] clamp."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]

    @property
    def out_range(self) -> tuple[float, float]:
        finite = [y for y in self.ys if math.isfinite(y)]
        return (min(finite), max(finite)) if finite else (math.nan, math.nan)

    def kept(self, lo: float = 0.0, hi: float = 1.0) -> list[bool]:
        """Per sample interval: whether the output still changes there once clamped to
        [lo, hi] (False where it saturates or the chain is flat)."""
        memo = self.__dict__.setdefault("_kept", {})
        if (lo, hi) not in memo:
            clamp = [min(max(y, lo), hi) if math.isfinite(y) else hi for y in self.ys]
            memo[(lo, hi)] = [a != b for a, b in zip(clamp, clamp[1:])]
        return memo[(lo, hi)]

    def survives(self, lo: float = 0.0, hi: float = 1.0) -> float:
        """The fraction of the range whose values stay distinct after the [lo, hi] clamp."""
        kept = self.kept(lo, hi)
        return sum(kept) / len(kept) if kept else 0.0

    def steps(self, levels: int, lo: float = 0.0, hi: float = 1.0) -> tuple[float, float] | None:
        """(smallest, largest) input change per output level where the output is not flattened:
        the quantization step in the pass's units (metres for depth)."""
        found = []
        for i, keep in enumerate(self.kept(lo, hi)):
            if keep:
                dy = abs(self.ys[i + 1] - self.ys[i]) * levels / (hi - lo)
                found.append((self.xs[i + 1] - self.xs[i]) / dy)
        return (min(found), max(found)) if found else None


def sample(transfer: Transfer, lo: float, hi: float, count: int = SAMPLES) -> Sampled:
    xs = tuple(lo + (hi - lo) * i / (count - 1) for i in range(count))
    return Sampled(xs, tuple(evaluate(transfer, x) for x in xs))


def ranges(transfer: Transfer, lo: float, hi: float, where: Callable[[float], bool],
           sampled: Sampled | None = None) -> list[tuple[float, float]]:
    """The parts of [lo, hi] where `where(value)` holds for the chain's value, their ends found
    by bisection between samples (to about 1e-9 of the range)."""
    sampled = sampled or sample(transfer, lo, hi)
    inside = [where(y) for y in sampled.ys]
    found: list[tuple[float, float]] = []
    start = sampled.xs[0] if inside[0] else None
    for i in range(1, len(inside)):
        if inside[i] == inside[i - 1]:
            continue
        edge = _edge(transfer, sampled.xs[i - 1], sampled.xs[i], where, inside[i - 1])
        if inside[i]:
            start = edge
        else:
            found.append((start, edge))
            start = None
    if start is not None:
        found.append((start, sampled.xs[-1]))
    return found


def _edge(transfer, a: float, b: float, where, at_a: bool) -> float:
    for _ in range(40):
        mid = (a + b) / 2
        if where(evaluate(transfer, mid)) == at_a:
            a = mid
        else:
            b = mid
    return (a + b) / 2


def evaluate(fn, x: float) -> float:
    """fn(x) as a float; inf when Python raises (an overflow, a domain MATH does not guard)."""
    try:
        y = fn(x)
    except (OverflowError, ValueError, ZeroDivisionError):
        return math.inf
    return float(y) if isinstance(y, (int, float)) else math.nan


# --- one node: the function it applies to the value arriving on one input ------------------

def _clamp01(v: float) -> float:
    return min(max(v, 0.0), 1.0)


def _safe_div(a: float, b: float) -> float:
    return a / b if b != 0 else 0.0


def _safe_pow(a: float, b: float) -> float:
    if a >= 0 or float(b).is_integer():
        return a ** b if a != 0 or b > 0 else 0.0
    return 0.0


def _safe_log(a: float, b: float) -> float:
    return math.log(a) / math.log(b) if a > 0 and b > 0 and b != 1 else 0.0


def _wrap(a: float, hi: float, lo: float) -> float:
    span = hi - lo
    return a - span * math.floor((a - lo) / span) if span != 0 else lo


def _pingpong(a: float, scale: float) -> float:
    if scale == 0:
        return 0.0
    t = (a - scale) / (scale * 2)
    return abs((t - math.floor(t)) * scale * 2 - scale)


# operation -> f(a, b, c): Blender's safe variants (node_math.h), so divide by 0 gives 0.
MATH = {
    "ADD": lambda a, b, c: a + b,
    "SUBTRACT": lambda a, b, c: a - b,
    "MULTIPLY": lambda a, b, c: a * b,
    "DIVIDE": lambda a, b, c: _safe_div(a, b),
    "MULTIPLY_ADD": lambda a, b, c: a * b + c,
    "POWER": lambda a, b, c: _safe_pow(a, b),
    "LOGARITHM": lambda a, b, c: _safe_log(a, b),
    "SQRT": lambda a, b, c: math.sqrt(a) if a > 0 else 0.0,
    "INVERSE_SQRT": lambda a, b, c: 1 / math.sqrt(a) if a > 0 else 0.0,
    "ABSOLUTE": lambda a, b, c: abs(a),
    "EXPONENT": lambda a, b, c: math.exp(a),
    "MINIMUM": lambda a, b, c: min(a, b),
    "MAXIMUM": lambda a, b, c: max(a, b),
    "LESS_THAN": lambda a, b, c: 1.0 if a < b else 0.0,
    "GREATER_THAN": lambda a, b, c: 1.0 if a > b else 0.0,
    "SIGN": lambda a, b, c: float((a > 0) - (a < 0)),
    "COMPARE": lambda a, b, c: 1.0 if abs(a - b) <= max(c, 1e-5) else 0.0,
    "ROUND": lambda a, b, c: math.floor(a + 0.5),
    "FLOOR": lambda a, b, c: math.floor(a),
    "CEIL": lambda a, b, c: math.ceil(a),
    "TRUNC": lambda a, b, c: float(math.trunc(a)),
    "FRACT": lambda a, b, c: a - math.floor(a),
    "MODULO": lambda a, b, c: math.fmod(a, b) if b != 0 else 0.0,
    "FLOORED_MODULO": lambda a, b, c: a - math.floor(a / b) * b if b != 0 else 0.0,
    "WRAP": lambda a, b, c: _wrap(a, b, c),
    "SNAP": lambda a, b, c: math.floor(a / b) * b if b != 0 else 0.0,
    "PINGPONG": lambda a, b, c: _pingpong(a, b),
    "SINE": lambda a, b, c: math.sin(a),
    "COSINE": lambda a, b, c: math.cos(a),
    "TANGENT": lambda a, b, c: math.tan(a),
    "RADIANS": lambda a, b, c: math.radians(a),
    "DEGREES": lambda a, b, c: math.degrees(a),
}
MATH_INPUTS = ("Value", "Value_001", "Value_002")


def map_range_clamps(binding: ir.NodeBinding) -> bool:
    """Whether a Map Range clamps: the shader node (4.5+) by default, the compositor's not."""
    props = binding.properties
    for key in ("clamp", "use_clamp"):
        if key in props:
            return bool(props[key])
    return binding.idname == "ShaderNodeMapRange"


def scalar(value) -> float:
    if isinstance(value, (tuple, list)):
        value = value[0] if value else 0.0
    return float(value)


def node_function(flow, node: ir.Node, into: ir.Link) -> Callable[[float], float] | None:
    """The function `node` applies to the value arriving on link `into` (its other inputs
    constant), or None when it is not one value to one value."""
    version = flow.version
    binding = node.bindings[version]
    props = binding.properties
    ident = into.bindings[version][1].identifier
    kind = node.semantics
    others = [link for link in flow.links_into(node.name) if link is not into
              and flow.group_input(link) not in flow.input_values]   # a constant group input
    if kind in ("CombineColor", "CombineXYZ"):
        if props.get("mode", "RGB") != "RGB" or any(flow.out_passes(o) for o in others):
            return None
        return _affine(1.0, 0.0)
    if others:
        return None
    if kind == "MapValue":
        if ident != "Value":
            return None
        return _map_value(props)
    if kind == "MapRange":
        return _map_range(flow, node, binding, ident, others)
    if kind == "Math":
        return _math(flow, node, props, ident)
    if kind == "Clamp":
        lo, hi = flow.constant(node, "Min"), flow.constant(node, "Max")
        if ident != "Value" or None in (lo, hi):
            return None
        if props.get("clamp_type", "MINMAX") == "RANGE" and lo > hi:
            lo, hi = hi, lo
        return lambda x: min(max(x, lo), hi)
    return None


def _map_value(props) -> Callable[[float], float]:
    size, offset = scalar(props.get("size", 1.0)), scalar(props.get("offset", 0.0))
    lo = scalar(props.get("min", 0.0)) if props.get("use_min", False) else -math.inf
    hi = scalar(props.get("max", 1.0)) if props.get("use_max", False) else math.inf
    return lambda x: min(max((x + offset) * size, lo), hi)


def _map_range(flow, node, binding, ident, others):
    props = binding.properties
    if props.get("data_type", "FLOAT") != "FLOAT" or ident != "Value" or others:
        return None
    values = [flow.constant(node, i) for i in ("From Min", "From Max", "To Min", "To Max")]
    if None in values:
        return None
    fmin, fmax, tmin, tmax = values
    mode = props.get("interpolation_type", "LINEAR")
    steps = flow.constant(node, "Steps") if mode == "STEPPED" else None
    clamps = map_range_clamps(binding)
    lo, hi = min(tmin, tmax), max(tmin, tmax)

    def fn(x: float) -> float:
        t = (x - fmin) / (fmax - fmin) if fmax != fmin else 0.0
        if mode == "STEPPED":
            t = math.floor(t * (steps + 1)) / steps if steps else t
        elif mode in ("SMOOTHSTEP", "SMOOTHERSTEP"):
            t = min(max(t, 0.0), 1.0)
            t = t * t * (3 - 2 * t) if mode == "SMOOTHSTEP" else t ** 3 * (t * (6 * t - 15) + 10)
        elif mode != "LINEAR":
            raise ValueError(mode)
        y = tmin + t * (tmax - tmin)
        return min(max(y, lo), hi) if clamps else y

    return fn


def _math(flow, node, props, ident) -> Callable[[float], float] | None:
    op = props.get("operation", "ADD")
    fn = MATH.get(op)
    if fn is None or ident not in MATH_INPUTS:
        return None
    constants = [0.0 if i == ident else flow.constant(node, i) for i in MATH_INPUTS]
    if None in constants:
        constants = [c if c is not None else 0.0 for c in constants]
    at = MATH_INPUTS.index(ident)
    clamp = bool(props.get("use_clamp", False))

    def apply(x: float) -> float:
        args = list(constants)
        args[at] = x
        y = fn(*args)
        return _clamp01(y) if clamp else y

    if not clamp and (op in ("ADD", "SUBTRACT", "MULTIPLY", "MULTIPLY_ADD")
                      or (op == "DIVIDE" and at == 0 and constants[1] != 0)):
        return _affine(apply(1.0) - apply(0.0), apply(0.0))
    return apply


# --- walking a chain ---------------------------------------------------------------------------

def transfer(flow, link: ir.Link, pass_of, limit: int = 256,
             component: int | None = None) -> Transfer | None:
    """The chain from a Render Layers pass to the value on `link` (`component`: to that
    component of a vector or colour value), or None."""
    found = _walk(flow, link, pass_of, limit, component)
    if found is None or found[0].startswith("@"):
        return None
    source, steps, at = found
    return Transfer(source, tuple(steps), at)


def _walk(flow, link, pass_of, limit, component=None):
    """(origin, [(node, fn), ...] from origin to `link`, the origin's component): origin is a
    pass name, or `@input` when the chain starts at an input of the group body `flow` is in."""
    from nodescript.lint import vector_values as vv

    steps: list[tuple[str, Callable[[float], float]]] = []
    for _ in range(limit):
        name = link.from_node
        out = link.bindings[flow.version][0]
        if out.type == "VALUE":
            component = None                 # one value: every component of a vector is it
        node = flow.graph.nodes.get(name)
        if node is None:
            socket = flow.group_input(link)
            return ("@" + socket, steps[::-1], component) if socket in flow.inputs else None
        if node.semantics == "RenderLayers":
            found = pass_of(out.name)
            return (found, steps[::-1], component) if found else None
        if node.semantics == "Reroute":
            into = flow.links_into(name)
            if not into:
                return None
            link = into[0]
            continue
        if node.semantics == "Group":
            inner = _through_group(flow, node, link, pass_of, limit, component)
            if inner is None:
                return None
            link, inner_steps, component = inner
            steps.extend(reversed(inner_steps))
            continue
        if node.semantics in vv.SEPARATE_KINDS:
            picked = vv.separate(flow, node, link)
            if picked is None:
                return None
            link, component = picked
            continue
        if node.semantics in vv.COMBINE_KINDS and component is not None:
            link = vv.combine(flow, node, component)
            if link is None:
                return None                  # a constant makes this component
            continue
        data = [into for into in flow.links_into(name) if flow.out_passes(into)]
        if len(data) != 1:
            return None
        fn = vv.vector_math(flow, node, out, data[0], component) if node.semantics == "VectorMath" \
            else node_function(flow, node, data[0])
        if fn is None:
            return None
        steps.append((name, fn))
        link = data[0]
    return None


def _through_group(flow, node, link, pass_of, limit, component=None):
    """(the parent's link into the group input the output comes from, the body's steps, the
    component there)."""
    group = flow.groups.get(node.group) if flow.groups else None
    if group is None:
        return None
    linked = {fold(l.bindings[flow.version][1].name) for l in flow.links_into(node.name)}
    values = node.bindings[flow.version].inputs
    # an input the instance does not set has the socket's default (0 unless declared)
    constants = {s.name: float(values.get(s.name, s.settings.get("default", 0.0)))
                 for s in group.inputs
                 if s.type == "VALUE" and fold(s.name) not in linked
                 and isinstance(values.get(s.name, 0.0), (int, float))}
    body = flow.body_flow(node.group, constants)
    out_name = link.bindings[flow.version][0].name
    into_output = body.links_into_output(out_name)
    if len(into_output) != 1:
        return None
    found = _walk(body, into_output[0], pass_of, limit, component)
    if found is None or not found[0].startswith("@"):
        return None
    wanted = fold(found[0][1:])
    for parent_link in flow.links_into(node.name):
        if fold(parent_link.bindings[flow.version][1].name) == wanted:
            return parent_link, found[1], found[2]
    return None
