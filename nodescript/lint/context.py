"""What a rule sees: the resolved graph and helpers to walk it."""

from __future__ import annotations

from dataclasses import dataclass

from nodescript import ir


@dataclass
class LintContext:
    graph: ir.Graph
    measured_range: tuple[float, float] | None = None   # a .blend's depth range (scene_bounds)

    @property
    def targets(self) -> tuple[str, ...]:
        return self.graph.targets

    def graphs(self) -> list[ir.Graph]:
        """The scene's graph and every group body."""
        return [self.graph] + [g.body for g in self.graph.groups.values()]
