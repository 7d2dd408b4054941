"""`nodescript apply --scene A` when A's compositor is not A's alone: a 5.0 compositor tree is a
node group several scenes can point at (A gets its own copy; the others keep theirs), and node
groups are one datablock for every tree that uses them (a note names the other scenes)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import EXAMPLES, compositor, links_of, running_dialect  # noqa: E402

DEPTH = EXAMPLES / "depth.nodes"


def _needs_shared_trees(version: str) -> None:
    if not running_dialect().TREE_IS_NODE_GROUP:
        pytest.skip("only node-group compositor trees (5.0 on) can be shared by several "
                    "scenes; in 4.x each scene owns its node_tree"),


def _share_one_tree(bpy):
    """Scene and B both show the node group `Shared` (Render Layers -> Viewer) as compositor."""
    other = bpy.data.scenes.new("B")
    tree = bpy.data.node_groups.new("Shared", "CompositorNodeTree")
    rl, viewer = tree.nodes.new("CompositorNodeRLayers"), tree.nodes.new("CompositorNodeViewer")
    rl.name, viewer.name = "rl", "v"
    tree.links.new(rl.outputs["Image"], viewer.inputs[0])
    bpy.context.scene.compositing_node_group = tree
    other.compositing_node_group = tree


def _snapshot(tree) -> dict:
    return {"name": tree.name, "links": links_of(tree),
            "nodes": {n.name: (n.bl_idname, tuple(n.location), n.mute) for n in tree.nodes},
            "interface": [(i.name, i.in_out) for i in tree.interface.items_tree]}


def test_shared_compositor_is_copied_for_the_applied_scene(make_scene, cli, open_file, version,
                                                            tmp_path):
    _needs_shared_trees(version)
    scene_file = make_scene(edit=_share_one_tree)
    before = _snapshot(compositor(open_file(scene_file, "B")))
    original = scene_file.read_bytes()

    dry = cli("apply", scene_file, DEPTH, "--scene", "Scene", "--dry-run")
    assert dry.code == 0, dry.err
    assert "shares its compositor with scene 'B'" in dry.out and "its own copy" in dry.out
    assert scene_file.read_bytes() == original                     # a dry run writes nothing
    assert cli("apply", scene_file, DEPTH, "--scene", "Scene", "--check").code == 1

    out = tmp_path / "applied.blend"
    # the shared tree's Viewer is not in the graph: --prune lets apply drop it from the copy
    ran = cli("apply", scene_file, DEPTH, "--scene", "Scene", "-o", out, "--prune")

    assert ran.code == 0, ran.err
    assert "'Scene' has its own compositor now, 'Scene Compositing'" in ran.out
    assert "'Shared' is also used by scene 'B' and stays as it was" in ran.out
    b_tree = compositor(open_file(out, "B"))                       # the file opens
    assert _snapshot(b_tree) == before                             # B's compositor as it was
    mine = compositor(bpy.data.scenes["Scene"])
    assert mine is not None and mine != b_tree and mine.name == "Scene Compositing"
    assert {n.name for n in mine.nodes} == {"rl", "depth"}
    assert links_of(mine) == {("rl", "Depth", "depth", "depth")}
    assert mine.users == 1 and b_tree.users == 1
    # --check compares the applied scene only; B's tree differing from the graph is not drift.
    assert cli("apply", out, DEPTH, "--scene", "Scene", "--check").code == 0
    again = cli("apply", out, DEPTH, "--scene", "Scene")
    assert again.code == 0 and "up to date" in again.out, again.out
    assert cli("apply", out, DEPTH, "--scene", "B", "--check").code == 1


def test_shared_compositor_that_matches_stays_shared(make_scene, cli, open_file, version,
                                                     tmp_path):
    """Nothing to change: nothing copied, nothing written, and --check passes."""
    _needs_shared_trees(version)
    scene_file = make_scene()
    assert cli("apply", scene_file, DEPTH).code == 0
    scene = open_file(scene_file)
    bpy.data.scenes.new("B").compositing_node_group = compositor(scene)
    bpy.ops.wm.save_as_mainfile(filepath=str(scene_file), compress=False)
    written = scene_file.read_bytes()

    assert cli("apply", scene_file, DEPTH, "--check").code == 0
    ran = cli("apply", scene_file, DEPTH)

    assert ran.code == 0 and "up to date" in ran.out and "note:" not in ran.out, ran.out
    assert scene_file.read_bytes() == written
    open_file(scene_file)
    assert compositor(bpy.data.scenes["B"]) == compositor(bpy.data.scenes["Scene"])


GROUP_GRAPH = """
    group Meters(d: float) -> (m: float) {
        d -> Math(operation=multiply, inputs=(_, 0.5)) as half -> m
    }
    scene { passes = [depth] }
    rl = RenderLayers()
    g = Meters()
    rl.Depth -> g.d
    g.m -> Viewer() as v
"""


def test_a_group_another_scene_uses_is_changed_for_both_with_a_note(make_scene, cli, open_file,
                                                                      graph):
    """Groups are not copied (the graph names them); apply says which other scenes see the change."""
    def other_scene_uses_meters(bpy):
        other = bpy.data.scenes.new("B")
        meters = bpy.data.node_groups.new("Meters", "CompositorNodeTree")
        outer = bpy.data.node_groups.new("Outer", "CompositorNodeTree")   # B -> Outer -> Meters
        outer.nodes.new("CompositorNodeGroup").node_tree = meters
        if hasattr(other, "compositing_node_group"):
            other.compositing_node_group = bpy.data.node_groups.new("B tree", "CompositorNodeTree")
            tree = other.compositing_node_group
        else:
            other.use_nodes = True
            tree = other.node_tree
        tree.nodes.new("CompositorNodeGroup").node_tree = outer
    scene_file = make_scene(edit=other_scene_uses_meters)
    graph_file = graph(GROUP_GRAPH)

    dry = cli("apply", scene_file, graph_file, "--dry-run")
    ran = cli("apply", scene_file, graph_file)

    note = "note: node group 'Meters' is also used by the compositor of scene 'B'"
    assert dry.code == 0 and note in dry.out, dry.out
    assert ran.code == 0 and note in ran.out, ran.err + ran.out
    open_file(scene_file)
    assert "half" in bpy.data.node_groups["Meters"].nodes            # changed for B as well
    assert bpy.data.node_groups["Outer"].nodes[0].node_tree == bpy.data.node_groups["Meters"]
    again = cli("apply", scene_file, graph_file)
    assert again.code == 0 and "up to date" in again.out and "note:" not in again.out
