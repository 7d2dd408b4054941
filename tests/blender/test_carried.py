"""What export carries and apply keeps besides nodes and links (issue 10): keyframed node
values (`keys=[...]`), drivers on the nodes apply keeps, group interfaces whose sockets share
names (and keep their identifiers), and Render Layers on a view layer other than the first.

Node names here are valid nodescript names, so export keeps them and the F-curves' data paths
(`nodes["NAME"]...`) match before and after.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import add, apply_text, empty_compositor  # noqa: E402
from snapshot import compositor, differences, snapshot  # noqa: E402

from nodescript.blender.animation import tree_fcurves  # noqa: E402
from nodescript.blender.export import export_scene  # noqa: E402
from nodescript.fmt import format_source  # noqa: E402
from nodescript.lint import lint_source  # noqa: E402

V = "%d.%d" % tuple(bpy.app.version[:2])


@pytest.fixture(autouse=True)
def factory_blender():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    yield
    bpy.ops.wm.read_factory_settings(use_empty=True)


def exported() -> str:
    text = export_scene(bpy.context.scene, version=V)
    assert format_source(text) == text, "export output must be canonical"
    return text


def assert_rebuilt(text: str, before: dict, groups=(), layout: bool = False) -> None:
    """Empty the compositor (its nodes and their animation), remove the node `groups`, apply
    `text`: the scene is `before` again (its layout too, with `layout`)."""
    tree = compositor(bpy.context.scene)
    tree.nodes.clear()
    tree.animation_data_clear()
    for name in groups:
        bpy.data.node_groups.remove(bpy.data.node_groups[name])
    apply_text(text)
    after = snapshot(bpy.context.scene)
    assert not differences(before, after, layout=layout), differences(before, after, layout)


def saved(tmp_path, name: str, text: str):
    """The scene saved as NAME.blend and `text` as NAME.nodes beside it: (blend, graph)."""
    blend, graph = tmp_path / f"{name}.blend", tmp_path / f"{name}.nodes"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    graph.write_text(text, encoding="utf-8")
    return blend, graph


def drift(out: str) -> list[str]:
    """What `apply --check` reports besides node positions (the automatic layout's, which
    node locations are not kept from yet) and its summary lines."""
    return [line for line in out.splitlines()
            if line.lstrip().startswith(("~ ", "+ ", "- ")) and " location: " not in line]


def used_in_compositor(group, name: str, render_pass: str):
    """A compositor of Render Layers' `render_pass` -> a `group` node `name` -> Viewer."""
    tree = empty_compositor(bpy.context.scene)
    rl = add(tree, "RenderLayers", "rl")
    node = add(tree, "Group", name, node_tree=group)
    view = add(tree, "Viewer", "view")
    tree.links.new(rl.outputs[render_pass], node.inputs[0])
    tree.links.new(node.outputs[0], view.inputs[0])
    return tree


def keyed_tree():
    """Render Layers -> Math (input 1 keyed on frames 1, 10, 20) -> RGB-keyed Mix -> Viewer."""
    tree = empty_compositor(bpy.context.scene)
    rl = add(tree, "RenderLayers", "rl")
    scale = add(tree, "Math", "scale", operation="MULTIPLY")
    view = add(tree, "Viewer", "view")
    tree.links.new(rl.outputs["Image"], scale.inputs[0])
    tree.links.new(scale.outputs[0], view.inputs[0])
    for frame, value in ((1, 0.25), (10, 2.0), (20, 4.5)):
        scale.inputs[1].default_value = value
        scale.inputs[1].keyframe_insert("default_value", frame=frame)
    colour = add(tree, "Color", "tint")
    for frame, blue in ((1, 0.1), (5, 0.9)):
        colour.outputs[0].default_value = (0.5, 0.5, blue, 1.0)
        colour.outputs[0].keyframe_insert("default_value", index=2, frame=frame)
    bpy.context.scene.frame_set(1)
    return tree


def test_keyframed_values_are_exported_and_rebuilt():
    tree = keyed_tree()
    scale = next(fc for fc in tree_fcurves(tree) if '"scale"' in fc.data_path)
    scale.keyframe_points[1].interpolation = "LINEAR"
    before = snapshot(bpy.context.scene)
    assert len(before["tree"]["animation"]["fcurves"]) == 2
    text = exported()
    assert 'keys=[("inputs[1].default_value", (1, 0.25), (10, 2, linear), (20, 4.5))]' in text, text
    assert '"outputs[0].default_value[2]", (1, 0.1), (5, 0.9)' in text, text
    assert_rebuilt(text, before)                   # onto an emptied compositor, animation and all
    assert exported() == text


def test_apply_of_the_export_changes_no_keys(cli, tmp_path):
    keyed_tree()
    blend, graph = saved(tmp_path, "keyed", exported())
    ran = cli("apply", blend, graph, "--check")
    assert not drift(ran.out), ran.out + ran.err
    # a changed key is drift, shown and made
    graph.write_text(graph.read_text().replace("(10, 2)", "(12, 3)"), encoding="utf-8")
    ran = cli("apply", blend, graph, "--check")
    assert ran.code == 1 and "~ node scale keys inputs[1].default_value" in ran.out, ran.out
    ran = cli("apply", blend, graph, "-o", tmp_path / "changed.blend")
    assert ran.code == 0, ran.out + ran.err
    bpy.ops.wm.open_mainfile(filepath=str(tmp_path / "changed.blend"), load_ui=False,
                             use_scripts=False)
    curves = snapshot(bpy.context.scene)["tree"]["animation"]["fcurves"]
    scale = next(c for c in curves if c["data_path"].startswith('nodes["scale"]'))
    assert [k[0] for k in scale["keys"]] == [1.0, 12.0, 20.0]
    assert scale["keys"][1][1] == 3.0


def test_apply_keeps_drivers_and_unnamed_curves_on_the_nodes_it_keeps(tmp_path):
    tree = keyed_tree()
    driver = tree.nodes["scale"].inputs[2].driver_add("default_value").driver
    driver.expression = "frame / 10"
    text = exported()
    driven = 'drivers=[("inputs[2].default_value", "frame / 10")]'
    assert driven in text, text
    before = snapshot(bpy.context.scene)
    # the graph without keys= on `tint` and drivers= on `scale`: not the graph's business
    tint = next(line for line in text.splitlines() if line.startswith("tint = "))
    assert ", keys=" in tint or "(keys=" in tint, tint
    apply_text(text.replace(tint, "tint = Color()").replace(f"    {driven},\n", "")
               .replace(f", {driven}", ""))
    after = snapshot(bpy.context.scene)
    assert after["tree"]["animation"] == before["tree"]["animation"]


def test_a_group_output_that_shares_an_input_name_keeps_it_and_its_identifier(cli, tmp_path):
    group = bpy.data.node_groups.new("InvertAxes", "CompositorNodeTree")
    group.interface.new_socket("Vector", in_out="INPUT", socket_type="NodeSocketVector")
    group.interface.new_socket("Vector", in_out="OUTPUT", socket_type="NodeSocketVector")
    inside_in, inside_out = group.nodes.new("NodeGroupInput"), group.nodes.new("NodeGroupOutput")
    group.links.new(inside_in.outputs[0], inside_out.inputs[0])
    bpy.context.view_layer.use_pass_normal = True
    used_in_compositor(group, "flip", "Normal")
    text = exported()
    assert "group InvertAxes(Vector: vector) -> (Vector: vector) {" in text, text
    assert "    Vector -> Vector" in text and "flip.Vector -> view.Image" in text, text
    blend, graph = saved(tmp_path, "group", text)
    ran = cli("apply", blend, graph, "--check")
    assert not drift(ran.out), ran.out + ran.err
    # a renamed output is changed in place: both sockets keep their identifiers
    group = bpy.data.node_groups["InvertAxes"]                # the file apply --check loaded
    ids = [(i.in_out, i.identifier) for i in group.interface.items_tree]
    apply_text(text.replace("-> (Vector: vector)", "-> (Flipped: vector)")
               .replace("    Vector -> Vector", "    Vector -> Flipped")
               .replace("flip.Vector -> view", "flip.Flipped -> view"))
    group = bpy.data.node_groups["InvertAxes"]
    assert [(i.in_out, i.identifier) for i in group.interface.items_tree] == ids
    assert [i.name for i in group.interface.items_tree if i.in_out == "OUTPUT"] == ["Flipped"]


def test_passes_of_a_second_view_layer_are_enabled_on_it(cli, tmp_path):
    scene = bpy.context.scene
    first = scene.view_layers[0]
    aux = scene.view_layers.new("Aux")
    first.use_pass_z = True
    aux.use_pass_normal = True
    tree = empty_compositor(scene)
    rl = add(tree, "RenderLayers", "rl")
    rl_aux = add(tree, "RenderLayers", "rl_aux", layer="Aux")
    view, spare = add(tree, "Viewer", "view"), add(tree, "Viewer", "spare")
    tree.links.new(rl.outputs["Depth"], view.inputs[0])
    tree.links.new(rl_aux.outputs["Normal"], spare.inputs[0])
    text = exported()
    assert "    passes = [depth]" in text and "# export:" not in text, text
    assert 'rl_aux = RenderLayers(layer="Aux", passes=[normal])' in text, text
    before = snapshot(scene)["view_layers"]
    blend, graph = saved(tmp_path, "layers", text)
    ran = cli("apply", blend, graph, "--check")
    assert not drift(ran.out), ran.out + ran.err
    # with the passes off, apply turns each one on in its own layer only
    layers = bpy.context.scene.view_layers             # of the file apply --check loaded
    layers[0].use_pass_z = layers["Aux"].use_pass_normal = False
    apply_text(text)
    assert snapshot(bpy.context.scene)["view_layers"] == before


def test_a_node_named_like_a_group_socket_and_sockets_named_with_spaces_keep_their_names(
        cli, tmp_path):
    """A node inside a group may have the name of one of the group's sockets, and a socket any
    Blender name: export writes the socket as `group.Image` / `group."Depth Scale"`, and apply
    rebuilds the names as they were (no `Image_2`, no `Depth_Scale`)."""
    group = bpy.data.node_groups.new("Shade", "CompositorNodeTree")
    group.interface.new_socket("Image", in_out="INPUT", socket_type="NodeSocketColor")
    group.interface.new_socket("Depth Scale", in_out="INPUT", socket_type="NodeSocketFloat")
    group.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
    inside_in, inside_out = group.nodes.new("NodeGroupInput"), group.nodes.new("NodeGroupOutput")
    image = add(group, "InvertColor", "Image")
    colour = next(s for s in image.inputs if s.type == "RGBA")
    fac = next(s for s in image.inputs if s.type == "VALUE")
    scale = add(group, "Math", "Depth Scale", operation="MULTIPLY")
    group.links.new(inside_in.outputs["Image"], colour)
    group.links.new(image.outputs[0], inside_out.inputs["Image"])
    group.links.new(inside_in.outputs["Depth Scale"], scale.inputs[0])
    group.links.new(scale.outputs[0], fac)
    used_in_compositor(group, "shade", "Image")
    text = exported()
    assert 'group Shade(Image: color, "Depth Scale": float) -> (Image: color) {' in text, text
    assert "group.Image -> Image." in text and "\n    Image.Color -> group.Image" in text, text
    assert 'group."Depth Scale" -> "Depth Scale"' in text, text
    assert "Image_2" not in text and "Depth_Scale" not in text, text
    blend, graph = saved(tmp_path, "shade", text)
    ran = cli("apply", blend, graph, "--check")
    assert ran.code == 0 and not drift(ran.out), ran.out + ran.err
    assert_rebuilt(text, snapshot(bpy.context.scene), groups=["Shade"])   # the file --check loaded
    assert exported() == text


def test_group_socket_settings_are_exported_and_rebuilt():
    group = bpy.data.node_groups.new("Blend", "CompositorNodeTree")
    fac = group.interface.new_socket("Fac", in_out="INPUT", socket_type="NodeSocketFloat")
    fac.subtype, fac.min_value, fac.max_value, fac.default_value = "FACTOR", 0.0, 1.0, 0.25
    offset = group.interface.new_socket("Offset", in_out="INPUT", socket_type="NodeSocketVector")
    offset.default_value = (1.0, 2.0, 3.5)
    tint = group.interface.new_socket("Tint", in_out="INPUT", socket_type="NodeSocketColor")
    tint.default_value = (1.0, 0.5, 0.25, 1.0)
    group.interface.new_socket("Fac", in_out="OUTPUT", socket_type="NodeSocketFloat")
    inside_in, inside_out = group.nodes.new("NodeGroupInput"), group.nodes.new("NodeGroupOutput")
    group.links.new(inside_in.outputs[0], inside_out.inputs[0])
    tree = empty_compositor(bpy.context.scene)
    rl = add(tree, "RenderLayers", "rl")
    blend = add(tree, "Group", "blend", node_tree=group)
    blend.inputs[0].default_value = 0.0          # not the interface's 0.25: written
    view = add(tree, "Viewer", "view")
    tree.links.new(rl.outputs["Alpha"], blend.inputs[1])
    tree.links.new(blend.outputs[0], view.inputs[0])
    text = exported()
    assert ("group Blend(Fac: float(default=0.25, min=0, max=1, subtype=factor), "
            "Offset: vector(default=(1, 2, 3.5)), Tint: color(default=(1, 0.5, 0.25, 1))) -> "
            "(Fac: float) {") in text, text
    assert "blend = Blend(fac=0)" in text, text
    assert_rebuilt(text, snapshot(bpy.context.scene), groups=["Blend"])
    assert exported() == text


def test_apply_says_which_animation_goes_with_the_nodes_it_removes(cli, tmp_path):
    tree = keyed_tree()
    tree.nodes["scale"].inputs[2].driver_add("default_value").driver.expression = "frame"
    text = exported()
    blend = tmp_path / "keyed.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    graph = tmp_path / "renamed.nodes"
    # `scale` renamed: apply removes the node (keys and driver) and makes `scaled` with the keys
    graph.write_text(text.replace("scale", "scaled"), encoding="utf-8")
    ran = cli("apply", blend, graph, "--dry-run")
    assert ("note: node 'scale' in '" in ran.out
            and "goes, and its animation with it: inputs[1].default_value, the driver on "
                "inputs[2].default_value" in ran.out), ran.out
    assert "node 'tint'" not in ran.out, ran.out


def test_a_pass_off_on_a_second_view_layer_is_reported_there():
    scene = bpy.context.scene
    aux = scene.view_layers.new("Aux")
    aux.use_pass_normal = True                   # 4.x has no Normal socket while it is off
    tree = empty_compositor(scene)
    rl_aux = add(tree, "RenderLayers", "rl_aux", layer="Aux")
    other = add(tree, "RenderLayers", "rl")
    view, spare = add(tree, "Viewer", "view"), add(tree, "Viewer", "spare")
    tree.links.new(rl_aux.outputs["Normal"], view.inputs[0])
    tree.links.new(other.outputs["Image"], spare.inputs[0])
    aux.use_pass_normal = False                  # the link stays, carrying nothing
    text = exported()
    assert 'rl_aux = RenderLayers(layer="Aux", passes=[])' in text, text
    found = [d for d in lint_source(text, "exported.nodes").diagnostics if d.code == "NS309"]
    assert len(found) == 1 and "`rl_aux`'s `passes` (view layer \"Aux\")" in found[0].message, \
        [d.render() for d in found]


def test_two_group_inputs_of_one_name_are_written_apart_with_a_note():
    group = bpy.data.node_groups.new("Pair", "CompositorNodeTree")
    for _ in range(2):
        group.interface.new_socket("A", in_out="INPUT", socket_type="NodeSocketFloat")
    tree = empty_compositor(bpy.context.scene)
    add(tree, "Group", "pair", node_tree=group)
    text = exported()
    assert "group Pair(A: float, A_2: float) -> () {" in text, text
    assert 'group "Pair": another input is named "A" too; this one is written A_2' in text, text


def test_export_pin_layout_writes_locations_that_apply_puts_back(cli, tmp_path):
    tree = keyed_tree()
    frame = add(tree, "Frame", "box", label="Box")
    tree.nodes["scale"].parent = frame
    for name, at in (("rl", (-412.5, 37.25)), ("view", (640.0, -120.0)), ("tint", (3.0, 250.0))):
        tree.nodes[name].location = at
    blend = tmp_path / "laid-out.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    ran = cli("export", blend, "--pin-layout")
    assert ran.code == 0 and "rl = RenderLayers(at=(-412.5, 37.25))" in ran.out, ran.out + ran.err
    assert "at=" not in export_scene(bpy.context.scene, version=V)      # the default: no pins
    assert_rebuilt(ran.out, snapshot(bpy.context.scene), layout=True)
