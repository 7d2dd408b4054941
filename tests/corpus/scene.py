"""The tiny scene every corpus setup is built in: scripts/make_example_scene.py's camera 10 m
above a ground plane and a tilted ramp (Cycles, 1 sample), at 64x48, plus a ball so that normals,
depth and colour vary across the image, and a colour per object (albedo passes see them).
Object pass indices stay 0: the setups that need them set their own."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZE = (64, 48)
COLOURS = {"Ground": (0.8, 0.2, 0.1, 1.0), "Ramp": (0.1, 0.6, 0.2, 1.0),
           "Ball": (0.2, 0.3, 0.9, 1.0)}


def _example_scene():
    spec = importlib.util.spec_from_file_location("make_example_scene",
                                                  ROOT / "scripts" / "make_example_scene.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make(bpy) -> None:
    _example_scene().make_scene()
    scene = bpy.context.scene
    scene.render.resolution_x, scene.render.resolution_y = SIZE
    bpy.ops.mesh.primitive_uv_sphere_add(radius=1.2, location=(2.0, 1.0, 1.5), segments=24,
                                         ring_count=12)
    bpy.context.object.name = "Ball"
    for name, colour in COLOURS.items():
        material = bpy.data.materials.new(f"{name} colour")
        material.diffuse_color = colour
        if material.node_tree is None:                # 4.x; 5.0 materials always have nodes
            material.use_nodes = True
        material.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = colour
        bpy.data.objects[name].data.materials.append(material)
