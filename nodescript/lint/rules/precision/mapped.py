"""What an integer file keeps of a data pass the graph maps: the step in metres over the scene's
depth range, the part of the range that saturates, and which object indices stay distinct.

The graph's chain (nodescript.lint.values) is sampled over the scene's depth range (declared
`depth_range`, else the camera clip range, else 0-10 m as an example), then through the file's
[0, 1] clamp and its 2^bits - 1 levels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nodescript.lint import values
from nodescript.lint.rules.precision.common import Analysis, length, num, round_to, span_text

NEAR_EQUAL = 1.05          # steps within 5 % of each other are quoted as one number
MAX_INDEX = 4096           # indices tried when looking for the first two that share a code


@dataclass(frozen=True)
class DepthInFile:
    """The scene's depth range as an integer file holds it after the graph's chain."""

    survives: float                             # fraction of the range kept distinct
    steps: tuple[float, float] | None           # metres per code where it is kept
    low: list[tuple[float, float]]              # parts of the range written as 0
    high: list[tuple[float, float]]             # parts of the range written as full scale
    out_range: tuple[float, float]              # what the chain maps the range to

    @property
    def largest_step(self) -> float | None:
        return self.steps[1] if self.steps else None


def depth_in_file(a: Analysis, transfer: values.Transfer, bits: int) -> DepthInFile:
    """Computed once per chain, range and bit depth (NS301 and NS305 both ask)."""
    key = (a.range.near, a.range.far, bits)
    cache = transfer.__dict__.setdefault("_in_file", {})
    if key not in cache:
        near, far = a.range.near, a.range.far
        sampled = values.sample(transfer, near, far)
        low = values.ranges(transfer, near, far, lambda y: y <= 0, sampled)
        high = values.ranges(transfer, near, far, lambda y: not y < 1, sampled)  # NaN, inf too
        cache[key] = DepthInFile(sampled.survives(), sampled.steps(2 ** bits - 1), low, high,
                                 sampled.out_range)
    return cache[key]


def step_text(steps: tuple[float, float]) -> str:
    lo, hi = steps
    if hi <= lo * NEAR_EQUAL:
        return length(hi)
    return f"{length(lo)} to {length(hi)}"


def saturation_text(found: DepthInFile) -> str:
    """`beyond 10 m is written as 1.0` / `below 2 m is written as 0` (joined with `and`)."""
    parts = []
    for where, value in ((found.low, "0"), (found.high, "1.0")):
        if where:
            spans = ", ".join(span_text(round_to(lo), round_to(hi)) for lo, hi in where)
            parts.append(f"{spans} {'is' if len(where) == 1 else 'are'} written as {value}")
    return " and ".join(parts)


def metric_loss(a: Analysis, transfer: values.Transfer, bits: int) -> str:
    """NS301's loss for depth or position through a mapped chain."""
    found = depth_in_file(a, transfer, bits)
    nodes = ", ".join(f"`{n}`" for n in transfer.nodes)
    lo, hi = found.out_range
    mapped = f"the graph ({nodes}) maps {a.range.over()} to {num(round(lo, 4))}-" \
             f"{num(round(hi, 4))}"
    if found.steps is None:
        return (f"{mapped} and the file clamps to [0, 1]: {saturation_text(found)}, so no depth "
                "survives")
    text = f"{bits}-bit steps of {step_text(found.steps)} over {a.range.over()}"
    if found.survives < 0.999:
        text = (f"{bits}-bit steps of {step_text(found.steps)} over the {found.survives:.0%} of "
                f"{a.range.over()} that survives the file's [0, 1] clamp "
                f"({saturation_text(found)})")
    return text


def component_loss(transfers: list[values.Transfer], bits: int) -> str:
    """NS301's loss for a normal through a mapped chain, each component over -1 to 1."""
    levels = 2 ** bits - 1
    sampled = [values.sample(t, -1.0, 1.0) for t in transfers]
    names = list(dict.fromkeys(n for t in transfers for n in t.nodes))
    nodes = ", ".join(f"`{n}`" for n in names)
    lo = min(s.out_range[0] for s in sampled)
    hi = max(s.out_range[1] for s in sampled)
    at = transfers[0].component
    what = f"the normal's {'xyz'[at]}" if len(transfers) == 1 and at is not None \
        else "each component"
    text = f"the graph ({nodes}) maps {what} from -1 to 1 to {num(round(lo, 4))} to " \
        f"{num(round(hi, 4))}"
    steps = [found for found in (s.steps(levels) for s in sampled) if found]
    if not steps:
        return f"{text}, and the file clamps to [0, 1]: no component survives"
    small, large = min(s[0] for s in steps), max(s[1] for s in steps)
    step = f"{small:.3g}" if large <= small * NEAR_EQUAL else f"{small:.3g} to {large:.3g}"
    text += f": {bits}-bit steps of {step} per component"
    survives = min(s.survives() for s in sampled)
    if survives < 0.999:
        text += f", and only {survives:.0%} of -1 to 1 survives the file's [0, 1] clamp"
    return text


def index_loss(transfer: values.Transfer, bits: int) -> str:
    """NS301's loss for object or material indices through a mapped chain."""
    levels = 2 ** bits - 1
    codes = []
    for i in range(MAX_INDEX + 1):
        y = values.evaluate(transfer, float(i))
        codes.append(_code(y, levels))
    for i in range(1, len(codes)):
        if codes[i] == codes[i - 1]:
            full = next((j for j in range(len(codes)) if codes[j] in (0, levels) and j >= i),
                        None)
            tail = f", and from {full} on every index is written as {codes[full]}" \
                if full is not None and all(c == codes[full] for c in codes[full:]) else ""
            return (f"indices 0-{i - 1} get distinct {bits}-bit codes, but {i - 1} and {i} "
                    f"are both written as {codes[i]}{tail}")
    return f"indices 0-{MAX_INDEX} get distinct {bits}-bit codes"


def _code(y: float, levels: int) -> int:
    """Blender's float -> integer conversion (unit_float_to_uchar_clamp): round, clamp."""
    if not math.isfinite(y):
        return levels if y > 0 else 0
    return int(min(max(y, 0.0), 1.0) * levels + 0.5)
