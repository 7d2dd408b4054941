"""`nodescript render`: render a .blend (with a graph applied in memory), check every file.

Frames are rendered one by one as one-frame animations, so file names carry the frame number in
every version (a 5.0 File Output leaves it out of still renders). Where files land:

    4.x File Output, single-layer   base_path / slot.path + frame + ext
    4.x File Output, multilayer     base_path + frame + .exr          (base_path is a prefix)
    5.0 File Output, single-layer   directory / file_name + item.name + frame + ext
    5.0 File Output, multilayer     directory / file_name + frame + .exr
    render result                   render.filepath + frame + ext

frame is 4 digits, or replaces the last run of `#` in the name when it has one; the extension is
added unless the name ends with it. Under --out every name is made safe
(nodescript.blender.out_paths) so that every file lands under the folder. nodescript's
lowering maps `path`/`file_name` so that one graph names its files the same in 4.2, 4.5 and 5.0.
After each frame every expected file must exist and be new, else the command exits 1.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

from nodescript.blender.apply import (EXIT_DIFFERS, EXIT_ERROR, EXIT_OK, Echo, Stop, run_stoppable,
                                      checked_graph, open_scene, plan_for)
from nodescript.blender.out_paths import frame_name, written_file  # noqa: F401 - frame_name: API

@dataclass
class Options:
    scene_path: str
    graph_path: str | None
    scene_name: str | None = None
    frames: str | None = None
    out_dir: str | None = None
    force: bool = False
    allow_upgrade: bool = False
    effect: str | None = None        # 5.3+: the compositor effect GRAPH is applied to


@dataclass
class FileOutput:
    """Where one File Output node writes, as plain data (read by the executor)."""

    node: str
    folder: str                       # absolute
    file_format: str
    multilayer: bool
    prefix: str = ""                  # multilayer: the file name before the frame number
    names: list[str] = field(default_factory=list)   # single-layer: one name per linked input
    formats: list[str] = field(default_factory=list)  # per name: its own format, "" = the node's
    extension: bool = True            # 5.2+: `use_file_extension` off writes names without one

    def files(self, frame: int) -> list[str]:
        if self.multilayer:
            return [written_file(self.folder, self.prefix, frame, self.file_format,
                                 self.extension)]
        formats = self.formats or [""] * len(self.names)
        return [written_file(self.folder, name, frame, own or self.file_format,
                             self.extension)
                for name, own in zip(self.names, formats)]


# Blender's frame numbers (MINAFRAME, MAXAFRAME).
FRAME_RANGE = (-1048574, 1048574)


def parse_frames(text: str | None, current: int) -> list[int]:
    """`5`, `1-3`, `1,4,9`, `1-3,8` -> frame numbers in order, without repeats."""
    if not text:
        return [current]
    frames: list[int] = []
    seen: set[int] = set()
    for part in text.split(","):
        match = re.fullmatch(r"\s*(-?\d+)\s*(?:-\s*(-?\d+)\s*)?", part)
        if match is None:
            raise Stop(EXIT_ERROR, f"--frames: cannot read {part!r}; write 5, 1-3 or 1,4,9")
        low = _frame(match.group(1))
        high = _frame(match.group(2)) if match.group(2) is not None else low
        if high < low:
            raise Stop(EXIT_ERROR, f"--frames: {part.strip()} is an empty range")
        frames += [f for f in range(low, high + 1) if f not in seen]
        seen.update(range(low, high + 1))
    return frames


def _frame(text: str) -> int:
    if len(text) > 8 or not FRAME_RANGE[0] <= int(text) <= FRAME_RANGE[1]:
        raise Stop(EXIT_ERROR, f"--frames: {text} is not a Blender frame "
                   f"({FRAME_RANGE[0]} to {FRAME_RANGE[1]})")
    return int(text)


def run(opts: Options, echo: Echo, err: Echo) -> int:
    return run_stoppable(_run, opts, echo, err)


def _run(opts: Options, echo: Echo, err: Echo) -> int:
    if opts.frames:
        parse_frames(opts.frames, 0)              # a bad --frames stops before Blender loads
    graph = checked_graph(opts.graph_path, opts.force, err) if opts.graph_path else None
    executor, scene, lowering = open_scene(opts, echo)
    if graph is not None:
        p = plan_for(graph, lowering, executor, scene)
        p.effect = opts.effect or p.effect
        try:
            executor.apply_plan(scene, p, lowering)      # in memory only: never saved
        except executor.ExecutionError as exc:
            raise Stop(EXIT_ERROR, str(exc)) from None
        echo(f"applied {opts.graph_path} to scene {scene.name!r} in memory")
    if opts.out_dir:
        executor.redirect_outputs(scene, os.path.abspath(opts.out_dir))
    frames = parse_frames(opts.frames, scene.frame_current)
    outputs = executor.file_outputs(scene, FileOutput)
    if not scene.render.use_compositing and outputs:
        err("warning: render.use_compositing is off: File Output nodes will write nothing")
    try:
        return _render_frames(executor, scene, frames, outputs, echo, err)
    except executor.ExecutionError as exc:
        raise Stop(EXIT_ERROR, str(exc)) from None


def _render_frames(executor, scene, frames, outputs, echo: Echo, err: Echo) -> int:
    missing_any = False
    started = time.perf_counter()
    for i, frame in enumerate(frames, 1):
        began = time.time()
        t0 = time.perf_counter()
        executor.render_frame(scene, frame)
        echo(f"frame {frame} [{i}/{len(frames)}] rendered in {time.perf_counter() - t0:.2f} s")
        for path in [executor.render_result_path(scene, frame)]:
            _report(path, began, echo, err, "render result")
        for out in outputs:
            for path in out.files(frame):
                missing_any |= not _report(path, began, echo, err, f"File Output {out.node!r}")
    echo(f"{len(frames)} frame(s) in {time.perf_counter() - started:.2f} s")
    if missing_any:
        err("some File Output files were not written (is compositing enabled? are the "
            "inputs linked, and fed by an image rather than a single value? see NS205)")
        return EXIT_DIFFERS
    return EXIT_OK


def _report(path: str, began: float, echo: Echo, err: Echo, what: str) -> bool:
    """Print a written file; False (and a message) when it is missing or was not rewritten."""
    try:
        stat = os.stat(path)
    except OSError:
        err(f"  missing {path} ({what})")
        return False
    if stat.st_mtime < began - 0.05:        # filesystem timestamps may round down
        err(f"  not rewritten {path} ({what}): it is older than this render")
        return False
    echo(f"  wrote {path} ({stat.st_size:,} bytes)")
    return True
