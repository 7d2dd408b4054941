"""Where apply puts the nodes it adds. Pure: no bpy.

Layout belongs to the user: apply never moves a node it keeps (unless the graph pins it with
`at=(x, y)`). A tree apply builds from nothing gets the automatic layout (layout.py); a node
added to a tree that keeps others goes next to what it connects to: right of its sources, else
left of what it feeds, else below everything, and down a row at a time until it overlaps none.
A node rebuilt with another type stays where the old one was.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from nodescript.blender import plan
from nodescript.blender.layout import COLUMN_WIDTH, ROW_HEIGHT


def place_added(tree: plan.Tree, locations: dict[str, tuple[float, float]],
                added: list[plan.Node]) -> list[plan.Node]:
    """`added` with their locations chosen; `locations`: where the scene's nodes are now."""
    new = {node.name for node in added}
    planned = {node.name for node in tree.nodes}
    kept = {name: loc for name, loc in locations.items() if name in planned and name not in new}
    if not kept:
        return added                              # built from nothing: the automatic layout
    sources, targets = defaultdict(list), defaultdict(list)
    for link in tree.links:
        sources[link.dst.node].append(link.src.node)
        targets[link.src.node].append(link.dst.node)
    grid = _Grid(kept.values())
    placed = dict(kept)
    out = []
    for node in added:
        if node.pinned:
            where = node.location
        elif node.name in locations:              # the same name with another type
            where = locations[node.name]
        else:
            where = grid.free(_next_to(node.name, sources, targets, placed))
        placed[node.name] = where
        grid.add(where)
        out.append(node if where == node.location else replace(node, location=where))
    return out


def _next_to(name: str, sources, targets, placed) -> tuple[float, float]:
    srcs = [placed[s] for s in sources[name] if s in placed]
    if srcs:
        return max(x for x, _ in srcs) + COLUMN_WIDTH, max(y for _, y in srcs)
    dsts = [placed[t] for t in targets[name] if t in placed]
    if dsts:
        return min(x for x, _ in dsts) - COLUMN_WIDTH, max(y for _, y in dsts)
    return min(x for x, _ in placed.values()), min(y for _, y in placed.values()) - ROW_HEIGHT


class _Grid:
    """Occupied spots, bucketed by column so each overlap test looks at few nodes."""

    def __init__(self, spots) -> None:
        self.columns: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for spot in spots:
            self.add(spot)

    def add(self, spot: tuple[float, float]) -> None:
        self.columns[round(spot[0] / COLUMN_WIDTH)].append(spot)

    def free(self, spot: tuple[float, float]) -> tuple[float, float]:
        x, y = spot
        while self._taken(x, y):
            y -= ROW_HEIGHT
        return x, y

    def _taken(self, x: float, y: float) -> bool:
        column = round(x / COLUMN_WIDTH)
        return any(abs(ox - x) < COLUMN_WIDTH * 0.75 and abs(oy - y) < ROW_HEIGHT * 0.75
                   for c in (column - 1, column, column + 1) for ox, oy in self.columns.get(c, ()))
