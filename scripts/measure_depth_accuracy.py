"""Measure the depth error of three compositor graphs against analytic ground truth, in every
Blender version, and print a Markdown table (the one in docs/accurate-depth.md).

    .venvs/core/bin/python scripts/measure_depth_accuracy.py          # all .venvs/bpy-* found
    .venvs/bpy-5.0/bin/python scripts/measure_depth_accuracy.py --worker   # one version, JSON

The scene: a camera 10 m above a single large plane tilted TILT_DEG about x, which fills the view,
160x120, Cycles on the CPU, 1 sample, filter width 0.01. Depth (planar camera Z) at each pixel
centre is the distance along the camera axis to where the pixel-centre ray meets the plane. The
graphs (tests/golden/accuracy/*.nodes and examples/depth.nodes) are rendered through nodescript's
own `render` command (`--force` for the bad ones). tests/blender/test_depth_accuracy.py imports
this module for the scene, the truth and the readers.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "accuracy"
GRAPHS = {
    "recipe": GOLDEN / "recipe_png.nodes",      # Depth -> MapValue -> Normalize -> 8-bit PNG
    "half": GOLDEN / "half_color.nodes",        # Depth -> CombineColor -> EXR depth=16 (half)
    "nodescript": ROOT / "examples" / "depth.nodes",   # Depth -> EXR depth=32 zip
}
OUTPUT_FILES = {"recipe": "out/depth0001.png", "half": "out/depth0001.exr",   # OUT/<node>/
                "nodescript": "depth/depth0001.exr"}
LABELS = {"recipe": "tutorial recipe: Map Value -> Normalize -> 8-bit PNG (after refitting scale/offset)",
          "half": "Depth -> Combine Color -> EXR 16 (half float)",
          "nodescript": "nodescript's graph: Depth -> EXR 32, zip (examples/depth.nodes)"}

WIDTH, HEIGHT = 160, 120
CAMERA_HEIGHT = 10.0
TILT_DEG = 30.0
PLANE_SIZE = 12.0            # covers the whole view (needs about 9 m); bigger planes add noise
LENS_MM, SENSOR_MM = 50.0, 36.0


# --- scene and truth ------------------------------------------------------------------------

def make_scene(path: Path) -> Path:
    """Save the ramp scene to `path` (needs bpy)."""
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    bpy.ops.mesh.primitive_plane_add(size=PLANE_SIZE, location=(0.0, 0.0, 0.0),
                                     rotation=(math.radians(TILT_DEG), 0.0, 0.0))
    bpy.context.object.name = "Ramp"
    bpy.ops.object.camera_add(location=(0.0, 0.0, CAMERA_HEIGHT), rotation=(0.0, 0.0, 0.0))
    camera = bpy.context.object
    camera.name = "Camera"
    camera.data.lens, camera.data.sensor_width, camera.data.sensor_fit = LENS_MM, SENSOR_MM, "AUTO"
    camera.data.dof.use_dof = False
    scene.camera = camera
    render = scene.render
    render.engine = "CYCLES"
    render.resolution_x, render.resolution_y, render.resolution_percentage = WIDTH, HEIGHT, 100
    scene.cycles.device = "CPU"
    scene.cycles.samples = 1
    scene.cycles.use_denoising = False
    scene.cycles.filter_width = 0.01
    scene.frame_start = scene.frame_end = scene.frame_current = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return path


def truth():
    """Planar camera-Z depth at every pixel centre, float64, shape (HEIGHT, WIDTH), row 0 at the
    top (as files store it)."""
    import numpy as np

    scale = SENSOR_MM / LENS_MM / WIDTH          # sensor fit AUTO with WIDTH > HEIGHT: horizontal
    cols = np.arange(WIDTH) + 0.5
    rows = np.arange(HEIGHT) + 0.5
    x = (cols - WIDTH / 2.0) * scale                        # camera space, per unit of -z
    y = (HEIGHT / 2.0 - rows) * scale
    dx, dy = np.meshgrid(x, y)
    # Ray: C + t * (dx, dy, -1), C = (0, 0, h). Plane through the origin, normal
    # n = Rx(tilt) (0, 0, 1) = (0, -sin, cos). Planar depth is t (the ray's -z component is 1).
    s, c = math.sin(math.radians(TILT_DEG)), math.cos(math.radians(TILT_DEG))
    # n.(C + t d) = 0  =>  t = -n.C / n.d = c h / (s dy + c)
    return (c * CAMERA_HEIGHT) / (s * dy + c)


def depth_range() -> tuple[float, float]:
    t = truth()
    return float(t.min()), float(t.max())


def interior_mask(border: int = 2):
    """Pixels at least `border` away from the image edge (the plane has no edges in view)."""
    import numpy as np

    mask = np.zeros((HEIGHT, WIDTH), bool)
    mask[border:HEIGHT - border, border:WIDTH - border] = True
    return mask


# --- rendering through nodescript and reading back ------------------------------------------

def render(scene_file: Path, graph: Path, out_dir: Path, force: bool):
    """nodescript render SCENE GRAPH --out OUT [--force], in this process -> (exit code, text)."""
    from nodescript.blender import render as render_module

    lines: list[str] = []
    opts = render_module.Options(str(scene_file), str(graph), out_dir=str(out_dir), force=force)
    code = render_module.run(opts, lines.append, lines.append)
    return code, "\n".join(lines)


def read_depth(path: Path):
    """(values as float64 2-D, Channel) of the first depth-carrying channel, through
    nodescript.inspect's readers. Integer rasters come back as codes (0..full_scale)."""
    import numpy as np
    from nodescript.inspect.image import load_image

    image = load_image(str(path))
    preferred = [ch for ch in image.channels if ch.name.split(".")[-1] in ("V", "R", "Y", "Z")]
    channel = (preferred or image.channels)[0]
    return np.asarray(channel.pixels, dtype=np.float64), channel


def refit(codes, true_depth, full_scale: int):
    """Least-squares depth = a * code + b over pixels not clamped at 0 or full_scale ->
    (fitted depth, mask of the pixels used, a, b)."""
    import numpy as np

    used = (codes > 0) & (codes < full_scale)
    a, b = np.polyfit(codes[used], true_depth[used], 1)
    return a * codes + b, used, float(a), float(b)


def stats(error) -> dict:
    import numpy as np

    error = np.abs(np.asarray(error, dtype=np.float64))
    return {"max": float(error.max()), "rms": float(np.sqrt(np.mean(error ** 2)))}


def measure(work: Path) -> dict:
    """Render all three cases in this Blender; -> {case: {max, rms, ...}, "version": "x.y"}."""
    import bpy
    import numpy as np

    scene_file = make_scene(work / "ramp.blend")
    want = truth()
    mask = interior_mask()
    result: dict = {"version": "%d.%d" % tuple(bpy.app.version[:2])}
    for case, graph in GRAPHS.items():
        out = work / f"out_{case}"
        code, text = render(scene_file, graph, out, force=case != "nodescript")
        if code != 0:
            raise RuntimeError(f"render of {graph} failed ({code}):\n{text}")
        values, channel = read_depth(out / OUTPUT_FILES[case])
        entry: dict = {"pixel_type": channel.pixel_type}
        if case == "recipe":
            fitted, used, a, b = refit(values, want, channel.full_scale)
            sel = used & mask
            entry.update(stats((fitted - want)[sel]), scale=a, offset=b,
                         full_scale=channel.full_scale, clamped=int((~used).sum()),
                         step=float((want.max() - want.min()) / channel.full_scale))
        else:
            entry.update(stats((values - want)[mask]))
            entry["float32_ulp_max"] = float(np.max(np.abs(
                (values - want)[mask]) / np.spacing(want.astype(np.float32))[mask]))
        result[case] = entry
    return result


# --- driver ---------------------------------------------------------------------------------

def venvs() -> list[Path]:
    return sorted(p for p in (ROOT / ".venvs").glob("bpy-*") if (p / "bin" / "python").exists())


def fmt_m(value: float) -> str:
    return f"{value:.2g} m" if value < 1e-3 else f"{value * 1e3:.2g} mm"


def table(results: list[dict]) -> str:
    versions = [r["version"] for r in results]
    lines = ["| setup | " + " | ".join(f"{v} max | {v} RMS" for v in versions) + " |",
             "| --- | " + " | ".join("--- | ---" for _ in versions) + " |"]
    for case in GRAPHS:
        cells = []
        for r in results:
            cells += [fmt_m(r[case]["max"]), fmt_m(r[case]["rms"])]
        lines.append(f"| {LABELS[case]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    import tempfile

    if "--worker" in argv:
        with tempfile.TemporaryDirectory() as tmp:
            print("RESULT " + json.dumps(measure(Path(tmp))))
        return 0
    results = []
    for venv in venvs():
        proc = subprocess.run([str(venv / "bin" / "python"), __file__, "--worker"],
                              capture_output=True, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        lines = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            print(f"{venv.name}: failed\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}",
                  file=sys.stderr)
            return 1
        results.append(json.loads(lines[-1][len("RESULT "):]))
        print(f"{venv.name}: {json.dumps(results[-1])}", file=sys.stderr)
    low, high = depth_range()
    print(f"Ramp depths {low:.3f}-{high:.3f} m, {WIDTH}x{HEIGHT}, Cycles CPU, 1 sample, "
          f"filter width 0.01; errors over interior pixels (2-pixel border excluded).\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
