"""How much camera depth of field moves the Depth pass, in Cycles and in EEVEE (the measurement
behind NS311, which reports `camera.dof = true` for Cycles scenes only).

    .venvs/bpy-5.0/bin/python benchmarks/dof_on_depth.py     # any of the bpy environments

Renders the example scene with the ramp the figures were measured on (scripts/
make_example_scene.py, MEASURED_RAMP) at 160x120 with 16 samples, with depth of field off and on (f/0.05, focus at 2 m), writes Depth to full-float EXR and prints the mean
relative difference of the depth where a surface is hit. Prints figures; asserts nothing.

Measured 2026-11-23: Cycles 4.57 % (4.2.23, 4.5.15) and 4.69 % (5.0.1); EEVEE 0.0000 % in all
three, the depth identical with and without depth of field.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import tempfile

import bpy
import numpy as np
import OpenEXR

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_scene():
    spec = importlib.util.spec_from_file_location(
        "make_example_scene", os.path.join(ROOT, "scripts", "make_example_scene.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_scene(**module.MEASURED_RAMP)     # the geometry the published figures are from
    return bpy.context.scene


def engine_id(scene, engine: str) -> str:
    if engine == "CYCLES":
        return engine
    ids = [e.identifier for e in scene.render.bl_rna.properties["engine"].enum_items]
    return "BLENDER_EEVEE_NEXT" if "BLENDER_EEVEE_NEXT" in ids else "BLENDER_EEVEE"


def render_depth(engine: str, dof: bool, folder: str) -> np.ndarray:
    scene = make_scene()
    scene.render.resolution_x, scene.render.resolution_y = 160, 120
    scene.render.engine = engine_id(scene, engine)
    if engine == "CYCLES":
        scene.cycles.samples = 16
    else:
        scene.eevee.taa_render_samples = 16
    lens = scene.camera.data.dof
    lens.use_dof, lens.aperture_fstop, lens.focus_distance = dof, 0.05, 2.0
    scene.view_layers[0].use_pass_z = True
    if hasattr(scene, "compositing_node_group"):
        tree = bpy.data.node_groups.new("Compositing", "CompositorNodeTree")
        scene.compositing_node_group = tree
    else:
        scene.use_nodes = True
        tree = scene.node_tree
        tree.nodes.clear()
    rl = tree.nodes.new("CompositorNodeRLayers")
    out = tree.nodes.new("CompositorNodeOutputFile")
    name = f"{engine}_{dof}"
    if hasattr(out, "file_output_items"):
        out.directory, out.file_name, out.format.media_type = folder + "/", "", "IMAGE"
        out.file_output_items.new("FLOAT", name)
    else:
        out.base_path = folder + "/"
        out.file_slots.clear()
        out.file_slots.new(name)
    out.format.file_format, out.format.color_depth = "OPEN_EXR", "32"
    tree.links.new(rl.outputs["Depth"], out.inputs[0])
    scene.frame_start = scene.frame_end = 1
    bpy.ops.render.render(animation=True, scene=scene.name)
    (path,) = glob.glob(os.path.join(folder, f"{name}0001.exr"))
    channel = next(iter(OpenEXR.File(path).parts[0].channels.values()))
    pixels = np.asarray(channel.pixels, dtype=np.float64)
    return pixels[..., 0] if pixels.ndim == 3 else pixels


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for engine in ("CYCLES", "EEVEE"):
            sharp, blurred = (render_depth(engine, dof, folder) for dof in (False, True))
            hit = (sharp < 1e3) & (blurred < 1e3)
            change = np.mean(np.abs(blurred[hit] - sharp[hit]) / sharp[hit])
            print(f"Blender {bpy.app.version_string} {engine}: depth of field changes depth by "
                  f"{100 * change:.4f} % on average")


if __name__ == "__main__":
    main()
