"""bpy-free parts of apply/render: layout, plan diffing, file naming, frames, the lint gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from nodescript.blender import plan
from nodescript.blender.apply import Stop, checked_graph
from nodescript.blender.diff import Expected, NodeState, TreeState, diff_tree, same
from nodescript.blender.layout import COLUMN_WIDTH, layout
from nodescript.blender.render import FileOutput, frame_name, parse_frames

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


# --- layout ------------------------------------------------------------------------------------

def test_layout_puts_each_node_right_of_its_inputs():
    names = ["rl", "a", "b", "c", "out"]
    edges = [("rl", "a"), ("a", "b"), ("rl", "c"), ("b", "out"), ("c", "out")]
    where = layout(names, edges)
    for src, dst in edges:
        assert where[dst][0] > where[src][0]
    assert where["out"][0] == 3 * COLUMN_WIDTH          # the longest path decides the column
    assert len(set(where.values())) == len(names)        # no two nodes on one spot


def test_layout_is_deterministic_and_ignores_edge_order():
    names = [f"n{i}" for i in range(50)]
    edges = [(f"n{i}", f"n{i + 1}") for i in range(0, 49, 2)] + [("n0", "n7"), ("n3", "n40")]
    assert layout(names, edges) == layout(names, list(reversed(edges)))


# --- comparing a plan with a scene ---------------------------------------------------------------

def test_same_compares_floats_as_blender_stores_them():
    assert same(0.01, 0.009999999776482582)            # 0.01 after a float32 round trip
    assert not same(0.01, 0.0101)
    assert same((1, 2.5), [1.0, 2.5]) and not same((1.0,), (1.0, 2.0))
    assert same(None, "") and not same("ADD", "MULTIPLY")


def _math(name, op="ADD", value=0.5):
    return plan.Node(name, "ShaderNodeMath", (0.0, 0.0), properties={"operation": op},
                     inputs={"Value_001": value})


def _state(node: plan.Node, **changes) -> NodeState:
    state = NodeState(node.name, node.idname, properties=dict(node.properties),
                      inputs=dict(node.inputs), input_ids=("Value", "Value_001", "Value_002"),
                      output_ids=("Value",))
    for key, value in changes.items():
        setattr(state, key, value)
    return state


def _wanted(tree):
    return {n.name: Expected(dict(n.properties), dict(n.inputs)) for n in tree.nodes}


def test_diff_of_an_identical_tree_is_empty():
    a, b = _math("a"), _math("b")
    tree = plan.Tree("t", [a, b], [plan.Link(plan.Socket("a", 0, "Value"), plan.Socket("b", 0, "Value"))])
    state = TreeState(True, {"a": _state(a), "b": _state(b)}, {("a", "Value", "b", "Value")})
    assert not diff_tree(tree, state, _wanted(tree))


def test_diff_finds_added_removed_changed_nodes_and_links():
    a, b = _math("a"), _math("b", op="MULTIPLY", value=2.0)
    tree = plan.Tree("t", [a, b], [plan.Link(plan.Socket("a", 0, "Value"), plan.Socket("b", 1, "Value_001"))])
    state = TreeState(True, {
        "a": _state(a, properties={"operation": "SUBTRACT"}),
        "old": NodeState("old", "ShaderNodeMath"),
    }, {("a", "Value", "old", "Value")})
    changes = diff_tree(tree, state, _wanted(tree))
    assert changes.removed == ["old"]
    assert [n.name for n in changes.added] == ["b"]
    assert changes.changed[0].values == {"operation": ("SUBTRACT", "ADD")}
    assert changes.linked == tree.links                  # to a new node: made after it
    assert changes.unlinked == []                        # it goes away with `old`


def test_diff_sees_a_moved_link_and_a_changed_input():
    a, b = _math("a"), _math("b")
    tree = plan.Tree("t", [a, b], [plan.Link(plan.Socket("a", 0, "Value"), plan.Socket("b", 0, "Value"))])
    state = TreeState(True, {"a": _state(a), "b": _state(b, inputs={"Value_001": 3.0})},
                      {("a", "Value", "b", "Value_001")})
    changes = diff_tree(tree, state, _wanted(tree))
    assert changes.unlinked == [("a", "Value", "b", "Value_001")]
    assert changes.linked == tree.links
    assert changes.changed[0].values == {"inputs['Value_001']": (3.0, 0.5)}


def test_diff_rebuilds_changed_file_output_slots_and_their_links():
    fo = plan.Node("fo", "CompositorNodeOutputFile", slots=(plan.FileSlot("depth", socket_type="FLOAT"),))
    rl = plan.Node("rl", "CompositorNodeRLayers")
    link = plan.Link(plan.Socket("rl", 2, "Depth"), plan.Socket("fo", 0, "depth", by_index=True))
    tree = plan.Tree("t", [rl, fo], [link])
    state = TreeState(True, {
        "rl": NodeState("rl", rl.idname, output_ids=("Image", "Alpha", "Depth")),
        "fo": NodeState("fo", fo.idname, input_ids=("Item_1",),
                        slots=(plan.FileSlot("depth", socket_type="RGBA"),)),
    }, {("rl", "Depth", "fo", "Item_1")})
    changes = diff_tree(tree, state, _wanted(tree))
    assert changes.changed[0].slots == fo.slots
    assert changes.linked == [link] and changes.unlinked == [("rl", "Depth", "fo", "Item_1")]


def test_diff_resolves_sockets_by_index_where_identifiers_are_blenders():
    group = plan.Node("g", "CompositorNodeGroup", properties={"node_tree": "G"})
    rl = plan.Node("rl", "CompositorNodeRLayers")
    link = plan.Link(plan.Socket("rl", 2, "Depth"), plan.Socket("g", 0, "d", by_index=True))
    tree = plan.Tree("t", [rl, group], [link])
    state = TreeState(True, {
        "rl": NodeState("rl", rl.idname, output_ids=("Image", "Alpha", "Noisy Image", "Depth")),
        "g": NodeState("g", group.idname, properties={"node_tree": "G"}, input_ids=("Socket_0",)),
    }, {("rl", "Depth", "g", "Socket_0")})
    assert not diff_tree(tree, state, _wanted(tree))


# --- where rendered files land ------------------------------------------------------------------

@pytest.mark.parametrize("name, frame, expected", [
    ("depth", 3, "depth0003"), ("", 12, "0012"), ("x_####_depth", 5, "x_0005_depth"),
    ("a##_b###", 7, "a##_b007"), ("f_#", 12, "f_12"),
])
def test_frame_name(name, frame, expected):
    assert frame_name(name, frame) == expected


def test_file_output_files_single_and_multilayer(tmp_path):
    single = FileOutput("fo", str(tmp_path), "OPEN_EXR", False, names=["f_depth", "f_img"])
    assert single.files(2) == [str(tmp_path / "f_depth0002.exr"), str(tmp_path / "f_img0002.exr")]
    multi = FileOutput("ml", str(tmp_path), "OPEN_EXR_MULTILAYER", True, prefix="frame_")
    assert multi.files(1) == [str(tmp_path / "frame_0001.exr")]
    png = FileOutput("p", str(tmp_path), "PNG", False, names=["v"])
    assert png.files(10) == [str(tmp_path / "v0010.png")]


def test_parse_frames():
    assert parse_frames(None, 7) == [7]
    assert parse_frames("1-3", 1) == [1, 2, 3]
    assert parse_frames("5, 1-2,2", 1) == [5, 1, 2]
    for bad in ("3-1", "x", "1-"):
        with pytest.raises(Stop):
            parse_frames(bad, 1)


# --- the lint gate of apply and render -----------------------------------------------------------

def test_precision_errors_stop_apply_unless_forced(tmp_path):
    half = tmp_path / "half.nodes"
    half.write_text("scene { passes = [depth] use_compositing = true }\nrl = RenderLayers()\n"
                    "c = CombineColor()\nout = FileOutput(path=\"//o/\", format=exr, depth=16)\n"
                    "rl.Depth -> c.Red\nc -> out.depth\n")
    said = []
    with pytest.raises(Stop) as stopped:
        checked_graph(str(half), force=False, err=said.append)
    assert stopped.value.code == 1 and "--force" in stopped.value.message
    assert any("error[NS302]" in line for line in said)
    graph = checked_graph(str(half), force=True, err=said.append)
    assert "out" in graph.nodes


def test_findings_on_preview_outputs_do_not_stop_apply():
    said = []
    graph = checked_graph(str(EXAMPLES / "preview.nodes"), force=False, err=said.append)
    assert "png" in graph.nodes
    assert any("warning[NS301]" in line for line in said)       # printed, lowered, not blocking
    assert not any("error[" in line for line in said)


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.nodes")))
def test_shipped_examples_pass_the_gate_without_force(name):
    assert checked_graph(str(EXAMPLES / name), force=False, err=lambda _: None).nodes


def test_errors_stop_apply_even_when_forced(tmp_path):
    bad = tmp_path / "bad.nodes"
    bad.write_text("rl = RenderLayers()\nrl.Nope -> Viewer()\n")
    said = []
    with pytest.raises(Stop) as stopped:
        checked_graph(str(bad), force=True, err=said.append)
    assert stopped.value.code == 1 and any("NS103" in line for line in said)


def test_structural_warnings_do_not_stop_apply(tmp_path):
    graph_file = tmp_path / "g.nodes"
    graph_file.write_text("rl = RenderLayers()\nrl.Image -> Blur() as unused\nrl.Image -> Composite()\n")
    said = []
    graph = checked_graph(str(graph_file), force=False, err=said.append)
    assert "unused" in graph.nodes and any("NS201" in line for line in said)


def test_apply_and_render_modules_load_without_bpy():
    import subprocess
    import sys

    code = ("import sys\nsys.modules['bpy'] = None\n"
            "import nodescript.blender.plan, nodescript.blender.lowering, nodescript.blender.diff\n"
            "import nodescript.blender.layout, nodescript.blender.apply, nodescript.blender.render\n"
            "import nodescript.blender.commands, nodescript.blender.chunked\n"
            "from nodescript.blender.lowering import dialect\n"
            "[dialect(v) for v in ('4.2', '4.5', '5.0')]\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
