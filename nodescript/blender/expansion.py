"""What lowering one IR node yields, shared by lowering and its helpers."""

from __future__ import annotations

from dataclasses import dataclass, field

from nodescript.blender import plan


class LoweringError(Exception):
    """The graph uses something the target version cannot express (message names the target)."""


@dataclass
class Expansion:
    """The plan nodes one IR node becomes, and where its sockets went.

    `inputs`/`outputs` map a binding's socket identifier to a plan socket; sockets not in them
    stay on the plan node named like the IR node (the usual one-to-one case).
    """

    nodes: list[plan.Node]
    inputs: dict[str, plan.Socket] = field(default_factory=dict)
    outputs: dict[str, plan.Socket] = field(default_factory=dict)
    links: list[plan.Link] = field(default_factory=list)    # between its own nodes
    by_index: bool = False           # its sockets are found by index (groups, File Output)
