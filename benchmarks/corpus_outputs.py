"""What the files written by each corpus setup (tests/corpus) really hold, and what lint says.

    .venvs/bpy-4.5/bin/python benchmarks/corpus_outputs.py [--channels] [PROJECT...]

(any bpy environment; one row per file, or per channel with --channels)

For each project whose code runs in this Blender version: the example scene
(tests/corpus/scene.py: a ground plane, a ramp and a ball under a camera 10 m up, Cycles,
1 sample, 64x48) gets the project's compositor, plus one more File Output that writes every
enabled pass of every Render Layers node to a float32 multilayer EXR (the raw passes of the
same render). After one render, every channel of every file the project wrote (and of the
render result, written as the scene's output format says) is matched
against the raw pass channel it follows best (a least-squares fit `file = a * raw + b` over the
pixels that hit a surface) and reported in the raw pass's units: the largest error of the fit
where the file is not clipped, the quantization step (one code of the stored type, or the
smallest difference between stored values for floats), and the share of pixels clipped.
Then `nodescript lint` on the saved file. Prints figures (a markdown table); asserts nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import bpy
import numpy as np
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import corpus  # noqa: E402
from corpus import scene as corpus_scene  # noqa: E402

from nodescript.cli import main as cli_main  # noqa: E402
from nodescript.inspect.image import InspectError, load_image  # noqa: E402

V = "%d.%d" % tuple(bpy.app.version[:2])
SIZE = corpus_scene.SIZE
REFERENCE = "corpus_reference"
SKIP_OUTPUTS = {"Alpha"}
BACKGROUND = 1e5                           # raw values beyond this are the sky (depth 1e10)
ITEM_TYPES = {"NodeSocketFloat": "FLOAT", "NodeSocketVector": "VECTOR",
              "NodeSocketColor": "RGBA"}


@dataclass
class Match:
    file: str
    channel: str
    stored: str
    source: str
    r2: float
    scale: float
    max_error: float
    step: float | None
    clipped: float


def make_scene(project) -> None:
    corpus_scene.make(bpy)
    project.build(bpy)


def compositor(scene):
    if hasattr(scene, "compositing_node_group"):
        return scene.compositing_node_group
    return scene.node_tree


def add_reference(scene, folder: str) -> None:
    """A float32 multilayer EXR File Output fed by every enabled pass (Alpha apart) of every
    Render Layers node; its layers are named `<node>|<pass>` (`<node>_<pass>` in 5.0)."""
    tree = compositor(scene)
    layers = [n for n in tree.nodes if n.bl_idname == "CompositorNodeRLayers"]
    out = tree.nodes.new("CompositorNodeOutputFile")
    out.name = REFERENCE
    out.format.file_format = "OPEN_EXR_MULTILAYER"
    out.format.color_depth = "32"
    out.format.exr_codec = "ZIP"
    new_items = hasattr(out, "file_output_items")            # 5.0's File Output
    if new_items:
        out.directory, out.file_name = folder, "reference_"
        out.file_output_items.clear()
    else:
        out.base_path = os.path.join(folder, "reference_")
        out.layer_slots.clear()
    for node in layers:
        for socket in node.outputs:
            if not socket.enabled or socket.name in SKIP_OUTPUTS or socket.is_unavailable:
                continue
            name = f"{node.name}|{socket.name}"
            if new_items:                                   # 5.0 renames "|" to "_"
                item = out.file_output_items.new(ITEM_TYPES.get(socket.bl_idname, "RGBA"), name)
                target = out.inputs[item.name]
            else:
                target = out.layer_slots.new(name)
            tree.links.new(socket, target)


def render(blend: Path, result: Path) -> None:
    """Save, then render frame 1, writing the render result too (some setups, such as the
    RGB-D camera model, write their data through Composite)."""
    bpy.context.scene.render.filepath = str(result)
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    with contextlib.redirect_stdout(io.StringIO()):
        bpy.ops.render.render(write_still=True)


def written_files(root: Path, since: float) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".png", ".exr")
                  and p.stat().st_mtime >= since - 0.05)


def raw_channels(path: Path) -> dict[str, np.ndarray]:
    image = load_image(str(path))
    return {c.name: np.asarray(c.pixels, dtype=np.float64) for c in image.channels}


def stored_values(channel) -> tuple[np.ndarray, float | None]:
    pixels = np.asarray(channel.pixels, dtype=np.float64)
    if channel.full_scale:
        return pixels / channel.full_scale, 1.0 / channel.full_scale
    return pixels, None


def best_match(values: np.ndarray, label: str, raw: dict[str, np.ndarray]):
    """The raw channel the stored values follow best, with the fit; None when nothing fits.
    Cryptomatte channels (hashes) are candidates only for Cryptomatte channels."""
    best = None
    for name, truth in raw.items():
        if ("Crypto" in name) != ("Crypto" in label):
            continue
        hit = np.isfinite(truth) & (np.abs(truth) < BACKGROUND)
        if hit.sum() < 8 or np.ptp(truth[hit]) == 0 or np.ptp(values[hit]) == 0:
            continue
        a, b = np.polyfit(truth[hit], values[hit], 1)
        residual = values[hit] - (a * truth[hit] + b)
        r2 = 1 - residual.var() / values[hit].var()
        if best is None or r2 > best[1]:
            best = (name, r2, a, b, hit)
    return best


def measure(path: Path, channel, raw: dict[str, np.ndarray], root: Path) -> Match | None:
    values, code = stored_values(channel)
    found = best_match(values, channel.label, raw)
    if found is None:
        return None
    name, r2, a, b, hit = found
    truth = raw[name]
    # clipped: the stored value sits at the end of an integer range while the fit says the
    # pass lies beyond it
    low, high = (0.0, 1.0) if code else (-np.inf, np.inf)
    margin = code / 2 if code else 0.0
    predicted = a * truth + b
    clipped = hit & (((values <= low) & (predicted < low - margin))
                     | ((values >= high) & (predicted > high + margin)))
    inside = hit & ~clipped
    errors = np.abs((values[inside] - b) / a - truth[inside]) if inside.any() else np.array([0.0])
    if code:
        step = code / abs(a)
    else:
        distinct = np.unique(values[hit])
        gaps = np.diff(distinct)
        step = float(gaps[gaps > 0].min() / abs(a)) if (gaps > 0).any() else None
    return Match(str(path.relative_to(root)), channel.label, channel.pixel_type, name, float(r2),
                 float(a), float(errors.max()), step, float(clipped.sum() / hit.sum()))


def constant_text(channel) -> str:
    values, _ = stored_values(channel)
    if np.ptp(values) == 0:
        return f"one value everywhere ({values.flat[0]:.4g})"
    return f"follows no pass (values {values.min():.4g}..{values.max():.4g})"


def lint_summary(blend: Path) -> str:
    result = CliRunner().invoke(cli_main, ["lint", "-q", "--format", "json", str(blend)])
    import json
    try:
        findings = json.loads(result.stdout)
    except ValueError:
        return f"exit {result.exit_code}: {(result.stdout + result.stderr).strip()[:120]}"
    if isinstance(findings, dict):
        findings = findings.get("findings", findings.get("diagnostics", []))
    codes = sorted({f.get("code", "?") for f in findings})
    return f"exit {result.exit_code}: " + (", ".join(codes) if codes else "no findings")


def run_project(project) -> tuple[list[Match], str, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        work = root / "work"
        work.mkdir()
        os.chdir(work)              # setups with base_path '' write next to the working folder
        make_scene(project)
        add_reference(bpy.context.scene, str(root / "reference"))
        blend = work / "scene.blend"
        started = time.time()
        render(blend, root / "render_result" / "result")
        files = written_files(root, started)
        reference = [f for f in files if f.name.startswith("reference_")]
        raw = raw_channels(reference[0]) if reference else {}
        matches, unmatched = [], []
        for path in files:
            if path in reference:
                continue
            try:
                image = load_image(str(path))
            except InspectError as exc:
                unmatched.append(f"{path.relative_to(root)}: {exc}")
                continue
            for channel in image.channels:
                m = measure(path, channel, raw, root)
                if m is not None:
                    matches.append(m)
                elif channel.name not in ("A", "Alpha"):
                    unmatched.append(f"{path.relative_to(root)} {channel.label}: "
                                     + constant_text(channel))
        # lint the file as saved, without the reference output
        bpy.ops.wm.open_mainfile(filepath=str(blend))
        tree = compositor(bpy.context.scene)
        tree.nodes.remove(tree.nodes[REFERENCE])
        bpy.ops.wm.save_as_mainfile(filepath=str(blend))
        lint = lint_summary(blend)
        os.chdir(ROOT)
    return matches, lint, unmatched


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    return f"{value:.3g}"


def main(args: list[str]) -> None:
    by_channel = "--channels" in args
    names = [a for a in args if not a.startswith("--")]
    print(f"Blender {bpy.app.version_string}, {SIZE[0]}x{SIZE[1]}, 1 sample\n")
    print("| project | file | channels | stored | follows | R² (worst) | max error | step | "
          "clipped |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    notes = []
    for project in corpus.projects():
        if V not in project.versions or (names and project.name not in names):
            continue
        matches, lint, unmatched = run_project(project)
        notes.append(f"- {project.name}: lint {lint}" + (
            f"; constant or unmatched: {'; '.join(unmatched)}" if unmatched else ""))
        groups = [[m] for m in matches] if by_channel else _by_file(matches)
        for group in groups:
            print(_row(project.name, group))
    print()
    print("\n".join(notes))


def _by_file(matches: list[Match]) -> list[list[Match]]:
    files: dict[str, list[Match]] = {}
    for m in matches:
        files.setdefault(m.file, []).append(m)
    return list(files.values())


def _row(project: str, group: list[Match]) -> str:
    first = group[0]
    sources = ", ".join(dict.fromkeys(m.source for m in group))
    steps = [m.step for m in group if m.step is not None]
    return (f"| {project} | {first.file} | {','.join(m.channel for m in group)} | "
            f"{first.stored} | {sources} | {min(m.r2 for m in group):.6f} | "
            f"{_number(max(m.max_error for m in group))} | "
            f"{_number(max(steps) if steps else None)} | "
            f"{max(m.clipped for m in group):.0%} |")


if __name__ == "__main__":
    main(sys.argv[1:])
