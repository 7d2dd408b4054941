"""Export of one scene: the compositor tree, the node groups it uses, the scene settings the
graph depends on (passes, view transform, effects)."""

from __future__ import annotations

from dataclasses import dataclass
import functools
import re

from nodescript import catalog, dialects, vocabulary
from nodescript.blender import compositor
from nodescript.blender.export_text import (
    NAME_PATTERN,
    Names,
    aov_of,
    bool_text,
    float_text,
    index_of,
    kinds_by_idname,
    same_value,
    string_text,
)
from nodescript.blender.export_tree import Interface, TreeExporter
from nodescript.scene_settings import VIEW_TRANSFORMS
from nodescript.syntax.names import name_text

# --- the scene ------------------------------------------------------------------------------

@dataclass
class GroupText:
    name: str
    inputs: list[tuple[str, str]]           # (param name, type word)
    outputs: list[tuple[str, str]]
    body: list[str]


class SceneExporter:
    def __init__(self, scene, version: str, effect: str | None = None, pin_layout: bool = False):
        self.scene = scene
        self.effect = effect
        self.pin_layout = pin_layout
        self.version = version
        self.dialect = dialects.get(version)
        self.catalog = catalog.load(version)
        self.notes: list[str] = []
        self.groups: dict[str, GroupText] = {}      # tree name -> definition, users after used
        self.interfaces: dict[str, Interface] = {}
        self.group_names = Names(reserved=set(), keep=True)
        self.kinds = kinds_by_idname(version)
        self.sources: dict[tuple[str | None, str], tuple[str, ...]] = {}
        self.group_trees: dict[str, str] = {}           # nodescript group name -> tree name

    def kind_of(self, node) -> str | None:
        """The node's kind; a type no kind is built as here (4.5's legacy CompositorNodeMath,
        which old files and scripts hold, or a type the vocabulary lacks) is its exact type,
        written `Node("CompositorNodeMath", ...)`: never a kind of other semantics."""
        kind = self.kinds.get(node.bl_idname)
        if kind is None and vocabulary.spec_for(node.bl_idname, self.version) is not None:
            return node.bl_idname
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
            lines += [group_header(group), *[f"    {b}" if b else "" for b in group.body], "}", ""]
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
        name = self.group_names.take(tree.name, avoid=self.kinds_written)
        interface = self.interface(tree)
        self.group_trees[name] = tree.name
        body = self.tree_body(tree, interface, name)          # nested groups register first
        self.groups[tree.name] = GroupText(name, interface.words("INPUT"),
                                            interface.words("OUTPUT"), body)
        return name

    @functools.cached_property
    def kinds_written(self) -> frozenset[str]:
        """Every kind the export writes, in the scene's tree and the groups it uses."""
        found, seen, pending = set(), set(), [self.scene_tree()]
        while pending:
            tree = pending.pop()
            if tree is None or tree.name in seen:
                continue
            seen.add(tree.name)
            for node in tree.nodes:
                kind = self.kind_of(node)
                found.update([kind] if kind else [])
                pending.append(getattr(node, "node_tree", None))
        return frozenset(found)

    def tree_body(self, tree, interface: Interface | None, scope: str | None) -> list[str]:
        """The tree's lines; records which Blender nodes each nodescript node stands for."""
        exporter = TreeExporter(self, tree, interface)
        lines = exporter.run()
        for unit in exporter.units:
            self.sources[(scope, unit.name)] = tuple(node.name for node in unit.nodes)
        return lines

    def interface(self, tree) -> Interface:
        if tree.name not in self.interfaces:
            self.interfaces[tree.name] = Interface.of(tree, self)
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
        return [("effect", string_text(chosen.name))]

    def engine_settings(self) -> list[tuple[str, str]]:
        engine = self.scene.render.engine
        word = self.dialect.engine_word(engine)
        if word is None:
            self.note(f"render engine {engine} has no nodescript name; not exported")
            return []
        return [("engine", word)]

    def pass_settings(self, tree) -> list[tuple[str, str]]:
        """The passes the graph reads that the view layer has on. A linked pass that is off is
        left out (its socket carries nothing), so lint reports it (NS309). `passes` is for one
        view layer (the first, or `view_layer` when every node reads one other layer): passes
        read through a Render Layers node on another layer are left to its links, which apply
        enables on that node's layer."""
        declared = self.declared_layer(tree)
        first_layer = self.scene.view_layers[0].name if len(self.scene.view_layers) else None
        words = self.pass_words(tree, lambda node: node.layer == declared)
        out = [("passes", "[" + ", ".join(words) + "]")] if words is not None else []
        aovs = self.aov_words(tree)
        out += [("aovs", "[" + ", ".join(aovs) + "]")] if aovs else []
        if declared != first_layer:
            out.append(("view_layer", string_text(declared)))
        return out

    def declared_layer(self, tree) -> str | None:
        """The view layer the scene block's `passes` are for: the one every Render Layers node
        reads, else the first."""
        layers = {node.layer for node, _ in render_layers_outputs(tree, self.scene)}
        first = self.scene.view_layers[0].name if len(self.scene.view_layers) else None
        return next(iter(layers)) if len(layers) == 1 else first

    def pass_words(self, tree, reads) -> list[str] | None:
        """The words of the passes that the Render Layers nodes `reads(node)` picks read and
        their layer has on; None when they read no pass at all (Image only)."""
        words, reads_passes = [], False
        for node, socket in render_layers_outputs(tree, self.scene):
            word = self.pass_word(socket.name)
            if not reads(node):
                continue
            reads_passes |= word is not None
            if word is not None and word not in words and self.pass_on(node, socket.name):
                words.append(word)
        return words if reads_passes else None

    def aov_words(self, tree) -> list[str]:
        """The shader AOVs whose Render Layers outputs the graph reads: `name` (colour) or
        `(name, value)`; lint takes them as data."""
        words = []
        for node, socket in render_layers_outputs(tree, self.scene):
            aov = aov_of(node, self.scene, socket)
            if aov is None:
                continue
            name = aov.name if NAME_PATTERN.match(aov.name) else string_text(aov.name)
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
        if NAME_PATTERN.match(word) and self.catalog.render_passes.get(named, {}).get("property") \
                == how["property"]:
            return word
        return string_text(socket_name)

    def render_settings(self) -> list[tuple[str, str]]:
        render = self.scene.render
        out = [("resolution", f"({render.resolution_x}, {render.resolution_y})"),
               ("use_compositing", bool_text(render.use_compositing))]
        transform = self.view_transform_word(self.scene.view_settings.view_transform)
        if transform:
            out.append(("view_transform", transform))
        if render.engine == "CYCLES" and hasattr(self.scene, "cycles"):
            out += [("cycles.samples", str(self.scene.cycles.samples)),
                    ("cycles.filter_width", float_text(self.scene.cycles.filter_width))]
        if not same_value(render.dither_intensity, 1.0):          # Blender's default; lint assumes it
            out.append(("dither", float_text(render.dither_intensity)))
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


def group_header(group: GroupText) -> str:
    params = lambda ps: ", ".join(f"{name_text(n)}: {t}" for n, t in ps)
    return f"group {name_text(group.name)}({params(group.inputs)}) -> ({params(group.outputs)}) {{"


def render_layers_outputs(tree, scene):
    """(node, output socket) of every linked output of a Render Layers node reading `scene`."""
    if tree is None:
        return []
    found = []
    for link in tree.links:
        node = link.from_node
        if node.bl_idname == "CompositorNodeRLayers" and node.scene in (None, scene):
            if (node, link.from_socket) not in found:
                found.append((node, link.from_socket))
    return sorted(found, key=lambda pair: index_of(pair[0].outputs, pair[1]))


