"""Precision rules (NS3xx): settings that corrupt depth and other data passes.

Data passes (Depth, Normal, Position, Vector, UV, Object/Material Index, Cryptomatte, Mist,
Denoising Depth/Normal, and anything computed from them) are measurements, not pictures: they
must reach the file in full float, lossless, unfiltered and without colour management. What
Blender really writes depends on the version and on the type of the socket feeding each File
Output input; the facts are in docs/accurate-depth.md. Each rule is checked per target version
and says which versions it applies to when not all.

Findings on outputs marked `preview=true` (and on data that only reaches Viewers) are lowered one
level (error -> warning, warning -> info): a preview is for eyes, not measurements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nodescript import catalog, dialects, ir
from nodescript.diagnostics import Severity, Span
from nodescript.lint import dataflow as df
from nodescript.lint.context import LintContext
from nodescript.lint.registry import Finding, rule
from nodescript.scene_settings import VIEW_TRANSFORMS
from nodescript.vocabulary import fold

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
        what = f" ({self.source})" if self.source else " (an example: declare depth_range)"
        return f"{span_text(self.near, self.far)}{what}"

    def at_far(self) -> str:
        what = {"depth_range": " (far end of depth_range)", "camera clip": " (camera clip_end)"}
        return f"at {num(self.far)} m{what.get(self.source, '')}"


def depth_range(graph: ir.Graph) -> DepthRange:
    declared = graph.setting("depth_range")
    if declared:
        near, far = sorted(float(v) for v in declared)
        return DepthRange(near, far, "depth_range")
    clip_end = graph.setting("camera.clip_end")
    if clip_end is not None:
        return DepthRange(float(graph.setting("camera.clip_start", 0.1)), float(clip_end),
                          "camera clip")
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
                    if (node.kind not in kinds or node.args.get("mute")   # muted: passes through
                            or (where is not None and not where(flow, node))):
                        continue
                    passes = flow.data_in(node.name)
                    if not passes:
                        continue
                    sinks = flow.sinks_of(node.name)
                    if sinks:
                        yield flow, node, passes, sinks


def analysis(graph: ir.Graph) -> Analysis:
    flows = {v: df.analyse(graph, v) for v in graph.targets}
    return Analysis(graph, flows, depth_range(graph))


def _cached(ctx: LintContext) -> Analysis:
    found = getattr(ctx, "_precision", None)
    if found is None or found.graph is not ctx.graph:
        found = analysis(ctx.graph)
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


# --- helpers about one File Output slot -------------------------------------------------------

def _own_format(slot: df.SlotFlow) -> dict | None:
    """The input's own format (`out.preview(format=png)`), or None when it uses the node's."""
    return slot.node.bindings[slot.version].properties.get("input_formats", {}).get(slot.slot)


def _format(slot: df.SlotFlow) -> dict:
    own = _own_format(slot)
    return own if own is not None else slot.node.bindings[slot.version].properties.get("format", {})


def _slot_span(slot: df.SlotFlow):
    """Where the slot's format is written: the link giving its own format, else the node."""
    return slot.link.span if _own_format(slot) is not None else slot.node.span


def _bits(fmt: dict) -> int:
    depth = fmt.get("color_depth") or "8"
    return int(depth) if str(depth).isdigit() else 8


def _primary(passes) -> str:
    for p in df.DATA_PASSES:
        if p in passes and p in df.METRIC_PASSES:
            return p
    return next(p for p in df.DATA_PASSES if p in passes)


def _reaches(slot: df.SlotFlow) -> str:
    passes = df.describe_passes(slot.passes)
    verb = "reaches" if len(slot.passes) == 1 else "reach"
    return f"{passes} {verb} FileOutput `{slot.node.name}` slot `{slot.slot}`"


def _mapping(flow: df.Flow, slot: df.SlotFlow, p: str) -> tuple[float, float, list[str]] | None:
    found = flow.linear(slot.link)
    if found is None or found[0] != p:
        return None
    return found[1], found[2], found[3]


def _lossy_format(fmt: dict) -> bool:
    if fmt.get("file_format") == "JPEG":
        return True
    return fmt.get("file_format") == "WEBP" and fmt.get("quality", 90) != 100   # 100 = lossless


def _integer_loss(a: Analysis, flow: df.Flow, slot: df.SlotFlow, bits: int) -> str:
    levels = 2 ** bits - 1
    p = _primary(slot.passes)
    if p == "Cryptomatte":
        return "the float ID hashes are destroyed"
    mapping = _mapping(flow, slot, p)
    identity = mapping is not None and mapping[0] == 1 and mapping[1] == 0
    if p in df.METRIC_PASSES:
        if mapping is not None and not identity and mapping[0] != 0:
            scale, offset, _ = mapping
            lo, hi = sorted(((0 - offset) / scale, (1 - offset) / scale))
            return (f"{length(1 / (abs(scale) * levels))} steps over {span_text(lo, hi)}, and "
                    "values outside that range clamp")
        spread = length(a.range.span / levels)
        if identity:
            return (f"float values clamp to [0, 1], so everything beyond 1 m is written as 1.0; "
                    f"even remapped to {a.range.over()}, {bits}-bit steps would be {spread}")
        return f"{bits}-bit steps are {spread} over {a.range.over()}"
    if p in ("Normal", "Denoising Normal", "Vector") and (identity or mapping is None):
        what = "negative components clamp to 0" if p != "Vector" else "motion clamps to [0, 1] px"
        return f"{what} and the rest is quantized to 1/{levels}"
    if p in ("Object Index", "Material Index") and identity:
        return "indices clamp to [0, 1]: every index from 1 up is written as 1"
    return f"values clamp to [0, 1] and are quantized to steps of 1/{levels}"


def _half_loss(a: Analysis, flow: df.Flow, slot: df.SlotFlow) -> str:
    p = _primary(slot.passes)
    if p == "Cryptomatte":
        return "the float ID hashes are destroyed"
    if p in df.METRIC_PASSES:
        mapping = _mapping(flow, slot, p)
        scale, offset = (mapping[0], mapping[1]) if mapping and mapping[0] else (1.0, 0.0)
        written = scale * a.range.far + offset
        if abs(written) > HALF_MAX:
            return f"values above {num(HALF_MAX)} saturate, and {a.range.far:g} m is beyond that"
        return f"{length(half_step(written) / abs(scale))} steps {a.range.at_far()}"
    if p in ("Object Index", "Material Index"):
        return "indices are exact only up to 2048"
    if p == "Vector":
        return "11 significant bits: 0.0078 px steps at 10 px of motion"
    return f"11 significant bits: steps of {half_step(0.99):.2g} near 1.0"


def _is_half(slot: df.SlotFlow) -> bool:
    """Whether the slot is written as half float in its version (see docs/accurate-depth.md)."""
    fmt = _format(slot)
    if fmt.get("file_format") not in EXR_FORMATS or fmt.get("color_depth") != "16":
        return False
    if slot.socket_type != "RGBA":
        return False                      # float -> V, vector -> XYZ: always full float
    if slot.raw == {"Cryptomatte"} and not dialects.get(slot.version).CRYPTOMATTE_HALF_IN_HALF_EXR:
        return False                      # 4.5+: Cryptomatte layers stay full float
    return True


def _fix_edits(flow: df.Flow, slot: df.SlotFlow, code: str) -> dict[str, str | None] | None:
    if slot.preview:
        return None
    fmt = _format(slot)
    if code == "NS302":
        edits: dict[str, str | None] = {"depth": "32"}
        if fmt.get("exr_codec") in ("B44", "B44A"):       # only offered at depth 16
            edits["codec"] = "zip"
        return edits
    if code == "NS303":
        return {"codec": "zip"}
    if code == "NS301":
        # Only a File Output that writes nothing but data (or an input with its own format):
        # others would change the beauty too.
        if _own_format(slot) is None and not flow.all_data(slot.node.name):
            return None
        edits = {"format": "exr", "depth": "32", "codec": "zip", "quality": None,
                 "compression": None}
        mode = fmt.get("color_mode")
        for version in slot.graph.targets:
            modes = catalog.load(version).image_format.get("per_format", {}) \
                .get("OPEN_EXR", {}).get("color_mode", [])
            if mode and mode not in modes:
                edits["color_mode"] = None
        return edits
    return None


# --- the checks -------------------------------------------------------------------------------

def check_integer(a: Analysis):
    for flow, slot in a.slots():
        fmt = _format(slot)
        kind = fmt.get("file_format", "")
        if kind in EXR_FORMATS:
            continue
        bits = _bits(fmt)
        if kind == "HDR":
            what = "Radiance HDR (8-bit mantissas with a shared exponent)"
            p = _primary(slot.passes)
            loss = (f"{length(2.0 ** (math.frexp(a.range.far)[1] - 8))} steps {a.range.at_far()}"
                    if p in df.METRIC_PASSES else "about 1/256 relative steps, no negative values")
        else:
            lossy = "lossy " if _lossy_format(fmt) else ""
            what = f"{lossy}{bits}-bit {FORMAT_NAMES.get(kind, kind)}"
            loss = _integer_loss(a, flow, slot, bits)
        severity = for_slot(Severity.ERROR, slot)
        edits = _fix_edits(flow, slot, "NS301")
        help_ = "write data passes to OpenEXR: format=exr, depth=32, codec=zip"
        if _own_format(slot) is not None:
            help_ = (f"write this input as OpenEXR: `{slot.node.name}.{slot.slot}(format=exr, "
                     "depth=32, codec=zip)`")
        elif edits is None and not slot.preview:
            help_ = ("this File Output also writes non-data images: give the data passes their "
                     "own FileOutput(format=exr, depth=32, codec=zip)")
        yield Problem("NS301", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{_reaches(slot)} as {what}: {loss}", _slot_span(slot), severity, help_,
                      slot.node, edits, _slot_span(slot))


def check_half(a: Analysis):
    for flow, slot in a.slots():
        if not _is_half(slot):
            continue
        feeder_type = slot.feeder.bindings[slot.version][0].type
        how = (f"through the colour socket `{slot.feeder_label}`" if feeder_type == "RGBA"
               else "as a colour (RGBA) item")
        multilayer = _format(slot)["file_format"] == "OPEN_EXR_MULTILAYER"
        layers = " of a multilayer file" if multilayer else ""
        severity = for_slot(Severity.ERROR, slot)
        yield Problem("NS302", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{_reaches(slot)}{layers} {how} at depth 16, so it is written as half "
                      f"float: {_half_loss(a, flow, slot)}", _slot_span(slot), severity,
                      "write depth=32 (colour inputs of a 16-bit EXR are stored as half floats)",
                      slot.node, _fix_edits(flow, slot, "NS302"), _slot_span(slot))


def _channels(slot: df.SlotFlow) -> list[str]:
    """Channel names the slot is written as (after the last dot)."""
    multilayer = _format(slot).get("file_format") == "OPEN_EXR_MULTILAYER"
    as_rgb = not multilayer and dialects.get(slot.version).SINGLE_LAYER_EXR_DATA_AS_RGB
    if slot.socket_type == "VALUE":
        return ["R", "G", "B"] if as_rgb else ["V"]
    if slot.socket_type == "VECTOR":
        return ["R", "G", "B"] if as_rgb else ["X", "Y", "Z"]
    if slot.raw == {"Cryptomatte"}:
        return ["r", "g", "b", "a"]       # lower case on purpose: EXR codecs leave them alone
    return ["R", "G", "B", "A"]


def check_codec(a: Analysis):
    for flow, slot in a.slots():
        fmt = _format(slot)
        codec = fmt.get("exr_codec")
        if fmt.get("file_format") not in EXR_FORMATS or codec is None:
            continue
        half = _is_half(slot)
        p = _primary(slot.passes)
        channels = _channels(slot)
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
                      f"{_reaches(slot)} with the lossy {codec} codec. {detail}", _slot_span(slot),
                      severity, "write codec=zip (lossless; piz, zips, rle and none are too)",
                      slot.node, _fix_edits(flow, slot, "NS303"), _slot_span(slot))


def _clamp(flow: df.Flow, node: ir.Node):
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


def check_clamp(a: Analysis):
    clamps = lambda flow, node: _clamp(flow, node) is not None      # noqa: E731
    for flow, node, passes, sinks in a.data_nodes(CLAMPING_KINDS, clamps):
        found = _clamp(flow, node)
        if found is None:
            continue
        interval, how, help_ = found
        detail = f"values outside [{num(interval[0])}, {num(interval[1])}] are flattened" \
            if interval else "values outside its range are flattened"
        data = flow.data_inputs(node.name)
        linear = flow.linear(data[0]) if len(data) == 1 else None
        if interval and linear and linear[0] in df.METRIC_PASSES and linear[1]:
            p, scale, offset, _ = linear
            ends = sorted(((interval[0] - offset) / scale, (interval[1] - offset) / scale))
            if p in df.DEPTH_PASSES:       # depth is never negative; the far end is the range's
                near, far = (a.range.near, a.range.far) if a.range.declared else (0.0, math.inf)
                if ends[0] <= near and far <= ends[1]:
                    continue               # the whole expected range passes unchanged
            detail = f"only {_metres(ends)} passes unchanged"
            if a.range.declared and p in df.DEPTH_PASSES:
                detail += f"; the expected range is {a.range.over()}"
        severity = for_sinks(Severity.ERROR, sinks)
        yield Problem("NS305", ("node", node.span), flow.version,
                      f"{node.kind} `{node.name}` {how}, cutting {df.describe_passes(passes)}: "
                      f"{detail}", node.span, severity, help_)


def _metres(ends) -> str:
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


def check_normalize(a: Analysis):
    for flow, node, passes, sinks in a.data_nodes(frozenset({"Normalize"})):
        severity = for_sinks(Severity.ERROR, sinks)
        yield Problem("NS304", ("node", node.span), flow.version,
                      f"Normalize `{node.name}` rescales {df.describe_passes(passes)} by each "
                      "frame's own min and max (ignoring values beyond ±10000, so the background "
                      "clamps): the result is not metric and changes from frame to frame",
                      node.span, severity,
                      "map a fixed range with Math or Map Range (clamp off), or write the raw pass "
                      "to EXR and normalize when viewing")


def check_spatial(a: Analysis):
    for flow, node, passes, sinks in a.data_nodes(SPATIAL_KINDS):
        severity = for_sinks(Severity.ERROR, sinks)
        yield Problem("NS308", ("node", node.span), flow.version,
                      f"{node.kind} `{node.name}` filters {df.describe_passes(passes)} spatially: "
                      "at object edges it blends foreground and background values into ones that "
                      "belong to no surface (a Blur on depth: 0.44 m errors at edges, measured)",
                      node.span, severity,
                      "write the pass unfiltered; filter a copy for display only (preview=true)")


def _view_transform(graph: ir.Graph) -> str | None:
    word = graph.setting("view_transform")
    if word is None:
        return None
    for key, name in VIEW_TRANSFORMS.items():
        if fold(key) == fold(str(word)):
            return name
    return str(word)


def check_color_management(a: Analysis):
    for flow, slot in a.slots():
        fmt = _format(slot)
        if fmt.get("file_format") in FLOAT_FORMATS or slot.socket_type != "RGBA":
            continue                       # float and vector sockets are never colour-managed
        view = _view_transform(a.graph)
        own = _own_format(slot)
        save_as_render = (own if own is not None else
                          slot.node.bindings[slot.version].properties).get("save_as_render", True)
        if save_as_render:
            if view == "Raw":
                continue
            name = (f"the {view} view transform" if view
                    else "the scene's view transform (AgX by default)")
            what = f"{name} is applied on save (save as render)"
        else:
            what = "it is sRGB-encoded on save (save_as_render=false still encodes colour sockets)"
        kind = FORMAT_NAMES.get(fmt.get("file_format", ""), fmt.get("file_format", ""))
        severity = for_slot(Severity.ERROR, slot)
        yield Problem("NS306", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{_reaches(slot)} ({_bits(fmt)}-bit {kind}) through the colour socket "
                      f"`{slot.feeder_label}`: {what}, so the written values are no longer "
                      "linear data", _slot_span(slot), severity,
                      "write data to OpenEXR (never colour-managed), or feed the slot from a float "
                      "socket")


def check_dither(a: Analysis):
    """Blender dithers only 4-channel (colour) buffers when it converts float to 8-bit: a File
    Output input written from a float or vector socket is rounded, never dithered (measured in
    4.2, 4.5 and 5.0; see docs/accurate-depth.md)."""
    declared = a.graph.setting("dither")
    dither = 1.0 if declared is None else float(declared)
    if dither <= 0:
        return
    for flow, slot in a.slots():
        fmt = _format(slot)
        if slot.socket_type != "RGBA" or fmt.get("file_format") in FLOAT_FORMATS \
                or _bits(fmt) != 8:
            continue
        default = " (Blender's default)" if declared is None else ""
        kind = FORMAT_NAMES.get(fmt.get("file_format", ""), fmt.get("file_format", ""))
        severity = for_slot(Severity.WARNING, slot)
        yield Problem("NS307", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{_reaches(slot)} as 8-bit {kind} through the colour socket "
                      f"`{slot.feeder_label}` with dither {num(dither)}{default}: Blender adds "
                      f"random noise of about {num(dither)} step(s) of 1/255 to colour "
                      "inputs before rounding them to 8 bits",
                      _slot_span(slot), severity,
                      "feed the slot from a float socket (rounded, never dithered), set "
                      "`dither = 0` in the scene block, or write data passes to OpenEXR")


def check_background(a: Analysis):
    if fold(str(a.graph.setting("engine", "cycles"))) == "eevee":
        return                             # EEVEE writes clip_end for the background
    for flow, slot in a.slots():
        depth = slot.passes & df.DEPTH_PASSES
        if not depth or not _is_half(slot):
            continue
        path = [flow.graph.nodes[n] for n in flow.upstream(slot.link)]
        if any(n.kind == "Normalize" or _clamp(flow, n) for n in path):
            continue                       # the background is flattened on the way anyway
        linear = flow.linear(slot.link)
        if linear is not None and abs(linear[1] * BACKGROUND_DEPTH + linear[2]) <= HALF_MAX:
            continue
        severity = for_slot(Severity.WARNING, slot)
        yield Problem("NS313", ("slot", slot.node.name, slot.slot), slot.version,
                      f"{df.describe_passes(depth)} in half-float FileOutput `{slot.node.name}` "
                      f"slot `{slot.slot}`: the background (depth 1e10 in Cycles) saturates to "
                      "65504, so 'no surface' becomes a real-looking distance", _slot_span(slot), severity,
                      "write depth=32, or mask the background with the Alpha pass")


# --- scene-level checks -----------------------------------------------------------------------

def _setting(graph: ir.Graph, key: str) -> ir.SceneSetting | None:
    for s in graph.scene:
        if s.key == key:
            return s
    return None


def _render_layer_links(a: Analysis):
    """(flow, link, pass name or None, sinks) for links from Render Layers in the scene's graph."""
    for version, flows in a.flows.items():
        top = flows[0]
        for link in top.graph.links:
            node = top.graph.nodes.get(link.from_node)
            if node is None or node.kind != "RenderLayers" or link.muted:
                continue
            out = link.bindings[version][0]
            sinks = top.reach.get((node.name, out.identifier), frozenset())
            yield top, link, df.pass_of(out.name), sinks


def check_pass_enabled(a: Analysis):
    graph = a.graph
    if not graph.scene:
        return                             # no scene block: the file makes no claim about passes
    declared = graph.setting("passes")
    newest = catalog.load(graph.targets[-1]).render_passes
    enabled = {(newest.get(p) or {}).get("property") for p in declared or ()}
    view_layer = graph.setting("view_layer")
    for flow, link, _, _ in _render_layer_links(a):
        node = graph.nodes[link.from_node]
        layer = node.bindings[flow.version].properties.get("layer")
        if layer and view_layer and layer != view_layer:
            continue                       # another view layer: its passes are not declared here
        prop = (catalog.load(flow.version).render_passes.get(link.bindings[flow.version][0].name)
                or {}).get("property")
        if prop is None or prop in enabled:
            continue
        socket = link.from_socket          # the newest target's name: one message for all versions
        quoted = f'"{socket}"' if not socket.replace("_", "").isalnum() else socket.lower()
        if declared is None:
            yield Problem("NS309", ("link", link.span), flow.version,
                          f"`{link.from_node}.{socket}` needs the {socket} pass, and the scene "
                          "block does not declare `passes`: `nodescript apply` enables it, but the "
                          ".blend must have it enabled wherever it is rendered",
                          link.span, Severity.INFO, f"add `passes = [{quoted}]` to the scene block")
        else:
            yield Problem("NS309", ("link", link.span), flow.version,
                          f"`{link.from_node}.{socket}` needs the {socket} pass, but the scene's "
                          "`passes` does not enable it: the socket carries no data",
                          link.span, Severity.ERROR, f"add {quoted} to `passes` in the scene block")


def check_compositing(a: Analysis):
    setting = _setting(a.graph, "use_compositing")
    if setting is None or setting.value is not False:
        return
    outputs = [n for g in [a.graph] + [gr.body for gr in a.graph.groups.values()]
               for n in g.nodes.values() if n.kind == "FileOutput"]
    if not outputs:
        return
    severity = Severity.ERROR if any(not n.is_preview for n in outputs) else lower(Severity.ERROR)
    names = ", ".join(f"`{n.name}`" for n in outputs)
    for version in a.targets:
        yield Problem("NS310", ("setting",), version,
                      f"use_compositing = false: the compositor does not run when rendering, so "
                      f"FileOutput {names} write{'s' if len(outputs) == 1 else ''} nothing",
                      setting.span, severity, "set `use_compositing = true`")


def check_dof(a: Analysis):
    setting = _setting(a.graph, "camera.dof")
    if setting is None or setting.value is not True:
        return
    if fold(str(a.graph.setting("engine", "cycles"))) == "eevee":
        return                             # EEVEE's depth pass ignores depth of field (measured)
    for version in a.targets:
        used, sinks = set(), set()
        for flow, link, p, reached in _render_layer_links(a):
            if flow.version == version and p in SAMPLE_ZERO_PASSES and reached:
                used.add(p)
                sinks |= reached
        if not used:
            continue
        severity = for_sinks(Severity.WARNING, sinks)
        yield Problem("NS311", ("setting",), version,
                      f"camera.dof = true jitters {df.describe_passes(used)}: Cycles takes "
                      f"{'it' if len(used) == 1 else 'them'} from one sample at a random point of "
                      "the lens, so out-of-focus areas get noisy "
                      "values (1.3 % mean depth error at f/0.05, measured)", setting.span, severity,
                      "render data passes with camera.dof = false (a separate render)")


def check_panoramic(a: Analysis):
    setting = _setting(a.graph, "camera.type")
    if setting is None or fold(str(setting.value)) != "panoramic":
        return
    for version in a.targets:
        used = {p for flow, link, p, reached in _render_layer_links(a)
                if flow.version == version and p in df.DEPTH_PASSES and reached}
        if used:
            yield Problem("NS312", ("setting",), version,
                          f"camera.type = panoramic: {df.describe_passes(used)} is the radial "
                          "distance from the camera, not the planar Z of perspective and "
                          "orthographic cameras", setting.span, Severity.INFO,
                          "convert with the ray direction if your tools expect planar depth")


CHECKS = {
    "NS301": check_integer, "NS302": check_half, "NS303": check_codec, "NS304": check_normalize,
    "NS305": check_clamp, "NS306": check_color_management, "NS307": check_dither,
    "NS308": check_spatial, "NS309": check_pass_enabled, "NS310": check_compositing,
    "NS311": check_dof, "NS312": check_panoramic, "NS313": check_background,
}
FIXABLE = ("NS301", "NS302", "NS303")


# --- the rules (docs are the docstrings) ------------------------------------------------------

@rule("NS301", "data-in-integer-format", Severity.ERROR,
      "A data pass written to an integer or lossy image format (PNG, TIFF, JPEG, ...).",
      fixable=True)
def data_in_integer_format(ctx: LintContext):
    """## What it does
    Finds data passes (Depth, Normal, Position, Vector, UV, Object/Material Index, Cryptomatte,
    Mist, Denoising Depth/Normal, or anything computed from them) that reach a File Output whose
    format stores integers (PNG, TIFF, BMP, Targa, DPX, ...), is lossy (JPEG, WebP below quality
    100) or keeps only 8 mantissa bits (Radiance HDR). The message sizes the loss with the
    scene's `depth_range` (else the camera clip range, else at 10 m as an example).

    ## Why is this bad?
    Integer formats clamp float values to [0, 1]: depth in metres is written as 1.0 everywhere
    beyond 1 m, negative normal components become 0, every object index from 1 up becomes 1.
    Remapping first only trades that for coarse steps (8 bits over 0-20 m: 78 mm) and loses the
    metric scale. Lossy formats add block artefacts on top.

    ## Example
    ```
    rl = RenderLayers()
    out = FileOutput(path="//depth/", format=png, depth=16)
    rl.Depth -> out.depth
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    out = FileOutput(path="//depth/", format=exr, depth=32, codec=zip)
    rl.Depth -> out.depth
    ```

    ## Fix safety
    `--fix` rewrites the File Output to `format=exr, depth=32, codec=zip` and drops settings that
    do not apply to EXR (`quality`, `compression`, an unsupported `color_mode`). The files get a
    new extension and format, which downstream tools must expect. Only File Outputs whose every
    input is data are changed (and inputs with their own format, `out.depth(format=png)`, whose
    own settings are rewritten), never ones marked `preview=true`.
    """
    return findings(ctx, "NS301")


@rule("NS302", "data-in-half-float", Severity.ERROR,
      "A data pass written to a half-float (16-bit) EXR channel.", fixable=True)
def data_in_half_float(ctx: LintContext):
    """## What it does
    Finds data passes that reach a 16-bit OpenEXR File Output input as a colour: through any node
    with a colour output (Blur, Mix in 4.x, Alpha Over, Combine Color, Reroute in 5.0, a group
    output of type color...), a 5.0 RGBA item, or a colour layer of a multilayer file. In 4.2,
    Cryptomatte into a half multilayer output is half too.

    ## Why is this bad?
    Blender writes a 16-bit EXR input as half floats only when the input is a colour; a float or
    vector input is written full float even at depth 16. Half floats have 11 significant bits:
    7.8 mm steps at 10 m, 62.5 mm at 100 m, and they saturate at 65504. Cryptomatte IDs are float
    hashes that half floats destroy.

    ## Example
    ```
    rl = RenderLayers()
    out = FileOutput(path="//depth/", format=exr, depth=16)
    rl.Depth -> CombineColor() -> out.depth
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    out = FileOutput(path="//depth/", format=exr, depth=32)
    rl.Depth -> out.depth
    ```

    ## Fix safety
    `--fix` writes `depth=32` (and `codec=zip` if the codec was B44/B44A, which exist only at
    depth 16). Always safe: values only gain precision; files get larger. Outputs marked
    `preview=true` are left alone.
    """
    return findings(ctx, "NS302")


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


@rule("NS304", "normalize-on-data", Severity.ERROR,
      "A Normalize node on a data path (warning when it only reaches previews).")
def normalize_on_data(ctx: LintContext):
    """## What it does
    Finds Normalize nodes that a data pass goes through on its way to an output.

    ## Why is this bad?
    Normalize rescales by the minimum and maximum of the current frame, ignoring values beyond
    ±10000 (so the 1e10 background clamps). The result is not in metres, and the mapping changes
    from frame to frame, so an animation flickers.

    ## Example
    ```
    rl = RenderLayers()
    rl.Depth -> Normalize() -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/", format=exr, depth=32)
    rl.Depth -> Normalize() -> Viewer(preview=true)
    ```
    """
    return findings(ctx, "NS304")


@rule("NS305", "clamped-data", Severity.ERROR,
      "A clamp that cuts the range of a data pass (warning when it only reaches previews).")
def clamped_data(ctx: LintContext):
    """## What it does
    Finds clamping on a data path: Map Value `use_min`/`use_max`, Math `use_clamp`, Mix clamp,
    Clamp nodes and Map Range with its clamp on. Map Range clamps **by default in Blender 4.5 and
    5.0** (the shader node their Add menus build) unless `clamp=false` is written; 4.2's Map Range
    has `use_clamp` off by default. When
    the scene declares `depth_range` (or the camera clip range) and the clamp keeps that whole
    range, nothing is reported.

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


@rule("NS306", "color-managed-data", Severity.ERROR,
      "A view transform or sRGB encoding applied to a data pass (warning on previews).")
def color_managed_data(ctx: LintContext):
    """## What it does
    Finds data passes that reach an integer-format File Output (PNG, TIFF, ...) through a colour
    socket. Blender applies the scene's view transform to colour inputs when saving ("save as
    render", the default; 4.2 keeps it per input, and nodescript sets the node's `save_as_render`
    on each), and sRGB-encodes them even with `save_as_render=false`. Float and vector inputs are
    never colour-managed.

    ## Why is this bad?
    A view transform (AgX, Filmic, Standard's sRGB curve) is a non-linear tone curve: the written
    values are no longer the data, and inverting it is lossy.

    ## Example
    ```
    rl = RenderLayers()
    rl.Depth -> MapValue(size=0.05) -> CombineColor() -> FileOutput(path="//d/", format=png)
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//d/", format=exr, depth=32)
    ```
    """
    return findings(ctx, "NS306")


@rule("NS307", "dithered-data", Severity.WARNING,
      "Dithering noise added to a data pass written to an 8-bit file through a colour socket.")
def dithered_data(ctx: LintContext):
    """## What it does
    Reports data passes written to 8-bit files (PNG, JPEG, 8-bit TIFF, ...) through a colour
    (RGBA) socket while the scene's `dither` is above 0 (Blender's default is 1.0, used when the
    scene block does not declare `dither`).

    Only colour inputs are dithered: Blender adds the noise when it turns a 4-channel float
    buffer into 8 bits (`IMB_buffer_byte_from_float`), and a File Output writes a colour input
    as 4 channels, a vector input as 3 and a float input as 1. Float and vector inputs are
    rounded without noise, and so is a 16-bit PNG (measured in 4.2, 4.5 and 5.0). The
    composited image written as the render result is a colour buffer too, and is dithered.

    ## Why is this bad?
    Dithering adds random noise to every value to hide banding in pictures; in data it is
    error: at dither 1, a measured render changed about 45 % of the pixels by up to 2 codes in
    4.2, and 28 % of them by 1 code in 4.5 and 5.0.

    ## Example
    ```
    rl = RenderLayers()
    cc = CombineColor()
    rl.IndexOB -> MapValue(size=0.01) -> cc.Red
    cc -> FileOutput(path="//ids/", format=png, depth=8)
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    rl.IndexOB -> FileOutput(path="//ids/", format=exr, depth=32)
    ```
    """
    return findings(ctx, "NS307")


@rule("NS308", "spatial-filter-on-data", Severity.ERROR,
      "A spatial filter (Blur, Defocus, Scale, Denoise, ...) applied to a data pass.")
def spatial_filter_on_data(ctx: LintContext):
    """## What it does
    Finds filters that combine neighbouring pixels (Blur, Bokeh Blur, Defocus, Directional and
    Vector Blur, Anti-Aliasing, Denoise, Despeckle, Glare, Scale, Transform, Rotate, Lens
    Distortion, Dilate/Erode, Filter, Kuwahara, Inpaint, Pixelate, ...) with a data pass in their
    image input. Data used only to steer a filter (Defocus's Z, a blur size) is fine.

    ## Why is this bad?
    At object edges the filter blends the foreground surface's value with the background's:
    the result is a depth, normal or ID of no surface at all (a Blur on depth: 0.44 m errors at
    edges, measured). Resampling (Scale, Transform) also moves values off the pixel they
    belong to.

    ## Example
    ```
    rl = RenderLayers()
    rl.Depth -> Blur() -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```
    """
    return findings(ctx, "NS308")


@rule("NS309", "pass-not-enabled", Severity.ERROR,
      "A render pass used by the graph is not enabled in the scene block's `passes`.")
def pass_not_enabled(ctx: LintContext):
    """## What it does
    Finds Render Layers outputs whose pass the scene block's `passes` does not list. When the
    scene block does not declare `passes` at all, it is only information: `nodescript apply`
    enables the passes a graph uses.

    ## Why is this bad?
    A disabled pass's socket is unavailable in Blender: the link carries nothing, and the file
    holds zeros or is not written.

    ## Example
    ```
    scene { passes = [depth] }
    rl = RenderLayers()
    rl.Normal -> FileOutput(path="//normal/")
    ```

    ## Use instead
    ```
    scene { passes = [depth, normal] }
    rl = RenderLayers()
    rl.Normal -> FileOutput(path="//normal/")
    ```
    """
    return findings(ctx, "NS309")


@rule("NS310", "compositing-disabled", Severity.ERROR,
      "`use_compositing = false` while the graph has File Output nodes.")
def compositing_disabled(ctx: LintContext):
    """## What it does
    Reports `use_compositing = false` in the scene block of a graph with File Output nodes.

    ## Why is this bad?
    Without compositing Blender does not run the compositor when rendering: File Output nodes
    write nothing at all, silently.

    ## Example
    ```
    scene { use_compositing = false }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    scene { use_compositing = true }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```
    """
    return findings(ctx, "NS310")


@rule("NS311", "depth-of-field-on-data", Severity.WARNING,
      "Camera depth of field with depth, position or ID passes.")
def depth_of_field_on_data(ctx: LintContext):
    """## What it does
    Reports `camera.dof = true` when the graph writes Depth, Position or Object/Material Index.

    ## Why is this bad?
    Cycles takes these passes from a single sample, which depth of field places at a random point
    of the lens: out-of-focus areas get noisy, jittered values (1.3 % mean depth error at f/0.05,
    measured). Scenes that declare `engine = eevee` are not reported: EEVEE's depth pass came out
    identical with and without depth of field at f/0.05 (measured in 4.2, 4.5 and 5.0 with
    benchmarks/dof_on_depth.py).

    ## Example
    ```
    scene { camera.dof = true }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    scene { camera.dof = false }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```
    """
    return findings(ctx, "NS311")


@rule("NS312", "panoramic-depth", Severity.INFO,
      "A panoramic camera's depth is radial distance, not planar Z.")
def panoramic_depth(ctx: LintContext):
    """## What it does
    Reports `camera.type = panoramic` when the graph writes Depth.

    ## Why is this bad?
    For perspective and orthographic cameras Depth is the planar camera-space Z; for panoramic
    cameras it is the distance along the ray. Tools that expect planar depth get wrong values
    away from the image centre.

    ## Example
    ```
    scene { camera.type = panoramic }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```

    ## Use instead
    ```
    scene { camera.type = perspective }
    rl = RenderLayers()
    rl.Depth -> FileOutput(path="//depth/")
    ```
    """
    return findings(ctx, "NS312")


@rule("NS313", "background-depth-saturates", Severity.WARNING,
      "Cycles' background depth (1e10) saturates to 65504 in a half-float channel.")
def background_depth_saturates(ctx: LintContext):
    """## What it does
    Reports depth written as half float (see NS302) when the render engine is Cycles (or not
    declared) and nothing on the way clamps or rescales the background.

    ## Why is this bad?
    Cycles writes 1e10 where no surface is hit. Half floats top out at 65504, so the background
    becomes a finite, real-looking distance, and masks that test for "very far" break.

    ## Example
    ```
    rl = RenderLayers()
    out = FileOutput(path="//depth/", format=exr, depth=16)
    rl.Depth -> CombineColor() -> out.depth
    ```

    ## Use instead
    ```
    rl = RenderLayers()
    out = FileOutput(path="//depth/", format=exr, depth=32)
    rl.Depth -> out.depth
    ```
    """
    return findings(ctx, "NS313")
