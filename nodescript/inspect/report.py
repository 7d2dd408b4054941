"""Text and JSON renderings of inspected files."""

from __future__ import annotations

import json
import math

UNITS = ((1.0, "m", 1.0), (1e-3, "mm", 1e3), (1e-6, "um", 1e6), (0.0, "nm", 1e9))


def is_depth(label: str) -> bool:
    """Depth-like channels are printed in metres: a name component `Depth` (any case:
    `ViewLayer.Depth.Z`, `depth.V`), or a channel named just `Z`."""
    name = label.rsplit("/", 1)[-1]
    return name == "Z" or any(p.lower() == "depth" for p in name.split("."))


def num(x: float | None, digits: int = 6) -> str:
    if x is None:
        return "-"
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def length(x: float | None, metric: bool, digits: int = 3) -> str:
    """`x` in a readable unit when the channel is metric depth, else a plain number."""
    if x is None:
        return "-"
    if abs(x) < 1e-12:
        return "0"
    if not metric:
        return num(x, digits)
    for floor, unit, scale in UNITS:
        if abs(x) >= floor:
            return f"{x * scale:.{digits}g} {unit}"
    return f"{x:.{digits}g} m"


def power_of_two(x: float | None) -> str | None:
    """"2^-7" when x is an exact power of two."""
    if not x or x <= 0 or not math.isfinite(x):
        return None
    mantissa, exp = math.frexp(x)
    return f"2^{exp - 1}" if mantissa == 0.5 else None


def group(n: int) -> str:
    return f"{n:,}"


TYPE_WORDS = {"half": "half float", "float": "float32", "double": "float64"}


def _step_line(ch: dict, metric: bool) -> str:
    """The quantization the stored type (and codec) allows, and the spacing actually measured
    between levels when the data sits on levels; the surface's slope is on its own line."""
    theory = ch["type_step"]
    step = ch["step"]
    unit = " m" if metric else ""
    levels = ch["staircase"].get("verdict") == "staircase"
    if ch["kind"] == "int":
        scale = ch["full_scale"]
        measured = "" if step is None else \
            f"; measured between levels {num(step * scale, 4)} code(s) = {num(step, 4)} of full scale"
        return (f"quantization: {ch['pixel_type']}: 1/{scale} = {num(1 / scale, 4)} of full "
                f"scale{measured}")
    measured = ""
    if step is not None and levels:
        text = length(step, metric)
        if power_of_two(step):
            text = f"{power_of_two(step)}{unit} = {text}"
        measured = f"; measured between levels {text}"
    if theory is None:
        return f"quantization: -{measured}"
    if ch["kind"] == "uint":
        return f"quantization: UINT: 1{measured}"
    lo, hi = theory["binade"]
    where = f"at {num(lo, 4)}-{num(hi, 4)}{unit}"
    type_name = {"half": "half", "float": "float32", "double": "float64"}[ch["kind"]]
    if theory.get("uncompressed_step") is not None:   # a codec keeps fewer mantissa bits
        full = theory["uncompressed_step"]
        text = (f"{type_name}: {power_of_two(full)}{unit} = {length(full, metric)} {where}; "
                f"{ch['compression']} keeps {theory['mantissa_bits']} mantissa bits: "
                f"2^{theory['exponent']}{unit} = {length(theory['step'], metric)}")
    else:
        text = f"{type_name}: 2^{theory['exponent']}{unit} = {length(theory['step'], metric)} {where}"
    return f"quantization: {text}{measured}"


def _surface_line(ch: dict, metric: bool) -> str | None:
    st = ch["staircase"]
    if st.get("gradient") is None or st.get("verdict") == "piecewise":   # edges, not a slope
        return None
    per = length(st["gradient"], metric)
    if ch["kind"] == "int" and ch.get("full_scale"):
        per = f"{num(st['gradient'] * ch['full_scale'], 3)} code(s)"
    return (f"surface: changes {per} per pixel along its gradient (median over "
            f"{group(st['pixels'])} pixels): the slope, not a step")


def verdict(ch: dict, metric: bool) -> str:
    """The one line that says what the channel holds: `half float, lossless, 7.81 mm steps at
    8-16 m: staircase` / `float32, lossless, exact to 1 ulp (954 nm at 8-16 m)`."""
    theory, st = ch["type_step"], ch["staircase"]
    unit = " m" if metric else ""
    codec = "lossless" if not ch["lossy"] else f"LOSSY ({ch['compression']})"
    kind = ch["kind"]
    if kind == "int":
        words = [f"{ch['bits']}-bit integer", codec,
                 f"steps of 1/{ch['full_scale']} of full scale"]
    elif kind == "uint":
        words = ["UINT", codec, "exact integers"]
    else:
        words = [TYPE_WORDS.get(kind, ch["pixel_type"]), codec]
        if theory is not None and theory.get("binade"):
            lo, hi = theory["binade"]
            where = f"at {num(lo, 4)}-{num(hi, 4)}{unit}"
            size = length(theory["step"], metric)
            if kind in ("float", "double") and theory.get("uncompressed_step") is None \
                    and not ch["lossy"]:
                words.append(f"exact to 1 ulp ({size} {where})")
            else:
                words.append(f"{size} steps {where}")
    text = ", ".join(words)
    found = st.get("verdict")
    if found == "staircase":
        text += ": staircase"
        if st.get("on_type_grid") is False:
            text += f" (quantized before writing: {length(st['step'], metric)} steps)"
    elif found == "piecewise":
        text += ": flat surfaces, held exactly"
    elif found == "flat":
        text += ": constant"
    if ch.get("saturated"):
        text += f"; {group(ch['saturated'])} px saturated at 65504"
    return text


def _verdict_line(ch: dict, metric: bool) -> str:
    st = ch["staircase"]
    verdict = st["verdict"]
    if verdict not in ("staircase", "smooth"):
        return f"{verdict}: {st['reason']}"
    step, gradient = length(st["step"], metric), length(st["gradient"], metric)
    if ch["kind"] == "int" and st["step"] is not None:
        step = f"{num(st['step'] * ch['full_scale'], 3)} code(s)"
        gradient = f"{num(st['gradient'] * ch['full_scale'], 3)} code(s)"
    grid = ""
    if st.get("on_type_grid") is not None:
        grid = ("; steps are the type's own" if st["on_type_grid"]
                else f"; steps coarser than the type's {length(st['type_step'], metric)}: "
                     "quantized before writing or by the codec")
    levels = f"{group(st['levels'])} distinct levels over {group(st['pixels'])} gradient pixels"
    if verdict == "staircase":
        return (f"staircase: {levels}, step {step} >= gradient {gradient}/px, "
                f"{st['repeat_fraction']:.0%} of neighbours along the gradient repeat{grid}")
    return (f"smooth: {levels}, neighbours differ by {step} vs gradient {gradient}/px, "
            f"{st['repeat_fraction']:.0%} of neighbours along the gradient repeat ({st['reason']})")


def render_channel(ch: dict) -> list[str]:
    metric = ch.get("metric", is_depth(ch["label"]))
    unit = " m" if metric else ""
    if ch.get("same_as"):
        return [f"{ch['label']}: the same values as {ch['same_as']}"]
    codec = ch["compression"] or "-"
    lossy = f"LOSSY ({ch['lossy_note']})" if ch["lossy"] else "lossless"
    if not ch["lossy"] and ch.get("lossy_note"):
        lossy += f" ({ch['lossy_note']})"
    named = " (depth)" if metric and not is_depth(ch["label"]) else ""
    lines = [f"{ch['label']}{named}: {verdict(ch, metric)}"]
    body = [f"stored: {ch['pixel_type']}, {codec} {lossy}"]
    body += [f"range {num(ch['min'])} .. {num(ch['max'])}{unit}, {group(ch['distinct'])} distinct "
             f"values in {group(ch['pixels'])} pixels, non-finite {group(ch['nonfinite'])}"]
    if ch["nonfinite"]:
        body[-1] += f" (NaN {ch['nan']}, +inf {ch['posinf']}, -inf {ch['neginf']})"
    if ch["kind"] == "int":
        body.append(f"raw {ch['raw_min']} .. {ch['raw_max']} of {ch['full_scale']}; "
                    f"at 0: {group(ch['at_zero'])} px, at {ch['full_scale']} (1.0): "
                    f"{group(ch['at_full_scale'])} px")
    extra = []
    if ch.get("background"):
        extra.append(f"background (|v| >= 1e9): {group(ch['background'])} px")
    if ch.get("saturated"):
        extra.append(f"saturated at 65504 (half max): {group(ch['saturated'])} px")
    if extra:
        dmin, dmax = ch["data_min"], ch["data_max"]
        extra.append(f"data range {num(dmin)} .. {num(dmax)}{unit}")
        body.append("; ".join(extra))
    body.append(_step_line(ch, metric))
    surface = _surface_line(ch, metric)
    if surface:
        body.append(surface)
    body.append(_verdict_line(ch, metric))
    return lines + ["    " + line for line in body]


def render_reference(ref: dict) -> str:
    metric = is_depth(ref.get("channel", "")) or ref.get("truth_metric", True)
    if ref.get("error"):
        return f"reference {ref['path']}: error: {ref['error']}"
    if not ref["compared"]:
        return f"reference {ref['path']} vs {ref['channel']}: no pixel to compare"
    text = (f"reference {ref['path']} vs {ref['channel']}: {group(ref['compared'])} px compared, "
            f"mean |err| {length(ref['mean_abs'], metric)}, max {length(ref['max_abs'], metric)}, "
            f"RMSE {length(ref['rmse'], metric)}, p99 {length(ref['p99'], metric)}, "
            f"bias {length(ref['bias'], metric)}")
    if ref.get("fit"):
        text += f"; after fitting value = {num(ref['fit']['scale'])} * truth + {num(ref['fit']['offset'])}"
    if ref["skipped_reference"]:
        text += f"; {group(ref['skipped_reference'])} px skipped (reference non-finite or >= 1e9)"
    if ref.get("clamped_excluded"):
        text += f"; {group(ref['clamped_excluded'])} px clamped at 0 or full scale left out of the fit"
    if ref["nonfinite_measured"]:
        text += f"; {group(ref['nonfinite_measured'])} px non-finite in the file"
    return text


def render_text(result: dict) -> str:
    head = f"{result['path']}: {result['format']} {result['width']}x{result['height']}"
    parts = result.get("parts") or []
    if parts:
        codecs = sorted({p["compression"] for p in parts})
        head += f", compression {'/'.join(codecs)}"
    head += f", {len(result['channels'])} channel(s)"
    if result.get("notes"):
        head += f" ({'; '.join(result['notes'])})"
    lines = [head]
    for ch in _display_order(result["channels"]):
        lines += ["  " + line for line in render_channel(ch)]
    if result.get("reference") and not result["reference"].get("error"):
        lines.append("  " + render_reference(result["reference"]))
    return "\n".join(lines)


def _display_order(channels: list[dict]) -> list[dict]:
    """File order, with each channel that repeats another printed right after it."""
    out = []
    for ch in channels:
        if not ch.get("same_as"):
            out.append(ch)
            out += [c for c in channels if c.get("same_as") == ch["label"]]
    return out


def _clean(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def render_json(results: list[dict]) -> str:
    return json.dumps(_clean(results), indent=2, allow_nan=False)
