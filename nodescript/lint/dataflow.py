"""Where data passes go: which sockets carry Depth, Normal, IDs, ... and what reaches each output.

The precision rules (nodescript.lint.rules.precision) ask three kinds of question, always for one
Blender version at a time because node types and socket types differ between versions:

- which data passes does this output socket carry (`Flow.out_passes`)?
- which outputs (File Output slots, Composite, Viewer) can the data leaving this node reach
  (`Flow.sinks_of`), and are they previews?
- what reaches each File Output slot, as which socket type, through which nodes (`Flow.slots`)?

A node's output carries the passes of every input that feeds it ("anything computed from a data
pass is data"), except inputs that only steer the node: Defocus's Z, a Mix factor, a blur size,
Denoise's guides... (`feeds`). Group nodes are followed into their bodies: a group output carries
the passes of the group inputs it is computed from.

Nothing here imports bpy; socket types come from the resolved graph and the shipped catalogue.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from nodescript import dialects, ir, vocabulary
from nodescript.vocabulary import fold

# --- data passes ------------------------------------------------------------------------------

DATA_PASSES = ("Depth", "Normal", "Position", "Vector", "UV", "Object Index", "Material Index",
               "Cryptomatte", "Mist", "Denoising Depth", "Denoising Normal", "AOV")
AOV = "AOV"         # a shader AOV output (scene `aovs`): normals, object coordinates... data
METRIC_PASSES = frozenset({"Depth", "Position", "Denoising Depth"})     # values in metres
DEPTH_PASSES = frozenset({"Depth", "Denoising Depth"})

_PASS_BY_SOCKET = {fold(p): p for p in DATA_PASSES if p not in ("Cryptomatte", AOV)}
_PASS_BY_SOCKET.update({"z": "Depth", "indexob": "Object Index", "indexma": "Material Index"})


def pass_of(socket_name: str) -> str | None:
    """The data pass a Render Layers output carries (any version's name), or None."""
    folded = fold(socket_name)
    if folded.startswith("crypto"):           # CryptoObject00, CryptoMaterial01, CryptoAsset02
        return "Cryptomatte"
    return _PASS_BY_SOCKET.get(folded)


def describe_passes(passes) -> str:
    ordered = [p for p in DATA_PASSES if p in passes]
    if len(ordered) <= 1:
        return "".join(ordered)
    return ", ".join(ordered[:-1]) + " and " + ordered[-1]


# --- how values move through nodes ------------------------------------------------------------

SINK_KINDS = frozenset({"FileOutput", "Composite", "Viewer"})

# Outputs that never carry their inputs' values: masks and image geometry only.
OPAQUE_KINDS = frozenset({"IDMask", "ImageInfo", "ImageCoordinates"})

# Inputs that steer a node instead of passing values through (folded names), by kind.
CONTROL_INPUTS = {
    "Mix": frozenset({"fac", "factor"}),
    "MixLegacy": frozenset({"fac", "factor"}),
    "AlphaOver": frozenset({"fac", "factor"}),
    "Switch": frozenset({"switch"}),
    "RelativeToPixel": frozenset({"image"}),       # only the image's size is used
}

# For nodes built around an image (they have a colour input called Image or Color), only these
# inputs pass values through; the others are parameters (Size, Z, Factor, Albedo, Key Color, ...).
IMAGE_INPUTS = frozenset({"image", "image1", "image2", "color", "a", "b", "background",
                          "foreground", "off", "on", "left", "right"})

CRYPTOMATTE_KINDS = frozenset({"Cryptomatte", "CryptomatteLegacy"})
DEPTH_COMBINE_KINDS = frozenset({"ZCombine", "DepthCombine"})

# Linear nodes whose effect on a value can be followed exactly (for quantization in metres).
LINEAR_MATH = frozenset({"ADD", "SUBTRACT", "MULTIPLY", "DIVIDE"})


@functools.cache
def _image_node(kind: str, version: str) -> bool:
    found = vocabulary.spec_for(kind, version)
    if found is None:
        return False
    return any(s.type == "RGBA" and fold(s.name) in ("image", "color") for s in found[0].inputs)


def propagates(node: ir.Node, version: str, into: ir.SocketBinding) -> bool:
    """Whether values arriving at input `into` of `node` pass on to its outputs at all."""
    kind, name = node.semantics, fold(into.name)
    if kind in OPAQUE_KINDS:
        return False
    if kind == "Group":
        return True
    if kind in CONTROL_INPUTS:
        return name not in CONTROL_INPUTS[kind]
    if kind in CRYPTOMATTE_KINDS:
        return name == "image" or name.startswith("crypto")
    if _image_node(node.kind, version):       # its own sockets (an exact type's too)
        return name in IMAGE_INPUTS
    return True


def feeds(node: ir.Node, version: str, into: ir.SocketBinding, out: ir.SocketBinding,
          group_deps: dict[str, frozenset[str]] | None = None) -> bool:
    """Whether input `into` of `node` contributes to its output `out`."""
    if not propagates(node, version, into):
        return False
    if node.semantics == "Group":
        return group_deps is not None and "@" + into.name in group_deps.get(out.name, frozenset())
    if node.semantics in CRYPTOMATTE_KINDS:
        wanted = "pick" if fold(into.name).startswith("crypto") else "image"
        return fold(out.name) == wanted
    if node.semantics in DEPTH_COMBINE_KINDS:     # depths feed the depth output, images the image
        return (into.type == "VALUE") == (out.type == "VALUE")
    return True


def aov_names(graph: ir.Graph) -> frozenset[str]:
    return frozenset(name for name, _ in graph.setting("aovs", ()))


def sources(node: ir.Node, out: ir.SocketBinding, aovs: frozenset[str] = frozenset()
            ) -> frozenset[str]:
    """Data passes a node produces itself on output `out` (`aovs`: the scene's AOV names)."""
    if node.semantics == "RenderLayers":
        if out.name in aovs:
            return frozenset({AOV})
        found = pass_of(out.name)
        return frozenset({found}) if found else frozenset()
    if node.semantics == "Cryptomatte" and fold(out.name) == "pick":   # reads the passes itself
        return frozenset({"Cryptomatte"})
    return frozenset()


# --- the analysis -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Sink:
    """An output data can reach: a File Output slot, a Composite or a Viewer."""

    kind: str
    node: str
    slot: str
    preview: bool


@dataclass
class SlotFlow:
    """What one File Output slot receives in one version."""

    graph: ir.Graph
    node: ir.Node
    slot: str
    link: ir.Link
    version: str
    passes: frozenset[str]
    socket_type: str            # the type the slot is written as: VALUE, VECTOR or RGBA
    feeder: ir.Link             # the link that really feeds the slot (reroutes skipped)
    raw: frozenset[str]         # passes that arrive unprocessed (only reroutes on the way)

    @property
    def preview(self) -> bool:
        return self.node.is_preview

    @property
    def feeder_label(self) -> str:
        return f"{self.feeder.from_node}.{self.feeder.bindings[self.version][0].name}"


@dataclass
class Flow:
    """The data passes in one graph (the scene's or a group body) for one version."""

    graph: ir.Graph
    version: str
    group_deps: dict[str, dict[str, frozenset[str]]]
    inputs: dict[str, frozenset[str]] = field(default_factory=dict)      # group inputs (bodies)
    outputs_reach: dict[str, frozenset[Sink]] = field(default_factory=dict)
    out: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    reach: dict[tuple[str, str], frozenset[Sink]] = field(default_factory=dict)
    arriving: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    slots: list[SlotFlow] = field(default_factory=list)
    into: dict[str, list[ir.Link]] = field(default_factory=dict)       # node -> links into it
    outof: dict[str, list[ir.Link]] = field(default_factory=dict)      # node -> links from it
    groups: dict[str, ir.Group] | None = None       # the scene graph's groups (bodies need them)
    input_values: dict[str, float] = field(default_factory=dict)   # group inputs set constant
    _all_data: dict[str, bool] = field(default_factory=dict)
    _order: list[str] | None = None
    _bodies: dict[tuple, "Flow"] = field(default_factory=dict)
    _transfers: dict[tuple, object] = field(default_factory=dict)

    def __post_init__(self):
        for link in self.graph.links:
            if link.muted:                   # passes nothing: the input keeps its own value
                continue
            self.into.setdefault(link.to_node, []).append(link)
            self.outof.setdefault(link.from_node, []).append(link)

    def order(self) -> list[str]:
        if self._order is None:
            self._order = _order(self.graph)
        return self._order

    def links_into(self, node: str) -> list[ir.Link]:
        return self.into.get(node, [])

    def links_from(self, node: str) -> list[ir.Link]:
        return self.outof.get(node, [])

    def all_data(self, node: str) -> bool:
        """Whether every input of `node` carries a data pass (a File Output of data only)."""
        if node not in self._all_data:
            self._all_data[node] = all(self.out_passes(link) for link in self.links_into(node))
        return self._all_data[node]

    # -- queries --
    def links_into_output(self, socket: str) -> list[ir.Link]:
        """The links of a group body into the group's output `socket`."""
        return [link for link in self.links_into(ir.GROUP_OUTPUT) if link.to_socket == socket]

    def group_input(self, link: ir.Link) -> str | None:
        """The group input a link of a group body starts from, None when it starts at a node."""
        if link.from_node == ir.GROUP_INPUT and link.from_node not in self.graph.nodes:
            return link.from_socket
        return None

    def out_passes(self, link: ir.Link) -> frozenset[str]:
        """Passes carried by the output socket a link starts from."""
        if self.group_input(link) is not None:
            return self.inputs.get(link.from_socket, frozenset())
        key = (link.from_node, link.bindings[self.version][0].identifier)
        return self.out.get(key, frozenset())

    def data_in(self, node: str) -> frozenset[str]:
        """Passes arriving at the inputs of `node` that pass values through."""
        n = self.graph.nodes[node]
        found: set[str] = set()
        for link in self.links_into(node):
            if propagates(n, self.version, link.bindings[self.version][1]):
                found |= self.out_passes(link)
        return frozenset(found)

    def data_inputs(self, node: str) -> list[ir.Link]:
        n = self.graph.nodes[node]
        return [link for link in self.links_into(node) if self.out_passes(link)
                and propagates(n, self.version, link.bindings[self.version][1])]

    def sinks_of(self, node: str) -> frozenset[Sink]:
        """Outputs the data leaving `node` can reach."""
        found: set[Sink] = set()
        for link in self.links_from(node):
            ident = link.bindings[self.version][0].identifier
            if self.out.get((node, ident)):
                found |= self.reach.get((node, ident), frozenset())
        return frozenset(found)

    def link_into(self, node: str, identifier: str) -> ir.Link | None:
        for link in self.links_into(node):
            if link.bindings[self.version][1].identifier == identifier:
                return link
        return None

    def constant(self, node: ir.Node, identifier: str) -> float | None:
        """The number an unlinked input holds in this version (set value, else the catalogue's
        default); None when the input is linked or not numeric."""
        link = self.link_into(node.name, identifier)
        if link is not None:               # a group input holding a constant on this instance
            if self.group_input(link) in self.input_values:
                return self.input_values[link.from_socket]
            return None
        spec = vocabulary.spec_for(node.kind, self.version)
        defaults = {s.identifier: s.default for s in spec[0].inputs} if spec else {}
        value = node.bindings[self.version].inputs.get(identifier, defaults.get(identifier))
        return float(value) if isinstance(value, (int, float)) else None

    def upstream(self, link: ir.Link) -> list[str]:
        """Nodes the data on `link` went through, nearest first."""
        seen: list[str] = []
        stack = [link]
        while stack:
            current = stack.pop()
            name = current.from_node
            if name not in self.graph.nodes or name in seen or not self.out_passes(current):
                continue
            seen.append(name)
            node = self.graph.nodes[name]
            out = current.bindings[self.version][0]
            for into in self.links_into(name):
                if feeds(node, self.version, into.bindings[self.version][1], out,
                         self.group_deps.get(node.group or "")):
                    stack.append(into)
        return seen

    def feeder(self, link: ir.Link) -> ir.Link:
        """The link that really feeds `link`'s source value: reroutes are skipped."""
        seen = set()
        while True:
            node = self.graph.nodes.get(link.from_node)
            if node is None or node.semantics != "Reroute" or node.name in seen:
                return link
            seen.add(node.name)
            into = self.links_into(node.name)
            if not into:
                return link
            link = into[0]

    def transfer(self, link: ir.Link, component: int | None = None):
        """The chain of per-pixel functions from a data pass to the value on `link`
        (nodescript.lint.values.Transfer), or None when it cannot be followed. `component`:
        to that component (0, 1, 2) of a vector or colour value."""
        key = (id(link), component)
        if key not in self._transfers:
            from nodescript.lint import values
            self._transfers[key] = values.transfer(self, link, pass_of, component=component)
        return self._transfers[key]

    def component_transfers(self, link: ir.Link) -> list:
        """The chains to each component (x, y, z or r, g, b) of the vector or colour value on
        `link` that carries a pass; components a constant makes are left out."""
        found = (self.transfer(link, c) for c in range(3))
        return [t for t in found if t is not None]

    def body_flow(self, group: str, constants: dict[str, float] | None = None) -> "Flow":
        """A group body's flow to follow values through it: inputs symbolic (`@name`), except
        those the instance sets to a constant (`DepthToCm(scale=100)`), which hold it."""
        constants = constants or {}
        key = (group, tuple(sorted(constants.items())))
        if key not in self._bodies:
            body = self.groups[group]
            symbolic = {s.name: frozenset({"@" + s.name}) for s in body.inputs
                        if s.name not in constants}
            self._bodies[key] = _propagate(Flow(body.body, self.version, self.group_deps,
                                                inputs=symbolic, groups=self.groups,
                                                input_values=dict(constants)))
        return self._bodies[key]

    def linear(self, link: ir.Link) -> tuple[str, float, float, list[str]] | None:
        """(pass, scale, offset, nodes) when the value on `link` is exactly `pass * scale + offset`.

        Followed through Reroute, Map Range (linear, float), Map Value, Math add/subtract/
        multiply/divide by a constant, and Combine Color (RGB) / Combine XYZ with one data input
        (the channel that carries it); anything else (Normalize, filters...) returns None.
        """
        chain: list[tuple[float, float]] = []
        names: list[str] = []
        for _ in range(256):
            node = self.graph.nodes.get(link.from_node)
            if node is None:
                return None
            if node.semantics == "RenderLayers":
                found = pass_of(link.bindings[self.version][0].name)
                if found is None:
                    return None
                scale, offset = 1.0, 0.0
                for a, b in reversed(chain):
                    scale, offset = a * scale, a * offset + b
                return found, scale, offset, names
            if node.semantics == "Reroute":
                into = self.links_into(node.name)
                if not into:
                    return None
                link = into[0]
                continue
            step = self._linear_step(node)
            if step is None:
                return None
            (a, b), link = step
            chain.append((a, b))
            names.append(node.name)
        return None

    def _linear_step(self, node: ir.Node):
        binding = node.bindings[self.version]
        links = self.links_into(node.name)

        def constant(identifier):
            return self.constant(node, identifier)

        if node.semantics in ("CombineColor", "CombineXYZ"):      # one channel carries the value
            data = [link for link in links if self.out_passes(link)]
            if binding.properties.get("mode", "RGB") != "RGB" or len(data) != 1:
                return None
            return (1.0, 0.0), data[0]
        if node.semantics == "MapRange":
            props = binding.properties
            if props.get("data_type", "FLOAT") != "FLOAT" or \
                    props.get("interpolation_type", "LINEAR") != "LINEAR":
                return None
            into = self.link_into(node.name, "Value")
            values = [constant(i) for i in ("From Min", "From Max", "To Min", "To Max")]
            if into is None or None in values or values[0] == values[1]:
                return None
            fmin, fmax, tmin, tmax = values
            a = (tmax - tmin) / (fmax - fmin)
            return (a, tmin - fmin * a), into
        if node.semantics == "MapValue":
            into = self.link_into(node.name, "Value")
            offset = scalar(binding.properties.get("offset", 0.0))
            size = scalar(binding.properties.get("size", 1.0))
            if into is None:
                return None
            return (size, offset * size), into
        if node.semantics == "Math":
            op = binding.properties.get("operation", "ADD")
            if op not in LINEAR_MATH or len(links) != 1:
                return None
            into = links[0]
            first = into.bindings[self.version][1].identifier == "Value"
            other = constant("Value_001" if first else "Value")
            if other is None:
                return None
            if op == "ADD":
                return (1.0, other), into
            if op == "MULTIPLY":
                return (other, 0.0), into
            if op == "SUBTRACT":
                return ((1.0, -other) if first else (-1.0, other)), into
            if op == "DIVIDE" and first and other != 0:
                return (1.0 / other, 0.0), into
        return None


def scalar(value) -> float:
    if isinstance(value, (tuple, list)):
        value = value[0] if value else 0.0
    return float(value)


def slot_type(flow: Flow, link: ir.Link) -> str:
    """The type a File Output input is written as in this version.

    4.x: the slot takes the type of the socket linked into it (a reroute takes its input's type).
    5.0 on: the item is created with the declared `socket_type`, the IR's slot type.
    """
    if not dialects.get(flow.version).FILE_OUTPUT_ITEMS:
        return flow.feeder(link).bindings[flow.version][0].type
    return link.bindings[flow.version][1].type


# --- running it -------------------------------------------------------------------------------

def _order(graph: ir.Graph) -> list[str]:
    """Node names (and group interface names) in an order where every link goes forward."""
    names = list(graph.nodes)
    extra = set()
    for link in graph.links:
        for end in (link.from_node, link.to_node):
            if end not in graph.nodes and end not in extra:
                extra.add(end)
                names.append(end)
    indegree = {n: 0 for n in names}
    outgoing: dict[str, list[str]] = {n: [] for n in names}
    for link in graph.links:
        indegree[link.to_node] += 1
        outgoing[link.from_node].append(link.to_node)
    ready = [n for n in names if indegree[n] == 0]
    order = []
    while ready:
        name = ready.pop()
        order.append(name)
        for nxt in outgoing[name]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    return order


def group_dependencies(graph: ir.Graph, version: str) -> dict[str, dict[str, frozenset[str]]]:
    """For every group: output name -> what it is computed from: `@input` for each group input,
    and the name of any data pass produced inside the group itself (a Cryptomatte node)."""
    deps: dict[str, dict[str, frozenset[str]]] = {}
    for name, group in graph.groups.items():           # defined before use: one pass is enough
        symbolic = {s.name: frozenset({"@" + s.name}) for s in group.inputs}
        flow = _propagate(Flow(group.body, version, deps, inputs=symbolic,
                               groups=graph.groups))
        result: dict[str, frozenset[str]] = {}
        for out in group.outputs:
            found: set[str] = set()
            for link in flow.links_into_output(out.name):
                found |= flow.out_passes(link)
            result[out.name] = frozenset(found)
        deps[name] = result
    return deps


def _propagate(flow: Flow) -> Flow:
    graph, version = flow.graph, flow.version
    aovs = aov_names(graph)
    for name in flow.order():
        node = graph.nodes.get(name)
        if node is None:
            continue
        into_links = flow.links_into(name)
        arriving: dict[str, frozenset[str]] = {}
        for link in into_links:
            arriving[link.bindings[version][1].identifier] = flow.out_passes(link)
        flow.arriving[name] = arriving
        deps = flow.group_deps.get(node.group or "") if node.group else None
        for link in flow.links_from(name):
            out = link.bindings[version][0]
            key = (name, out.identifier)
            if key in flow.out:
                continue
            passes = sources(node, out, aovs)
            if node.group:
                passes |= {p for p in (deps or {}).get(out.name, ()) if not p.startswith("@")}
            for into_link in into_links:
                into = into_link.bindings[version][1]
                got = arriving.get(into.identifier)
                if got and feeds(node, version, into, out, deps):
                    passes = passes | got
            flow.out[key] = passes
    return flow


def _reach(flow: Flow) -> None:
    graph, version = flow.graph, flow.version
    for name in reversed(flow.order()):
        if name not in graph.nodes:
            continue
        # Gather per output first: one output can feed thousands of links (a Render Layers pass
        # into every chain), and growing a frozenset link by link would be quadratic.
        found: dict[tuple[str, str], set[Sink]] = {}
        for link in flow.links_from(name):
            key = (name, link.bindings[version][0].identifier)
            found.setdefault(key, set()).update(_link_reach(flow, link))
        for key, sinks in found.items():
            flow.reach[key] = frozenset(sinks)


def _link_reach(flow: Flow, link: ir.Link) -> frozenset[Sink]:
    graph, version = flow.graph, flow.version
    target = graph.nodes.get(link.to_node)
    if target is None:                                   # a group output inside a body
        return flow.outputs_reach.get(link.to_socket, frozenset())
    if target.semantics in SINK_KINDS:
        preview = target.is_preview or target.semantics == "Viewer"
        slot = link.to_socket if target.semantics == "FileOutput" else ""
        return frozenset({Sink(target.kind, target.name, slot, preview)})
    into = link.bindings[version][1]
    deps = flow.group_deps.get(target.group or "") if target.group else None
    found: set[Sink] = set()
    for out_link in flow.links_from(target.name):
        out = out_link.bindings[version][0]
        if feeds(target, version, into, out, deps):
            found |= flow.reach.get((target.name, out.identifier), frozenset())
    return frozenset(found)


def _slots(flow: Flow) -> None:
    for link in flow.graph.links:
        node = flow.graph.nodes.get(link.to_node)
        if node is None or node.semantics != "FileOutput" or link.muted:
            continue
        passes = flow.out_passes(link)
        if not passes:
            continue
        feeder = flow.feeder(link)
        raw = frozenset()
        source = flow.graph.nodes.get(feeder.from_node)
        if source is not None and source.semantics == "RenderLayers":
            raw = flow.out_passes(feeder)
        flow.slots.append(SlotFlow(flow.graph, node, link.to_socket, link, flow.version, passes,
                                   slot_type(flow, link), feeder, raw))


def analyse(graph: ir.Graph, version: str) -> list[Flow]:
    """Flows for the scene's graph and, for every group instance that receives data, its body."""
    deps = group_dependencies(graph, version)
    top = Flow(graph, version, deps, groups=graph.groups)
    _propagate(top)
    _reach(top)
    _slots(top)
    flows = [top]
    done: set = set()
    pending = [top]
    while pending:
        parent = pending.pop()
        for node in parent.graph.nodes.values():
            if node.semantics != "Group" or node.group not in graph.groups:
                continue
            group = graph.groups[node.group]
            inputs = {s.name: frozenset() for s in group.inputs}
            for link in parent.links_into(node.name):
                into = link.bindings[version][1].name
                inputs[into] = inputs.get(into, frozenset()) | parent.out_passes(link)
            outputs_reach: dict[str, frozenset[Sink]] = {}
            for link in parent.links_from(node.name):
                out = link.bindings[version][0]
                outputs_reach[out.name] = outputs_reach.get(out.name, frozenset()) | \
                    parent.reach.get((node.name, out.identifier), frozenset())
            key = (node.group, tuple(sorted(inputs.items())), tuple(sorted(outputs_reach.items(),
                                                                           key=lambda kv: kv[0])))
            if not any(inputs.values()) or key in done:
                continue
            done.add(key)
            body = Flow(group.body, version, deps, inputs=inputs, outputs_reach=outputs_reach,
                        groups=graph.groups)
            _propagate(body)
            _reach(body)
            _slots(body)
            flows.append(body)
            pending.append(body)
    return flows
