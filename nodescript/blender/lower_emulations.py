"""Kinds a version lacks, built from other nodes with the same result (vocabulary.EMULATED_KINDS):
Composite as the tree's Group Output, Map Value as a chain of Math nodes (5.0 on)."""

from __future__ import annotations

from nodescript import ir, vocabulary
from nodescript.blender import plan
from nodescript.blender.expansion import Expansion, LoweringError
from nodescript.dialects import Dialect

MATH = "ShaderNodeMath"
# Map Value's steps as Math operations: y = (x + offset) * size, then the optional clamps.
MAP_VALUE_STEPS = (("offset", "ADD", None), ("size", "MULTIPLY", None),
                   ("min", "MAXIMUM", "use_min"), ("max", "MINIMUM", "use_max"))


def composite_socket(dialect: Dialect) -> plan.InterfaceSocket:
    """The tree's output socket the renderer reads the composited image from."""
    name, socket_type = dialect.COMPOSITE_SOCKET
    return plan.InterfaceSocket(name, "OUTPUT", socket_type)


def composite_as_group_output(dialect: Dialect, node: ir.Node, binding: ir.NodeBinding,
                              group: ir.Group | None) -> Expansion:
    where = f"Blender {dialect.VERSION}, where Composite is the tree's Group Output"
    if group is not None:
        raise LoweringError(f"Composite `{node.name}` cannot be inside a group in Blender "
                            f"{dialect.VERSION}: its output is the compositor's Group Output")
    if node.args.get("mute"):
        raise LoweringError(f"Composite `{node.name}` cannot be muted in {where}")
    if binding.properties or binding.inputs:
        given = ", ".join([*binding.properties, *binding.inputs])
        raise LoweringError(f"Composite `{node.name}`: {given} cannot be expressed in {where}")
    out = plan.Node(node.name, "NodeGroupOutput", label=str(node.args.get("label", "")),
                    tag={"kind": "Composite", "node": node.name, "role": "output", "args": {}})
    image = plan.Socket(node.name, 0, composite_socket(dialect).name, by_index=True)
    return Expansion([out], inputs={"Image": image})


def map_value_as_math(dialect: Dialect, node: ir.Node, binding: ir.NodeBinding,
                      group: ir.Group | None) -> Expansion:
    args = {**map_value_defaults(dialect), **binding.properties}
    steps = [(role, op) for role, op, switch in MAP_VALUE_STEPS if switch is None or args[switch]]
    tag_args = {k: _json_value(v) for k, v in sorted(args.items())}
    label = str(node.args.get("label", "")) or "Map Value"
    nodes = [plan.Node(f"{node.name}.{role}", MATH, label=f"{label} ({role})",
                       properties={"operation": op}, inputs={"Value_001": _scalar(args[role])},
                       tag={"kind": "MapValue", "node": node.name, "role": role, "args": tag_args})
             for role, op in steps]
    if "Value" in binding.inputs:                 # MapValue's own unlinked input
        nodes[0].inputs["Value"] = binding.inputs["Value"]
    links = [plan.Link(plan.Socket(a.name, 0, "Value"), plan.Socket(b.name, 0, "Value"))
             for a, b in zip(nodes, nodes[1:])]
    return Expansion(nodes, inputs={"Value": plan.Socket(nodes[0].name, 0, "Value")},
                     outputs={"Value": plan.Socket(nodes[-1].name, 0, "Value")}, links=links)


def map_value_defaults(dialect: Dialect) -> dict[str, object]:
    spec, _ = vocabulary.spec_for("MapValue", dialect.VERSION)   # borrowed from a version that has it
    return {k: tuple(p.default) if isinstance(p.default, list) else p.default
            for k, p in spec.properties.items()}


EMULATIONS = {"MapValue": map_value_as_math, "Composite": composite_as_group_output}


def _json_value(value):
    if isinstance(value, (tuple, list)):
        return [_json_value(v) for v in value]
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _scalar(value):
    return float(value[0] if isinstance(value, (tuple, list)) else value)
