"""What a File Output writes when its format overrides the scene's colour management
(`color_management = 'OVERRIDE'`): the measurements behind NS306 following a node's own view
transform and colour space (also an EXR's, which converts colour inputs); docs/accurate-depth.md.

    .venvs/bpy-4.5/bin/python benchmarks/colour_override_matrix.py --json over-4.5.json
    .venvs/core/bin/python benchmarks/colour_override_matrix.py --table over-4.2.json ...
    .venvs/core/bin/python benchmarks/colour_override_matrix.py --summary over-*.json  # docs

The scene, sources and reference are benchmarks/colour_management_matrix.py's (the example
scene at 32x24, dither 0; a value, a vector (the value through Combine XYZ) and a colour input,
each also written to a 32-bit EXR that follows the scene as the reference), except that the
colour input here is (value, 0, 0). Two renders, scene view AgX and Raw; in each one File Output
per case, its format overridden as the case says. Also printed: what an override
starts with (view, look, exposure, gamma, display, linear colour space) on the node's format
and, in 5.x, on an item's own format. Asserts nothing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

import matrix_cli  # benchmarks/: the script's own folder

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "colour_management_matrix", os.path.join(ROOT, "benchmarks", "colour_management_matrix.py"))
cm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cm)

SCENE_VIEWS = ["AgX", "Raw"]
SOCKETS = ["value", "vector", "colour"]
# (name, format, depth, save_as_render, override: view, exposure, linear colour space, display)
CASES = [
    ("png_std", "PNG", "8", True, {"view": "Standard"}),
    ("png_raw", "PNG", "8", True, {"view": "Raw"}),
    ("png_agx", "PNG", "8", True, {"view": "AgX"}),
    ("png_raw_exp1", "PNG", "8", True, {"view": "Raw", "exposure": 1.0}),
    ("png_raw_gamma2", "PNG", "8", True, {"view": "Raw", "gamma": 2.0}),
    ("png_std_p3", "PNG", "8", True, {"view": "Standard", "display": "Display P3"}),
    ("png_off_default", "PNG", "8", False, {}),
    ("png_off_nc", "PNG", "8", False, {"space": "Non-Color"}),
    ("png_off_lin709", "PNG", "8", False, {"space": "Linear Rec.709"}),
    ("png_off_srgb", "PNG", "8", False, {"space": "sRGB"}),
    ("png_on_raw_nc", "PNG", "8", True, {"view": "Raw", "space": "Non-Color"}),
    ("png16_off_nc", "PNG", "16", False, {"space": "Non-Color"}),
    ("png16_off_lin709", "PNG", "16", False, {"space": "Linear Rec.709"}),
    ("png16_off_srgb", "PNG", "16", False, {"space": "sRGB"}),
    ("exr_default", "OPEN_EXR", "32", True, {}),
    ("exr_agx", "OPEN_EXR", "32", True, {"view": "AgX"}),
    ("exr_lin709", "OPEN_EXR", "32", True, {"space": "Linear Rec.709"}),
    ("exr_nc", "OPEN_EXR", "32", True, {"space": "Non-Color"}),
    ("exr_2020", "OPEN_EXR", "32", True, {"space": "Linear Rec.2020"}),
    ("exr_acescg", "OPEN_EXR", "32", True, {"space": "ACEScg"}),
    ("exr_2020_off", "OPEN_EXR", "32", False, {"space": "Linear Rec.2020"}),
    ("exr_srgb", "OPEN_EXR", "32", True, {"space": "sRGB"}),
]


def start_values(fmt) -> dict:
    """What an override holds right after switching to it."""
    fmt.color_management = "OVERRIDE"
    view = fmt.view_settings
    return {"view": view.view_transform, "look": view.look, "exposure": view.exposure,
            "gamma": view.gamma, "display": fmt.display_settings.display_device,
            "space": fmt.linear_colorspace_settings.name}


def override(fmt, wanted: dict) -> dict:
    fmt.color_management = "OVERRIDE"
    if "display" in wanted:                 # the display first: it resets the view
        fmt.display_settings.display_device = wanted["display"]
    if "view" in wanted:
        fmt.view_settings.view_transform = wanted["view"]
    fmt.view_settings.look = "None"
    fmt.view_settings.exposure = wanted.get("exposure", 0.0)
    fmt.view_settings.gamma = wanted.get("gamma", 1.0)
    if "space" in wanted:
        fmt.linear_colorspace_settings.name = wanted["space"]
    return {"view": fmt.view_settings.view_transform, "space": fmt.linear_colorspace_settings.name,
            "display": fmt.display_settings.display_device}


def node(tree, folder, fmt_name, depth, save_as_render, wanted, feeds):
    cm.file_output(tree, folder, fmt_name, depth, save_as_render, "scene", feeds)
    out = tree.nodes[-1]
    return override(out.format, wanted)


def item_case(tree, folder, feeds):
    """5.x: a node following the scene (PNG 8) whose items override their own format to Raw."""
    cm.file_output(tree, folder, "PNG", "8", True, "scene", feeds)
    out = tree.nodes[-1]
    items = getattr(out, "file_output_items", None)
    if items is None:                       # 4.x: the slot's own format
        for slot in out.file_slots:
            slot.use_node_format = False
            slot.format.file_format, slot.format.color_depth = "PNG", "8"
            slot.format.color_mode = "RGB"
            override(slot.format, {"view": "Raw"})
            slot.save_as_render = True
        return {"where": "slot"}
    for item in items:
        item.override_node_format = True
        item.format.file_format, item.format.color_depth = "PNG", "8"
        item.format.color_mode = "RGB"
        override(item.format, {"view": "Raw"})
    return {"where": "item"}


def red_colour(tree, feeds):
    """The colour input is red only, (value, 0, 0): a grey is the same in every linear colour
    space, a saturated colour is not."""
    red = tree.nodes.new("CompositorNodeCombineColor")
    tree.links.new(feeds["value"], red.inputs[0])
    return {**feeds, "colour": red.outputs[0]}


def measure(work: str) -> dict:
    import bpy

    version = "%d.%d" % tuple(bpy.app.version[:2])
    results, starts = [], {}
    for view in SCENE_VIEWS:
        scene = cm.make_scene(bpy)
        scene.view_settings.view_transform = view
        scene.view_settings.look = "None"
        tree = cm.tree_of(bpy, scene)
        feeds = red_colour(tree, cm.sources(tree))
        ref_dir = os.path.join(work, view, "ref")
        cm.file_output(tree, ref_dir, "OPEN_EXR", "32", False, "scene", feeds)
        probe = tree.nodes.new("CompositorNodeOutputFile")
        starts[view] = {"node": start_values(probe.format)}
        if hasattr(probe, "file_output_items"):
            item = probe.file_output_items.new("RGBA", "x")
            item.override_node_format = True
            starts[view]["item"] = start_values(item.format)
        tree.nodes.remove(probe)
        cases = []
        for name, fmt_name, depth, sar, wanted in CASES:
            folder = os.path.join(work, view, name)
            got = node(tree, folder, fmt_name, depth, sar, wanted, feeds)
            cases.append((name, fmt_name, sar, wanted, got, folder))
        folder = os.path.join(work, view, "own_format_raw")
        cases.append(("own_format_raw", "PNG", True, {"view": "Raw"}, item_case(tree, folder, feeds),
                      folder))
        bpy.ops.render.render(write_still=False)
        for name, fmt_name, sar, wanted, got, folder in cases:
            for socket in SOCKETS:
                ref, _, _ = cm.read(ref_dir, socket)
                found, full_scale, _ = cm.read(folder, socket)
                entry = cm.compare(ref, found, full_scale)
                entry.update(version=version, scene_view=view, case=name, format=fmt_name,
                             save_as_render=sar, wanted=wanted, set=got, socket=socket)
                results.append(entry)
    return {"version": version, "results": results, "starts": starts}


def cell(entry: dict) -> str:
    if entry["linear"]:
        return "linear"
    if entry["format"] == "OPEN_EXR":
        return f"changed ({entry['max_diff']:.2g})"
    text = f"{entry['max_diff']:.0f} codes off"
    if entry["socket"] == "vector":
        text += " (" + ", ".join(f"{v:.0f}" for v in entry["ground"]) + ")"
    return text


def table(runs: list[dict]) -> str:
    versions = [r["version"] for r in runs]
    rows: dict[tuple, dict[str, str]] = {}
    for run in runs:
        for e in run["results"]:
            key = (e["case"], e["scene_view"], e["socket"])
            rows.setdefault(key, {})[run["version"]] = cell(e)
    lines = ["| case | scene view | input | " + " | ".join(versions) + " |",
             "| --- | --- | --- | " + " | ".join("---" for _ in versions) + " |"]
    for key, cells in rows.items():
        lines.append("| " + " | ".join(key) + " | "
                     + " | ".join(cells.get(v, "n/a") for v in versions) + " |")
    starts = ["", "What an override starts with:", ""]
    for run in runs:
        starts.append(f"- {run['version']}: {json.dumps(run['starts'])}")
    return "\n".join(lines + starts)


WHAT = {"png_std": "PNG 8, on, view Standard", "png_raw": "PNG 8, on, view Raw",
        "png_agx": "PNG 8, on, view AgX", "png_raw_exp1": "PNG 8, on, Raw, exposure 1",
        "png_raw_gamma2": "PNG 8, on, Raw, gamma 2",
        "png_std_p3": "PNG 8, on, Standard, display Display P3",
        "png_off_default": "PNG 8, off, colour space not set",
        "png_off_nc": "PNG 8, off, Non-Color", "png_off_lin709": "PNG 8, off, Linear Rec.709",
        "png_off_srgb": "PNG 8, off, sRGB", "png_on_raw_nc": "PNG 8, on, Raw, Non-Color",
        "png16_off_nc": "PNG 16, off, Non-Color", "png16_off_lin709": "PNG 16, off, Linear Rec.709",
        "png16_off_srgb": "PNG 16, off, sRGB",
        "exr_default": "EXR 32, on, colour space not set", "exr_agx": "EXR 32, on, view AgX",
        "exr_lin709": "EXR 32, Linear Rec.709", "exr_nc": "EXR 32, Non-Color",
        "exr_2020": "EXR 32, Linear Rec.2020", "exr_acescg": "EXR 32, ACEScg",
        "exr_2020_off": "EXR 32, off, Linear Rec.2020", "exr_srgb": "EXR 32, sRGB",
        "own_format_raw": "an input's own format: PNG 8, on, view Raw"}


def summary(runs: list[dict]) -> str:
    """The docs' table: one row per case, one column per input type; a cell names the versions
    when they differ (the scene's view, AgX or Raw, never changed a result)."""
    cells: dict[str, dict[str, dict[str, set]]] = {}
    for run in runs:
        for e in run["results"]:
            text = "linear" if e["linear"] else (
                f"changed (up to {e['max_diff']:.2g})" if e["format"] == "OPEN_EXR"
                else f"{e['max_diff']:.0f} codes off")
            cells.setdefault(e["case"], {}).setdefault(e["socket"], {}) \
                .setdefault(text, set()).add(run["version"])
    lines = ["| override (format, save as render, settings) | value | vector | colour |",
             "| --- | --- | --- | --- |"]
    every = {r["version"] for r in runs}
    for case, sockets in cells.items():
        row = []
        for socket in SOCKETS:
            texts = sockets[socket]
            if len(texts) == 1:
                row.append(next(iter(texts)))
                continue
            row.append("; ".join(f"{', '.join(sorted(vs))}: {t}" for t, vs in
                                 sorted(texts.items(), key=lambda kv: min(kv[1]))
                                 if vs != every))
        lines.append(f"| {WHAT.get(case, case)} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    return matrix_cli.main(argv, __doc__.splitlines()[0], measure, table,
                           summary)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
