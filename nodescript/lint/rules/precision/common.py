"""What every precision rule shares: the analysis of a graph, depth ranges, numbers in
messages, problems (findings before versions are merged) and the registry of checks."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nodescript import catalog, ir
from nodescript.diagnostics import Severity, Span
from nodescript.lint import dataflow as df
from nodescript.lint.context import LintContext
from nodescript.lint.registry import Finding

EXR_FORMATS = frozenset({"OPEN_EXR", "OPEN_EXR_MULTILAYER"})
FLOAT_FORMATS = EXR_FORMATS | {"HDR"}
FORMAT_NAMES = {"PNG": "PNG", "TIFF": "TIFF", "BMP": "BMP", "JPEG": "JPEG", "JPEG2000": "JPEG 2000",
                "TARGA": "Targa", "TARGA_RAW": "Targa Raw", "IRIS": "Iris", "DPX": "DPX",
                "CINEON": "Cineon", "WEBP": "WebP", "HDR": "Radiance HDR", "OPEN_EXR": "OpenEXR",
                "OPEN_EXR_MULTILAYER": "multilayer OpenEXR"}
DWA_LOSSY_CHANNELS = frozenset({"R", "G", "B", "Y", "BY", "RY"})
HALF_MAX = 65504.0
BACKGROUND_DEPTH = 1e10          # Cycles' depth where no surface is hit

SPATIAL_KINDS = frozenset({
    "Blur", "BokehBlur", "Defocus", "DirectionalBlur", "VectorBlur", "BilateralBlur",
    "AntiAliasing", "Denoise", "Despeckle", "Glare", "Scale", "Transform", "Rotate",
    "LensDistortion", "MovieDistortion", "Displace", "MapUV", "CornerPin", "PlaneTrackDeform",
    "Stabilize2D", "DilateErode", "Filter", "Kuwahara", "Inpaint", "Convolve", "SunBeams",
    "Pixelate",
})
CLAMPING_KINDS = frozenset({"MapRange", "MapValue", "Math", "Mix", "Clamp"})
# Passes Cycles takes from the first sample at the pixel centre: depth of field jitters them.
SAMPLE_ZERO_PASSES = frozenset({"Depth", "Position", "Object Index", "Material Index",
                                "Denoising Depth"})


def lower(severity: Severity) -> Severity:
    """One level down: error -> warning -> info."""
    return {Severity.ERROR: Severity.WARNING,
            Severity.WARNING: Severity.INFO}.get(severity, severity)


def for_sinks(severity: Severity, sinks) -> Severity:
    """The rule's severity if any output reached is not a preview, else one level lower."""
    return severity if any(not s.preview for s in sinks) else lower(severity)


def for_slot(severity: Severity, slot: df.SlotFlow) -> Severity:
    return lower(severity) if slot.preview else severity


# --- numbers in messages ----------------------------------------------------------------------

def half_step(value: float) -> float:
    """Distance between neighbouring half floats at `value` (11 significant bits)."""
    value = abs(value)
    if value < 2.0 ** -14:
        return 2.0 ** -24
    return 2.0 ** (math.floor(math.log2(value)) - 10)


def pxr24_step(value: float) -> float:
    """PXR24 keeps 15 of a float's 23 mantissa bits."""
    value = abs(value) or 2.0 ** -126
    return 2.0 ** (math.floor(math.log2(value)) - 15)


def length(metres: float) -> str:
    """`7.8 mm`, `39.2 mm`, `1.25 m`, `0.24 mm`."""
    if metres >= 1:
        return f"{metres:.3g} m"
    mm = metres * 1000
    if mm >= 10:
        return f"{mm:.3g} mm"
    if mm >= 0.01:
        return f"{mm:.2g} mm"
    return f"{mm * 1000:.2g} µm"


def num(x: float) -> str:
    return f"{x:g}"


def round_to(x: float, digits: int = 4) -> float:
    """`x` to `digits` significant digits (ends found by sampling and bisection)."""
    return float(f"{x:.{digits}g}") if math.isfinite(x) else x


def metres_text(ends) -> str:
    lo, hi = ends
    if math.isinf(lo) and math.isinf(hi):
        return "any value"
    if math.isinf(lo):
        return f"up to {num(hi)} m"
    if math.isinf(hi):
        return f"from {num(lo)} m on"
    return span_text(lo, hi)


def span_text(lo: float, hi: float) -> str:
    """`0.5-150 m`, or `-1 to 9 m` when a bound is negative."""
    if lo < 0 or hi < 0:
        return f"{num(lo)} to {num(hi)} m"
    return f"{num(lo)}-{num(hi)} m"


@dataclass(frozen=True)
class DepthRange:
    near: float
    far: float
    source: str          # "depth_range", "camera clip", "" (an example)

    @property
    def declared(self) -> bool:
        return bool(self.source)

    @property
    def span(self) -> float:
        return abs(self.far - self.near)

    def over(self) -> str:
        what = {"": " (an example: declare depth_range)",
                "scene bounds": " (measured from the scene's objects)"}.get(self.source,
                                                                          f" ({self.source})")
        return f"{span_text(self.near, self.far)}{what}"

    def at_far(self) -> str:
        what = {"depth_range": " (far end of depth_range)", "camera clip": " (camera clip_end)",
                "scene bounds": " (far end of the scene's objects)"}
        return f"at {num(self.far)} m{what.get(self.source, '')}"


def depth_range(graph: ir.Graph, measured: tuple[float, float] | None = None) -> DepthRange:
    """Declared `depth_range`, else the camera clip range, else (a .blend) the range measured
    from its objects, else 0-10 m as an example."""
    declared = graph.setting("depth_range")
    if declared:
        near, far = sorted(float(v) for v in declared)
        return DepthRange(near, far, "depth_range")
    clip_end = graph.setting("camera.clip_end")
    if clip_end is not None:
        return DepthRange(float(graph.setting("camera.clip_start", 0.1)), float(clip_end),
                          "camera clip")
    if measured is not None:
        return DepthRange(float(measured[0]), float(measured[1]), "scene bounds")
    return DepthRange(0.0, 10.0, "")


# --- problems: findings before merging versions -----------------------------------------------

@dataclass
class Problem:
    code: str
    key: tuple
    version: str
    message: str
    span: Span
    severity: Severity
    help: str | None = None
    node: ir.Node | None = None          # the File Output a fix edits
    edits: dict[str, str | None] | None = None     # argument -> new value (None removes it)
    fix_at: Span | None = None           # the settings the edits go to: the node's or an input's


@dataclass
class Analysis:
    graph: ir.Graph
    flows: dict[str, list[df.Flow]]
    range: DepthRange
    problems: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def targets(self) -> tuple[str, ...]:
        return self.graph.targets

    def slots(self):
        for version, flows in self.flows.items():
            for flow in flows:
                for slot in flow.slots:
                    yield flow, slot

    def data_nodes(self, kinds: frozenset[str], where=None):
        """(flow, node, passes arriving, sinks reached) for nodes of `kinds` (and `where(flow,
        node)`, a cheap test run first) that data passes through on its way to an output."""
        for version, flows in self.flows.items():
            for flow in flows:
                for node in flow.graph.nodes.values():
                    if (node.semantics not in kinds or node.args.get("mute")  # muted: passes through
                            or (where is not None and not where(flow, node))):
                        continue
                    passes = flow.data_in(node.name)
                    if not passes:
                        continue
                    sinks = flow.sinks_of(node.name)
                    if sinks:
                        yield flow, node, passes, sinks


def analysis(graph: ir.Graph, measured: tuple[float, float] | None = None) -> Analysis:
    flows = {v: df.analyse(graph, v) for v in graph.targets}
    return Analysis(graph, flows, depth_range(graph, measured))


def _cached(ctx: LintContext) -> Analysis:
    found = getattr(ctx, "_precision", None)
    if found is None or found.graph is not ctx.graph:
        found = analysis(ctx.graph, ctx.measured_range)
        ctx._precision = found
    return found


def problems(a: Analysis, code: str) -> list[Problem]:
    if code not in a.problems:
        a.problems[code] = list(CHECKS[code](a))
    return a.problems[code]


def merge(problems_: list[Problem], targets: tuple[str, ...]) -> list[Finding]:
    """One finding per problem, naming the versions it applies to when not all targets."""
    grouped: dict[tuple, list[Problem]] = {}
    for p in problems_:
        grouped.setdefault((p.key, p.message, p.severity, p.help, p.span), []).append(p)
    out = []
    for (_, message, severity, help_, span), group in grouped.items():
        versions = sorted({p.version for p in group}, key=catalog.version_key)
        if len(targets) > 1 and set(versions) != set(targets):
            message += f" (Blender {', '.join(versions)})"
        out.append(Finding(message, span, help_, severity))
    return out


def findings(ctx: LintContext, code: str) -> list[Finding]:
    a = _cached(ctx)
    return merge(problems(a, code), a.targets)


# --- scene-level checks -----------------------------------------------------------------------

def scene_setting(graph: ir.Graph, key: str) -> ir.SceneSetting | None:
    for s in graph.scene:
        if s.key == key:
            return s
    return None


def render_layer_links(a: Analysis):
    """(flow, link, pass name or None, sinks) for links from Render Layers in the scene's graph."""
    for version, flows in a.flows.items():
        top = flows[0]
        for link in top.graph.links:
            node = top.graph.nodes.get(link.from_node)
            if node is None or node.semantics != "RenderLayers" or link.muted:
                continue
            out = link.bindings[version][0]
            sinks = top.reach.get((node.name, out.identifier), frozenset())
            yield top, link, df.pass_of(out.name), sinks


# --- the registry of checks: code -> check(analysis) yielding Problems ------------------------

CHECKS: dict = {}
FIXABLE = ("NS301", "NS302", "NS303")


def check(code: str):
    """Decorator: register `check(analysis) -> Iterable[Problem]` for rule `code`."""
    def wrap(fn):
        CHECKS[code] = fn
        return fn
    return wrap
