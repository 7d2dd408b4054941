"""What File Output really writes for each socket type, format, save_as_render, view transform
and file colour space: the measurements behind NS301/NS302/NS306/NS307 (docs/accurate-depth.md).

    .venvs/bpy-4.5/bin/python benchmarks/colour_management_matrix.py --json out-4.5.json
    .venvs/core/bin/python benchmarks/colour_management_matrix.py --table out-4.2.json out-4.5.json ...
    .venvs/core/bin/python benchmarks/colour_management_matrix.py --summary out-*.json  # the docs' table

The example scene (scripts/make_example_scene.py: a ground plane seen from 10 m, a tilted ramp at
8-10 m; Cycles, 1 sample) at 32x24, dither 0 (so any change is colour management, not noise).
Three sources, one per socket type, each written to a 32-bit EXR with save_as_render off as the
reference, and to every other case:

  value   Math MULTIPLY_ADD: Depth * 0.4 - 3.2 (0-0.8 over 8-10 m, a float socket)
  vector  Combine XYZ (X = Y = Z = the value above): a vector socket with values inside
          [0, 1], where the curves differ
  normal  Render Layers Normal (the ground's world normal is (0, 0, 1); its 0 and 1 are fixed
          points of the sRGB curve and of Standard, so it shows AgX and Filmic only)
  colour  Combine Color (R = G = B = the value above)

For each case: the largest difference from the reference in codes of the file (integer formats:
reference clamped to [0, 1] times 255 or 65535 and rounded; EXR: the value difference), "linear"
when that is at most 1 code (rounding), and the codes written for the ground's normal (0, 0, 1)
on the normal rows. Prints a Markdown table; asserts nothing.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import sys

import matrix_cli  # benchmarks/: the script's own folder

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

FORMATS = [("PNG", "8"), ("PNG", "16"), ("TIFF", "8"), ("TIFF", "16"), ("OPEN_EXR", "16"),
           ("OPEN_EXR", "32")]
VIEWS = ["Standard", "AgX", "Filmic", "Raw"]
SPACES = ["scene", "Non-Color"]          # the format's colour space: follow the scene, or override
SOCKETS = ["value", "vector", "normal", "colour"]
GROUND_PIXEL = (0, 0)                    # a corner: the ground, normal (0, 0, 1)


# --- building the scene (bpy) -----------------------------------------------------------------

def make_scene(bpy):
    spec = importlib.util.spec_from_file_location(
        "make_example_scene", os.path.join(ROOT, "scripts", "make_example_scene.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_scene()
    scene = bpy.context.scene
    scene.render.resolution_x, scene.render.resolution_y = 32, 24
    scene.frame_start = scene.frame_end = scene.frame_current = 1
    scene.render.dither_intensity = 0.0
    layer = scene.view_layers[0]
    layer.use_pass_z = layer.use_pass_normal = True
    return scene


def tree_of(bpy, scene):
    if hasattr(scene, "compositing_node_group"):
        tree = bpy.data.node_groups.new("Compositing", "CompositorNodeTree")
        scene.compositing_node_group = tree
        return tree
    scene.use_nodes = True
    scene.node_tree.nodes.clear()
    return scene.node_tree


def new_node(tree, *idnames):
    for idname in idnames:
        try:
            return tree.nodes.new(idname)
        except RuntimeError:
            continue
    raise RuntimeError(f"none of {idnames} exists")


def sources(tree):
    """socket type -> the output socket that feeds it."""
    rl = tree.nodes.new("CompositorNodeRLayers")
    math_node = new_node(tree, "CompositorNodeMath", "ShaderNodeMath")
    math_node.operation = "MULTIPLY_ADD"
    tree.links.new(rl.outputs["Depth"], math_node.inputs[0])
    math_node.inputs[1].default_value, math_node.inputs[2].default_value = 0.4, -3.2
    combine = tree.nodes.new("CompositorNodeCombineColor")
    xyz = new_node(tree, "CompositorNodeCombineXYZ", "ShaderNodeCombineXYZ")
    for i in range(3):
        tree.links.new(math_node.outputs[0], combine.inputs[i])
        tree.links.new(math_node.outputs[0], xyz.inputs[i])
    return {"value": math_node.outputs[0], "vector": xyz.outputs[0],
            "normal": rl.outputs["Normal"], "colour": combine.outputs[0]}


def set_space(fmt, space: str) -> bool:
    if space == "scene":
        return True
    try:
        fmt.color_management = "OVERRIDE"
        fmt.linear_colorspace_settings.name = space
    except (TypeError, AttributeError):
        return False
    return fmt.linear_colorspace_settings.name == space


def file_output(tree, folder, fmt_name, depth, save_as_render, space, feeds):
    out = tree.nodes.new("CompositorNodeOutputFile")
    socket_types = {"value": "FLOAT", "vector": "VECTOR", "normal": "VECTOR", "colour": "RGBA"}
    if hasattr(out, "file_output_items"):                      # 5.0
        out.directory, out.file_name, out.format.media_type = folder + "/", "", "IMAGE"
        for name in feeds:
            out.file_output_items.new(socket_types[name], name)
    else:
        out.base_path = folder + "/"
        out.file_slots.clear()
        for name in feeds:
            out.file_slots.new(name)
    fmt = out.format
    fmt.file_format = fmt_name
    fmt.color_mode = "RGB"
    fmt.color_depth = depth
    if fmt_name == "OPEN_EXR":
        fmt.exr_codec = "ZIP"
    space_ok = set_space(fmt, space)
    if hasattr(out, "save_as_render"):
        out.save_as_render = save_as_render
    for slot in getattr(out, "file_slots", ()):                # 4.2 applies it per slot
        if hasattr(slot, "save_as_render"):
            slot.save_as_render = save_as_render
    for i, (name, socket) in enumerate(feeds.items()):
        tree.links.new(socket, out.inputs[i])
    return space_ok


# --- reading back -----------------------------------------------------------------------------

def read(folder: str, name: str):
    """(array H x W x C as float64, full scale or None, pixel type) of the file for slot `name`."""
    import numpy as np
    from nodescript.inspect.image import load_image

    (path,) = glob.glob(os.path.join(folder, f"{name}*"))
    image = load_image(path)
    order = "RGBXYZV"                       # an EXR stores its channels sorted: B, G, R
    colour = sorted((c for c in image.channels if c.name.split(".")[-1] in order),
                    key=lambda c: order.index(c.name.split(".")[-1]))
    stack = np.stack([np.asarray(c.pixels, dtype=np.float64) for c in colour], axis=-1)
    return stack, colour[0].full_scale, colour[0].pixel_type


def compare(ref, got, full_scale):
    import numpy as np

    channels = min(ref.shape[-1], got.shape[-1], 3)
    ref, got = ref[..., :channels], got[..., :channels]
    background = ~np.isfinite(ref) | (np.abs(ref) > 1e6)
    if full_scale:
        want = np.round(np.clip(ref, 0, 1) * full_scale)
    else:
        want = ref
    diff = np.abs(got - want)
    diff[background] = 0
    worst = float(diff.max())
    row, col = GROUND_PIXEL
    return {"max_diff": worst, "linear": worst <= (1 if full_scale else 1e-3),
            "ground": [float(x) for x in got[row, col]]}


def measure(work: str) -> dict:
    import bpy

    version = "%d.%d" % tuple(bpy.app.version[:2])
    results = []
    for view in VIEWS:
        scene = make_scene(bpy)
        try:
            scene.view_settings.view_transform = view
        except TypeError:
            continue                                   # not offered in this version
        scene.view_settings.look = "None"
        tree = tree_of(bpy, scene)
        feeds = sources(tree)
        ref_dir = os.path.join(work, view, "ref")
        file_output(tree, ref_dir, "OPEN_EXR", "32", False, "scene", feeds)
        cases = []
        for fmt_name, depth in FORMATS:
            for save_as_render in (True, False):
                for space in SPACES:
                    folder = os.path.join(work, view, f"{fmt_name}{depth}_{int(save_as_render)}_{space}")
                    if file_output(tree, folder, fmt_name, depth, save_as_render, space, feeds):
                        cases.append((fmt_name, depth, save_as_render, space, folder))
        bpy.ops.render.render(write_still=False)
        for fmt_name, depth, save_as_render, space, folder in cases:
            for socket in SOCKETS:
                ref, _, _ = read(ref_dir, socket)
                got, full_scale, pixel_type = read(folder, socket)
                entry = compare(ref, got, full_scale)
                entry.update(version=version, view=view, format=fmt_name, depth=depth,
                             save_as_render=save_as_render, space=space, socket=socket,
                             pixel_type=pixel_type)
                results.append(entry)
    return {"version": version, "results": results, "dither": measure_dither(bpy, work)}


def measure_dither(bpy, work: str) -> dict:
    """Raw view (nothing colour-managed), dither 1: the share of pixels off the rounded value
    and the largest difference, per socket type, in 8-bit PNG (NS307's claim: only colour
    inputs are dithered)."""
    import numpy as np

    scene = make_scene(bpy)
    scene.view_settings.view_transform = "Raw"
    scene.render.dither_intensity = 1.0
    tree = tree_of(bpy, scene)
    feeds = sources(tree)
    ref_dir, png_dir = os.path.join(work, "dither", "ref"), os.path.join(work, "dither", "png")
    file_output(tree, ref_dir, "OPEN_EXR", "32", False, "scene", feeds)
    file_output(tree, png_dir, "PNG", "8", True, "scene", feeds)
    bpy.ops.render.render(write_still=False)
    found = {}
    for socket in SOCKETS:
        ref, _, _ = read(ref_dir, socket)
        got, full_scale, _ = read(png_dir, socket)
        channels = min(ref.shape[-1], got.shape[-1], 3)
        want = np.round(np.clip(ref[..., :channels], 0, 1) * full_scale)
        diff = np.abs(got[..., :channels] - want)
        found[socket] = {"changed": float((diff > 0).mean()), "max": float(diff.max())}
    return found


# --- the table --------------------------------------------------------------------------------

def cell(entry: dict) -> str:
    if entry["linear"]:
        text = "linear"
    elif entry["format"] == "OPEN_EXR":
        text = f"changed ({entry['max_diff']:.2g})"
    else:
        text = f"managed ({entry['max_diff']:.0f} codes)"
    if entry["socket"] == "normal" and entry["format"] == "PNG" and entry["depth"] == "8":
        text += " (" + ", ".join(f"{v:.0f}" for v in entry["ground"]) + ")"
    return text


def table(runs: list[dict]) -> str:
    versions = [r["version"] for r in runs]
    rows: dict[tuple, dict[str, str]] = {}
    for run in runs:
        for e in run["results"]:
            key = (e["socket"], f"{e['format']} {e['depth']}".replace("OPEN_EXR", "EXR"),
                   "on" if e["save_as_render"] else "off", e["space"], e["view"])
            rows.setdefault(key, {})[run["version"]] = cell(e)
    lines = ["| socket | format | save_as_render | file colour space | view | "
             + " | ".join(versions) + " |",
             "| --- | --- | --- | --- | --- | " + " | ".join("---" for _ in versions) + " |"]
    for key, cells in rows.items():
        lines.append("| " + " | ".join(key) + " | "
                     + " | ".join(cells.get(v, "n/a") for v in versions) + " |")
    return "\n".join(lines)


def dither_table(runs: list[dict]) -> str:
    lines = ["| input (8-bit PNG, Raw view, dither 1) | " + " | ".join(r["version"] for r in runs)
             + " |", "| --- | " + " | ".join("---" for _ in runs) + " |"]
    for socket in SOCKETS:
        cells = [f"{r['dither'][socket]['changed']:.0%} of pixels off, up to "
                 f"{r['dither'][socket]['max']:.0f} code(s)" for r in runs if "dither" in r]
        lines.append(f"| {socket} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(runs: list[dict]) -> str:
    """The docs' table: integer formats only (PNG and TIFF measured the same), one column per
    view transform; a cell names the versions when they differ."""
    cells: dict[tuple, dict[str, dict[str, str]]] = {}
    formats = set()
    for run in runs:
        for e in run["results"]:
            if e["format"] == "OPEN_EXR":
                continue
            formats.add(e["format"])
            key = (e["socket"], e["depth"], "on" if e["save_as_render"] else "off", e["space"])
            text = "linear" if e["linear"] else f"{e['max_diff']:.0f} codes off"
            if e["socket"] == "normal" and e["depth"] == "8":
                text += " (" + ", ".join(f"{v:.0f}" for v in e["ground"]) + ")"
            cells.setdefault(key, {}).setdefault(e["view"], {})[run["version"]] = text
    lines = ["| input | bits | save_as_render | file colour space | " + " | ".join(VIEWS) + " |",
             "| --- | --- | --- | --- | " + " | ".join("---" for _ in VIEWS) + " |"]
    for key, views in cells.items():
        row = []
        for view in VIEWS:
            by_version = views.get(view, {})
            texts = sorted(set(by_version.values()))
            if len(texts) == 1:
                row.append(texts[0])
            else:
                grouped: dict[str, list[str]] = {}
                for v in sorted(by_version):
                    grouped.setdefault(by_version[v], []).append(v)
                row.append("; ".join(f"{', '.join(vs)}: {text}" for text, vs in grouped.items()))
        lines.append("| " + " | ".join(key) + " | " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    return matrix_cli.main(argv, __doc__.splitlines()[0], measure, table,
                           lambda runs: summary(runs) + "\n\n" + dither_table(runs))

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
