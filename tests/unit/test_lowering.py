"""Lowering IR -> Plan per Blender version, without bpy: golden plans and semantics."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from nodescript import catalog
from nodescript.blender import plan
from nodescript.blender.lowering import LoweringError, dialect, lower
from nodescript.resolve import compile_source, load_graph

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "lowering"
VERSIONS = catalog.supported_versions()
CASES = sorted(GOLDEN.glob("*.nodes")) + sorted((ROOT / "examples").glob("*.nodes"))
# NODESCRIPT_UPDATE_GOLDEN=1 rewrites the expected plans (review the diff before committing).
UPDATE = os.environ.get("NODESCRIPT_UPDATE_GOLDEN") == "1"


def graph_of(path: Path):
    loaded = load_graph(str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path))
    errors = [d.render() for d in loaded.diagnostics if d.is_error]
    assert not errors, errors
    return loaded.graph


def compiled(source: str):
    loaded = compile_source(source)
    assert not [d for d in loaded.diagnostics if d.is_error], [d.render() for d in loaded.diagnostics]
    return loaded.graph


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_golden_plan(case, version):
    cwd = os.getcwd()
    os.chdir(ROOT)                      # spans and paths in plans are relative to the repo
    try:
        text = lower(graph_of(case), version).describe()
    finally:
        os.chdir(cwd)
    expected = GOLDEN / f"{case.stem}.{version}.plan"
    if UPDATE:
        expected.write_text(text)
    assert expected.exists(), f"no golden {expected.name}: run with NODESCRIPT_UPDATE_GOLDEN=1"
    assert text == expected.read_text()


@pytest.mark.parametrize("version", VERSIONS)
def test_lowering_is_deterministic(version):
    graph_a, graph_b = (graph_of(GOLDEN / "group_mapvalue.nodes") for _ in range(2))
    assert lower(graph_a, version).to_json() == lower(graph_b, version).to_json()


# --- Map Value in 5.0: Math nodes computing the same function -----------------------------------

MATH = {"ADD": lambda a, b: a + b, "MULTIPLY": lambda a, b: a * b,
        "MAXIMUM": max, "MINIMUM": min}


def evaluate_chain(tree: plan.Tree, first: str, x: float) -> float:
    """Run the plan's Math chain from node `first` on x, following its links."""
    following = {l.src.node: l.dst.node for l in tree.links}
    name, value = first, x
    while name is not None and name in {n.name for n in tree.nodes if n.idname == "ShaderNodeMath"}:
        node = tree.node(name)
        value = MATH[node.properties["operation"]](value, node.inputs["Value_001"])
        name = following.get(name)
    return value


def map_value(x, offset=0.0, size=1.0, use_min=False, min=0.0, use_max=False, max=1.0):
    y = (x + offset) * size
    if use_min:
        y = y if y > min else min
    if use_max:
        y = y if y < max else max
    return y


@pytest.mark.parametrize("args", [
    {},
    {"offset": -9.0, "size": 2.0},
    {"offset": -9.0, "size": 2.0, "use_min": True, "min": 0.0},
    {"offset": -9.0, "size": 2.0, "use_max": True, "max": 1.5},
    {"offset": 1.0, "size": -0.5, "use_min": True, "min": -2.0, "use_max": True, "max": 3.0},
])
def test_map_value_as_math_has_the_same_semantics(args):
    written = ", ".join(f"{k}={str(v).lower()}" for k, v in args.items())
    graph = compiled(f"rl = RenderLayers()\nrl.Depth -> MapValue({written}) as mv -> Viewer()\n")
    tree = lower(graph, "5.0").tree
    math_nodes = [n for n in tree.nodes if n.name.startswith("mv.")]
    assert math_nodes and all(n.idname == "ShaderNodeMath" for n in math_nodes)
    assert {n.tag["kind"] for n in math_nodes} == {"MapValue"}
    assert all(n.tag["node"] == "mv" for n in math_nodes)
    for x in (-100.0, 0.0, 3.25, 8.0, 9.5, 10.0, 1e10):
        assert evaluate_chain(tree, "mv.offset", x) == pytest.approx(map_value(x, **args))


def test_map_value_is_a_node_of_its_own_before_5_0():
    graph = compiled("rl = RenderLayers()\nrl.Depth -> MapValue(size=0.1, use_max=true) as mv -> Viewer()\n")
    for version in ("4.2", "4.5"):
        node = lower(graph, version).tree.node("mv")
        assert node.idname == "CompositorNodeMapValue"
        assert node.properties == {"size": (0.1,), "use_max": True}
        assert node.tag is None


def test_map_value_links_reach_the_first_and_last_math_node():
    graph = compiled("rl = RenderLayers()\nrl.Depth -> MapValue(use_min=true) as mv -> Viewer() as v\n")
    links = {(l.src.node, l.dst.node) for l in lower(graph, "5.0").tree.links}
    assert links == {("rl", "mv.offset"), ("mv.offset", "mv.size"), ("mv.size", "mv.min"),
                     ("mv.min", "v")}


# --- Composite and File Output per version -------------------------------------------------

def test_composite_is_the_group_output_in_5_0():
    graph = compiled("rl = RenderLayers()\nrl.Image -> Composite() as out\n")
    p50 = lower(graph, "5.0")
    out = p50.tree.node("out")
    assert out.idname == "NodeGroupOutput"
    assert out.tag == {"kind": "Composite", "node": "out", "role": "output", "args": {}}
    assert p50.tree.interface == (plan.InterfaceSocket("Image", "OUTPUT", "NodeSocketColor"),)
    assert [l.dst for l in p50.tree.links] == [plan.Socket("out", 0, "Image", by_index=True)]
    for version in ("4.2", "4.5"):
        p4 = lower(graph, version)
        assert p4.tree.node("out").idname == "CompositorNodeComposite"
        assert p4.tree.interface == ()


def test_composite_inside_a_group_cannot_be_built_in_5_0():
    graph = compiled("group G(a: color) -> () { a -> Composite() }\n"
                     "rl = RenderLayers()\ng = G()\nrl.Image -> g.a\n")
    lower(graph, "4.5")
    with pytest.raises(LoweringError, match="5.0"):
        lower(graph, "5.0")


def test_graph_not_targeting_the_version_is_refused():
    graph = compiled('target "4.2".."4.5"\nrl = RenderLayers()\nrl.Image -> Composite()\n')
    with pytest.raises(LoweringError, match="targets Blender 4.2, 4.5, not 5.0"):
        lower(graph, "5.0")


def test_file_output_names_files_alike_in_every_version():
    graph = compiled('rl = RenderLayers()\n'
                     'rl.Depth -> FileOutput(path="//o/", file_name="f_", format=exr) as fo\n')
    props = {v: lower(graph, v).tree.node("fo") for v in VERSIONS}
    assert props["4.2"].properties["base_path"] == "//o/"
    assert props["4.2"].slots == (plan.FileSlot("Depth", path="f_Depth", save_as_render=True),)
    assert props["5.0"].properties["directory"] == "//o/"
    assert props["5.0"].properties["file_name"] == "f_"
    assert props["5.0"].slots == (plan.FileSlot("Depth", socket_type="FLOAT"),)
    keys = list(props["5.0"].properties)
    assert keys.index("format.media_type") < keys.index("format.file_format")


def test_passes_follow_the_render_layers_outputs_used():
    graph = compiled('rl = RenderLayers()\nrl."Object Index" -> FileOutput(path="//o/") as fo\n')
    for version in VERSIONS:
        assert lower(graph, version).passes == [plan.PassValue("view_layer", "use_pass_object_index")]


def test_unknown_version_is_a_clear_error():
    with pytest.raises(LoweringError, match="cannot lower to Blender 3.6"):
        dialect("3.6")


def test_lowering_names_file_output_like_the_resolver_without_importing_it():
    """lowering keeps its own copy of the kind so that apply's bpy process never loads the parser
    (lint runs in a child process there)."""
    import subprocess
    import sys

    from nodescript.blender import lowering
    from nodescript.resolve.file_output import FILE_OUTPUT

    assert lowering.FILE_OUTPUT == FILE_OUTPUT
    code = ("import sys\nimport nodescript.blender.lowering, nodescript.blender.apply\n"
            "assert 'nodescript.resolve' not in sys.modules and 'lark' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- preview=true: kept in the TAG property, on any node ------------------------------------

def test_preview_is_kept_in_the_tag_and_only_where_marked():
    graph = compiled("rl = RenderLayers()\n"
                     "rl.Depth -> MapValue(size=0.1, preview=true) as mv -> Viewer(preview=true) as v\n"
                     'rl.Depth -> FileOutput(path="//d/", preview=true) as fo\n'
                     'rl.Image -> FileOutput(path="//i/") as plain\n')
    for version in VERSIONS:
        tree = lower(graph, version).tree
        assert tree.node("v").preview and tree.node("fo").preview
        assert json.loads(tree.node("v").tag_text) == {"preview": True}
        assert tree.node("v").tag is None                 # not an emulation
        for name in ("rl", "plain"):                      # unmarked: nothing new stored
            assert not tree.node(name).preview and tree.node(name).tag_text is None
        marked = [n for n in tree.nodes if n.name == "mv" or n.name.startswith("mv.")]
        assert marked and all(n.preview for n in marked)
    for node in lower(graph, "5.0").tree.nodes:           # MapValue's Math nodes: both records
        if node.name.startswith("mv."):
            assert json.loads(node.tag_text) == {**node.tag, "preview": True}


def test_check_shows_a_preview_mark_switched_as_old_to_new():
    from nodescript.blender import diff

    def shown(old, new):
        change = diff.NodeChange("v", {"tag": (old, new)})
        return diff.Changes([diff.TreeChanges("t", changed=[change])], [], []).describe()[1:]

    assert shown(None, '{"preview": true}') == ["  ~ node v preview: False -> True"]
    assert shown('{"preview": true}', None) == ["  ~ node v preview: True -> False"]
    emulation = '{"kind": "MapValue", "node": "mv", "role": "size", "args": {}}'
    marked = emulation[:-1] + ', "preview": true}'
    assert shown(emulation, marked) == ["  ~ node v preview: False -> True"]
    assert shown(None, emulation) == [f"  ~ node v tag: None -> {emulation!r}"]
    assert shown("not json", None) == ["  ~ node v tag: 'not json' -> None"]
