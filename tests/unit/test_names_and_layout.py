"""Blender names written as strings, pinned locations (`at=`), where apply places new nodes, and
File Output inputs with a path of their own: parse, fmt, resolve and lowering (no bpy)."""

from __future__ import annotations

import pytest

from nodescript.blender import diff, placement, plan
from nodescript.blender.lowering import LoweringError, lower
from nodescript.fmt import format_source
from nodescript.resolve import compile_source
from nodescript.syntax.names import name_text

NAMED = '''target "4.2".."5.0"
"Render Layers" = RenderLayers()
"File Output.001" = FileOutput(path="//out/", format=png, depth=16)
"Render Layers".Image -> Blur() as "Blur 2" -> "File Output.001".Image(path="beauty_")
'''


def graph(text: str):
    loaded = compile_source(text)
    errors = [d.render() for d in loaded.diagnostics if d.is_error]
    assert not errors, errors
    return loaded.graph


def error_messages(text: str) -> list[str]:
    return [d.message for d in compile_source(text).diagnostics if d.is_error]


def test_a_name_that_is_not_a_word_is_a_string():
    g = graph(NAMED)
    assert set(g.nodes) == {"Render Layers", "File Output.001", "Blur 2"}
    (first, second) = g.links
    assert (first.from_node, first.to_node) == ("Render Layers", "Blur 2")
    assert second.to_node == "File Output.001"


def test_the_blender_name_is_the_plan_node_name_in_every_version():
    for version in ("4.2", "4.5", "5.0"):
        names = {n.name for n in lower(graph(NAMED), version).tree.nodes}
        assert {"Render Layers", "File Output.001", "Blur 2"} <= names, version


def test_fmt_quotes_a_name_only_where_needed():
    text = 'target "4.2"\n"rl" = RenderLayers()\n"scene" = Blur()\n"a b" = Blur()\n' \
           '"rl".Image -> "scene" -> "a b"\n'
    assert format_source(text).splitlines()[1:] == [
        "rl = RenderLayers()", '"scene" = Blur()', '"a b" = Blur()', 'rl.Image -> "scene" -> "a b"']
    assert name_text("Math.001") == '"Math.001"' and name_text("Math_001") == "Math_001"
    assert name_text('say "hi"') == '"say \\"hi\\""'


def test_a_group_keeps_a_name_with_spaces():
    g = graph('target "4.5"\ngroup "Soft Blur"(image: color) -> (out: color) {\n'
              '    image -> Blur(size_x=3) -> out\n}\nrl = RenderLayers()\n'
              'rl.Image -> "Soft Blur"() as "Soft Blur.001" -> Composite()\n')
    assert "Soft Blur" in g.groups and g.nodes["Soft Blur.001"].group == "Soft Blur"
    assert [t.name for t in lower(g, "4.5").groups] == ["Soft Blur"]


def test_at_pins_a_location_and_takes_two_numbers():
    g = graph('target "4.2"\nrl = RenderLayers(at=(-400, 120))\nrl.Image -> Composite()\n')
    node = lower(g, "4.2").tree.node("rl")
    assert node.location == (-400.0, 120.0) and node.pinned
    assert not lower(g, "4.2").tree.node("Composite_1").pinned
    assert error_messages('target "4.2"\nrl = RenderLayers(at=3)\n') == [
        "at takes a location: (x, y)"]


def test_at_pins_an_emulation_from_there():
    g = graph('target "5.0"\nrl = RenderLayers()\n'
              'rl.Depth -> MapValue(size=0.1, at=(10, 20)) as mv\n')
    math = [n for n in lower(g, "5.0").tree.nodes if n.tag and n.tag["kind"] == "MapValue"]
    assert [n.location for n in math] == [(10.0, 20.0), (310.0, 20.0)]
    assert all(n.pinned for n in math)


def tree_and_state():
    """A plan Render Layers -> Blur -> Composite where the scene holds only Render Layers and
    Composite, placed by the user."""
    nodes = [plan.Node("rl", "CompositorNodeRLayers"), plan.Node("blur", "CompositorNodeBlur"),
             plan.Node("out", "CompositorNodeComposite")]
    links = [plan.Link(plan.Socket("rl", 0, "Image"), plan.Socket("blur", 0, "Image")),
             plan.Link(plan.Socket("blur", 0, "Image"), plan.Socket("out", 0, "Image"))]
    state = diff.TreeState(True, {
        "rl": diff.NodeState("rl", "CompositorNodeRLayers", location=(-1000.0, 500.0)),
        "out": diff.NodeState("out", "CompositorNodeComposite", location=(200.0, 0.0))})
    return plan.Tree("t", nodes, links), state


def test_apply_keeps_where_nodes_are_and_places_new_ones_by_their_source():
    tree, state = tree_and_state()
    changes = diff.diff_tree(tree, state, {n.name: diff.Expected({}, {}) for n in tree.nodes})
    assert not changes.changed                                   # no location drift
    (added,) = changes.added
    assert added.name == "blur" and added.location == (-700.0, 500.0)   # right of Render Layers


def test_a_pinned_node_is_moved_back():
    tree, state = tree_and_state()
    tree.node("out").location, tree.node("out").pinned = (0.0, 0.0), True
    changes = diff.diff_tree(tree, state, {n.name: diff.Expected({}, {}) for n in tree.nodes})
    assert [c.values["location"] for c in changes.changed] == [((200.0, 0.0), (0.0, 0.0))]


def test_a_new_node_goes_below_what_is_in_its_place():
    tree, state = tree_and_state()
    tree.nodes.append(plan.Node("other", "CompositorNodeBlur"))
    state.nodes["other"] = diff.NodeState("other", "CompositorNodeBlur", location=(-700.0, 500.0))
    placed = placement.place_added(tree, {k: (s.location, None) for k, s in state.nodes.items()},
                                   [tree.node("blur")])
    assert placed[0].location == (-700.0, 300.0)


def test_a_new_node_in_a_frame_is_placed_relative_to_it():
    tree, state = tree_and_state()
    tree.nodes.append(plan.Node("frame", "NodeFrame"))
    state.nodes["frame"] = diff.NodeState("frame", "NodeFrame", location=(-1000.0, 400.0))
    state.nodes["rl"].location, state.nodes["rl"].parent = (0.0, 100.0), "frame"
    tree.node("blur").parent = "frame"
    changes = diff.diff_tree(tree, state, {n.name: diff.Expected({}, {}) for n in tree.nodes})
    (added,) = changes.added
    assert added.location == (300.0, 100.0)      # right of Render Layers, inside the frame


def test_a_file_output_input_keeps_its_name_and_its_own_path():
    g = graph(NAMED)
    (slot,) = lower(g, "4.2").tree.node("File Output.001").slots
    assert (slot.name, slot.path) == ("Image", "beauty_")
    (item,) = lower(g, "5.0").tree.node("File Output.001").slots
    assert item.name == "beauty_"                    # 5.0: an item's name is its file name


def test_a_multilayer_input_has_no_path():
    messages = error_messages('target "4.2"\nrl = RenderLayers()\n'
                              'out = FileOutput(path="//x_", format=exr-multilayer)\n'
                              'rl.Image -> out.Image(path="y")\n')
    assert len(messages) == 1 and "have no path" in messages[0]


@pytest.mark.parametrize("version, longest", [("4.2", 29), ("4.5", 61)])
def test_an_input_name_longer_than_the_version_keeps_is_refused(version, longest):
    name = "n" * (longest + 1)
    g = graph(f'target "{version}"\nrl = RenderLayers()\nout = FileOutput(path="//x/")\n'
              f'rl.Image -> out.{name}\n')
    with pytest.raises(LoweringError, match=f"keeps {longest}"):
        lower(g, version)
    short = graph(f'target "{version}"\nrl = RenderLayers()\nout = FileOutput(path="//x/")\n'
                  f'rl.Image -> out.{name[:longest]}\n')
    assert lower(short, version).tree.node("out").slots[0].name == name[:longest]


def test_color_is_the_nodes_custom_colour():
    g = graph('target "4.2".."5.0"\nrl = RenderLayers(color=(0.5, 0.25, 1))\n'
              'rl.Image -> Composite()\n')
    for version in ("4.2", "5.0"):
        assert lower(g, version).tree.node("rl").color == (0.5, 0.25, 1.0)
    assert error_messages('target "4.2"\nrl = RenderLayers(color=(1, 0))\n') == [
        "color takes a colour: (r, g, b)"]


def test_file_output_inputs_lists_unlinked_inputs_in_order():
    g = graph('target "4.2".."5.0"\nrl = RenderLayers()\n'
              'out = FileOutput(path="//x/", inputs=["Image", "depth"])\nrl.Depth -> out.depth\n')
    for version in ("4.2", "5.0"):
        slots = lower(g, version).tree.node("out").slots
        assert [s.name for s in slots] == ["Image", "depth"], version
    assert lower(g, "5.0").tree.node("out").slots[0].socket_type == "RGBA"
    (link,) = lower(g, "4.2").tree.links
    assert link.dst.index == 1                       # into the second input, after Image
    assert error_messages('target "4.2"\nout = FileOutput(inputs=["a", "a"])\n') == [
        "FileOutput inputs lists `a` twice"]


def test_fmt_keeps_a_group_name_quoted():
    text = 'target "4.5"\ngroup "Soft Blur"(image: color) -> (out: color) {\n' \
           '    image -> out\n}\n"x y" = "Soft Blur"()\n'
    formatted = format_source(text)
    assert 'group "Soft Blur"(image: color) -> (out: color) {' in formatted
    assert formatted.splitlines()[-1] == '"x y" = "Soft Blur"()'
    assert format_source(formatted) == formatted


def test_an_untagged_group_output_is_the_composite_of_a_node_group_compositor():
    node = plan.Node("Group Output", "NodeGroupOutput",
                     tag={"kind": "Composite", "node": "Group Output", "role": "output", "args": {}})
    untagged = diff.NodeState("Group Output", "NodeGroupOutput")
    assert "tag" not in diff.diff_node(node, untagged, diff.Expected({}, {})).values
    node.preview = True                               # a mark the user's node lacks is drift
    assert "tag" in diff.diff_node(node, untagged, diff.Expected({}, {})).values
