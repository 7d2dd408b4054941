"""The abstract syntax tree: plain dataclasses, each carrying the span it came from.

Slotted and not frozen: frozen dataclasses cost a lot to build, and big graphs have many nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nodescript.diagnostics import Span


# --- values -----------------------------------------------------------------

@dataclass(slots=True)
class Number:
    value: float | int
    text: str
    span: Span


@dataclass(slots=True)
class String:
    value: str
    span: Span


@dataclass(slots=True)
class Bool:
    value: bool
    span: Span


@dataclass(slots=True)
class Ident:
    """A bare identifier: an enum value (`exr`, `multiply`) or `_` (leave unset)."""

    name: str
    span: Span


@dataclass(slots=True)
class Tuple:
    items: tuple[Value, ...]
    span: Span


@dataclass(slots=True)
class List:
    items: tuple[Value, ...]
    span: Span


Value = Number | String | Bool | Ident | Tuple | List


# --- nodes, sockets, chains --------------------------------------------------

@dataclass(slots=True)
class Arg:
    """`name=value`, or a bare value (name None): a preset such as FileOutput(float32)."""

    name: str | None
    value: Value
    span: Span


@dataclass(slots=True)
class NodeCall:
    kind: str
    args: tuple[Arg, ...]
    span: Span
    kind_span: Span


@dataclass(slots=True)
class SocketRef:
    """`.Depth`, `."Object Index"`, `["Object Index"]` (by name) or `[1]` (by index)."""

    key: str | int
    span: Span


@dataclass(slots=True)
class Endpoint:
    node: str
    socket: SocketRef | None
    span: Span
    # `out.preview(format=png)`: a File Output input's own format; None when not given.
    args: tuple[Arg, ...] | None = None
    # `group.Image`: the socket of the group whose body this is (node is then "group").
    interface: bool = False


@dataclass(slots=True)
class InlineNode:
    call: NodeCall
    alias: str | None
    span: Span


@dataclass(slots=True)
class NodeStmt:
    name: str
    call: NodeCall
    span: Span
    name_span: Span


@dataclass(slots=True)
class Chain:
    elements: tuple[Endpoint | InlineNode, ...]
    span: Span


# --- declarations ---------------------------------------------------------

@dataclass(slots=True)
class Setting:
    key: tuple[str, ...]
    value: Value
    span: Span


@dataclass(slots=True)
class SceneBlock:
    settings: tuple[Setting, ...]
    span: Span


@dataclass(slots=True)
class Target:
    low: str
    high: str | None
    span: Span


@dataclass(slots=True)
class Use:
    path: str
    span: Span


@dataclass(slots=True)
class Param:
    name: str
    type: str | None
    span: Span
    args: tuple[Arg, ...] = ()       # the socket's settings: default, min, max, subtype


@dataclass(slots=True)
class GroupDef:
    name: str
    inputs: tuple[Param, ...]
    outputs: tuple[Param, ...]
    body: tuple[NodeStmt | Chain, ...]
    span: Span


Statement = Target | Use | SceneBlock | GroupDef | NodeStmt | Chain


@dataclass(slots=True)
class Comment:
    text: str
    span: Span


@dataclass
class Module:
    path: str
    source: str
    statements: list[Statement]
    comments: list[Comment] = field(default_factory=list)
