"""AST -> IR: names, kinds, settings, sockets and links checked against every target version."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from nodescript import catalog, drivers, group_sockets, ir, keyframes, vocabulary
from nodescript.catalog import SocketSpec
from nodescript.diagnostics import Diagnostic, Severity, Span, attach_source, did_you_mean
from nodescript.resolve import codes, curves, moved, presets
from nodescript.resolve.file_output import FILE_OUTPUT, resolve_file_output, resolve_input_settings
from nodescript.resolve.program import load_program
from nodescript.resolve.scene import check_passes, resolve_scene
from nodescript.resolve.targets import resolve_targets
from nodescript.resolve.values import ValueError_, for_property, for_socket, plain
from nodescript.syntax import ast
from nodescript.syntax.names import dotted_socket, name_text

# Setting names every node accepts, handled by nodescript itself.
COMMON_ARGS = ("label", "preview", "inputs", "parent", "mute", "at", "color", "keys",
               "drivers")
# Enum properties whose items depend on the scene (view layer names): any name is accepted.
SCENE_DEPENDENT_ENUMS = frozenset({"layer"})
CONVERTIBLE = frozenset({"VALUE", "INT", "BOOLEAN", "RGBA", "VECTOR"})
GROUP_SOCKET_TYPES = {"float": "VALUE", "value": "VALUE", "color": "RGBA", "colour": "RGBA",
                      "rgba": "RGBA", "vector": "VECTOR", "int": "INT", "bool": "BOOLEAN"}


@dataclass
class Loaded:
    graph: ir.Graph | None            # None after syntax errors
    diagnostics: list[Diagnostic]
    sources: dict[str, str]           # every file read (path -> text), for showing source lines


def load_graph(path: str, source: str | None = None) -> Loaded:
    """Read, include, parse and resolve one `.nodes` file (or `source` as if it were that file)."""
    program = load_program(path, source)
    if any(d.code == codes.SYNTAX for d in program.diagnostics):
        return Loaded(None, attach_source(program.diagnostics, program.sources), program.sources)
    diags = list(program.diagnostics)
    graph = _Resolver(path, diags).run(program.statements)
    return Loaded(graph, attach_source(_dedupe(diags), program.sources), program.sources)


def compile_source(source: str, path: str = "<string>") -> Loaded:
    return load_graph(path, source)


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in diags:
        key = (d.code, d.message, d.span)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return sorted(out, key=lambda d: (d.span.file, d.span.line, d.span.col))


class _Resolver:
    def __init__(self, path: str, diags: list[Diagnostic]):
        self.path = path
        self.diags = diags

    def error(self, code: str, message: str, span: Span, help: str | None = None) -> None:
        self.diags.append(Diagnostic(code, Severity.ERROR, message, span, help))

    def run(self, statements: list[ast.Statement]) -> ir.Graph:
        targets = resolve_targets([s for s in statements if isinstance(s, ast.Target)], self)
        graph = ir.Graph(self.path, targets)
        for stmt in statements:
            if isinstance(stmt, ast.SceneBlock):
                graph.scene.extend(resolve_scene(stmt, targets, graph.scene, self))
            elif isinstance(stmt, ast.GroupDef):
                self._group(stmt, graph)
        body = [s for s in statements if isinstance(s, (ast.NodeStmt, ast.Chain))]
        _GraphBuilder(self, graph, graph.groups, None).build(body)
        return graph

    def _group(self, stmt: ast.GroupDef, graph: ir.Graph) -> None:
        # A group may take a node type's name (Blender's groups often do: "Blur"): in this file
        # the name then calls the group.
        if stmt.name in graph.groups:
            self.error(codes.DUPLICATE_NAME, f"`{stmt.name}` is already a group: name the group "
                       "differently", stmt.span)
            return
        iface = {}
        inputs = [self._group_socket(p, iface, ir.GROUP_INPUT) for p in stmt.inputs]
        outputs = [self._group_socket(p, iface, ir.GROUP_OUTPUT) for p in stmt.outputs]
        body = ir.Graph(self.path, graph.targets)
        group = ir.Group(stmt.name, [s for s in inputs if s], [s for s in outputs if s], body, stmt.span)
        _GraphBuilder(self, body, graph.groups, (group, iface)).build(list(stmt.body))
        graph.groups[stmt.name] = group

    def _group_socket(self, param: ast.Param, iface: dict, side: str) -> ir.GroupSocket | None:
        type_ = GROUP_SOCKET_TYPES.get((param.type or "float").lower())
        if type_ is None:
            self.error(codes.BAD_GROUP, f"unknown socket type `{param.type}`", param.span,
                       did_you_mean(param.type or "", GROUP_SOCKET_TYPES))
            return None
        # An output may share an input's name (Blender's "Image" in, "Image" out): a link
        # reads from an input and writes to an output, so the side tells them apart.
        if iface.get(param.name) == side:
            self.error(codes.DUPLICATE_NAME, f"`{param.name}` is already a socket of this group",
                       param.span)
            return None
        iface[param.name] = side
        settings = {}
        for arg in param.args:
            try:
                if arg.name is None or arg.name in settings:
                    raise group_sockets.SettingError(
                        "a socket setting is name=value, each once: "
                        + ", ".join(group_sockets.SETTINGS))
                settings[arg.name] = group_sockets.check(type_, arg.name, plain(arg.value))
            except group_sockets.SettingError as exc:
                self.error(codes.BAD_GROUP, f"socket `{param.name}`: {exc}", arg.span)
        return ir.GroupSocket(param.name, type_, settings)


@dataclass(frozen=True)
class _Interface:
    """A link end at the group's own socket `name` (the group whose body is being built)."""
    name: str

    def __str__(self) -> str:          # as messages write it
        return "group" + dotted_socket(self.name)


def _ir_end(name: "str | _Interface", side: str) -> str:
    """A link end's node in the IR: a group's sockets are its Group Input's outputs and its
    Group Output's inputs (the link's socket names which)."""
    if isinstance(name, _Interface):
        return ir.GROUP_INPUT if side == "outputs" else ir.GROUP_OUTPUT
    return name


class _GraphBuilder:
    """Builds one graph body (the scene's tree or a group's) statement by statement."""

    def __init__(self, resolver: _Resolver, graph: ir.Graph, groups: dict[str, ir.Group],
                 interface: tuple[ir.Group, dict[str, str]] | None):
        self.r = resolver
        self.graph = graph
        self.groups = groups
        self.interface = interface
        self.broken: set[str] = set()        # names whose definition failed: no follow-up errors
        self.reserved: set[str] = set()
        self.kind_counts: dict[str, int] = {}
        self.linked_inputs: dict[tuple[str, str, int], ir.Link] = {}
        self.taken_inputs: dict[tuple[str, str], set[int]] = {}   # (node, version) -> indices
        self.slots: dict[str, _Slots] = {}                         # File Output -> its slots
        self.parents: dict[str, tuple[str, Span]] = {}             # node -> (its Frame, where)

    # --- statements -----------------------------------------------------------
    def build(self, body: list) -> None:
        self.reserved = self._explicit_names(body)
        for stmt in body:
            if isinstance(stmt, ast.NodeStmt):
                self._declare(stmt.name, stmt.call, stmt.name_span, anonymous=False)
            else:
                self._chain(stmt)
        self._check_cycles()
        self._check_parents()

    @staticmethod
    def _explicit_names(body: list) -> set[str]:
        names = set()
        for stmt in body:
            if isinstance(stmt, ast.NodeStmt):
                names.add(stmt.name)
            else:
                names.update(e.alias for e in stmt.elements if isinstance(e, ast.InlineNode) and e.alias)
        return names

    def _auto_name(self, kind: str) -> str:
        # Deterministic names for inline nodes: stable across runs, independent of line numbers.
        while True:
            self.kind_counts[kind] = self.kind_counts.get(kind, 0) + 1
            name = f"{kind}_{self.kind_counts[kind]}"
            if name not in self.reserved and name not in self.graph.nodes:
                return name

    def _chain(self, chain: ast.Chain) -> None:
        # A socket named at the chain's start is an output; anywhere else it is the input the
        # link goes into, and the chain continues from that node's default output.
        ends = [self._element(e) for e in chain.elements]
        for i, elem in enumerate(chain.elements[1:], start=1):
            (src, src_ref), (dst, dst_ref) = ends[i - 1], ends[i]
            if src is None or dst is None:
                continue
            self._link(src, src_ref if i == 1 else None, dst, dst_ref, elem.span,
                       elem if isinstance(elem, ast.Endpoint) and elem.args is not None else None)
        first = chain.elements[0]
        if isinstance(first, ast.Endpoint) and first.args is not None:
            self.r.error(codes.BAD_VALUE, "settings after a socket belong to the input a link goes "
                         "into; a chain's first socket is an output", first.span)

    def _element(self, elem) -> tuple[str | None, ast.SocketRef | None]:
        if isinstance(elem, ast.InlineNode):
            kind = vocabulary.find_kind(elem.call.kind) or elem.call.kind   # as `fmt` spells it
            name = elem.alias or self._auto_name(kind)
            ok = self._declare(name, elem.call, elem.span, anonymous=elem.alias is None)
            return (name if ok else None), None
        if elem.interface:
            return self._interface_end(elem), None
        if self.interface and elem.node in self.interface[1] and elem.node not in self.reserved:
            return _Interface(elem.node), elem.socket   # a bare socket name, where no node has it
        if elem.node in self.broken:
            return None, None
        if elem.node in self.graph.nodes:
            return elem.node, elem.socket
        if elem.node not in self.reserved and self._names_kind(elem.node):
            return self._bare_kind(elem), elem.socket
        self._undefined(elem)
        return None, None

    def _interface_end(self, elem: ast.Endpoint) -> _Interface | None:
        """`group.Image`: the group's socket, also where a node of the body has that name."""
        key = elem.socket.key
        if not self.interface:
            self.r.error(codes.UNDEFINED_NAME, "`group.NAME` is a socket of the group whose body "
                         "it is in: here is no group", elem.span)
        elif isinstance(key, int):
            self.r.error(codes.UNKNOWN_SOCKET, "a group's sockets are named: write "
                         '`group.NAME` or `group["NAME"]`', elem.socket.span)
        elif key not in self.interface[1]:
            self.r.error(codes.UNKNOWN_SOCKET, f"the group has no socket `{key}`",
                         elem.socket.span, did_you_mean(key, list(self.interface[1])))
        else:
            return _Interface(key)
        return None

    def _names_kind(self, word: str) -> bool:
        kind = word if word in self.groups else vocabulary.find_kind(word)
        return kind is not None and kind not in vocabulary.STRUCTURAL_KINDS

    def _bare_kind(self, elem: ast.Endpoint) -> str | None:
        """`-> MapValue ->`: a word that names no node of the graph but a kind is a new node of
        that kind with its default settings, named like an inline node (MapValue_1)."""
        line, col = elem.span.line, elem.span.col
        word_span = Span(elem.span.file, line, col, line, col + len(elem.node))
        kind = elem.node if elem.node in self.groups else vocabulary.find_kind(elem.node)
        name = self._auto_name(kind)
        call = ast.NodeCall(elem.node, (), word_span, word_span)
        return name if self._declare(name, call, word_span, anonymous=True) else None

    def _undefined(self, elem: ast.Endpoint) -> None:
        if elem.node in self.reserved:
            help = f"for a new node of that kind here, write `{elem.node}()`" \
                if self._names_kind(elem.node) else None
            self.r.error(codes.UNDEFINED_NAME, f"`{elem.node}` is the name of a node defined "
                         "later: define nodes before linking them", elem.span, help)
            return
        known = list(self.graph.nodes) + vocabulary.all_kinds() + list(self.groups)
        self.r.error(codes.UNDEFINED_NAME, f"`{elem.node}` is neither a node of this graph nor a "
                     "node kind", elem.span, did_you_mean(elem.node, known))

    # --- nodes ----------------------------------------------------------------
    def _declare(self, name: str, call: ast.NodeCall, span: Span, anonymous: bool) -> bool:
        if name in self.graph.nodes:
            self.r.error(codes.DUPLICATE_NAME, f"`{name}` is already defined", span)
            self.broken.add(name)
            return False
        if self.interface and name in (ir.GROUP_INPUT, ir.GROUP_OUTPUT):
            self.r.error(codes.DUPLICATE_NAME, f"`{name}` is the name of the group's own "
                         "interface node: name this node otherwise", span)
            self.broken.add(name)
            return False
        if call.kind == vocabulary.EXACT_CALL and call.kind not in self.groups:
            kind, call = self._exact_kind(call)
        else:
            kind = self._kind(call)
        if kind is None:
            self.broken.add(name)
            return False
        args = presets.expand(call.args, kind, self.r.error)
        if args is not call.args:           # presets became their settings
            call = ast.NodeCall(call.kind, args, call.span, call.kind_span)
        node = ir.Node(name, kind, {}, call.span, anonymous=anonymous)
        if kind in self.groups:
            node.kind, node.group = "Group", kind
        node.args = {a.name: plain(a.value) for a in call.args}
        self._bind(node, call)
        self.graph.nodes[name] = node
        if kind == FILE_OUTPUT:             # `inputs=[...]`: its inputs' order, unlinked ones too
            slots = self.slots.setdefault(name, _Slots())
            for slot in node.bindings[self.graph.targets[0]].properties.get("input_names", ()):
                slots.add(slot)
        return True

    def _kind(self, call: ast.NodeCall) -> str | None:
        if call.kind in self.groups:
            return call.kind
        kind = vocabulary.find_kind(call.kind)
        if kind is None or kind in vocabulary.STRUCTURAL_KINDS:
            help = did_you_mean(call.kind, vocabulary.all_kinds() + list(self.groups))
            self.r.error(codes.UNKNOWN_NODE, f"unknown node type `{call.kind}`", call.kind_span, help)
            return None
        if kind == "RenderLayers" and self.interface:
            self.r.error(codes.BAD_GROUP, "Render Layers can only be in the scene's compositor, "
                         "not inside a group", call.kind_span)
            return None
        missing = [v for v in self.graph.targets if vocabulary.spec_for(kind, v) is None]
        if missing:
            self.r.error(codes.NOT_IN_TARGET, f"`{kind}` is not available in Blender "
                         f"{', '.join(missing)} (targets: {', '.join(self.graph.targets)})",
                         call.kind_span)
            return None
        return kind

    def _exact_kind(self, call: ast.NodeCall) -> tuple[str | None, ast.NodeCall]:
        """`Node("CompositorNodeMath", ...)`: the type named by its bl_idname, in every target
        where no kind is built as that type (there, the kind is the one way to write it)."""
        first = call.args[0] if call.args else None
        if first is None or first.name is not None or not isinstance(first.value, ast.String):
            self.r.error(codes.UNKNOWN_NODE, 'Node takes the node type\'s bl_idname first, as '
                         'in Node("CompositorNodeMath", operation=multiply)', call.kind_span)
            return None, call
        idname, span = first.value.value, first.value.span
        rest = ast.NodeCall(call.kind, call.args[1:], call.span, call.kind_span)
        if not vocabulary.is_exact(idname):
            self.r.error(codes.UNKNOWN_NODE, f"no Blender version nodescript knows has a node "
                         f"type `{idname}`", span,
                         did_you_mean(idname, sorted(vocabulary.idnames())))
            return None, rest
        missing = [v for v in self.graph.targets if vocabulary.spec_for(idname, v) is None]
        if missing:
            self.r.error(codes.NOT_IN_TARGET, f"Blender {', '.join(missing)} has no node type "
                         f"`{idname}` (targets: {', '.join(self.graph.targets)})", span)
            return None, rest
        for version in self.graph.targets:
            kind = vocabulary.kind_in(idname, version)
            if kind is not None:
                self.r.error(codes.UNKNOWN_NODE, f"{idname} is {kind} in Blender {version}",
                             span, f"write `{kind}(...)`")
                return None, rest
        return idname, rest

    def _bind(self, node: ir.Node, call: ast.NodeCall) -> None:
        for version in self.graph.targets:
            if node.group:
                node.bindings[version] = ir.NodeBinding("CompositorNodeGroup",
                                                        properties={"node_tree": node.group})
            elif node.kind == FILE_OUTPUT:
                node.bindings[version] = resolve_file_output(call, version, self.r)
            else:
                spec, emulated = vocabulary.spec_for(node.kind, version)
                props, inputs = ({}, {}) if emulated else \
                    vocabulary.language_overrides(spec.idname, version)
                node.bindings[version] = ir.NodeBinding(
                    spec.idname, emulated,
                    properties={**props, **vocabulary.implied_settings(node.kind, spec.idname)},
                    inputs=dict(inputs))
        self._parent(node, call)
        self._at(call)
        if node.kind == FILE_OUTPUT:
            return
        self._common_args(node, call)
        args = [a for a in call.args if a.name not in COMMON_ARGS]
        if node.kind == "RenderLayers":                # its view layer's passes
            for arg in [a for a in args if a.name == "passes"]:
                problem = check_passes(arg.value, self.graph.targets,
                                       f"`{node.name}`'s passes")
                if problem:
                    self.r.error(codes.BAD_VALUE, problem[0], arg.value.span, problem[1])
            args = [a for a in args if a.name != "passes"]
        structured = [a for a in args if self._ramp_or_curve(node, a.name)]
        if structured:
            self._ramp_and_curves(node, structured)
            args = [a for a in args if a not in structured]
        # Node settings before input values: settings decide which inputs show (a Mix's data_type).
        if len(args) > 1:
            args.sort(key=lambda a: not self._names_property(node, a.name))
        for arg in args:
            self._setting(node, arg)

    def _ramp_or_curve(self, node: ir.Node, name: str) -> bool:
        """`stops=`, `r=`, `use_clip=`...: a colour-ramp or curve setting in some target."""
        if node.group:
            return False
        return any(curves.find(vocabulary.spec_for(node.kind, v)[0], name) for v in self.graph.targets)

    def _ramp_and_curves(self, node: ir.Node, args: list[ast.Arg]) -> None:
        for version in self.graph.targets:
            spec = vocabulary.spec_for(node.kind, version)[0]
            found = [(curves.find(spec, a.name), a) for a in args]
            for setting, arg in found:
                if setting is None:
                    self.r.error(codes.NOT_IN_TARGET, f"`{arg.name}` is not a setting of "
                                 f"{node.kind} in Blender {version}", arg.span)
            values = curves.resolve(node.kind, spec, [(s, a) for s, a in found if s], self.r.error)
            node.bindings[version].properties.update(values)

    def _names_property(self, node: ir.Node, name: str) -> bool:
        if node.group:
            return False
        return any(vocabulary.is_setting(node.kind, v, name) for v in self.graph.targets)

    def _common_args(self, node: ir.Node, call: ast.NodeCall) -> None:
        for arg in call.args:
            if arg.name in ("label",) and not isinstance(arg.value, ast.String):
                self.r.error(codes.BAD_VALUE, "label takes a string", arg.value.span)
            elif arg.name in ("preview", "mute") and not isinstance(arg.value, ast.Bool):
                self.r.error(codes.BAD_VALUE, f"{arg.name} takes true or false", arg.value.span)
            elif arg.name == "mute" and arg.value.value:
                self._check_mutable(node, arg)
            elif arg.name == "inputs":
                self._positional_inputs(node, arg)
            elif arg.name == "keys":
                try:
                    keyframes.parse(plain(arg.value))
                except keyframes.KeysError as exc:
                    self.r.error(codes.BAD_VALUE, str(exc), arg.value.span)
            elif arg.name == "drivers":
                self._drivers(call, arg)

    def _drivers(self, call: ast.NodeCall, arg: ast.Arg) -> None:
        """`drivers=`: the form, and expressions only within Blender's simple ones (an error at
        the driver that is not); a value both keyed and driven is an error too."""
        try:
            driven = drivers.parse(plain(arg.value))
        except drivers.DriversError as exc:
            items = getattr(arg.value, "items", ())
            where = items[exc.item] if exc.item is not None and exc.item < len(items) else arg.value
            self.r.error(codes.BAD_VALUE, str(exc), where.span)
            return
        keys = next((a for a in call.args if a.name == "keys"), None)
        try:
            keyed = {c[:2] for c in keyframes.parse(plain(keys.value))} if keys else set()
        except keyframes.KeysError:
            return
        for path, index, *_ in driven:
            if (path, index) in keyed:
                self.r.error(codes.BAD_VALUE, f"`{keyframes.target_text(path, index)}` is both "
                             "keyed and driven (the driver wins in Blender)", arg.value.span,
                             "drop one of them")

    def _check_mutable(self, node: ir.Node, arg: ast.Arg) -> None:
        if node.group:
            return
        refused = [v for v in self.graph.targets if not vocabulary.spec_for(node.kind, v)[0].mutable]
        if refused:
            self.r.error(codes.NOT_IN_TARGET, f"Blender {', '.join(refused)} cannot mute a "
                         f"{node.kind}", arg.span, "drop mute=true, or remove the node")

    def _at(self, call: ast.NodeCall) -> None:
        """`at=(x, y)`: a location pinned by the graph (else apply keeps or chooses one);
        `color=(r, g, b)`: the node's custom colour."""
        for arg in call.args:
            size, what = {"at": (2, "a location: (x, y)"),
                          "color": (3, "a colour: (r, g, b)")}.get(arg.name, (None, ""))
            if size and not (isinstance(arg.value, ast.Tuple) and len(arg.value.items) == size
                             and all(isinstance(v, ast.Number) for v in arg.value.items)):
                self.r.error(codes.BAD_VALUE, f"{arg.name} takes {what}", arg.value.span)

    def _parent(self, node: ir.Node, call: ast.NodeCall) -> None:
        for arg in call.args:
            if arg.name != "parent":
                continue
            if isinstance(arg.value, (ast.Ident, ast.String)):
                self.parents[node.name] = (str(plain(arg.value)), arg.value.span)
            else:
                self.r.error(codes.BAD_VALUE, "parent takes the name of a Frame node",
                             arg.value.span)

    def _positional_inputs(self, node: ir.Node, arg: ast.Arg) -> None:
        values = arg.value.items if isinstance(arg.value, ast.Tuple) else (arg.value,)
        for version in self.graph.targets:
            sockets = self.sockets(node, version, "inputs")
            if len(values) > len(sockets):
                self.r.error(codes.BAD_VALUE, f"{node.kind} has {len(sockets)} inputs in Blender "
                             f"{version}, not {len(values)}", arg.value.span)
                continue
            for index, value in enumerate(values):
                if isinstance(value, ast.Ident) and value.name == "_":
                    continue
                self._socket_value(node, version, sockets[index], value)

    def _setting(self, node: ir.Node, arg: ast.Arg) -> None:
        found_in = []
        for version in self.graph.targets:
            if self._setting_in(node, arg, version):
                found_in.append(version)
        if found_in:
            missing = [v for v in self.graph.targets if v not in found_in]
            if missing:
                self.r.error(codes.NOT_IN_TARGET, f"`{arg.name}` is not a setting of {node.kind} in "
                             f"Blender {', '.join(missing)}", arg.span,
                             self._moved_hint(node, arg.name, found_in, missing))
            return
        choices = self._setting_names(node)
        untargeted = [v for v in catalog.supported_versions() if v not in self.graph.targets]
        found_in = [] if node.group else moved.versions_with(node.kind, arg.name, untargeted)
        self.r.error(codes.UNKNOWN_SETTING, f"{node.kind} has no setting `{arg.name}`", arg.span,
                     self._moved_hint(node, arg.name, found_in, list(self.graph.targets))
                     or did_you_mean(arg.name, choices) or _listing(choices))

    def _moved_hint(self, node: ir.Node, name: str, found_in: list[str], missing: list[str]):
        """What `name` became in the `missing` versions (nodescript.resolve.moved)."""
        if node.group:
            return None
        targeted = any(v in self.graph.targets for v in found_in)
        return moved.hint(node.kind, name, found_in, missing, targeted)

    def _setting_in(self, node: ir.Node, arg: ast.Arg, version: str) -> bool:
        spec = None if node.group else vocabulary.spec_for(node.kind, version)[0]
        wanted = vocabulary.fold(arg.name)
        if spec is not None:
            for prop in spec.properties.values():
                if vocabulary.fold(prop.identifier) == wanted and not prop.readonly:
                    self._property_value(node, version, prop, arg)
                    return True
        index = vocabulary.find_socket(self.sockets(node, version, "inputs"), arg.name,
                                       kind=node.kind, version=version)
        if index is None:          # a setting named otherwise in this version, if any
            alias = vocabulary.setting_alias(node.kind, arg.name) if spec is not None else None
            if alias in spec.properties and not spec.properties[alias].readonly:
                self._property_value(node, version, spec.properties[alias], arg)
                return True
            return False
        self._socket_value(node, version, self.sockets(node, version, "inputs")[index], arg.value)
        return True

    def _property_value(self, node, version, prop, arg) -> None:
        what = f"{node.kind}.{arg.name}"
        if prop.type == "ENUM" and prop.identifier in SCENE_DEPENDENT_ENUMS:
            node.bindings[version].properties[prop.identifier] = str(plain(arg.value))
            return
        if prop.type == "POINTER":   # a datablock by name (another scene, an image, ...)
            node.bindings[version].properties[prop.identifier] = str(plain(arg.value))
            return
        try:
            node.bindings[version].properties[prop.identifier] = for_property(arg.value, prop, what)
        except ValueError_ as exc:
            self.r.error(codes.BAD_VALUE, str(exc), arg.value.span, exc.help)

    def _socket_value(self, node, version, socket: SocketSpec, value: ast.Value) -> None:
        try:
            converted = for_socket(value, socket, f"{node.kind} input `{socket.name}`")
        except ValueError_ as exc:
            self.r.error(codes.BAD_VALUE, str(exc), value.span, exc.help)
            return
        node.bindings[version].inputs[socket.identifier] = converted

    def _setting_names(self, node: ir.Node) -> list[str]:
        """The node's own settings and inputs, then the ones every node takes (a listing of
        the first fifteen shows the node's own first)."""
        names: set[str] = set()
        for version in self.graph.targets:
            spec = None if node.group else vocabulary.spec_for(node.kind, version)[0]
            if spec:
                names.update(p.identifier for p in spec.properties.values() if not p.readonly)
                names.update(curves.setting_names(spec))
            names.update(vocabulary.fold(s.name) if " " in s.name else s.name.lower()
                         for s in self.sockets(node, version, "inputs"))
        return sorted(names - set(COMMON_ARGS)) + sorted(COMMON_ARGS)

    # --- sockets --------------------------------------------------------------
    def sockets(self, node: ir.Node, version: str, side: str) -> tuple[SocketSpec, ...]:
        if node.group:
            group = self.groups[node.group]
            return _interface_sockets(group.inputs if side == "inputs" else group.outputs)
        if node.kind == FILE_OUTPUT and side == "inputs":
            slots = self.slots[node.name].names if node.name in self.slots else []
            linked = [self.linked_inputs.get((node.name, version, i)) for i in range(len(slots))]
            return tuple(SocketSpec(name, name, link.bindings[version][0].type if link else "RGBA")
                         for name, link in zip(slots, linked))
        spec = vocabulary.spec_for(node.kind, version)[0]
        shown = vocabulary.shown_sockets(spec, side, node.bindings[version].properties)
        if node.kind == "RenderLayers" and side == "outputs":   # the view layer's AOVs follow
            shown += tuple(SocketSpec(name, name, "RGBA" if kind == "COLOR" else "VALUE")
                           for name, kind in self.graph.setting("aovs", ()))
        return shown

    def _interface_sockets_of(self, name: str, side: str) -> tuple[SocketSpec, ...]:
        group, _ = self.interface
        # The Group Input node's *outputs* are the group's inputs, and the other way round:
        # read from (side "outputs") an input name, write to an output name.
        sockets = group.inputs if side == "outputs" else group.outputs
        return _interface_sockets([s for s in sockets if s.name == name])

    def _endpoint_socket(self, name: str, ref: ast.SocketRef | None, version: str, side: str,
                         span: Span) -> SocketSpec | None | str:
        """The socket on `side` of node `name`, or an error string."""
        if isinstance(name, _Interface):
            sockets = self._interface_sockets_of(name.name, side)
            return sockets[0] if sockets else "missing"
        node = self.graph.nodes[name]
        sockets = self.sockets(node, version, side)
        if ref is not None:
            index = vocabulary.find_socket(sockets, ref.key, kind=node.kind, version=version)
            return sockets[index] if index is not None else "unknown"
        taken: set[int] = set()
        if side == "inputs":
            linked, values = self.taken_inputs.get((name, version), ()), node.bindings[version].inputs
            taken = {i for i, s in enumerate(sockets) if i in linked or s.identifier in values}
        index = vocabulary.main_socket(sockets, taken)
        if index is not None:
            return sockets[index]
        return "full" if all(i in taken or not s.enabled for i, s in enumerate(sockets)) else "ambiguous"

    # --- links ----------------------------------------------------------------
    def _link(self, src: str, src_ref, dst: str, dst_ref, span: Span,
              settings: ast.Endpoint | None = None) -> None:
        dst_node = self.graph.nodes.get(dst)
        if dst_node is not None and dst_node.kind == FILE_OUTPUT:
            self._link_file_output(src, src_ref, dst_node, dst_ref, span, settings)
            return
        link = ir.Link(_ir_end(src, "outputs"), "", _ir_end(dst, "inputs"), "", span)
        for version in self.graph.targets:
            pair = self._link_sockets(src, src_ref, dst, dst_ref, version, span)
            if pair is None:
                return
            link.bindings[version] = pair
        newest = link.bindings[self.graph.targets[-1]]
        link.from_socket, link.to_socket = newest[0].name, newest[1].name
        if not self._claim_input(link, span):
            return
        self.graph.links.append(link)
        if settings is not None:
            self._link_settings(settings, link)

    def _link_settings(self, settings: ast.Endpoint, link: ir.Link) -> None:
        """`a -> b.In(mute=true)`: a muted link. Only File Output inputs take more (their format)."""
        for arg in settings.args:
            if arg.name is None:
                self.r.error(codes.UNKNOWN_SETTING, f"a link into `{link.to_node}` takes only "
                             "`mute=true/false`, not a bare value", arg.span)
            elif arg.name != "mute":
                node = self.graph.nodes.get(link.to_node)
                kind = node.kind if node is not None else "the group's output"
                self.r.error(codes.UNKNOWN_SETTING, f"a link into {kind} `{link.to_node}` takes "
                             f"only `mute`, not `{arg.name}`", arg.span,
                             "an input's own format and type are File Output settings")
            elif not isinstance(arg.value, ast.Bool):
                self.r.error(codes.BAD_VALUE, "mute takes true or false", arg.value.span)
            else:
                link.muted = arg.value.value

    def _link_sockets(self, src, src_ref, dst, dst_ref, version, span):
        out = self._endpoint_socket(src, src_ref, version, "outputs", span)
        into = self._endpoint_socket(dst, dst_ref, version, "inputs", span)
        for end, name, ref, side in ((out, src, src_ref, "outputs"), (into, dst, dst_ref, "inputs")):
            if isinstance(end, str):
                self._socket_error(end, name, ref, side, version, span)
                return None
        if not _compatible(out.type, into.type):
            self.r.error(codes.INCOMPATIBLE_LINK, f"cannot link {out.type.lower()} socket "
                         f"`{src}.{out.name}` to {into.type.lower()} socket `{dst}.{into.name}`", span)
            return None
        return (self._binding_of(src, out, version, "outputs"),
                self._binding_of(dst, into, version, "inputs"))

    def _binding_of(self, name: str, sock: SocketSpec, version: str, side: str) -> ir.SocketBinding:
        if isinstance(name, _Interface):
            group, _ = self.interface
            pool = group.inputs if side == "outputs" else group.outputs
            index = [s.name for s in pool].index(sock.name)
            return ir.SocketBinding(index, sock.identifier, sock.name, sock.type)
        node = self.graph.nodes[name]
        aov = node.kind == "RenderLayers" and side == "outputs" and \
            sock.identifier not in _socket_indices(node.kind, version, side)
        if node.group or node.kind == FILE_OUTPUT or aov:
            sockets = self.sockets(node, version, side)
            index = next(i for i, s in enumerate(sockets) if s.identifier == sock.identifier)
        else:
            index = _socket_indices(node.kind, version, side)[sock.identifier]
        return ir.SocketBinding(index, sock.identifier, sock.name, sock.type)

    def _socket_error(self, problem, name, ref, side, version, span) -> None:
        where = ref.span if ref is not None else span
        if problem == "unknown":
            node = self.graph.nodes[name]
            names = [s.name for s in self.sockets(node, version, side)]
            in_other = [v for v in self.graph.targets if v != version and not isinstance(
                self._endpoint_socket(name, ref, v, side, span), str)]
            if in_other:
                self.r.error(codes.NOT_IN_TARGET, f"{node.kind} has no {side[:-1]} `{ref.key}` in "
                             f"Blender {version}", where)
                return
            self.r.error(codes.UNKNOWN_SOCKET, f"{node.kind} `{name}` has no {side[:-1]} `{ref.key}`",
                         where, did_you_mean(str(ref.key), names) or _listing(names))
        elif problem == "ambiguous":
            node = self.graph.nodes[name]
            names = [s.name for s in self.sockets(node, version, side) if s.enabled]
            self.r.error(codes.AMBIGUOUS_SOCKET, f"say which {side[:-1]} of `{name}` to use: "
                         f"{node.kind} has {_listing(names, plain=True)}", span,
                         f"write `{name}.{_quote(names[0])}`" if names else None)
        elif problem == "full":
            self.r.error(codes.INPUT_LINKED_TWICE, f"every input of `{name}` is already linked or "
                         "set", span)
        else:
            self.r.error(codes.UNKNOWN_SOCKET, f"group socket `{name}` cannot be used here", where)

    def _claim_input(self, link: ir.Link, span: Span) -> bool:
        for version, (_, into) in link.bindings.items():
            key = (link.to_node, version, into.index)
            if key in self.linked_inputs:
                first = self.linked_inputs[key]
                into_text = _Interface(into.name) if link.to_node == ir.GROUP_OUTPUT and \
                    self.interface else f"{link.to_node}.{into.name}"
                self.r.error(codes.INPUT_LINKED_TWICE, f"input `{into_text}` is already "
                             f"linked from `{first.from_node}` (line {first.span.line})", span)
                return False
        for version, (_, into) in link.bindings.items():
            self.linked_inputs[(link.to_node, version, into.index)] = link
            self.taken_inputs.setdefault((link.to_node, version), set()).add(into.index)
        return True

    def _link_file_output(self, src, src_ref, node: ir.Node, dst_ref, span,
                          settings: ast.Endpoint | None) -> None:
        if dst_ref is not None and isinstance(dst_ref.key, int):
            self.r.error(codes.UNKNOWN_SOCKET, "File Output inputs are named: write "
                         f"`{name_text(node.name)}.\"name\"`", dst_ref.span)
            return
        link = ir.Link(_ir_end(src, "outputs"), "", node.name, "", span)
        slots = self.slots.setdefault(node.name, _Slots())
        for version in reversed(self.graph.targets):
            out = self._endpoint_socket(src, src_ref, version, "outputs", span)
            if isinstance(out, str):
                self._socket_error(out, src, src_ref, "outputs", version, span)
                return
            # Unnamed slots take the source socket's name in the newest target: one name everywhere.
            if not link.to_socket:
                link.to_socket = slots.existing(dst_ref.key if dst_ref is not None else out.name)
            link.bindings[version] = (self._binding_of(src, out, version, "outputs"),
                                      ir.SocketBinding(slots.index_of(link.to_socket), link.to_socket,
                                                       link.to_socket, out.type))
        link.bindings = {v: link.bindings[v] for v in self.graph.targets}
        link.from_socket = link.bindings[self.graph.targets[-1]][0].name
        if self._claim_input(link, span):
            self.graph.links.append(link)
            slots.add(link.to_socket)
            for version in self.graph.targets if settings is not None else ():
                resolve_input_settings(settings, node, link, version, self.r)

    # --- cycles ---------------------------------------------------------------
    def _check_parents(self) -> None:
        """`parent=` names a Frame of the same graph, and frames do not hold each other in a loop."""
        nodes = self.graph.nodes
        for name, (frame, span) in self.parents.items():
            if frame not in nodes:
                frames = [n for n, node in nodes.items() if node.kind == "Frame"]
                self.r.error(codes.UNDEFINED_NAME, f"no Frame `{frame}` to hold `{name}`", span,
                             did_you_mean(frame, frames))
            elif nodes[frame].kind != "Frame":
                self.r.error(codes.BAD_VALUE, f"`{frame}` is a {nodes[frame].kind}, not a Frame: "
                             "only frames hold nodes", span)
        for name, (at, span) in self.parents.items():
            seen = {name}
            while at in self.parents and at not in seen:
                seen.add(at)
                at = self.parents[at][0]
            if at in seen:
                self.r.error(codes.CYCLE, f"frames hold each other in a loop through `{name}`", span)
                return

    def _check_cycles(self) -> None:
        """Report the first link that closes a loop (iterative DFS: chains can be very long)."""
        edges: dict[str, list[ir.Link]] = {}
        for link in self.graph.links:
            # a group's params are not nodes: an input only feeds, an output only takes (and
            # they may share a name)
            if link.from_node in self.graph.nodes and link.to_node in self.graph.nodes:
                edges.setdefault(link.from_node, []).append(link)
        state: dict[str, int] = {}      # 1 = on the current path, 2 = done
        for root in list(edges):
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(edges.get(root, ())))]
            while stack:
                name, pending = stack[-1]
                link = next(pending, None)
                if link is None:
                    state[name] = 2
                    stack.pop()
                elif state.get(link.to_node) == 1:
                    self.r.error(codes.CYCLE, f"this link closes a cycle: `{link.to_node}` feeds "
                                 f"`{link.from_node}`", link.span)
                    return
                elif link.to_node not in state:
                    state[link.to_node] = 1
                    stack.append((link.to_node, iter(edges.get(link.to_node, ()))))


@functools.cache
def _socket_indices(kind: str, version: str, side: str) -> dict[str, int]:
    """identifier -> index of a node kind's sockets (the first, if an identifier repeats)."""
    indices: dict[str, int] = {}
    for i, s in enumerate(getattr(vocabulary.spec_for(kind, version)[0], side)):
        indices.setdefault(s.identifier, i)
    return indices


def _interface_sockets(sockets) -> tuple[SocketSpec, ...]:
    return tuple(SocketSpec(s.name, s.name, s.type) for s in sockets)


def _compatible(a: str, b: str) -> bool:
    return a == b or (a in CONVERTIBLE and b in CONVERTIBLE)


def _quote(name: str) -> str:
    return name if name.replace("_", "").isalnum() else f'"{name}"'


def _listing(names, plain: bool = False) -> str:
    shown = ", ".join(f"`{n}`" for n in list(names)[:15]) + (", ..." if len(names) > 15 else "")
    return shown if plain else f"expected one of {shown}"


class _Slots:
    """A File Output's slot names in order, indexed (graphs can have thousands of slots)."""

    def __init__(self):
        self.names: list[str] = []
        self._index: dict[str, int] = {}
        self._folded: dict[str, str] = {}

    def existing(self, wanted: str) -> str:
        # Slot names match loosely like every other name: `Depth` and `depth` are one slot.
        return self._folded.get(vocabulary.fold(wanted), wanted)

    def index_of(self, name: str) -> int:
        return self._index.get(name, len(self.names))

    def add(self, name: str) -> None:
        if name not in self._index:
            self._index[name] = len(self.names)
            self._folded.setdefault(vocabulary.fold(name), name)
            self.names.append(name)
