"""Deterministic left-to-right layout: a node's column is its longest path from a source.

Rows inside a column follow the mean row of the node's inputs (ties: declaration order), which
keeps chains straight and crossings few. Linear in nodes + links, so 4,000-node graphs are fine.
"""

from __future__ import annotations

from collections import defaultdict

COLUMN_WIDTH = 300.0
ROW_HEIGHT = 200.0


def layout(names: list[str], edges: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """(x, y) per node name; `edges` are (from, to) pairs, duplicates allowed, no cycles."""
    order = {name: i for i, name in enumerate(names)}
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    for src, dst in set(edges):
        if src in order and dst in order:
            preds[dst].append(src)
            succs[src].append(dst)
    column = _columns(names, preds, succs)
    by_column: dict[int, list[str]] = defaultdict(list)
    for name in names:
        by_column[column[name]].append(name)
    row: dict[str, float] = {}
    for col in sorted(by_column):
        members = sorted(by_column[col], key=lambda n: (_mean_row(preds[n], row, order[n]), order[n]))
        for i, name in enumerate(members):
            row[name] = float(i)
    return {name: (column[name] * COLUMN_WIDTH, -row[name] * ROW_HEIGHT) for name in names}


def _columns(names, preds, succs) -> dict[str, int]:
    """Longest-path layering by Kahn's algorithm, sources in declaration order."""
    waiting = {name: len(preds[name]) for name in names}
    column = {name: 0 for name in names}
    ready = [name for name in names if waiting[name] == 0]
    for name in ready:                      # `ready` grows while it is walked
        for nxt in sorted(succs[name]):
            column[nxt] = max(column[nxt], column[name] + 1)
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                ready.append(nxt)
    return column


def _mean_row(preds: list[str], row: dict[str, float], fallback: int) -> float:
    placed = [row[p] for p in preds if p in row]
    return sum(placed) / len(placed) if placed else float(fallback)
