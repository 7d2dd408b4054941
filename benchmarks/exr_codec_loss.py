"""What lossy EXR codecs do to a depth pass (the figures behind NS302/NS303's messages).

    .venvs/bpy-5.0/bin/python benchmarks/exr_codec_loss.py     # any of the bpy environments

Renders the example scene with the ramp the figures were measured on (scripts/
make_example_scene.py, MEASURED_RAMP: a ground plane and a 30-degree ramp, Cycles, 160x120) once, and writes Depth through a colour socket (Combine Color, R = G = B = depth) to
EXR files with each codec: at 16 bits (half float) with ZIP, B44, B44A, DWAA, DWAB, and at
32 bits with ZIP (the reference), PXR24, DWAA, DWAB. Prints, for the pixels where a surface is
hit, the mean and largest absolute error against the 32-bit ZIP file. Prints figures; asserts
nothing.
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
CASES = [("32", "ZIP"), ("32", "PXR24"), ("32", "DWAA"), ("32", "DWAB"),
         ("16", "ZIP"), ("16", "B44"), ("16", "B44A"), ("16", "DWAA"), ("16", "DWAB")]


def make_scene():
    spec = importlib.util.spec_from_file_location(
        "make_example_scene", os.path.join(ROOT, "scripts", "make_example_scene.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_scene(**module.MEASURED_RAMP)     # the geometry the published figures are from
    scene = bpy.context.scene
    scene.render.resolution_x, scene.render.resolution_y = 160, 120
    scene.view_layers[0].use_pass_z = True
    return scene


def compositor(scene):
    if hasattr(scene, "compositing_node_group"):
        tree = bpy.data.node_groups.new("Compositing", "CompositorNodeTree")
        scene.compositing_node_group = tree
        return tree
    scene.use_nodes = True
    scene.node_tree.nodes.clear()
    return scene.node_tree


def file_output(tree, folder: str, depth: str, codec: str):
    out = tree.nodes.new("CompositorNodeOutputFile")
    name = f"d{depth}_{codec}"
    if hasattr(out, "file_output_items"):
        out.directory, out.file_name, out.format.media_type = folder + "/", "", "IMAGE"
        out.file_output_items.new("RGBA", name)
    else:
        out.base_path = folder + "/"
        out.file_slots.clear()
        out.file_slots.new(name)
    out.format.file_format, out.format.color_depth = "OPEN_EXR", depth
    out.format.exr_codec = codec
    return out, name


def red(folder: str, name: str) -> np.ndarray:
    (path,) = glob.glob(os.path.join(folder, f"{name}0001.exr"))
    for part in OpenEXR.File(path).parts:
        for channel_name, channel in part.channels.items():
            pixels = np.asarray(channel.pixels, dtype=np.float64)
            if channel_name in ("R", "RGB", "RGBA"):
                return pixels[..., 0] if pixels.ndim == 3 else pixels
    raise RuntimeError(f"no red channel in {path}")


def main() -> None:
    scene = make_scene()
    tree = compositor(scene)
    rl = tree.nodes.new("CompositorNodeRLayers")
    combine = tree.nodes.new("CompositorNodeCombineColor")
    for index in range(3):
        tree.links.new(rl.outputs["Depth"], combine.inputs[index])
    with tempfile.TemporaryDirectory() as folder:
        names = {}
        for depth, codec in CASES:
            out, names[(depth, codec)] = file_output(tree, folder, depth, codec)
            tree.links.new(combine.outputs[0], out.inputs[0])
        scene.frame_start = scene.frame_end = 1
        bpy.ops.render.render(animation=True, scene=scene.name)
        truth = red(folder, names[("32", "ZIP")])
        hit = truth < 1e3
        print(f"Blender {bpy.app.version_string}: depth {truth[hit].min():.2f}-"
              f"{truth[hit].max():.2f} m over {hit.sum()} pixels")
        for depth, codec in CASES[1:]:
            error = np.abs(red(folder, names[(depth, codec)])[hit] - truth[hit])
            print(f"  {depth}-bit {codec:5}: mean {1000 * error.mean():8.3f} mm, "
                  f"max {1000 * error.max():8.3f} mm")


if __name__ == "__main__":
    main()
