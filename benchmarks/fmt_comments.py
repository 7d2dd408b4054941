"""fmt time against the number of comments (issue 14: it was quadratic in them).

    python benchmarks/fmt_comments.py

Prints, for 5k/10k/20k Math nodes, the time to format the file with a trailing comment on every
line and without comments. Measured 2026-12-02 on the project's 2-core machine while other work
ran (load average about 7, so the figures move by 2x between runs), best of 3: with comments
0.56 / 1.49 / 3.29 s, without 0.52 / 0.72 / 3.26 s; a single run earlier that day, with
comments, 0.29 / 0.55 / 0.93 s. Issue 14 measured 5 / 21 / 80 s with comments before the fix
(0.7 / 1.2 / 3.2 s without).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nodescript.fmt import format_source  # noqa: E402


def source(nodes: int, comments: bool) -> str:
    note = (lambda i: f"  # note {i}") if comments else (lambda i: "")
    return "rl = RenderLayers()\n" + "".join(f"m{i} = Math(operation=add){note(i)}\n"
                                             for i in range(nodes))


def best_of(runs: int, text: str) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        format_source(text)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    print("nodes    with comments   without")
    for nodes in (5_000, 10_000, 20_000):
        with_c = best_of(3, source(nodes, True))
        without = best_of(3, source(nodes, False))
        print(f"{nodes:>6}   {with_c:>10.2f} s   {without:>7.2f} s")


if __name__ == "__main__":
    main()
