"""Export: a scene's compositor (bpy objects) -> canonical `.nodes` text.

`export_scene(scene, version=...)` reads the scene's tree (4.x `scene.node_tree`, 5.0
`scene.compositing_node_group`), its node groups and the scene settings the graph depends on,
and writes one `name = Kind(...)` statement per node, then one `a.Out -> b.In` line per link.
Only values that differ from what nodescript would build anyway are written: catalogue defaults
for node properties and unlinked inputs, nodescript's own defaults for File Output.

Nodes the apply side built to emulate a kind this version lacks carry a JSON tag
(`node["nodescript"]`, see nodescript.blender.plan.TAG) and fold back into one vocabulary node:
5.0's Math chain into MapValue, 5.0's Group Output into Composite. The same property keeps
`preview=true` (a mark Blender has no place for) on any node. What the language cannot say
(muted links, ...) is listed in `# export:` comments at the top, so a reader knows what the
text leaves out. Colour-ramp stops and curve points are settings like any other
(`stops=[...]`, `c=[...]`), written when they differ from a fresh node's; an input with its
own format is written on its link (`out.preview(format=png)`).

bpy is imported inside functions only: importing this module works without Blender.
"""

from __future__ import annotations

import functools
import heapq
import json
import math
import re
import struct
from dataclasses import dataclass, field
from types import SimpleNamespace

import click

from nodescript import catalog, curve_settings, dialects, vocabulary
from nodescript.blender import compositor
# File Output item type nodescript declares for a source socket type (as lowering does).
from nodescript.blender.lower_file_output import FOUR_COMPONENT_PASSES, ITEM_SOCKET_TYPES
from nodescript.blender.plan import TAG
from nodescript.catalog import NodeSpec, SocketSpec
from nodescript.scene_settings import VIEW_TRANSFORMS


__all__ = ["ExportError", "ExportedScene", "export_command", "export_file",
           "export_file_with_names", "export_scene", "export_scene_with_names"]


class ExportError(Exception):
    """The scene cannot be exported (no such scene, unsupported Blender); one line."""


@dataclass
class ExportedScene:
    """Export's text and the Blender names behind it, so lint can report in Blender's terms."""

    text: str
    version: str
    scene: str                                       # the Blender scene's name
    view_layer: str | None                           # its first view layer (passes are set there)
    # (nodescript group name or None for the scene's tree, nodescript node name) -> the Blender
    # node names it stands for (several for an emulation, the main one first)
    nodes: dict[tuple[str | None, str], tuple[str, ...]] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)   # nodescript group -> node tree name
    effect: str | None = None          # 5.3: the compositor effect, when the scene has several
    depth_bounds: tuple[float, float] | None = None  # what the camera sees (scene_bounds.py)


# Properties that are UI state or follow from links, never written.
SKIPPED_PROPERTIES = frozenset({"ui_shortcut", "active_input_index", "active_item_index",
                                "socket_idname", "node_tree", "is_active_output"})
# Stand-in type's property -> the kind's name for it (shader Map Range in 4.5's compositor).
RENAMED_PROPERTIES = {"clamp": "use_clamp"}
# Datablock pointers apply can set by name (executor.POINTER_COLLECTIONS, less node_tree).
POINTER_PROPERTIES = frozenset({"scene", "image", "clip", "mask"})
# Input socket types whose unlinked value the language can write.
VALUE_SOCKET_TYPES = frozenset({"VALUE", "INT", "BOOLEAN", "RGBA", "VECTOR", "MENU", "STRING"})
# What a fresh node-group interface socket holds (apply creates interfaces without defaults).
GROUP_SOCKET_DEFAULTS = {"VALUE": 0.0, "INT": 0, "BOOLEAN": False, "RGBA": (0.0, 0.0, 0.0, 1.0),
                         "VECTOR": (0.0, 0.0, 0.0)}
GROUP_WORDS = {"VALUE": "float", "RGBA": "color", "VECTOR": "vector", "INT": "int",
               "BOOLEAN": "bool"}
INTERFACE_TYPES = {"NodeSocketFloat": "VALUE", "NodeSocketColor": "RGBA",
                   "NodeSocketVector": "VECTOR", "NodeSocketInt": "INT",
                   "NodeSocketBool": "BOOLEAN"}
# 5.0 item type -> the word `out.name(type=...)` takes (resolve.file_output.INPUT_TYPES).
ITEM_TYPE_WORDS = {"FLOAT": "float", "VECTOR": "vector", "RGBA": "color"}
# Words the grammar reserves: a node named like this would not parse.
RESERVED = frozenset({"target", "use", "scene", "group", "as", "true", "false", "_"})
OWN_FORMAT = ("has its own format, which a multilayer EXR ignores (its inputs are layers of one "
              "file); not exported")
RAW_SLOT = ("has save_as_render off while other inputs on the node's format have it on; "
            "nodescript gives them one value (this Blender keeps it per input); exported as on")
# 5.0 MapValue emulation: Math node role -> (MapValue property, switch property).
MAP_VALUE_ROLES = {"offset": ("offset", None), "size": ("size", None),
                   "min": ("min", "use_min"), "max": ("max", "use_max")}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"})  # as fmt writes


# --- entry points ---------------------------------------------------------------------------

def export_file(blend_path, scene_name: str | None = None, effect: str | None = None) -> str:
    """Open `blend_path` (scripts disabled, never saved) and export one scene (default: active);
    with compositor effects (5.3), one effect (default: the only or active one)."""
    return export_file_with_names(blend_path, scene_name, effect).text


def export_file_with_names(blend_path, scene_name: str | None = None,
                           effect: str | None = None) -> ExportedScene:
    """export_file, with the Blender names of what each line of the text stands for."""
    from nodescript.process import c_stdout_silenced

    # Blender's own printing ("Read blend", RNA warnings while properties are read) would land
    # in the printed text or in `lint --format json`: none of it reaches stdout.
    with c_stdout_silenced():
        return _export_quietly(blend_path, scene_name, effect)


def _export_quietly(blend_path, scene_name: str | None, effect: str | None) -> ExportedScene:
    try:
        import bpy
    except ImportError:
        from nodescript.dialects import install_hint

        raise ExportError(f"exporting needs Blender's Python module: {install_hint()}") from None
    from nodescript.blender.safe_io import open_blend

    # Opening an older file upgrades it in memory only: export never saves.
    open_blend(blend_path, allow_upgrade=True)
    scene = _pick_scene(bpy, scene_name, str(blend_path))
    return export_scene_with_names(scene, version=running_version(), effect=effect)


def export_file_rendering_effects(blend_path, scene_name: str | None = None) -> list[ExportedScene]:
    """One export per compositor effect a render runs, in render order (5.3; one export of the
    scene's compositor in other versions): what `lint SCENE.blend` audits."""
    from nodescript.process import c_stdout_silenced

    first = export_file_with_names(blend_path, scene_name)   # opens the file, checks the scene
    with c_stdout_silenced():
        return _effect_exports(first, scene_name, str(blend_path))


def _effect_exports(first: ExportedScene, scene_name: str | None, path: str) -> list[ExportedScene]:
    import bpy

    scene = _pick_scene(bpy, scene_name, path)
    version = running_version()
    effects = compositor.effects(scene, dialects.get(version))
    running = [e for e in effects if e.for_render and e.tree is not None]
    if not dialects.get(version).COMPOSITOR_EFFECTS or len(effects) <= 1:
        return [first]
    found = []
    for effect in running:
        exported = export_scene_with_names(scene, version=version, effect=effect.name)
        exported.effect = effect.name
        found.append(exported)
    return found


def running_version() -> str:
    import bpy

    version = f"{bpy.app.version[0]}.{bpy.app.version[1]}"
    if version not in catalog.supported_versions():
        raise ExportError(f"Blender {version} is not supported; nodescript knows "
                          f"{', '.join(catalog.supported_versions())}")
    return version


def _pick_scene(bpy, name: str | None, path: str):
    scenes = list(bpy.data.scenes)
    if name is None:
        active = getattr(bpy.context, "scene", None)
        return active if active is not None and active in scenes else scenes[0]
    for scene in scenes:
        if scene.name == name:
            return scene
    names = ", ".join(f'"{s.name}"' for s in scenes)
    raise ExportError(f'{path}: no scene "{name}"; the file has {names}')


def export_scene(scene, *, version: str, effect: str | None = None) -> str:
    """The scene's compositor as canonical `.nodes` text for Blender `version` ("4.2", ...)."""
    return export_scene_with_names(scene, version=version, effect=effect).text


def export_scene_with_names(scene, *, version: str, effect: str | None = None) -> ExportedScene:
    """export_scene, with the Blender names of what each line of the text stands for."""
    from nodescript.fmt import format_source

    if version not in catalog.supported_versions():
        raise ExportError(f"no catalogue for Blender {version}; nodescript knows "
                          f"{', '.join(catalog.supported_versions())}")
    exporter = _SceneExporter(scene, version, effect)
    try:
        text = format_source(exporter.run())
    except compositor.CompositorError as exc:
        raise ExportError(str(exc)) from None
    layer = scene.view_layers[0].name if len(scene.view_layers) else None
    from nodescript.blender.scene_bounds import depth_bounds

    return ExportedScene(text, version, scene.name, layer, exporter.sources, exporter.group_trees,
                         depth_bounds=depth_bounds(scene))


@functools.cache
def _language() -> SimpleNamespace:
    """The resolver's setting names and defaults, which export must match. Imported on first
    use: the resolver brings the parser along, and the CLI should start without it."""
    from nodescript.resolve import file_output, resolver

    return SimpleNamespace(common_args=resolver.COMMON_ARGS,
                           scene_enums=resolver.SCENE_DEPENDENT_ENUMS,
                           file_defaults=file_output.DEFAULTS,
                           quality=file_output.BLENDER_QUALITY,
                           compression=file_output.BLENDER_COMPRESSION)


@click.command("export")
@click.argument("blend", type=click.Path(dir_okay=False))
@click.option("--scene", "scene_name", metavar="NAME",
              help="Scene to export (default: the active one).")
@click.option("--effect", metavar="NAME",
              help=f"Blender {dialects.first_with('COMPOSITOR_EFFECTS')}+: the compositor effect to "
                   "export (default: the only or active one).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE.nodes",
              help="Write here instead of printing.")
def export_command(blend, scene_name, effect, output):
    """Write a .blend scene's compositor as a `.nodes` file (needs bpy)."""
    from nodescript.blender.blendfile import BlendError
    from nodescript.blender.needs_bpy import bpy_missing

    if bpy_missing("export"):
        error = click.ClickException(bpy_missing("export"))
        error.exit_code = 2             # as apply and render: a Blender error, not a finding
        raise error
    from nodescript.files import SourceError, output_problem, write_text

    problem = output and (output_problem(output, [blend]) or _blend_file_problem(output))
    if problem:
        raise click.UsageError(f"will not write {output}: {problem}")
    try:
        text = export_file(blend, scene_name, effect)
    except (ExportError, BlendError) as exc:
        raise click.ClickException(str(exc)) from None
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_text(output, text)
    except SourceError as exc:
        raise click.ClickException(f"{output}: {exc.reason}") from None
    click.echo(f"wrote {output}")


_BLEND_MAGIC = (b"BLENDER", b"\x28\xb5\x2f\xfd", b"\x1f\x8b")    # plain, zstd, gzip


def _blend_file_problem(output: str) -> str | None:
    """An existing .blend is never replaced by text (`export S.blend -o S.blend` lost scenes)."""
    try:
        with open(output, "rb") as file:
            is_blend = file.read(7).startswith(_BLEND_MAGIC) or output.endswith(".blend")
    except OSError:
        return None
    return "it is a .blend file" if is_blend else None


# --- the scene ------------------------------------------------------------------------------

@dataclass
class _GroupText:
    name: str
    inputs: list[tuple[str, str]]           # (param name, type word)
    outputs: list[tuple[str, str]]
    body: list[str]


class _SceneExporter:
    def __init__(self, scene, version: str, effect: str | None = None):
        self.scene = scene
        self.effect = effect
        self.version = version
        self.dialect = dialects.get(version)
        self.catalog = catalog.load(version)
        self.notes: list[str] = []
        self.groups: dict[str, _GroupText] = {}      # tree name -> definition, users after used
        self.interfaces: dict[str, _Interface] = {}
        self.group_names = _Names(reserved=set())
        self.kinds, self.stand_ins = _kinds_by_idname(version)
        self.sources: dict[tuple[str | None, str], tuple[str, ...]] = {}
        self.group_trees: dict[str, str] = {}           # nodescript group name -> tree name

    def kind_of(self, node) -> str | None:
        """The node's kind; a type the vocabulary gives another version (4.5's ShaderNodeMath,
        which 4.5 offers and makes from old files) stands in for the kind's type here."""
        kind = self.kinds.get(node.bl_idname) or self.stand_ins.get(node.bl_idname)
        if kind is not None and node.bl_idname in self.stand_ins:
            built = vocabulary.spec_for(kind, self.version)[0].idname
            self.note(f"{node.bl_idname} nodes are written as {kind}, which nodescript builds as "
                      f"{built} in Blender {self.version}")
        return kind

    def note(self, text: str) -> None:
        line = " ".join(text.split())
        if line not in self.notes:
            self.notes.append(line)

    def run(self) -> str:
        tree = self.scene_tree()
        body = self.tree_body(tree, None, None) if tree is not None else []
        scene = self.scene_block(tree)
        lines = [f"# export: {n}" for n in self.notes]
        lines += [f'target "{self.version}"', "", *scene]
        for group in self.groups.values():
            lines += [_group_header(group), *[f"    {b}" if b else "" for b in group.body], "}", ""]
        lines += body
        return "\n".join(lines).rstrip("\n") + "\n"

    def scene_tree(self):
        if self.dialect.TREE_IS_NODE_GROUP:
            return compositor.scene_tree(self.scene, self.dialect, self.effect)[0]
        if not self.scene.use_nodes:
            if self.scene.node_tree is not None and len(self.scene.node_tree.nodes):
                self.note("the scene has a compositor tree but does not use nodes (use_nodes is "
                          "off); it is not exported")
            return None
        return self.scene.node_tree

    # --- node groups, defined once each, before their users ------------------------------------
    def group(self, tree) -> str:
        """The nodescript name of node group `tree`, exporting its definition on first use."""
        if tree.name in self.groups:
            return self.groups[tree.name].name
        name = self.group_names.take(tree.name, avoid_kinds=True)
        interface = self.interface(tree)
        self.group_trees[name] = tree.name
        body = self.tree_body(tree, interface, name)          # nested groups register first
        self.groups[tree.name] = _GroupText(name, interface.words("INPUT"),
                                            interface.words("OUTPUT"), body)
        return name

    def tree_body(self, tree, interface: _Interface | None, scope: str | None) -> list[str]:
        """The tree's lines; records which Blender nodes each nodescript node stands for."""
        exporter = _TreeExporter(self, tree, interface)
        lines = exporter.run()
        for unit in exporter.units:
            self.sources[(scope, unit.name)] = tuple(node.name for node in unit.nodes)
        return lines

    def interface(self, tree) -> _Interface:
        if tree.name not in self.interfaces:
            self.interfaces[tree.name] = _Interface.of(tree, self)
        return self.interfaces[tree.name]

    # --- scene { } -----------------------------------------------------------------------------
    def scene_block(self, tree) -> list[str]:
        settings = [*self.effect_settings(), *self.engine_settings(), *self.pass_settings(tree),
                    *self.render_settings()]
        if not settings:
            return []
        return ["scene {", *[f"    {key} = {value}" for key, value in settings], "}", ""]

    def effect_settings(self) -> list[tuple[str, str]]:
        """`effect = "..."` when the scene's compositor is one of several effects (5.3), so the
        text names the effect it was exported from; the others are noted."""
        if not self.dialect.COMPOSITOR_EFFECTS:
            return []
        chosen = compositor.pick_effect(self.scene, self.dialect, self.effect)
        others = compositor.other_effects(self.scene, self.dialect, self.effect)
        if others:
            names = ", ".join(f'"{e.name}"' for e in others)
            self.note(f"the scene has other compositor effects, not in this file: {names} "
                      "(export --effect NAME exports one)")
        if chosen is None or (not others and chosen.name == self.dialect.DEFAULT_EFFECT_NAME):
            return []
        return [("effect", _string(chosen.name))]

    def engine_settings(self) -> list[tuple[str, str]]:
        engine = self.scene.render.engine
        word = self.dialect.engine_word(engine)
        if word is None:
            self.note(f"render engine {engine} has no nodescript name; not exported")
            return []
        return [("engine", word)]

    def pass_settings(self, tree) -> list[tuple[str, str]]:
        """The passes the graph reads that the view layer has on. A linked pass that is off is
        left out (its socket carries nothing), so lint reports it (NS309)."""
        words, layers, reads_passes = [], set(), False
        for node, socket in _render_layers_outputs(tree, self.scene):
            word = self.pass_word(socket.name)
            reads_passes |= word is not None
            if word is not None and word not in words and self.pass_on(node, socket.name):
                words.append(word)
            layers.add(node.layer)
        out = [("passes", "[" + ", ".join(words) + "]")] if reads_passes else []
        aovs = self.aov_words(tree)
        out += [("aovs", "[" + ", ".join(aovs) + "]")] if aovs else []
        first_layer = self.scene.view_layers[0].name if len(self.scene.view_layers) else None
        other = sorted(layers - {first_layer})
        if len(other) == 1 and len(layers) == 1:
            out.append(("view_layer", _string(other[0])))
        elif other:
            self.note(f"Render Layers read several view layers ({', '.join(sorted(layers))}); "
                      "the scene block declares passes for the first one only")
        return out

    def aov_words(self, tree) -> list[str]:
        """The shader AOVs whose Render Layers outputs the graph reads: `name` (colour) or
        `(name, value)`; lint takes them as data."""
        words = []
        for node, socket in _render_layers_outputs(tree, self.scene):
            aov = _aov_of(node, self.scene, socket)
            if aov is None:
                continue
            name = aov.name if _NAME.match(aov.name) else _string(aov.name)
            word = f"({name}, value)" if aov.type == "VALUE" else name
            if word not in words:
                words.append(word)
        return words

    def pass_on(self, node, socket_name: str) -> bool:
        """Whether the view layer the Render Layers node reads has the pass's switches on."""
        how = self.catalog.render_passes.get(socket_name) or {}
        source = node.scene if node.scene is not None else self.scene
        layer = source.view_layers.get(node.layer)
        if layer is None or not how.get("property"):
            return True
        how = how.get("by_engine", {}).get(source.render.engine, how)
        switches = [how["owner"].split(".")[1:] + [how["property"]]]
        switches += [extra.split(".") for extra in how.get("requires", ())]
        for *owners, prop in switches:
            owner = functools.reduce(lambda obj, attr: getattr(obj, attr, None), owners, layer)
            if owner is not None and hasattr(owner, prop) and not getattr(owner, prop):
                return False
        return True

    def pass_word(self, socket_name: str) -> str | None:
        """`depth`, `object_index`, ...: the pass switch's name, which every version accepts."""
        how = self.catalog.render_passes.get(socket_name)
        if how is None or not how.get("property"):
            return None                                       # Image, Alpha: always there
        word = how["property"].removeprefix("use_pass_")
        word = "depth" if word == "z" else word
        word = next((w for w, p in vocabulary.PASS_WORDS.items() if p == how["property"]), word)
        named = vocabulary.pass_aliases(self.version).get(vocabulary.fold(word), "")
        # The word may name another output of the same switch (CryptoObject00 for ...01).
        if _NAME.match(word) and self.catalog.render_passes.get(named, {}).get("property") \
                == how["property"]:
            return word
        return _string(socket_name)

    def render_settings(self) -> list[tuple[str, str]]:
        render = self.scene.render
        out = [("resolution", f"({render.resolution_x}, {render.resolution_y})"),
               ("use_compositing", _bool(render.use_compositing))]
        transform = self.view_transform_word(self.scene.view_settings.view_transform)
        if transform:
            out.append(("view_transform", transform))
        if render.engine == "CYCLES" and hasattr(self.scene, "cycles"):
            out += [("cycles.samples", str(self.scene.cycles.samples)),
                    ("cycles.filter_width", _float(self.scene.cycles.filter_width))]
        if not _same(render.dither_intensity, 1.0):          # Blender's default; lint assumes it
            out.append(("dither", _float(render.dither_intensity)))
        return out + self.camera_settings()

    def camera_settings(self) -> list[tuple[str, str]]:
        """Depth of field and a projection other than perspective: lint checks data passes
        against them (NS311, NS312)."""
        camera = self.scene.camera
        data = camera.data if camera is not None and camera.type == "CAMERA" else None
        if data is None:
            return []
        out = [("camera.dof", "true")] if data.dof.use_dof else []
        word = {"ORTHO": "orthographic", "PANO": "panoramic"}.get(data.type)
        return out + ([("camera.type", word)] if word else [])

    def view_transform_word(self, name: str) -> str | None:
        word = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        if vocabulary.fold(word) in {vocabulary.fold(k) for k in VIEW_TRANSFORMS}:
            return word
        self.note(f'view transform "{name}" has no nodescript name; not exported')
        return None


def _group_header(group: _GroupText) -> str:
    params = lambda ps: ", ".join(f"{n}: {t}" for n, t in ps)
    return f"group {group.name}({params(group.inputs)}) -> ({params(group.outputs)}) {{"


def _aov_of(node, scene, socket):
    """The view layer's AOV behind a Render Layers output, or None for a pass."""
    if node.bl_idname != "CompositorNodeRLayers":
        return None
    source = node.scene if node.scene is not None else scene
    layer = source.view_layers.get(node.layer) if source is not None else None
    aovs = getattr(layer, "aovs", None) or ()
    return next((a for a in aovs if a.name == socket.name), None)


def _render_layers_outputs(tree, scene):
    """(node, output socket) of every linked output of a Render Layers node reading `scene`."""
    if tree is None:
        return []
    found = []
    for link in tree.links:
        node = link.from_node
        if node.bl_idname == "CompositorNodeRLayers" and node.scene in (None, scene):
            if (node, link.from_socket) not in found:
                found.append((node, link.from_socket))
    return sorted(found, key=lambda pair: _index(pair[0].outputs, pair[1]))


# --- one tree: the scene's compositor or a group body -----------------------------------------

@dataclass
class _Param:
    name: str
    type: str                 # VALUE, RGBA, ...
    identifier: str


@dataclass
class _Interface:
    """A node group's sockets, named as nodescript params (unique, valid, input/output apart)."""

    params: dict[str, list[_Param]]              # "INPUT"/"OUTPUT" -> params in order

    @classmethod
    def of(cls, tree, exporter: _SceneExporter) -> _Interface:
        names = _Names(reserved=set())
        params: dict[str, list[_Param]] = {"INPUT": [], "OUTPUT": []}
        sockets = [i for i in tree.interface.items_tree if i.item_type == "SOCKET"]
        # Blender lists outputs first; inputs keep their names when an output shares one.
        for item in sorted(sockets, key=lambda i: i.in_out != "INPUT"):
            type_ = _interface_type(item.socket_type)
            if type_ is None:
                exporter.note(f'group "{tree.name}": socket "{item.name}" of type '
                              f"{item.socket_type} cannot be written; it and its links are "
                              "left out")
                continue
            params[item.in_out].append(_Param(names.take(item.name), type_, item.identifier))
        return cls(params)

    def words(self, side: str) -> list[tuple[str, str]]:
        return [(p.name, GROUP_WORDS[p.type]) for p in self.params[side]]

    def find(self, side: str, identifier: str) -> _Param | None:
        return next((p for p in self.params[side] if p.identifier == identifier), None)

    def names(self) -> set[str]:
        return {p.name for ps in self.params.values() for p in ps}


def _interface_type(socket_type: str) -> str | None:
    # Subtypes extend the name: NodeSocketFloatFactor is a float.
    return next((t for prefix, t in INTERFACE_TYPES.items() if socket_type.startswith(prefix)),
                None)


@dataclass
class _Unit:
    """One nodescript node: a Blender node, or the several nodes of an emulation."""

    name: str
    kind: str                       # vocabulary kind or group name
    nodes: list                     # bpy nodes, the first one is the main one
    order: int
    spec: NodeSpec | None = None
    emulated: bool = False                            # stands for nodes of other types
    tag: dict | None = None
    group_params: list[_Param] | None = None          # group instances: their inputs
    group_outputs: list[_Param] | None = None
    slots: list[str] = field(default_factory=list)    # FileOutput: slot name per input index
    input_args: dict[int, list[str]] = field(default_factory=dict)   # FileOutput: format=png, ...
    args: list[str] = field(default_factory=list)


class _TreeExporter:
    def __init__(self, scene_exporter: _SceneExporter, tree, interface: _Interface | None):
        self.x = scene_exporter
        self.version = scene_exporter.version
        self.dialect = scene_exporter.dialect
        self.tree = tree
        self.interface = interface
        self.names = _Names(reserved=interface.names() if interface else set())
        self.units: list[_Unit] = []
        self.unit_of: dict[str, _Unit] = {}             # bpy node name -> unit
        self.kinds = scene_exporter.kinds

    def run(self) -> list[str]:
        self.collect_units()
        links = self.links()
        units = _topological(self.units, links)
        lines = [f"{u.name} = {u.kind}({', '.join(u.args)})" for u in units]
        order = {u.name: i for i, u in enumerate(units)}
        links.sort(key=lambda link: (order.get(link.dst_unit, len(order)), link.dst_index,
                                     order.get(link.src_unit, -1), link.src_index))
        link_lines = [f"{link.src} -> {link.dst}" for link in links]
        return lines + ([""] if lines and link_lines else []) + link_lines

    # --- nodes ---------------------------------------------------------------------------------
    def collect_units(self) -> None:
        """One unit per node, or per emulation, in the tree's order (of its first node)."""
        emulated: dict[str, list] = {}
        entries: list = []
        for node in self.tree.nodes:
            tag = _tag(node)
            if tag is None or not self.is_emulation(node, tag):
                entries.append((node, tag))
            elif tag["node"] in emulated:
                emulated[tag["node"]].append(node)
            else:
                emulated[tag["node"]] = [node]
                entries.append((emulated[tag["node"]], tag))
        for entry, tag in entries:
            if isinstance(entry, list):
                self.add_emulation(entry, tag)
            else:
                self.add_node(entry, tag)
        for unit in self.units:                         # frames are units by now
            frame = unit.nodes[0].parent
            if frame is not None and frame.name in self.unit_of:
                unit.args.append(f"parent={self.unit_of[frame.name].name}")
            if unit.nodes[0].mute:
                unit.args.append("mute=true")
            if _preview(unit.nodes[0]):
                unit.args.append("preview=true")

    def is_emulation(self, node, tag: dict) -> bool:
        kind = tag["kind"]
        return kind != self.kinds.get(node.bl_idname) and kind in vocabulary.EMULATED_KINDS

    def add_node(self, node, tag: dict | None) -> None:
        if node.bl_idname in ("NodeGroupInput", "NodeGroupOutput") and self.interface is not None:
            return                                      # the group's params stand for them
        if node.bl_idname == "NodeGroupOutput" and self.dialect.TREE_IS_NODE_GROUP:
            self.add_emulation([node], {"kind": "Composite", "node": node.name})
            return
        kind = self.x.kind_of(node)
        if kind is None or kind in vocabulary.STRUCTURAL_KINDS:
            self.x.note(f'node "{node.name}" ({node.bl_idname}) has no nodescript kind here; '
                        "it and its links are left out")
            return
        unit = self.new_unit(node.name, kind, [node], tag)
        if kind == "Group":
            self.group_unit(unit, node)
        elif kind == "FileOutput":
            unit.args = _FileOutputReader(self.x, node, unit).args()
        else:
            unit.spec = vocabulary.spec_for(kind, self.version)[0]
            unit.args = self.node_args(unit, node)
            if unit.spec.idname != node.bl_idname:
                self.stand_in_notes(node, unit.spec)

    def new_unit(self, blender_name: str, kind: str, nodes: list, tag: dict | None) -> _Unit:
        unit = _Unit(self.names.take(blender_name), kind, nodes, len(self.units), tag=tag)
        self.units.append(unit)
        for node in nodes:
            self.unit_of[node.name] = unit
        return unit

    def group_unit(self, unit: _Unit, node) -> None:
        if node.node_tree is None:
            self.x.note(f'group node "{node.name}" has no node group; it is left out')
            self.units.remove(unit)
            del self.unit_of[node.name]
            return
        unit.kind = self.x.group(node.node_tree)
        interface = self.x.interface(node.node_tree)
        unit.group_params = interface.params["INPUT"]
        unit.group_outputs = interface.params["OUTPUT"]
        sockets = tuple(SocketSpec(p.identifier, p.name, p.type, GROUP_SOCKET_DEFAULTS[p.type])
                        for p in unit.group_params)
        unit.args = self.input_args(node, sockets, set()) + _label_arg(node.label)

    # --- settings of ordinary nodes --------------------------------------------------------------
    def node_args(self, unit: _Unit, node) -> list[str]:
        args = self.property_args(unit, node)
        args += self.ramp_args(unit.spec, node) + self.mapping_args(unit.spec, node)
        args += self.input_args(node, unit.spec.inputs, set(unit.spec.properties))
        return args + _label_arg(node.label)

    # --- colour-ramp stops and curve points (see nodescript.curve_settings) ----------------------
    def ramp_args(self, spec: NodeSpec, node) -> list[str]:
        ramp = getattr(node, spec.ramp.property, None) if spec.ramp else None
        if ramp is None:
            return []
        args = []
        stops = [(e.position, tuple(e.color)) for e in ramp.elements]
        if not _same(stops, spec.ramp.elements):
            args.append("stops=[" + ", ".join(f"({_float(position)}, {_numbers(colour, False)})"
                                              for position, colour in stops) + "]")
        for name in curve_settings.RAMP_ENUMS:
            prop = spec.ramp.properties.get(name)
            text = _property_text(getattr(ramp, name), prop) if prop else None
            args += [f"{name}={text}"] if text is not None else []
        return args

    def mapping_args(self, spec: NodeSpec, node) -> list[str]:
        mapping = getattr(node, spec.mapping.property, None) if spec.mapping else None
        if mapping is None:
            return []
        args = []
        handle = spec.mapping.point_properties["handle_type"].default
        for setting, index in curve_settings.curve_names(spec):
            points = [(p.location[0], p.location[1], p.handle_type)
                      for p in mapping.curves[index].points]
            if not _same(points, spec.mapping.curves[index]):
                args.append(f"{setting}=[" + ", ".join(_point_text(p, handle) for p in points) + "]")
        props = spec.mapping.properties
        text = _property_text(mapping.use_clip, props["use_clip"])
        args += [f"use_clip={text}"] if text is not None else []
        rect = [getattr(mapping, name) for name in curve_settings.CLIP]
        if not _same(rect, [props[name].default for name in curve_settings.CLIP]):
            args.append(f"clip={_numbers(rect, False)}")
        for name in ("extend", "tone"):
            text = _property_text(getattr(mapping, name), props[name])
            args += [f"{name}={text}"] if text is not None else []
        for name in ("black_level", "white_level"):
            if name in props and not _same(getattr(mapping, name), props[name].default):
                self.x.note(f'node "{node.name}": its curves\' {name} (not shown on the node) is '
                            "not exported")
        return args

    def stand_in_notes(self, node, spec: NodeSpec) -> None:
        """Settings of a stand-in node that the kind's own type has no place for."""
        own = self.x.catalog.nodes.get(node.bl_idname)
        lost = [p for p in own.properties.values() if p.identifier not in spec.properties
                and RENAMED_PROPERTIES.get(p.identifier) not in spec.properties
                and _writable(p, self.x.catalog, node)
                and _property_text(getattr(node, p.identifier), p) is not None]
        lost += [s for s in own.inputs if _spec_index(spec.inputs, s.identifier) is None
                 and s.identifier in node.inputs and _input_changed(node.inputs[s.identifier], s)]
        for what in lost:
            self.x.note(f'node "{node.name}": {what.identifier} has no counterpart in '
                        f"{spec.idname}; not exported")

    def property_args(self, unit: _Unit, node) -> list[str]:
        args = []
        for ident, prop in unit.spec.properties.items():
            source = _stand_in_name(node, ident)
            if source != ident:                   # a stand-in's own name for this setting
                text = _property_text(getattr(node, source), prop)
                args += [f"{ident}={text}"] if text is not None else []
                continue
            if not _writable(prop, catalog.load(self.version), node):
                continue
            if unit.kind == "RenderLayers" and ident in ("scene", "layer"):
                continue
            text = _property_text(getattr(node, ident), prop)
            if text is not None:
                args.append(f"{ident}={text}")
        if unit.kind == "RenderLayers":
            args += self.render_layers_args(node)
        return args

    def render_layers_args(self, node) -> list[str]:
        """`scene=` for another scene's render; `layer=` when not the scene's first view layer."""
        source = node.scene if node.scene is not None else self.x.scene
        args = [] if source == self.x.scene else [f"scene={_string(source.name)}"]
        first = source.view_layers[0].name if len(source.view_layers) else None
        if args or node.layer != first:
            args.append(f"layer={_string(node.layer)}")
        return args

    def input_args(self, node, sockets: tuple[SocketSpec, ...], properties: set[str]) -> list[str]:
        """Unlinked inputs that differ from the default: by name, or `inputs=(...)` by position
        where the name is shared (Math's three `Value`s) or taken by a property."""
        named, positional = [], {}
        shown = [vocabulary.fold(s.name) for s in node.inputs if s.enabled]
        for socket in node.inputs:
            index = _spec_index(sockets, socket.identifier)
            if index is None or not _input_changed(socket, sockets[index]):
                continue
            text = _socket_text(socket.default_value, socket.type)
            name = _input_setting_name(sockets, index, properties, shown)
            if name is None:
                positional[index] = text
            else:
                named.append(f"{name}={text}")
        if positional:
            values = [positional.get(i, "_") for i in range(max(positional) + 1)]
            named.append(f"inputs=({', '.join(values)})")
        return named

    # --- emulations: several Blender nodes, one nodescript node ----------------------------------
    def add_emulation(self, members: list, tag: dict) -> None:
        kind = tag["kind"]
        unit = self.new_unit(tag["node"], kind, members, tag)
        unit.spec, _ = vocabulary.spec_for(kind, self.version)
        unit.emulated = True
        if kind == "MapValue":
            unit.args = self.map_value_args(unit)
        else:
            unit.args = _label_arg(members[0].label)

    def map_value_args(self, unit: _Unit) -> list[str]:
        """The Math nodes' live values win over the tag (a user may have edited them)."""
        values = dict(unit.tag.get("args", {}))
        values.update({switch: False for _, switch in MAP_VALUE_ROLES.values() if switch})
        first = None
        for node in _chain_order(unit.nodes):
            role = _tag(node).get("role")
            prop, switch = MAP_VALUE_ROLES.get(role, (None, None))
            if prop is None:
                continue
            first = first or node
            values[prop] = node.inputs[1].default_value
            if switch:
                values[switch] = True
        args = [f"{ident}={text}" for ident, prop in unit.spec.properties.items()
                if ident in values and (text := _property_text(values[ident], prop)) is not None]
        if first is not None and not first.inputs[0].is_linked \
                and not _same(first.inputs[0].default_value, unit.spec.inputs[0].default):
            args.append(f"value={_float(first.inputs[0].default_value)}")
        label = re.sub(r" \((offset|size|min|max)\)$", "", first.label if first else "")
        return args + _label_arg("" if label == "Map Value" else label)

    # --- links -----------------------------------------------------------------------------------
    def links(self) -> list[_Link]:
        out = []
        for link in self.tree.links:
            self.item_type_arg(link)                    # before the destination's text
            muted_into_file = link.is_muted and self.file_input_arg(link, "mute=true")
            src = self.source(link.from_node, link.from_socket)
            dst = self.destination(link.to_node, link.to_socket)
            if src is None or dst is None:
                continue
            if src.unit is not None and src.unit == dst.unit:
                continue                                # inside an emulation
            text = dst.text
            if link.is_muted and not muted_into_file:
                if dst.unit is None:                    # a group's output: no socket to suffix
                    self.x.note(f"the link {src.text} -> {dst.text} is muted in Blender; "
                                "exported as active")
                else:
                    text += "(mute=true)"
            out.append(_Link(src.text, text, src.unit, dst.unit, src.index, dst.index))
        return out

    def file_input_arg(self, link, arg: str) -> bool:
        """Add `arg` to a File Output input's settings, `out.name(arg)`; False if not one."""
        unit = self.unit_of.get(link.to_node.name)
        if unit is None or unit.kind != "FileOutput":
            return False
        unit.input_args.setdefault(_index(link.to_node.inputs, link.to_socket), []).append(arg)
        return True

    def item_type_arg(self, link) -> None:
        """Items declare their type (5.0 on), and it decides half vs full float in EXR: write
        `out.name(type=float)` when it is not the feeding socket's (what nodescript declares)."""
        node = link.to_node
        if not self.dialect.FILE_OUTPUT_ITEMS or node.bl_idname != "CompositorNodeOutputFile":
            return
        index = _index(node.inputs, link.to_socket)
        items = node.file_output_items
        src_node, src_socket, seen = link.from_node, link.from_socket, set()
        while src_node.bl_idname == "NodeReroute" and src_node.name not in seen:
            seen.add(src_node.name)              # Reroutes carry their source's data type
            feeding = [l for s in src_node.inputs for l in s.links]
            if not feeding:
                break
            src_node, src_socket = feeding[0].from_node, feeding[0].from_socket
        spec = self.x.catalog.nodes.get(src_node.bl_idname)
        source = spec and _spec_index(spec.outputs, src_socket.identifier)
        type_ = spec.outputs[source].type if source is not None else src_socket.type
        declared = ITEM_SOCKET_TYPES.get(type_)
        if index >= len(items) or not declared or items[index].socket_type == declared:
            return
        word = ITEM_TYPE_WORDS.get(items[index].socket_type)
        unit = self.unit_of.get(node.name)
        if word is None or unit is None:
            self.x.note(f'File Output "{node.name}": input "{items[index].name}" is declared '
                        f"{items[index].socket_type}, which nodescript cannot declare; it declares "
                        f"{declared} (the type of what feeds it)")
            return
        self.file_input_arg(link, f"type={word}")

    def source(self, node, socket) -> _End | None:
        if node.bl_idname == "NodeGroupInput" and self.interface is not None:
            param = self.interface.find("INPUT", socket.identifier)
            return _End(param.name, None, 0) if param else None
        unit = self.unit_of.get(node.name)
        ref = None if unit is None else self.output_ref(unit, node, socket)
        if ref is None:
            return None
        return _End(unit.name + ref, unit.name, _index(node.outputs, socket))

    def destination(self, node, socket) -> _End | None:
        if node.bl_idname == "NodeGroupOutput" and self.interface is not None:
            param = self.interface.find("OUTPUT", socket.identifier)
            return _End(param.name, None, 0) if param else None
        unit = self.unit_of.get(node.name)
        if unit is None:
            return None
        index = _index(node.inputs, socket)
        ref = self.input_ref(unit, node, socket, index)
        return None if ref is None else _End(unit.name + ref, unit.name, index)

    def output_ref(self, unit: _Unit, node, socket) -> str | None:
        if unit.emulated:
            return ".Value"                              # MapValue's one output
        if unit.group_outputs is not None:
            return _param_ref(unit.group_outputs, socket.identifier)
        if _aov_of(node, self.x.scene, socket) is not None:
            return _ref(socket.name)                     # declared in the scene's `aovs`
        return self.checked(_socket_ref(unit.spec.outputs, socket, unit.kind, self.version),
                            node, socket, "output")

    def input_ref(self, unit: _Unit, node, socket, index: int) -> str | None:
        if unit.kind == "FileOutput":
            if index >= len(unit.slots):
                return None                              # the virtual "add an item" socket
            args = unit.input_args.get(index)
            return _ref(unit.slots[index]) + (f"({', '.join(args)})" if args else "")
        if unit.emulated and unit.kind == "MapValue":
            return ".Value"
        if unit.emulated and unit.kind == "Composite":
            return self.composite_ref(socket, index)
        if unit.group_params is not None:
            return _param_ref(unit.group_params, socket.identifier)
        return self.checked(_socket_ref(unit.spec.inputs, socket, unit.kind, self.version),
                            node, socket, "input")

    def checked(self, ref: str | None, node, socket, side: str) -> str | None:
        if ref is None:
            self.x.note(f'node "{node.name}": {side} "{socket.name}" has no nodescript name; '
                        "its links are left out")
        return ref

    def composite_ref(self, socket, index: int) -> str | None:
        """5.0's Group Output stands for Composite: its first output socket is the image."""
        if index == 0:
            return ".Image"
        if socket.bl_idname != "NodeSocketVirtual":
            self.x.note(f'the compositor output "{socket.name}" beyond the first has no Composite '
                        "input; its link is left out")
        return None


@dataclass
class _End:
    text: str
    unit: str | None
    index: int


@dataclass
class _Link:
    src: str
    dst: str
    src_unit: str | None
    dst_unit: str | None
    src_index: int
    dst_index: int


def _topological(units: list[_Unit], links: list[_Link]) -> list[_Unit]:
    """Sources before the nodes they feed; ties in Blender's node order. A cycle (Blender
    allows none, but a file may hold one) is broken at its first node in that order."""
    feeds: dict[int, set[int]] = {u.order: set() for u in units}
    waiting = dict.fromkeys(feeds, 0)
    order_of = {u.name: u.order for u in units}
    for link in links:
        src, dst = order_of.get(link.src_unit), order_of.get(link.dst_unit)
        if src is not None and dst is not None and src != dst and dst not in feeds[src]:
            feeds[src].add(dst)
            waiting[dst] += 1
    ready = [order for order, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    done: list[int] = []
    placed: set[int] = set()
    while len(done) < len(units):
        if not ready:                                    # only cycles left
            ready = [min(o for o in waiting if o not in placed)]
        order = heapq.heappop(ready)
        if order in placed:
            continue
        placed.add(order)
        done.append(order)
        for fed in feeds[order]:
            waiting[fed] -= 1
            if waiting[fed] == 0 and fed not in placed:
                heapq.heappush(ready, fed)
    by_order = {u.order: u for u in units}
    return [by_order[o] for o in done]


def _chain_order(nodes: list) -> list:
    """An emulation's Math nodes in chain order, from the one fed from outside."""
    names = {n.name for n in nodes}

    def fed_by(node) -> list:
        return [l.to_node for l in node.outputs[0].links if l.to_node.name in names]

    fed = {m.name for n in nodes for m in fed_by(n)}
    ordered = [n for n in nodes if n.name not in fed][:1]
    while ordered and len(ordered) < len(nodes):
        following = fed_by(ordered[-1])
        if not following or following[0] in ordered:
            break
        ordered.append(following[0])
    return ordered + [n for n in nodes if n not in ordered]


# --- File Output ----------------------------------------------------------------------------

class _FileOutputReader:
    """4.x base_path + file_slots/layer_slots, or 5.0 directory + file_name + items, as
    FileOutput(path=..., format=..., ...) and one slot name per input."""

    def __init__(self, exporter: _SceneExporter, node, unit: _Unit):
        self.x = exporter
        self.node = node
        self.unit = unit
        self.fmt = node.format
        self.per_format = exporter.catalog.image_format.get("per_format", {}) \
            .get(self.fmt.file_format, {})

    def args(self) -> list[str]:
        directory, file_name = self.paths_and_slots()
        args = [f"path={_string(directory)}"]
        if file_name != _language().file_defaults["file_name"]:
            args.append(f"file_name={_string(file_name)}")
        args += self.format_args()
        if not self.save_as_render():
            args.append("save_as_render=false")
        if self.x.dialect.FILE_EXTENSION_SWITCH and not self.node.use_file_extension:
            args.append("use_file_extension=false")
        self.unlinked_notes()
        return args + _label_arg(self.node.label)

    def paths_and_slots(self) -> tuple[str, str]:
        if self.x.dialect.FILE_OUTPUT_ITEMS:
            items = list(self.node.file_output_items)
            self.unit.slots = [item.name for item in items]
            self.own_formats(items, [item.override_node_format for item in items])
            self.dimension_notes(items)
            return self.node.directory, self.node.file_name
        base = self.node.base_path
        layers = [slot.name for slot in self.node.layer_slots]
        if self.fmt.file_format == "OPEN_EXR_MULTILAYER":
            self.unit.slots = layers
            cut = max(base.rfind("/"), base.rfind("\\")) + 1
            return base[:cut], base[cut:]      # a multilayer base_path is directory + file name
        slots = list(self.node.file_slots)
        prefix = _common_prefix([slot.path for slot in slots], layers)
        # Layer names edited apart from the paths: the paths name the files, so they win.
        self.unit.slots = layers if prefix is not None else [slot.path for slot in slots]
        self.own_formats(slots, [not slot.use_node_format for slot in slots])
        if not self.x.dialect.NODE_SAVE_AS_RENDER \
                and len({s.save_as_render for s in slots if s.use_node_format}) > 1:
            self.note_slots([s.use_node_format and not s.save_as_render for s in slots], RAW_SLOT)
        return base, prefix or ""

    def dimension_notes(self, items: list) -> None:
        """Vector items are 3D, or 4D when fed by the motion-vector pass (as lowering declares
        them); other dimensions cannot be written in the language yet."""
        for index, item in enumerate(items):
            if item.socket_type != "VECTOR" or index >= len(self.node.inputs):
                continue
            links = self.node.inputs[index].links
            source = links[0].from_socket if links else None
            how = self.x.catalog.render_passes.get(source.name) if source is not None \
                and links[0].from_node.bl_idname == "CompositorNodeRLayers" else None
            wanted = 4 if (how or {}).get("property") in FOUR_COMPONENT_PASSES else 3
            if item.vector_socket_dimensions != wanted:
                self.note_slots([i == index for i in range(len(items))],
                                f"is a {item.vector_socket_dimensions}D vector; nodescript "
                                f"builds it {wanted}D")

    def save_as_render(self) -> bool:
        """The node's; without a node-level flag (4.2) it is per input only: off when every
        input on the node's format has it off (apply sets the node's value on each)."""
        if self.x.dialect.NODE_SAVE_AS_RENDER:
            return self.node.save_as_render
        if self.fmt.file_format == "OPEN_EXR_MULTILAYER":
            return True
        flags = [s.save_as_render for s in self.node.file_slots if s.use_node_format]
        return not flags or any(flags)

    def note_slots(self, flags: list[bool], what: str) -> None:
        for name, flag in zip(self.unit.slots, flags):
            if flag:
                self.x.note(f'File Output "{self.node.name}": input "{name}" {what}')

    def own_formats(self, owners: list, flags: list[bool]) -> None:
        """Inputs written with their own format: `out.name(format=png, ...)` on the link."""
        multilayer = self.fmt.file_format == "OPEN_EXR_MULTILAYER"
        for index, (owner, on) in enumerate(zip(owners, flags)):
            if not on:
                continue
            fmt = owner.format
            if multilayer or fmt.file_format == "OPEN_EXR_MULTILAYER":
                self.note_slots([i == index for i in range(len(owners))], OWN_FORMAT)
                continue
            per = self.x.catalog.image_format.get("per_format", {}).get(fmt.file_format, {})
            args = _format_args(fmt, per) + ([] if owner.save_as_render else ["save_as_render=false"])
            self.unit.input_args.setdefault(index, []).extend(args)

    def format_args(self) -> list[str]:
        return _format_args(self.fmt, self.per_format)

    def unlinked_notes(self) -> None:
        for index, name in enumerate(self.unit.slots):
            if index < len(self.node.inputs) and not self.node.inputs[index].is_linked:
                self.x.note(f'File Output "{self.node.name}": input "{name}" is not linked; '
                            "Blender writes nothing for it, and nodescript creates inputs by "
                            "links, so it is left out")


def _format_args(fmt, per: dict) -> list[str]:
    """Format and depth always (they decide precision, and Blender's defaults differ by
    version); codec for EXR; the rest when not what nodescript or Blender would pick."""
    args = [f"format={vocabulary.FORMAT_WORDS.get(fmt.file_format, fmt.file_format.lower())}"]
    if fmt.color_depth:
        args.append(f"depth={fmt.color_depth}")
    if per.get("exr_codec"):
        args.append(f"codec={fmt.exr_codec.lower()}")
    modes = per.get("color_mode", [])
    wanted = _language().file_defaults["color_mode"]     # as the resolver picks it
    if fmt.color_mode != (wanted if wanted in modes else (modes or [None])[0]):
        args.append(f"color_mode={fmt.color_mode.lower()}")
    if _uses_quality(fmt, per) and fmt.quality != _language().quality:
        args.append(f"quality={fmt.quality}")
    if fmt.file_format == "PNG" and fmt.compression != _language().compression:
        args.append(f"compression={fmt.compression}")
    return args


def _uses_quality(fmt, per: dict) -> bool:
    if per.get("exr_codec"):                    # EXR: only its lossy DWA codecs (5.0)
        return fmt.exr_codec in per.get("quality_exr_codecs", [])
    return bool(per.get("quality"))


def _common_prefix(paths: list[str], layers: list[str]) -> str | None:
    """P when every 4.x slot path is P + its layer name (how apply writes file_name), else None."""
    if not paths or len(paths) != len(layers) or not paths[0].endswith(layers[0]):
        return None
    prefix = paths[0][:len(paths[0]) - len(layers[0])]
    return prefix if all(p == prefix + l for p, l in zip(paths, layers)) else None


def _stand_in_name(node, ident: str) -> str:
    """Where a stand-in node keeps setting `ident` (shader Map Range's `clamp` is `use_clamp`)."""
    if hasattr(node, ident):
        return ident
    # Both ways: 4.5's legacy CompositorNodeMapRange (use_clamp) stands for the kind built as
    # ShaderNodeMapRange (clamp), and the shader node for a 4.2 kind.
    return next((other for own, kind_name in RENAMED_PROPERTIES.items()
                 for name, other in ((kind_name, own), (own, kind_name))
                 if name == ident and hasattr(node, other)), ident)


def _writable(prop, cat: catalog.Catalog, node) -> bool:
    """A property the language can set on this node (not UI state, not a collection)."""
    raw = cat.raw["nodes"].get(node.bl_idname, {}).get("properties", {}).get(prop.identifier, {})
    return not (prop.identifier in SKIPPED_PROPERTIES or prop.identifier in _language().common_args
                or prop.readonly or raw.get("enum_flag") or not hasattr(node, prop.identifier))


def _input_changed(socket, spec: SocketSpec) -> bool:
    """An unlinked input showing on the node, holding something else than its default."""
    return (not socket.is_linked and socket.enabled and socket.type in VALUE_SOCKET_TYPES
            and not _same(socket.default_value, spec.default))


def _kinds_by_idname(version: str) -> tuple[dict[str, str], dict[str, str]]:
    """({idname: kind} of `version`, {idname: kind} for types the vocabulary names only in
    other versions but that `version` has too)."""
    own, others = {}, {}
    present = catalog.load(version).nodes
    for kind, per_version in vocabulary.kind_table().items():
        for v, idname in per_version.items():
            (own if v == version else others).setdefault(idname, kind)
    stand_ins = {i: k for i, k in others.items() if i not in own and i in present
                 and vocabulary.spec_for(k, version) is not None}
    return own, stand_ins


# --- sockets ----------------------------------------------------------------------------------

def _index(sockets, socket) -> int:
    return next((i for i, s in enumerate(sockets) if s == socket), -1)


def _spec_index(sockets: tuple[SocketSpec, ...], identifier: str) -> int | None:
    return next((i for i, s in enumerate(sockets) if s.identifier == identifier), None)


def _socket_ref(sockets: tuple[SocketSpec, ...], socket, kind: str, version: str) -> str | None:
    """`.Name` when the name finds this socket, else `[index]` (Math's second `Value`); None
    for a socket the kind does not have (a view layer's AOV output)."""
    index = _spec_index(sockets, socket.identifier)
    if index is None:
        index = vocabulary.find_socket(sockets, socket.name, kind=kind, version=version)
    if index is None and len(sockets) == 1:
        index = 0                       # a stand-in's one socket, named otherwise (Result/Value)
    if index is None:
        return None
    name = sockets[index].name
    if vocabulary.find_socket(sockets, name, kind=kind, version=version) == index:
        return _ref(name)
    return f"[{index}]"


def _param_ref(params: list[_Param], identifier: str) -> str | None:
    param = next((p for p in params if p.identifier == identifier), None)
    return None if param is None else _ref(param.name)


def _ref(name: str) -> str:
    return f".{name}" if _NAME.match(name) else f".{_string(name)}"


def _input_setting_name(sockets: tuple[SocketSpec, ...], index: int, properties: set[str],
                        shown: list[str]) -> str | None:
    """`from_max` for "From Max" when that name finds this input and no other input showing on
    the node has it (5.0 Map Range's hidden vector "From Max" is fine, Math's second Value not)."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", sockets[index].name).strip("_").lower()
    folded = vocabulary.fold(name)
    if not _NAME.match(name) or name in _language().common_args or name in RESERVED:
        return None
    if folded in {vocabulary.fold(p) for p in properties}:
        return None                             # a property of that name would win
    if shown.count(folded) > 1:
        return None
    return name if vocabulary.find_socket(sockets, name) == index else None


def _tag(node) -> dict | None:
    """The node's emulation record (TAG with "kind" and "node"), or None."""
    tag = _record(node)
    return tag if tag is not None and "kind" in tag and "node" in tag else None


def _preview(node) -> bool:
    """Marked `preview=true` by apply (the TAG property's "preview")."""
    record = _record(node)
    return record is not None and record.get("preview") is True


def _record(node) -> dict | None:
    raw = node.get(TAG) if hasattr(node, "get") else None
    if raw is None:
        return None
    try:
        tag = json.loads(raw) if isinstance(raw, str) else raw.to_dict()
    except (ValueError, AttributeError):
        return None
    return tag if isinstance(tag, dict) else None


# --- values -----------------------------------------------------------------------------------

def _property_text(value, prop) -> str | None:
    """The setting's text, or None when it is the default (or not writable)."""
    if prop.type == "POINTER":
        if prop.identifier not in POINTER_PROPERTIES or value is None:
            return None
        return _string(value.name)
    if prop.default is not None and _same(value, prop.default):
        return None
    if prop.type == "ENUM":
        if not isinstance(value, str) or not value:
            return None
        if prop.identifier in _language().scene_enums:
            return _string(value)
        return value.lower() if _NAME.match(value) else _string(value)
    if prop.type == "BOOLEAN":
        return _bool(value)
    if prop.type == "STRING":
        return _string(value)
    if prop.type in ("INT", "FLOAT"):
        return _numbers(value, prop.type == "INT")
    return None


def _socket_text(value, socket_type: str) -> str:
    if socket_type in ("MENU", "STRING"):
        return _string(str(value))
    if socket_type == "BOOLEAN":
        return _bool(value)
    return _numbers(value, socket_type == "INT")


def _numbers(value, integer: bool) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if integer else _float(value)
    items = list(value)
    if len(items) == 1:                         # a one-element array: a scalar fills it
        return _numbers(items[0], integer)
    return "(" + ", ".join(_numbers(v, integer) for v in items) + ")"


def _float(value: float) -> str:
    """Shortest text that is the same float32: 0.1 stays 0.1, whole numbers have no point."""
    if math.isnan(value):
        return "0"
    if math.isinf(value):
        return "1e39" if value > 0 else "-1e39"    # past float32's range: infinity again
    single = _f32(value)
    text = next(t for t in (f"{value:.{d}g}" for d in range(1, 18)) if _f32(float(t)) == single)
    number = float(text)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _f32(value: float) -> float:
    try:
        return struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def _same(value, default) -> bool:
    """Equal at the catalogue's precision (6 significant digits; booleans and strings exact)."""
    if isinstance(default, (list, tuple)):
        items = list(value) if not isinstance(value, (str, int, float)) else [value]
        return len(items) == len(default) and all(_same(a, b) for a, b in zip(items, default))
    if isinstance(value, bool) or isinstance(default, bool) or isinstance(value, str):
        return value == default
    if isinstance(value, (int, float)) and isinstance(default, (int, float)):
        return f"{float(value):.6g}" == f"{float(default):.6g}"
    try:                                         # a bpy array against a scalar default
        items = list(value)
    except TypeError:
        return value == default
    return len(items) == 1 and _same(items[0], default)


def _point_text(point, default_handle: str) -> str:
    x, y, handle = point
    extra = f", {handle.lower()}" if handle != default_handle else ""
    return f"({_float(x)}, {_float(y)}{extra})"


def _bool(value) -> str:
    return "true" if value else "false"


def _string(text: str) -> str:
    escaped = text.translate(_ESCAPES)
    return f'"{escaped}"'


def _label_arg(label: str) -> list[str]:
    return [f"label={_string(label)}"] if label else []


# --- names ------------------------------------------------------------------------------------

class _Names:
    """Blender names as nodescript names: valid, not reserved, unique ("Math.001" -> Math_001)."""

    def __init__(self, reserved: set[str]):
        self.taken = set(reserved)

    def take(self, blender_name: str, avoid_kinds: bool = False) -> str:
        base = re.sub(r"[^A-Za-z0-9_]+", "_", blender_name).strip("_") or "node"
        if base[0].isdigit():
            base = f"n_{base}"
        if base in RESERVED or avoid_kinds and _is_kind(base):
            base = f"{base}_" if not avoid_kinds else f"{base}Group"
        name, counter = base, 1
        while name in self.taken or avoid_kinds and _is_kind(name):
            counter += 1
            name = f"{base}_{counter}"
        self.taken.add(name)
        return name


def _is_kind(name: str) -> bool:
    return vocabulary.find_kind(name) is not None
