"""`nodescript apply` against real bpy: the tree it builds, idempotence, --check, --dry-run."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import EXAMPLES, compositor, links_of, running_dialect  # noqa: E402

from nodescript import vocabulary  # noqa: E402


def test_depth_example_builds_the_graph(make_scene, cli, open_file, version, tmp_path):
    scene_file = make_scene()
    out = tmp_path / "applied.blend"

    ran = cli("apply", scene_file, EXAMPLES / "depth.nodes", "-o", out)

    assert ran.code == 0, ran.err
    assert f"Blender {bpy.app.version_string}" in ran.out and f"saved by Blender {version}" in ran.out
    scene = open_file(out)
    tree = compositor(scene)
    assert {n.name: n.bl_idname for n in tree.nodes} == {
        "rl": "CompositorNodeRLayers", "depth": "CompositorNodeOutputFile"}
    assert links_of(tree) == {("rl", "Depth", "depth", "depth")}
    fo = tree.nodes["depth"]
    assert (fo.format.file_format, fo.format.color_depth, fo.format.exr_codec) == ("OPEN_EXR", "32", "ZIP")
    if running_dialect().FILE_OUTPUT_ITEMS:
        assert (fo.directory, fo.file_name) == ("//out/depth/", "")
        assert [(i.name, i.socket_type) for i in fo.file_output_items] == [("depth", "FLOAT")]
    else:
        assert fo.base_path == "//out/depth/"
        assert [s.path for s in fo.file_slots] == ["depth"]
    assert scene.view_layers[0].use_pass_z
    assert scene.render.engine == "CYCLES" and scene.cycles.samples == 1
    assert scene.cycles.filter_width == pytest.approx(0.01)
    assert (scene.render.resolution_x, scene.render.resolution_y) == (160, 120)
    assert scene.render.use_compositing


def test_second_apply_changes_nothing(make_scene, cli, tmp_path):
    scene_file = make_scene()
    assert cli("apply", scene_file, EXAMPLES / "multipass.nodes").code == 0
    first = scene_file.read_bytes()
    backup = (tmp_path / "scene.blend1").read_bytes()

    ran = cli("apply", scene_file, EXAMPLES / "multipass.nodes")

    assert ran.code == 0 and "up to date" in ran.out
    assert scene_file.read_bytes() == first                  # not even rewritten
    assert (tmp_path / "scene.blend1").read_bytes() == backup
    assert cli("apply", scene_file, EXAMPLES / "multipass.nodes", "--check").code == 0


def test_reapply_to_a_new_file_gives_the_same_tree(make_scene, cli, open_file, tmp_path):
    scene_file = make_scene()
    graph_file = EXAMPLES / "multipass.nodes"
    assert cli("apply", scene_file, graph_file, "-o", tmp_path / "a.blend").code == 0
    assert cli("apply", tmp_path / "a.blend", graph_file, "-o", tmp_path / "b.blend").code == 0
    trees = []
    for name in ("a.blend", "b.blend"):
        tree = compositor(open_file(tmp_path / name))
        trees.append(({n.name: (n.bl_idname, tuple(n.location), n.get("nodescript"))
                       for n in tree.nodes}, links_of(tree)))
    assert trees[0] == trees[1]


def test_apply_replaces_whatever_the_tree_held_with_prune(make_scene, cli, open_file, graph,
                                                          tmp_path):
    def clutter(bpy):
        scene = bpy.context.scene
        if hasattr(scene, "compositing_node_group"):
            tree = bpy.data.node_groups.new("Mine", "CompositorNodeTree")
            scene.compositing_node_group = tree
            rl = tree.nodes.new("CompositorNodeRLayers")
        else:
            scene.use_nodes = True                # 4.x adds Composite and Render Layers
            tree = scene.node_tree
            rl = tree.nodes["Render Layers"]
        rl.name, rl.mute = "rl", True
        tree.nodes.new("CompositorNodeNormalize").name = "stray"
    scene_file = make_scene(edit=clutter)
    graph_file = graph("""
        rl = RenderLayers()
        rl.Depth -> Math(operation=power, inputs=(_, 2)) as squared -> Composite() as out
    """)

    before = scene_file.read_bytes()
    stopped = cli("apply", scene_file, graph_file)
    assert stopped.code == 2 and "node 'stray' (CompositorNodeNormalize) is not in the graph" \
        in stopped.err and "--prune" in stopped.err, stopped.err
    assert scene_file.read_bytes() == before                 # nothing written
    assert cli("apply", scene_file, graph_file, "--prune").code == 0

    tree = compositor(open_file(scene_file))
    assert sorted(n.name for n in tree.nodes) == ["out", "rl", "squared"]
    assert not any(n.mute for n in tree.nodes)
    assert tree.nodes["squared"].operation == "POWER"
    assert ("rl", "Depth", "squared", "Value") in links_of(tree)


def test_check_reports_drift_and_apply_repairs_it(make_scene, cli, open_file, graph):
    scene_file = make_scene()
    graph_file = graph("""
        rl = RenderLayers()
        rl.Depth -> Math(operation=multiply, inputs=(_, 0.5)) as half -> Viewer()
    """)
    assert cli("apply", scene_file, graph_file).code == 0
    tree = compositor(open_file(scene_file))
    tree.nodes["half"].operation = "ADD"
    bpy.ops.wm.save_as_mainfile(filepath=str(scene_file), compress=False)

    checked = cli("apply", scene_file, graph_file, "--check")
    assert checked.code == 1 and "would change" in checked.out
    dry = cli("apply", scene_file, graph_file, "--dry-run")
    assert dry.code == 0 and "~ node half operation: 'ADD' -> 'MULTIPLY'" in dry.out

    assert cli("apply", scene_file, graph_file).code == 0
    assert cli("apply", scene_file, graph_file, "--check").code == 0
    assert compositor(open_file(scene_file)).nodes["half"].operation == "MULTIPLY"


def test_dry_run_lists_the_changes_and_writes_nothing(make_scene, cli, tmp_path):
    scene_file = make_scene()
    before = scene_file.read_bytes()

    ran = cli("apply", scene_file, EXAMPLES / "depth.nodes", "--dry-run")

    assert ran.code == 0
    assert "+ node depth CompositorNodeOutputFile" in ran.out
    assert "+ link rl.Depth -> depth[0]" in ran.out
    assert "~ scene render.resolution_x: 32 -> 160" in ran.out and "~ pass view_layer.use_pass_z: on" in ran.out
    assert scene_file.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scene.blend"]


def test_passes_used_by_links_are_enabled_even_if_not_declared(make_scene, cli, open_file, graph):
    scene_file = make_scene()
    graph_file = graph("""
        rl = RenderLayers()
        rl."Object Index" -> FileOutput(path="//ids/") as ids
        rl.Normal -> ids.normal
    """)
    assert cli("apply", scene_file, graph_file).code == 0
    layer = open_file(scene_file).view_layers[0]
    assert layer.use_pass_object_index and layer.use_pass_normal
    assert not layer.use_pass_z                       # undeclared and unused: untouched


def test_file_output_variants(make_scene, cli, open_file, version):
    scene_file = make_scene()
    graph_file = EXAMPLES.parent / "tests" / "golden" / "lowering" / "file_outputs.nodes"

    ran = cli("apply", scene_file, graph_file, "--force")    # the 8-bit preview is flagged

    assert ran.code == 0, ran.err
    tree = compositor(open_file(scene_file))
    png, half, data = (tree.nodes[n] for n in ("png", "half", "data"))
    assert (png.format.file_format, png.format.color_depth, png.format.color_mode) == ("PNG", "8", "BW")
    assert ("Normalize_1", "Value") in {(l.from_node.name, l.from_socket.name) for l in png.inputs[0].links}
    assert (half.format.file_format, half.format.color_depth, half.format.exr_codec) == ("OPEN_EXR", "16", "PIZ")
    assert data.format.file_format == "OPEN_EXR_MULTILAYER" and data.format.color_depth == "32"
    if running_dialect().FILE_OUTPUT_ITEMS:
        assert data.format.media_type == "MULTI_LAYER_IMAGE" and data.file_name == "frame_"
        assert [(i.name, i.socket_type) for i in data.file_output_items] == [
            ("depth", "FLOAT"), ("normal", "VECTOR"), ("rgba", "RGBA")]
    else:
        assert data.base_path == "//out/data/frame_"
        assert [s.name for s in data.layer_slots] == ["depth", "normal", "rgba"]
    assert [bool(s.is_linked) for s in list(data.inputs)[:3]] == [True, True, True]


GROUP_GRAPH = """
    group Meters(d: float) -> (m: float, raw: float) {
        d -> MapValue(offset=-8, size=0.5, use_min=true, min=0, use_max=true, max=0.75) as mv -> m
        d -> raw
    }
    scene { passes = [depth] }
    rl = RenderLayers()
    g = Meters()
    rl.Depth -> g.d
    g.m -> Composite() as out
"""


def test_node_group_is_built_once_and_reused(make_scene, cli, open_file, graph, version):
    scene_file = make_scene()
    graph_file = graph(GROUP_GRAPH)

    assert cli("apply", scene_file, graph_file, "--force").code == 0   # clamps depth: NS305
    again = cli("apply", scene_file, graph_file, "--force")
    assert again.code == 0 and "up to date" in again.out

    scene = open_file(scene_file)
    assert [g.name for g in bpy.data.node_groups if g.name.startswith("Meters")] == ["Meters"]
    group = bpy.data.node_groups["Meters"]
    node = compositor(scene).nodes["g"]
    assert node.bl_idname == "CompositorNodeGroup" and node.node_tree == group
    sockets = [(i.name, i.in_out) for i in group.interface.items_tree if i.item_type == "SOCKET"]
    assert sorted(sockets) == [("d", "INPUT"), ("m", "OUTPUT"), ("raw", "OUTPUT")]
    if vocabulary.spec_for("MapValue", version)[1]:          # emulated with Math nodes
        math = {n.name: n for n in group.nodes if n.bl_idname == "ShaderNodeMath"}
        assert sorted(math) == ["mv.max", "mv.min", "mv.offset", "mv.size"]
        tag = json.loads(math["mv.min"]["nodescript"])
        assert (tag["kind"], tag["node"], tag["role"]) == ("MapValue", "mv", "min")
        assert tag["args"]["offset"] == [-8.0] and tag["args"]["use_max"] is True
        out = compositor(scene).nodes["out"]
        assert out.bl_idname == "NodeGroupOutput" and json.loads(out["nodescript"])["kind"] == "Composite"
    else:
        mv = group.nodes["mv"]
        assert mv.bl_idname == "CompositorNodeMapValue"
        assert (mv.offset[0], mv.size[0], mv.use_min, mv.use_max, mv.max[0]) == (-8, 0.5, True, True, 0.75)


def test_two_scenes_only_the_chosen_one_changes(make_scene, cli, open_file, tmp_path):
    def second_scene(bpy):
        other = bpy.data.scenes.new("Other")
        other.render.engine = "BLENDER_WORKBENCH"
    scene_file = make_scene(edit=second_scene)

    ran = cli("apply", scene_file, EXAMPLES / "depth.nodes", "--scene", "Other")

    assert ran.code == 0, ran.err
    open_file(scene_file)
    other, main = bpy.data.scenes["Other"], bpy.data.scenes["Scene"]
    assert other.render.engine == "CYCLES" and compositor(other) is not None
    assert "depth" in compositor(other).nodes
    assert main.render.engine == "CYCLES" and compositor(main) is None   # as the scene was made
    assert main.render.resolution_x == 32
    missing = cli("apply", scene_file, EXAMPLES / "depth.nodes", "--scene", "Nope")
    assert missing.code == 2 and "no scene named 'Nope'" in missing.err


def test_many_nodes_are_built_in_groups_and_ungrouped(make_scene, cli, open_file, graph):
    """Over chunked.MIN_NODES new nodes take the fast path; the result must be the same tree."""
    lines = ["rl = RenderLayers()"]
    for i in range(150):
        source = "rl.Depth" if i % 30 == 0 else f"n{i - 1}"
        lines.append(f"{source} -> Math(operation=add, inputs=(_, {i})) as n{i}")
    lines.append("n149 -> Viewer() as v")
    lines.append("n29 -> Math(operation=maximum) as join\nn59 -> join.Value_001\njoin -> Composite() as out")
    scene_file = make_scene()
    graph_file = graph("\n".join(lines) + "\n")

    assert cli("apply", scene_file, graph_file).code == 0
    assert cli("apply", scene_file, graph_file, "--check").code == 0

    tree = compositor(open_file(scene_file))
    assert len(tree.nodes) == 1 + 150 + 3
    assert not [g for g in bpy.data.node_groups if g.name.startswith("nodescript build")]
    assert tree.nodes["n77"].inputs[1].default_value == 77
    assert tree.nodes["n77"].inputs[0].links[0].from_node.name == "n76"
    assert tree.nodes["n60"].inputs[0].links[0].from_socket.identifier == "Depth"
    assert tree.nodes["v"].inputs[0].links[0].from_node.name == "n149"
    assert [l.from_node.name for s in tree.nodes["join"].inputs[:2] for l in s.links] == ["n29", "n59"]


def chain_graph(prefix: str, count: int) -> str:
    lines = ["rl = RenderLayers()"]
    for i in range(count):
        source = "rl.Depth" if i == 0 else f"{prefix}{i - 1}"
        lines.append(f"{source} -> Math(operation=multiply, inputs=(_, {i % 5})) as {prefix}{i}")
    return "\n".join(lines) + f"\n{prefix}{count - 1} -> Viewer() as v\n"


def test_replacing_a_big_tree_starts_over(make_scene, cli, open_file, graph):
    """Over executor.REBUILD_FROM removed nodes the tree is cleared and rebuilt in one go."""
    scene_file = make_scene()
    assert cli("apply", scene_file, graph(chain_graph("a", 320), "a.nodes")).code == 0
    second = graph(chain_graph("b", 60), "b.nodes")

    ran = cli("apply", scene_file, second)

    assert ran.code == 0, ran.err
    assert cli("apply", scene_file, second, "--check").code == 0
    tree = compositor(open_file(scene_file))
    assert sorted(n.name for n in tree.nodes if n.name.startswith(("a", "b"))) == sorted(
        f"b{i}" for i in range(60))
    assert tree.nodes["b59"].outputs[0].links[0].to_node.name == "v"


def test_a_big_replacement_keeps_the_animation_of_the_nodes_it_keeps(make_scene, cli, open_file,
                                                                   graph):
    """Clearing the tree would take a kept node's driver with it: an animated tree is edited node
    by node, however many nodes go."""
    scene_file = make_scene()
    keep = "rl.Depth -> Math(operation=add, inputs=(_, 1)) as keep\n"
    assert cli("apply", scene_file, graph(chain_graph("a", 320) + keep, "a.nodes")).code == 0
    tree = compositor(open_file(scene_file))
    driver = tree.nodes["keep"].inputs[1].driver_add("default_value").driver
    driver.expression = "frame / 10"
    bpy.ops.wm.save_mainfile()

    second = graph(chain_graph("b", 60) + keep, "b.nodes")
    ran = cli("apply", scene_file, second)

    assert ran.code == 0, ran.err
    assert cli("apply", scene_file, second, "--check").code == 0    # the driven value is not drift
    tree = compositor(open_file(scene_file))
    assert not any(n.name.startswith("a") for n in tree.nodes)
    assert [d.data_path for d in tree.animation_data.drivers] == [
        'nodes["keep"].inputs[1].default_value']
    assert tree.animation_data.drivers[0].driver.expression == "frame / 10"


def _render_layers_scenes(tree) -> dict[str, str | None]:
    return {n.name: n.scene.name if n.scene else None
            for n in tree.nodes if n.bl_idname == "CompositorNodeRLayers"}


@pytest.mark.parametrize("many", [False, True], ids=["plain", "chunked"])
def test_render_layers_read_the_scene_applied_to_not_the_active_one(make_scene, cli, open_file,
                                                                    graph, many):
    """--scene Other, Other not active: nodes.new would bind Render Layers to the active scene."""
    def second_scene(bpy):
        bpy.data.scenes.new("Other")
    scene_file = make_scene(edit=second_scene)
    lines = ["rl = RenderLayers()", "rl2 = RenderLayers()", 'mine = RenderLayers(scene="Scene")',
             "rl.Image -> Viewer() as v", "rl2.Image -> Composite() as out"]
    for i in range(60 if many else 2):          # over chunked.MIN_NODES: the grouped build
        source = "mine.Image" if i == 0 else f"m{i - 1}"
        lines.append(f"{source} -> Math(operation=add, inputs=(_, {i})) as m{i}")
    graph_file = graph("\n".join(lines) + "\n")

    ran = cli("apply", scene_file, graph_file, "--scene", "Other")

    assert ran.code == 0, ran.err
    again = cli("apply", scene_file, graph_file, "--scene", "Other")
    assert again.code == 0 and "up to date" in again.out, again.out
    assert cli("apply", scene_file, graph_file, "--scene", "Other", "--check").code == 0
    open_file(scene_file)
    assert bpy.context.scene.name == "Scene"                      # Other was never the active one
    assert _render_layers_scenes(compositor(bpy.data.scenes["Other"])) == {
        "rl": "Other", "rl2": "Other", "mine": "Scene"}           # scene= in the graph wins
    assert compositor(bpy.data.scenes["Scene"]) is None


def test_render_layers_bound_to_the_wrong_scene_is_drift(make_scene, cli, open_file, graph):
    def second_scene(bpy):
        bpy.data.scenes.new("Other")
    scene_file = make_scene(edit=second_scene)
    graph_file = graph("rl = RenderLayers()\nrl.Image -> Viewer() as v\n")
    assert cli("apply", scene_file, graph_file, "--scene", "Other").code == 0
    open_file(scene_file)
    compositor(bpy.data.scenes["Other"]).nodes["rl"].scene = bpy.data.scenes["Scene"]
    bpy.ops.wm.save_as_mainfile(filepath=str(scene_file), compress=False)

    assert cli("apply", scene_file, graph_file, "--scene", "Other", "--check").code == 1
    assert cli("apply", scene_file, graph_file, "--scene", "Other").code == 0
    open_file(scene_file)
    assert _render_layers_scenes(compositor(bpy.data.scenes["Other"])) == {"rl": "Other"}


def test_file_output_item_type_comes_through_reroutes(make_scene, cli, open_file, graph, version):
    """5.0 items are typed; a Reroute is RGBA in the catalogue but carries its source's data."""
    if not running_dialect().FILE_OUTPUT_ITEMS:
        pytest.skip("only File Output items have a declared socket_type")
    scene_file = make_scene()
    graph_file = graph("""
        rl = RenderLayers()
        out = FileOutput(path="//out/data/", format=exr_multilayer)
        rl.Normal -> Reroute() as r1 -> Reroute() as r2 -> out.normal
        rl.Depth -> Reroute() as r3 -> out.depth
        rl.Image -> Reroute() as r4 -> out.rgba
    """)

    ran = cli("apply", scene_file, graph_file, "--force")

    assert ran.code == 0, ran.err + ran.out
    fo = compositor(open_file(scene_file)).nodes["out"]
    assert [(i.name, i.socket_type) for i in fo.file_output_items] == [
        ("normal", "VECTOR"), ("depth", "FLOAT"), ("rgba", "RGBA")]
    again = cli("apply", scene_file, graph_file, "--force")
    assert again.code == 0 and "up to date" in again.out
