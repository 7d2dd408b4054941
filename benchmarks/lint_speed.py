"""Lint speed: a cold `nodescript lint` process, and parse + resolve + lint of generated graphs.

Prints figures; it asserts nothing about time (targets live in the README, not in tests).
    python benchmarks/lint_speed.py [--sizes 1000,10000,100000] [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generated_graph(nodes: int, png: bool = False) -> str:
    """Render Layers feeding chains of 10 Math nodes, each chain ending in a File Output slot.
    `png`: the File Output is an 8-bit PNG and the scene declares a depth range, so every slot's
    chain is followed and sampled (nodescript/lint/values.py) and reported: the worst case."""
    lines = ["rl = RenderLayers()", 'out = FileOutput(path="//bench/")']
    if png:
        lines = ["scene { depth_range = (8, 16) }", "rl = RenderLayers()",
                 'out = FileOutput(path="//bench/", format=png, depth=8)']
    chains = max(1, (nodes - 2) // 10)
    for c in range(chains):
        previous = "rl.Depth"
        for k in range(10):
            name = f"m{c}_{k}"
            lines.append(f"{name} = Math(operation=add, inputs=(_, {k}.5))")
            lines.append(f"{previous} -> {name}")
            previous = name
        lines.append(f"{previous} -> out.slot{c}")
    return "\n".join(lines) + "\n"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cold_lint(runs: int, bytecode: bool) -> tuple[list[float], list[float]]:
    """Wall time of whole `nodescript lint` processes. With `bytecode`, Python's .pyc cache is
    used as in any installed environment (one untimed run writes it first); without, every module
    is compiled from source each time (PYTHONDONTWRITEBYTECODE, no cache written). Returns wall
    and CPU seconds (user + system) per run: on a shared machine the CPU time varies far less."""
    exe = Path(sys.executable).with_name("nodescript")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "nodescript"]
    cmd += ["lint", str(ROOT / "examples" / "depth.nodes")]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if bytecode:
        subprocess.run(cmd, check=True, capture_output=True, env=env)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        for cache in (ROOT / "nodescript").rglob("__pycache__"):
            shutil.rmtree(cache)
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _children_cpu()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - start_cpu)
    return times, cpu


def in_process(nodes: int, repeat: int, png: bool = False) -> tuple[int, list[float], list[float]]:
    """Wall and CPU times of `repeat` parse + resolve + lint runs of one generated graph, in this
    process (the first run also loads the catalogues and the parser)."""
    from nodescript.lint import lint_source

    source = generated_graph(nodes, png)
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = lint_source(source, f"generated-{nodes}.nodes")
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert png or not result.has_errors, result.diagnostics[:3]
    return len(result.graph.nodes), times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=10, help="cold lint processes")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per generated graph under 50k nodes (bigger ones run once)")
    parser.add_argument("--png", action="store_true",
                        help="write the chains to an 8-bit PNG with a depth range (every slot "
                             "followed through its chain and reported)")
    args = parser.parse_args()
    for bytecode, what in ((True, "with .pyc cache"), (False, "no .pyc cache, compiling")):
        times, cpu = cold_lint(args.runs, bytecode)
        print(f"cold `nodescript lint examples/depth.nodes`, {what} ({args.runs} runs): "
              f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
              f"max {max(times):.3f} s; CPU median {statistics.median(cpu):.3f} s")
    print(f"load average {os.getloadavg()[0]:.1f} (1 min)")
    print(f"{'nodes':>8}  {'runs':>4}  {'median':>8}  {'min':>8}  {'max':>8}  {'median per 1k':>13}"
          f"  {'CPU median':>10}")
    for size in (int(s) for s in args.sizes.split(",")):
        count, times, cpu = in_process(size, args.repeat if size < 50_000 else 1, args.png)
        median = statistics.median(times)
        print(f"{count:>8}  {len(times):>4}  {median:>6.3f} s  {min(times):>6.3f} s  "
              f"{max(times):>6.3f} s  {median / count * 1000:>11.3f} s  "
              f"{statistics.median(cpu):>8.3f} s")


if __name__ == "__main__":
    main()
