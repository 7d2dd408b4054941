"""Lint speed: a cold `nodescript lint` process, and parse + resolve + lint of generated graphs.

Prints figures; it asserts nothing about time (targets live in the README, not in tests).
    python benchmarks/lint_speed.py [--sizes 1000,10000,100000] [--runs 10]
"""

from __future__ import annotations

import argparse
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


def cold_lint(runs: int) -> list[float]:
    exe = Path(sys.executable).with_name("nodescript")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "nodescript"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd + ["lint", str(ROOT / "examples" / "depth.nodes")], check=True,
                       capture_output=True)
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
    times = cold_lint(args.runs)
    print(f"cold `nodescript lint examples/depth.nodes` ({args.runs} runs): "
          f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s")
    print(f"{'nodes':>8}  {'parse+resolve+lint':>18}  {'per 1k nodes':>12}")
    for size in (int(s) for s in args.sizes.split(",")):
        count, elapsed = in_process(size)
        print(f"{count:>8}  {elapsed:>16.3f} s  {elapsed / count * 1000:>10.3f} s")


if __name__ == "__main__":
    main()
