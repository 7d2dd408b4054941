"""Make examples/scene.blend: a camera over a ground plane and a gently tilted plate, 160x120,
Cycles on the CPU with 1 sample. Run with a bpy venv's Python:

    .venvs/bpy-5.0/bin/python scripts/make_example_scene.py [OUT.blend] [--truth TRUTH.npy]

(`--truth` also saves the analytic depth, for `nodescript inspect --reference TRUTH.npy`).

The file is generated (not kept in git) so it is always in the running Blender's format.
The camera looks straight down from 10 m, so the ground is at depth 10 m. The ramp is a 4 m
plate tilted RAMP_TILT_DEG about x, floating at about 8.05-8.26 m: its depth changes by about
1.9 mm per pixel row, less than a half float's 7.8 mm step at 8-16 m, so a half-float depth file
shows it as a staircase (a level every 4 rows) while a float32 file follows it to the micrometre.
`truth()` is the analytic depth of every pixel (scripts/demo_compare.py compares files with it).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "examples" / "scene.blend"

WIDTH, HEIGHT = 160, 120
CAMERA_HEIGHT = 10.0
LENS_MM, SENSOR_MM = 50.0, 36.0          # Blender's default camera
GROUND_SIZE = 40.0
RAMP_SIZE, RAMP_CENTRE_Z, RAMP_TILT_DEG = 4.0, 1.85, 3.0


# The ramp the benchmarks' published figures were measured on (exr_codec_loss.py: NS303's
# messages; dof_on_depth.py: NS311): rising 30 degrees from 1 m, before the example scene's ramp
# was made gentle enough for half floats to staircase. make_scene(**MEASURED_RAMP) rebuilds it.
MEASURED_RAMP = {"tilt_deg": 30.0, "centre_z": 1.0}


def make_scene(tilt_deg: float = RAMP_TILT_DEG, centre_z: float = RAMP_CENTRE_Z) -> None:
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    bpy.ops.mesh.primitive_plane_add(size=GROUND_SIZE, location=(0.0, 0.0, 0.0))
    bpy.context.object.name = "Ground"
    bpy.ops.mesh.primitive_plane_add(size=RAMP_SIZE, location=(0.0, 0.0, centre_z),
                                     rotation=(math.radians(tilt_deg), 0.0, 0.0))
    bpy.context.object.name = "Ramp"
    bpy.ops.object.camera_add(location=(0.0, 0.0, CAMERA_HEIGHT), rotation=(0.0, 0.0, 0.0))
    scene.camera = bpy.context.object
    scene.camera.name = "Camera"
    scene.camera.data.lens, scene.camera.data.sensor_width = LENS_MM, SENSOR_MM
    bpy.ops.object.light_add(type="SUN", location=(0.0, 0.0, 20.0))
    render = scene.render
    render.engine = "CYCLES"
    render.resolution_x, render.resolution_y, render.resolution_percentage = WIDTH, HEIGHT, 100
    scene.cycles.device = "CPU"
    scene.cycles.samples = 1
    scene.cycles.use_denoising = False
    scene.frame_start, scene.frame_end = 1, 3


def truth(width: int = WIDTH, height: int = HEIGHT):
    """(depth, on_ramp): planar camera-Z depth in metres at every pixel centre (float64, row 0 at
    the top, as files store it; Cycles samples depth there) and the mask of pixels on the ramp."""
    import numpy as np

    scale = SENSOR_MM / LENS_MM / max(width, height)       # sensor fit AUTO: the longer side
    x = (np.arange(width) + 0.5 - width / 2.0) * scale     # ray direction (x, y, -1)
    y = (height / 2.0 - np.arange(height) - 0.5) * scale
    dx, dy = np.meshgrid(x, y)
    s, c = math.sin(math.radians(RAMP_TILT_DEG)), math.cos(math.radians(RAMP_TILT_DEG))
    # Ramp plane through (0, 0, zc) with normal (0, -s, c); ray C + t d with C = (0, 0, h).
    t = c * (CAMERA_HEIGHT - RAMP_CENTRE_Z) / (s * dy + c)
    u = t * dx                                              # along the plate's own x axis
    v = (t * dy) * c + (CAMERA_HEIGHT - t - RAMP_CENTRE_Z) * s   # along its tilted y axis
    on_ramp = (np.abs(u) <= RAMP_SIZE / 2) & (np.abs(v) <= RAMP_SIZE / 2)
    return np.where(on_ramp, t, CAMERA_HEIGHT), on_ramp


def main(argv: list[str]) -> None:
    import argparse

    import bpy

    parser = argparse.ArgumentParser(description="Make the example scene.")
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--truth", type=Path, help="also save its analytic depth (.npy)")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    make_scene()
    bpy.ops.wm.save_as_mainfile(filepath=str(args.out.resolve()))
    print(f"wrote {args.out}")
    if args.truth:
        import numpy as np

        np.save(args.truth, truth()[0])
        print(f"wrote {args.truth}")


if __name__ == "__main__":
    main(sys.argv[1:])
