"""Make examples/scene.blend: a camera over a ground plane and a tilted plane, 160x120,
Cycles on the CPU with 1 sample. Run with a bpy venv's Python:

    .venvs/bpy-5.0/bin/python scripts/make_example_scene.py [OUT.blend]

The file is generated (not kept in git) so it is always in the running Blender's format.
The camera looks straight down from 10 m, so the ground is at depth 10 and the tilted plane
rises from it towards the camera (depths between about 8 and 10 m).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import bpy

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "examples" / "scene.blend"


def make_scene() -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    bpy.ops.mesh.primitive_plane_add(size=40.0, location=(0.0, 0.0, 0.0))
    bpy.context.object.name = "Ground"
    bpy.ops.mesh.primitive_plane_add(size=4.0, location=(0.0, 0.0, 1.0),
                                     rotation=(math.radians(30.0), 0.0, 0.0))
    bpy.context.object.name = "Ramp"
    bpy.ops.object.camera_add(location=(0.0, 0.0, 10.0), rotation=(0.0, 0.0, 0.0))
    scene.camera = bpy.context.object
    scene.camera.name = "Camera"
    bpy.ops.object.light_add(type="SUN", location=(0.0, 0.0, 20.0))
    render = scene.render
    render.engine = "CYCLES"
    render.resolution_x, render.resolution_y, render.resolution_percentage = 160, 120, 100
    scene.cycles.device = "CPU"
    scene.cycles.samples = 1
    scene.cycles.use_denoising = False
    scene.frame_start, scene.frame_end = 1, 3


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    make_scene()
    bpy.ops.wm.save_as_mainfile(filepath=str(out.resolve()))
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
