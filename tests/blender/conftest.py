"""Fixtures for the apply/render tests: tiny scenes built with real bpy, the CLI run in-process."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT / "tests"))          # tests/corpus: `import corpus`


def _bpy():
    return pytest.importorskip("bpy")


@pytest.fixture
def bpy():
    return _bpy()


@pytest.fixture
def version(bpy) -> str:
    return "%d.%d" % tuple(bpy.app.version[:2])


def running_dialect():
    """The dialect of the running bpy: tests branch on its features, never on version numbers."""
    from nodescript import dialects

    return dialects.get("%d.%d" % tuple(_bpy().app.version[:2]))


@pytest.fixture
def dialect(bpy):
    return running_dialect()


def example_scene_module():
    """scripts/make_example_scene.py as a module (its constants and `truth()` need no bpy)."""
    spec = importlib.util.spec_from_file_location("make_example_scene",
                                                  ROOT / "scripts" / "make_example_scene.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_example_scene_module = example_scene_module      # the old name, for tests written against it


@pytest.fixture
def make_scene(bpy, tmp_path):
    """make_scene(name="scene.blend", size=(32, 24), edit=None) -> Path of a saved tiny scene:
    the example scene (camera over a ground plane and a ramp, Cycles, 1 sample), uncompressed
    so tests can rewrite its header. `edit(bpy)` may change it before saving."""
    module = example_scene_module()

    def make(name: str = "scene.blend", size=(32, 24), edit=None) -> Path:
        module.make_scene()
        scene = bpy.context.scene
        scene.render.resolution_x, scene.render.resolution_y = size
        if edit is not None:
            edit(bpy)
        path = tmp_path / name
        bpy.ops.wm.save_as_mainfile(filepath=str(path), compress=False)
        bpy.ops.wm.read_factory_settings(use_empty=True)
        return path

    return make


@pytest.fixture
def graph(tmp_path):
    """graph(text, name="graph.nodes") -> Path of a dedented .nodes file."""
    def write(text: str, name: str = "graph.nodes") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path
    return write


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(bpy):
    """cli("apply", scene, graph, "--check") -> Ran(code, out, err), in this process."""
    from nodescript.blender import commands
    from nodescript.blender.export import export_command

    group = click.Group()
    group.add_command(commands.apply)
    group.add_command(commands.render)
    group.add_command(export_command)

    def run(*args) -> Ran:
        result = CliRunner().invoke(group, [str(a) for a in args], catch_exceptions=False)
        return Ran(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def open_file(bpy):
    """open_file(path) -> the active scene of that .blend, loaded (scripts off)."""
    def load(path, scene: str | None = None):
        bpy.ops.wm.open_mainfile(filepath=str(path), load_ui=False, use_scripts=False)
        return bpy.data.scenes[scene] if scene else bpy.context.scene
    return load


def compositor(scene):
    """The scene's compositor tree in any version (5.3: the only or active effect's)."""
    from nodescript.blender import compositor as where

    return where.scene_tree(scene, running_dialect())[0]


def empty_compositor(scene):
    """A new, empty compositor tree for `scene`, in any version (for trees built as in the UI)."""
    import bpy

    from nodescript.blender import compositor as where

    dialect = running_dialect()
    if dialect.TREE_IS_NODE_GROUP:
        tree = bpy.data.node_groups.new(f"{scene.name} Compositing", "CompositorNodeTree")
        where.set_scene_tree(scene, dialect, tree)
        return tree
    scene.use_nodes = True
    scene.node_tree.nodes.clear()
    return scene.node_tree


def add(tree, kind: str, name: str, **props):
    """A node of nodescript kind `kind` (the running version's type), named `name`, with
    `props` set, as a user would make it in the editor."""
    from nodescript import vocabulary

    node = tree.nodes.new(vocabulary.kind_table()[kind]["%d.%d" % tuple(_bpy().app.version[:2])])
    node.name = name
    for key, value in props.items():
        setattr(node, key, value)
    return node


def apply_text(text: str, scene=None, path: str = "graph.nodes") -> None:
    """Apply a graph in memory, the way `nodescript apply` does after loading the .blend."""
    import bpy

    from nodescript.blender import executor
    from nodescript.blender.lowering import dialect
    from nodescript.resolve import load_graph

    scene = scene or bpy.context.scene
    loaded = load_graph(path, text)
    errors = [d.render() for d in loaded.diagnostics if d.is_error]
    assert not errors, errors
    lowering = dialect("%d.%d" % tuple(bpy.app.version[:2]))
    plan = lowering.lower(loaded.graph)
    executor.bind_to_scene(plan, scene)
    executor.apply_plan(scene, plan, lowering)


def nodes_part(text: str) -> str:
    """A graph's text from its Render Layers on (export also writes the target and scene)."""
    return text[text.index("rl = RenderLayers()"):]


def links_of(tree) -> set[tuple[str, str, str, str]]:
    return {(l.from_node.name, l.from_socket.name, l.to_node.name, l.to_socket.name)
            for l in tree.links}
