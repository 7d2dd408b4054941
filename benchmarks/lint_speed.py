"""Lint speed: a cold `nodescript lint` process, and parse + resolve + lint of generated graphs.

Prints figures; it asserts nothing about time (targets live in the README, not in tests).
    python benchmarks/lint_speed.py [--sizes 1000,10000,100000] [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generated_graph(nodes: int) -> str:
    """Render Layers feeding chains of 10 Math nodes, each chain ending in a File Output slot."""
    lines = ["rl = RenderLayers()", 'out = FileOutput(path="//bench/")']
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


def cold_lint(runs: int, bytecode: bool) -> list[float]:
    """Wall time of whole `nodescript lint` processes. With `bytecode`, Python's .pyc cache is
    used as in any installed environment (one untimed run writes it first); without, every module
    is compiled from source each time (PYTHONDONTWRITEBYTECODE, no cache written)."""
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
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return times


def in_process(nodes: int) -> tuple[int, float]:
    from nodescript.lint import lint_source

    source = generated_graph(nodes)
    start = time.perf_counter()
    result = lint_source(source, f"generated-{nodes}.nodes")
    elapsed = time.perf_counter() - start
    assert not result.has_errors, result.diagnostics[:3]
    return len(result.graph.nodes), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    for bytecode, what in ((True, "with .pyc cache"), (False, "no .pyc cache, compiling")):
        times = cold_lint(args.runs, bytecode)
        print(f"cold `nodescript lint examples/depth.nodes`, {what} ({args.runs} runs): "
              f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
              f"max {max(times):.3f} s")
    print(f"{'nodes':>8}  {'parse+resolve+lint':>18}  {'per 1k nodes':>12}")
    for size in (int(s) for s in args.sizes.split(",")):
        count, elapsed = in_process(size)
        print(f"{count:>8}  {elapsed:>16.3f} s  {elapsed / count * 1000:>10.3f} s")


if __name__ == "__main__":
    main()
