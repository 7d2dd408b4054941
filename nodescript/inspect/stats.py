"""Per-channel statistics: range, non-finite values, distinct values, quantization step, saturation,
clamping, and the staircase verdict.

Terms (docs/inspect.md has the long version):
- data pixels: finite values, less the background (|v| >= 1e9: Cycles writes 1e10 where nothing
  was hit) and, in HALF channels, the saturated values (|v| = 65504, the largest half).
- measured step: the median spacing between adjacent distinct data values, over the upper half
  of the sorted distinct values (the spacing a float type allows grows with the magnitude, so the
  top of the range shows the coarsest step).
- type step: the spacing the stored type allows at the largest data magnitude: half
  2^(floor(log2 v) - 10), float32 2^(floor(log2 v) - 23) (PXR24 keeps 15 mantissa bits:
  2^(floor(log2 v) - 15)), n-bit integers 1/(2^n - 1) of full scale.
- staircase verdict: measured where the surface moves, see `staircase`.
"""

from __future__ import annotations

import math

from nodescript.inspect.image import Channel

BACKGROUND = 1e9          # Cycles' background depth is 1e10; EEVEE's is clip_end
HALF_MAX = 65504.0
WINDOW = 8                # baseline (pixels) over which the surface gradient is measured
EDGE_FACTOR = 8.0         # windows sloping more than this times the median are edges, not ramps
MIN_GRADIENT_PIXELS = 16
FLOAT_FORMATS = {"half": (10, -14), "float": (23, -126), "double": (52, -1022)}


def type_step(kind: str, value: float | None, mantissa_bits: int | None = None,
              full_scale: int | None = None) -> dict | None:
    """The spacing of representable values of `kind` at magnitude `value`.

    Returns {"step", "exponent" (step = 2^exponent, floats), "binade" [lo, hi) (floats),
    "mantissa_bits"}, or None when there is nothing to measure.
    """
    if kind == "int":
        return {"step": 1.0 / full_scale, "exponent": None, "binade": None, "mantissa_bits": None,
                "codes": full_scale}
    if kind == "uint":
        return {"step": 1.0, "exponent": 0, "binade": None, "mantissa_bits": None}
    if kind not in FLOAT_FORMATS or value is None or not math.isfinite(value) or value == 0:
        return None
    mantissa, min_exp = FLOAT_FORMATS[kind]
    if mantissa_bits is not None:
        mantissa = min(mantissa, mantissa_bits)
    exp = math.frexp(abs(value))[1] - 1              # floor(log2 |v|), exact
    if exp < min_exp:                                # subnormal: fixed spacing
        return {"step": 2.0 ** (min_exp - mantissa), "exponent": min_exp - mantissa,
                "binade": [0.0, 2.0 ** min_exp], "mantissa_bits": mantissa}
    return {"step": 2.0 ** (exp - mantissa), "exponent": exp - mantissa,
            "binade": [2.0 ** exp, 2.0 ** (exp + 1)], "mantissa_bits": mantissa}


def measured_step(distinct_sorted) -> float | None:
    """Median spacing of adjacent distinct values in the upper half of the sorted distinct values."""
    import numpy as np

    n = distinct_sorted.size
    if n < 2:
        return None
    upper = distinct_sorted[n // 2 - 1:] if n >= 4 else distinct_sorted
    return float(np.median(np.diff(upper)))


def values_of(channel: Channel):
    """The channel as float64 values: integer rasters normalized to 0..1 by their full scale."""
    import numpy as np

    if channel.kind == "int":
        return channel.pixels.astype(np.float64) / channel.full_scale
    return channel.pixels.astype(np.float64)


def data_mask(channel: Channel, values):
    import numpy as np

    mask = np.isfinite(values)
    if channel.kind in ("half", "float", "double"):
        mask &= np.abs(values) < BACKGROUND
    if channel.kind == "half":
        mask &= np.abs(values) < HALF_MAX
    return mask


def regular_levels(levels) -> bool:
    """Whether sorted distinct values are evenly spaced (multiples of their smallest spacing,
    within 5 %, for 90 % of them): the signature of a quantizer, not of flat surfaces."""
    import numpy as np

    if levels.size < 4:
        return False
    spacing = np.diff(levels)
    ratio = spacing / spacing.min()
    return bool((np.abs(ratio - np.round(ratio)) < 0.05).mean() >= 0.9)


def staircase(values, mask, step_at=None, exact: bool = False) -> dict:
    """Does the channel hold steps instead of a smooth gradient?

    Gradient region: data pixels (y, x) whose value changes over a WINDOW-pixel baseline
    (v[y, x+8] - v[y, x] or v[y+8, x] - v[y, x], every pixel involved a data pixel), less the
    windows sloping more than EDGE_FACTOR times the median (surface edges). Along the axis where
    the value changes most, per pixel:
    - the gradient: |change over the baseline| / 8 (G: the median over the region),
    - the neighbour: v[y, x+1] (or v[y+1, x]); the jump |neighbour - v|.
    Measured step S: the median non-zero jump. Plateau share P: the fraction of the region whose
    neighbour holds exactly the same value.

    Verdict "staircase" when P >= 0.25 and S >= G: the values stand still on at least a quarter of
    the pixels where the surface moves, then jump by at least the per-pixel change (a step at least
    4/3 of the gradient; smooth data has P near 0). Otherwise "smooth". "flat" when nothing changes
    over the baseline, "n/a" with fewer than 16 gradient pixels. `on_type_grid` tells whether S is
    within 1.5x the type's own step at those values (the type is what quantizes) or coarser
    (quantized before it was written, e.g. through an 8-bit stage or a lossy codec).
    """
    import numpy as np

    h, w = values.shape
    kx, ky = min(WINDOW, w - 1), min(WINDOW, h - 1)
    result = {"verdict": "n/a", "levels": 0, "pixels": 0, "gradient": None, "step": None,
              "type_step": None, "repeat_fraction": None, "on_type_grid": None, "reason": ""}
    if kx < 1 and ky < 1:
        result["reason"] = "image too small"
        return result
    Y = h - ky if ky >= 1 else h
    X = w - kx if kx >= 1 else w
    v0 = values[:Y, :X]
    valid = mask[:Y, :X].copy()
    zeros = np.zeros((Y, X))
    with np.errstate(invalid="ignore"):
        if kx >= 1:
            ax = np.abs(values[:Y, kx:kx + X] - v0) / kx
            jx = np.abs(values[:Y, 1:X + 1] - v0)
            valid &= mask[:Y, kx:kx + X] & mask[:Y, 1:X + 1]
        else:
            ax = jx = zeros
        if ky >= 1:
            ay = np.abs(values[ky:ky + Y, :X] - v0) / ky
            jy = np.abs(values[1:Y + 1, :X] - v0)
            valid &= mask[ky:ky + Y, :X] & mask[1:Y + 1, :X]
        else:
            ay = jy = zeros
    along_x = ax >= ay
    slope = np.where(along_x, ax, ay)
    jump = np.where(along_x, jx, jy)
    moving = valid & (slope > 0)
    if not moving.any():
        result["verdict"] = "flat"
        result["reason"] = "no data pixel changes over an 8-pixel baseline"
        return result
    region = moving & (slope <= EDGE_FACTOR * float(np.median(slope[moving])))
    count = int(region.sum())
    result["pixels"] = count
    result["levels"] = int(np.unique(v0[region]).size)
    if count < MIN_GRADIENT_PIXELS:
        result["reason"] = f"only {count} gradient pixels"
        return result
    gradient = float(np.median(slope[region]))
    jumps = jump[region]
    repeat = float((jumps == 0).mean())
    moved = jumps[jumps > 0]
    step = float(np.median(moved)) if moved.size else None
    grid = None
    if step_at is not None and moved.size:
        grid = step_at(float(np.median(np.abs(v0[region][jumps > 0]))))
    on_grid = None if grid is None or step is None else bool(step <= 1.5 * grid)
    result.update(gradient=gradient, step=step, type_step=grid, repeat_fraction=repeat,
                  on_type_grid=on_grid)
    if step is not None and repeat >= 0.25 and step >= gradient and exact \
            and not regular_levels(np.unique(v0[region])):
        # Full float, lossless: plateaus are flat surfaces (a plane's normal is one value),
        # not quantization; a quantizer's levels would be evenly spaced.
        result["verdict"] = "piecewise"
        result["reason"] = ("the plateaus are flat surfaces (their levels are not evenly "
                            "spaced), which a lossless full-float channel holds exactly")
    elif step is not None and repeat >= 0.25 and step >= gradient:
        result["verdict"] = "staircase"
        result["reason"] = "plateaus, then jumps of at least the per-pixel gradient"
    else:
        result["verdict"] = "smooth"
        result["reason"] = ("neighbours along the gradient differ" if repeat < 0.25
                            else "jumps smaller than the per-pixel gradient (noise)")
    return result


def channel_stats(channel: Channel) -> dict:
    """Everything `inspect` reports about one channel, as plain JSON-able values."""
    import numpy as np

    pixels = channel.pixels
    values = values_of(channel)
    finite = np.isfinite(values)
    stats: dict = {
        "name": channel.name, "part": channel.part, "label": channel.label,
        "pixel_type": channel.pixel_type, "kind": channel.kind, "bits": channel.bits,
        "compression": channel.compression, "lossy": channel.lossy,
        "lossy_note": channel.lossy_note or None,
        "pixels": int(values.size),
        "nan": int(np.isnan(values).sum()),
        "posinf": int(np.isposinf(values).sum()),
        "neginf": int(np.isneginf(values).sum()),
    }
    stats["nonfinite"] = stats["nan"] + stats["posinf"] + stats["neginf"]
    fv = values[finite]
    stats["min"] = float(fv.min()) if fv.size else None
    stats["max"] = float(fv.max()) if fv.size else None
    stats["distinct"] = int(np.unique(pixels[finite]).size)

    mask = data_mask(channel, values)
    if channel.kind in ("half", "float", "double"):
        stats["background"] = int((finite & (np.abs(values) >= BACKGROUND)).sum())
    if channel.kind == "half":
        stats["saturated"] = int((np.abs(values) == HALF_MAX).sum())
    if channel.kind == "int":
        stats["raw_min"] = int(pixels.min())
        stats["raw_max"] = int(pixels.max())
        stats["full_scale"] = channel.full_scale
        stats["at_zero"] = int((pixels == 0).sum())
        stats["at_full_scale"] = int((pixels == channel.full_scale).sum())

    data = values[mask]
    stats["data_pixels"] = int(data.size)
    stats["data_min"] = float(data.min()) if data.size else None
    stats["data_max"] = float(data.max()) if data.size else None
    distinct = np.unique(data)
    stats["step"] = measured_step(distinct)
    peak = float(np.abs(data).max()) if data.size else None
    theory = type_step(channel.kind, peak, channel.mantissa_bits, channel.full_scale)
    if theory is not None and channel.mantissa_bits is not None:
        theory["uncompressed_step"] = type_step(channel.kind, peak)["step"]
    stats["type_step"] = theory
    stats["at_value"] = peak
    if channel.kind == "uint":
        stats["staircase"] = {"verdict": "n/a", "reason": "integer channel (IDs, indices)"}
    elif not data.size:
        stats["staircase"] = {"verdict": "n/a", "reason": "no data pixels"}
    else:
        def step_at(v: float) -> float | None:
            found = type_step(channel.kind, v, channel.mantissa_bits, channel.full_scale)
            return found["step"] if found else None

        exact = channel.kind in ("float", "double") and channel.mantissa_bits is None \
            and not channel.lossy
        stats["staircase"] = staircase(values, mask, step_at, exact)
    return stats
