"""Compare depth files of the example scene with its analytic depth; draw a profile across the ramp.

    python scripts/demo_compare.py PICTURE.png LABEL=FILE.exr [LABEL=FILE.exr ...]

Needs numpy, OpenEXR and Pillow (the `images` extra); not bpy. The truth is
scripts/make_example_scene.py's `truth()` (planar depth at each pixel centre). Prints one line
per file (pixel type, levels on the ramp, worst error) and writes PICTURE: the depth along the
image's middle column across the ramp, truth and files, and their error in millimetres.
scripts/demo.sh runs it last.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
COLOURS = [(214, 39, 40), (31, 119, 180), (44, 160, 44), (148, 103, 189)]


def _scene_module():
    spec = importlib.util.spec_from_file_location("make_example_scene",
                                                  ROOT / "scripts" / "make_example_scene.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Compared:
    label: str
    path: str
    pixel_type: str
    depth: np.ndarray            # float64, as stored
    error: np.ndarray            # depth - truth, metres
    levels: int                  # distinct values on the ramp
    max_error: float             # on the ramp, metres


def read_depth(path: str) -> tuple[np.ndarray, str]:
    """(depth as float64, pixel type) of the file's depth channel, through nodescript inspect."""
    from nodescript.inspect.image import load_image

    image = load_image(path)
    preferred = [ch for ch in image.channels if ch.name.split(".")[-1] in ("V", "R", "Y", "Z")]
    channel = (preferred or image.channels)[0]
    return np.asarray(channel.pixels, dtype=np.float64), channel.pixel_type


def compare(label: str, path: str, truth: np.ndarray, ramp: np.ndarray) -> Compared:
    depth, pixel_type = read_depth(path)
    if depth.shape != truth.shape:
        raise SystemExit(f"{path}: {depth.shape[1]}x{depth.shape[0]} pixels, the example scene "
                         f"has {truth.shape[1]}x{truth.shape[0]}")
    error = depth - truth
    return Compared(label, path, pixel_type, depth, error, len(np.unique(depth[ramp])),
                    float(np.abs(error[ramp]).max()))


def length(metres: float) -> str:
    for unit, scale in (("mm", 1e-3), ("um", 1e-6)):
        if metres >= scale:
            return f"{metres / scale:.3g} {unit}"
    return f"{metres * 1e9:.3g} nm"


def repeats(c: Compared, ramp: np.ndarray) -> float:
    """Share of vertically neighbouring ramp pixels that hold the same value: the ramp's depth
    changes every row, so repeats are steps the file's type cannot resolve."""
    both = ramp[1:] & ramp[:-1]
    return float((c.depth[1:] == c.depth[:-1])[both].mean())


def summary(c: Compared, ramp: np.ndarray) -> str:
    share = repeats(c, ramp)
    verdict = (f"staircase ({share:.0%} of neighbouring rows repeat a value)" if share > 0.1
               else "follows the ramp")
    return (f"{c.label}: {c.path}: {c.pixel_type.lower()}, {c.levels} levels on the ramp, "
            f"worst error {length(c.max_error)} -> {verdict}")


# --- the picture ------------------------------------------------------------------------------

W, H, MARGIN = 900, 640, 70


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:                       # Pillow < 10.1: one fixed size
        return ImageFont.load_default()


def _panel(draw, box, xs, series, ylabel: str, font):
    """Line plot of `series` [(label, values, colour, stepped)] in `box` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    values = np.concatenate([v for _, v, _, _ in series])
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * 0.05 or 1e-9
    low, high = low - pad, high + pad
    draw.rectangle(box, outline=(0, 0, 0))

    def px(i, v):
        return (x0 + (i - xs[0] + 0.5) / (xs[-1] - xs[0] + 1) * (x1 - x0),
                y1 - (v - low) / (high - low) * (y1 - y0))

    for tick in np.linspace(low + pad, high - pad, 5):
        _, ty = px(xs[0], tick)
        draw.line([(x0 - 4, ty), (x0, ty)], fill=(0, 0, 0))
        draw.text((x0 - 6, ty), f"{tick:.3f}" if abs(high - low) < 10 else f"{tick:.0f}",
                  fill=(0, 0, 0), font=font, anchor="rm")
    draw.text((x0, y0 - 6), ylabel, fill=(0, 0, 0), font=font, anchor="ld")
    for label, v, colour, stepped in series:
        if stepped:        # one flat segment per pixel row: what the file holds
            points = [px(i + d, value) for i, value in zip(xs, v) for d in (-0.5, 0.5)]
        else:
            points = [px(i, value) for i, value in zip(xs, v)]
        draw.line(points, fill=colour, width=2)
    right = x1                                      # legend above the box, right-aligned
    for label, _, colour, _ in reversed(series):
        draw.text((right, y0 - 6), label, fill=colour, font=font, anchor="rd")
        right -= draw.textlength(label, font=font) + 18


def picture(path: Path, truth, ramp, compared: list[Compared]) -> None:
    column = truth.shape[1] // 2
    rows = np.flatnonzero(ramp[:, column])
    xs = rows.astype(float)
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)
    font, title = _font(14), _font(18)
    draw.text((MARGIN, 14), f"Depth across the example scene's ramp (column {column}, rows "
              f"{rows[0]}-{rows[-1]}): analytic truth and the files", fill=(0, 0, 0), font=title)
    depth_series = [("truth", truth[rows, column], (0, 0, 0), False)]
    depth_series += [(c.label, c.depth[rows, column], COLOURS[i % 4], True)
                     for i, c in enumerate(compared)]
    _panel(draw, (MARGIN + 30, 70, W - 20, 360), xs, depth_series, "depth (m)", font)
    error_series = [(c.label, c.error[rows, column] * 1000, COLOURS[i % 4], True)
                    for i, c in enumerate(compared)]
    _panel(draw, (MARGIN + 30, 410, W - 20, H - 50), xs, error_series,
           "error: file - truth (mm)", font)
    draw.text(((W + MARGIN) // 2, H - 20), "image row", fill=(0, 0, 0), font=font, anchor="mm")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or any("=" not in a for a in argv[1:]):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    scene = _scene_module()
    truth, ramp = scene.truth()
    ramp_inside = ramp & np.roll(ramp, 1, 0) & np.roll(ramp, -1, 0)   # no edge rows
    compared = [compare(*arg.split("=", 1), truth, ramp_inside) for arg in argv[1:]]
    out = Path(argv[0])
    picture(out, truth, ramp, compared)
    print(f"picture: {out} (the depth across the ramp, and each file's error)")
    for c in compared:
        print(summary(c, ramp_inside))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
