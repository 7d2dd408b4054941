"""Where apply puts the nodes it adds. Pure: no bpy.

Layout belongs to the user: apply never moves a node it keeps (unless the graph pins it with
`at=(x, y)`). A tree apply builds from nothing gets the automatic layout (layout.py); a node
added to a tree that keeps others goes next to what it connects to: right of its sources, else
left of what it feeds, else below everything, and down a row at a time until it overlaps none.
A node rebuilt with another type stays where the old one was. Blender keeps a framed node's
location relative to its frame: the choice is made in tree coordinates, then made relative.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from nodescript.blender import plan
from nodescript.blender.layout import COLUMN_WIDTH, ROW_HEIGHT


def place_added(tree: plan.Tree, current: dict[str, tuple[tuple[float, float], str | None]],
                added: list[plan.Node]) -> list[plan.Node]:
    """`added` with their locations chosen; `current`: where each of the scene's nodes is now
    (its location, relative to its frame as Blender keeps it, and that frame's name)."""
    new = {node.name for node in added}
    planned = {node.name for node in tree.nodes}
    if not any(name in planned and name not in new for name in current):
        return added                              # built from nothing: the automatic layout
    sources, targets = defaultdict(list), defaultdict(list)
    for link in tree.links:
        sources[link.dst.node].append(link.src.node)
        targets[link.src.node].append(link.dst.node)
    placed = {name: _absolute(name, current) for name in current
              if name in planned and name not in new}           # in tree coordinates
    grid = _Grid(placed.values())
    out = []
    for node in added:
        frame = placed.get(node.parent, (0.0, 0.0)) if node.parent else (0.0, 0.0)
        if node.pinned or node.name in current:   # pinned, or the same name with another type
            own = node.location if node.pinned else current[node.name][0]
            where = (own[0] + frame[0], own[1] + frame[1])
        else:
            where = grid.free(_next_to(node.name, sources, targets, placed))
        placed[node.name] = where
        grid.add(where)
        location = (where[0] - frame[0], where[1] - frame[1])
        out.append(node if location == node.location else replace(node, location=location))
    return out


def _absolute(name: str, current) -> tuple[float, float]:
    """A node's location in the tree: its own plus its frames' (frames do not nest in loops)."""
    x, y, seen = 0.0, 0.0, set()
    while name in current and name not in seen:
        seen.add(name)
        (dx, dy), name = current[name]
        x, y = x + dx, y + dy
        if name is None:
            break
    return x, y


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
