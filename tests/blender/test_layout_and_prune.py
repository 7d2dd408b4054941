"""Against real bpy: apply keeps where the user put nodes (unless the graph pins them with
`at=`), places new nodes next to their source, deletes its own nodes freely and the user's only
with --prune."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import compositor  # noqa: E402

BASE = """
    rl = RenderLayers()
    rl.Image -> Blur() as "Soft Blur" -> Composite() as out
"""
GROWN = """
    rl = RenderLayers()
    rl.Image -> Blur() as "Soft Blur" -> Composite() as out
    rl.Depth -> Normalize() as norm -> Viewer() as view
"""


def locations(path, open_file) -> dict[str, tuple[float, float]]:
    return {n.name: tuple(round(v) for v in n.location) for n in compositor(open_file(path)).nodes}


def move(path, name: str, to: tuple[float, float]) -> None:
    tree = compositor(bpy.context.scene)
    tree.nodes[name].location = to
    bpy.ops.wm.save_as_mainfile(filepath=str(path))


def test_a_moved_node_stays_and_a_new_one_goes_right_of_its_source(make_scene, cli, graph,
                                                                   open_file):
    scene_file = make_scene()
    assert cli("apply", scene_file, graph(BASE)).code == 0
    open_file(scene_file)
    move(scene_file, "rl", (-900.0, 400.0))
    assert cli("apply", scene_file, graph(BASE), "--check").code == 0    # no drift reported

    ran = cli("apply", scene_file, graph(GROWN))

    assert ran.code == 0, ran.err
    where = locations(scene_file, open_file)
    assert where["rl"] == (-900, 400)
    assert where["norm"][0] == -600                       # a column right of Render Layers
    assert where["view"][0] == -300
    others = [loc for name, loc in where.items() if name != "norm"]
    assert all(abs(x - where["norm"][0]) >= 200 or abs(y - where["norm"][1]) >= 150
               for x, y in others)                        # on no other node


def test_at_pins_a_node_where_the_graph_says(make_scene, cli, graph, open_file):
    scene_file = make_scene()
    pinned = graph(BASE.replace("RenderLayers()", "RenderLayers(at=(-500, 250))"))
    assert cli("apply", scene_file, pinned).code == 0
    assert locations(scene_file, open_file)["rl"] == (-500, 250)
    move(scene_file, "rl", (0.0, 0.0))

    ran = cli("apply", scene_file, pinned, "--check")

    assert ran.code == 1 and "~ node rl location" in ran.out, ran.out
    assert cli("apply", scene_file, pinned).code == 0
    assert locations(scene_file, open_file)["rl"] == (-500, 250)


def test_apply_deletes_its_own_nodes_and_the_users_only_with_prune(make_scene, cli, graph,
                                                                   open_file, tmp_path):
    scene_file = make_scene()
    assert cli("apply", scene_file, graph(GROWN)).code == 0
    assert cli("apply", scene_file, graph(BASE)).code == 0        # norm and view were its own
    assert set(locations(scene_file, open_file)) == {"rl", "Soft Blur", "out"}
    compositor(bpy.context.scene).nodes.new("CompositorNodeInvert").name = "mine"
    bpy.ops.wm.save_as_mainfile(filepath=str(scene_file))
    before = scene_file.read_bytes()

    dry = cli("apply", scene_file, graph(BASE), "--dry-run")
    stopped = cli("apply", scene_file, graph(BASE))

    assert dry.code == 0 and "apply stops here without --prune: tree" in dry.out, dry.out
    assert stopped.code == 2, stopped.out + stopped.err
    assert "node 'mine' (CompositorNodeInvert) is not in the graph" in stopped.err
    assert scene_file.read_bytes() == before
    assert cli("apply", scene_file, graph(BASE), "--prune").code == 0
    assert "mine" not in locations(scene_file, open_file)


def test_nodes_built_in_groups_are_its_own_too(make_scene, cli, graph):
    """Past chunked.MIN_NODES new nodes are built inside node groups and ungrouped: they keep
    the mark that lets apply delete them."""
    def chain(n: int) -> str:
        maths = " -> ".join(f'Math() as "m {i}"' for i in range(n))
        return f"rl = RenderLayers()\nrl.Depth -> {maths} -> Viewer() as view\n"
    scene_file = make_scene()
    assert cli("apply", scene_file, graph(chain(80))).code == 0
    ran = cli("apply", scene_file, graph(chain(10)))
    assert ran.code == 0, ran.err
    assert "applied" in ran.out
