"""Drivers on node values (`drivers=[...]`): export writes those the form carries, apply
makes each the graph names exactly (and only those), `--check` and `--dry-run` show them, the
export applied onto an emptied compositor rebuilds them; drivers the form does not carry are
noted and kept; apply never writes an expression Blender would run as Python, never makes a
data-block a variable names."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import add, apply_text, empty_compositor  # noqa: E402
from snapshot import compositor, snapshot  # noqa: E402
from test_carried import (  # noqa: E402,F401
    V, assert_rebuilt, drift, exported, factory_blender, saved)

from nodescript.blender import executor  # noqa: E402
from nodescript.blender.lowering import dialect  # noqa: E402
from nodescript.blender.node_values import ExecutionError  # noqa: E402
from nodescript.resolve import load_graph  # noqa: E402

def drive(owner, attr: str, expression: str = "", index: int = -1, kind: str = "SCRIPTED",
          variables=()):
    fc = owner.driver_add(attr, index)
    d = fc.driver
    d.type = kind
    for name, id_type, found, path in variables:
        var = d.variables.new()
        var.name, var.type = name, "SINGLE_PROP"
        var.targets[0].id_type = id_type
        var.targets[0].id = found
        var.targets[0].data_path = path
    d.expression = expression
    return fc


def driven_tree():
    """Render Layers -> Math (inputs 1 and 2 driven) -> Viewer; a Color whose blue is the sum
    of two variables."""
    scene = bpy.context.scene
    tree = empty_compositor(scene)
    rl = add(tree, "RenderLayers", "rl")
    scale = add(tree, "Math", "scale", operation="MULTIPLY")
    view = add(tree, "Viewer", "view")
    tree.links.new(rl.outputs["Image"], scale.inputs[0])
    tree.links.new(scale.outputs[0], view.inputs[0])
    drive(scale.inputs[1], "default_value", "frame / 10")
    drive(scale.inputs[2], "default_value", "fps * 2 if frame > 1 else min(fps, 3)",
          variables=[("fps", "SCENE", scene, "render.fps")])
    tint = add(tree, "Color", "tint")
    drive(tint.outputs[0], "default_value", index=2, kind="SUM",
          variables=[("a", "SCENE", scene, "render.fps_base"),
                     ("b", "SCENE", scene, 'frame_current')])
    return tree


EXPECTED = [          # each driver as export writes it (fmt breaks the lists over lines)
    '("inputs[1].default_value", "frame / 10")',
    '("inputs[2].default_value", "fps * 2 if frame > 1 else min(fps, 3)", ("fps", "SCENE", '
    '"Scene", "render.fps"))',
    '("outputs[0].default_value[2]", sum, ("a", "SCENE", "Scene", "render.fps_base"), '
    '("b", "SCENE", "Scene", "frame_current"))',
]


def test_drivers_are_exported_and_rebuilt():
    tree = driven_tree()
    before = snapshot(bpy.context.scene)
    assert len(before["tree"]["animation"]["drivers"]) == 3
    text = exported()
    for line in EXPECTED:
        assert line in text, text
    assert "# export:" not in text, text
    assert_rebuilt(text, before)            # onto an emptied compositor: the drivers come back
    assert exported() == text
    assert all(fc.driver.is_simple_expression for fc in tree.animation_data.drivers
               if fc.driver.type == "SCRIPTED")


def test_check_reports_a_changed_driver_and_apply_makes_it(cli, tmp_path):
    driven_tree()
    text = exported()
    blend, graph = saved(tmp_path, "driven", text)
    ran = cli("apply", blend, graph, "--check")
    assert ran.code == 0 and not drift(ran.out), ran.out + ran.err
    # changed by hand in the file: drift, shown
    tree = executor_tree()
    tree.nodes["scale"].inputs[1].driver_add("default_value").driver.expression = "frame / 20"
    bpy.ops.wm.save_mainfile()
    ran = cli("apply", blend, graph, "--check")
    assert ran.code == 1 and ('~ node scale driver inputs[1].default_value: "frame / 20" -> '
                              '"frame / 10"') in ran.out, ran.out
    # changed in the graph: made, and the others are left as they are
    graph.write_text(text.replace('"frame / 10"', '"frame / 5 + 1"'), encoding="utf-8")
    ran = cli("apply", blend, graph, "-o", tmp_path / "changed.blend")
    assert ran.code == 0, ran.out + ran.err
    bpy.ops.wm.open_mainfile(filepath=str(tmp_path / "changed.blend"), load_ui=False,
                             use_scripts=False)
    drivers = snapshot(bpy.context.scene)["tree"]["animation"]["drivers"]
    assert [(d["data_path"], d["index"], d["type"], d["expression"]) for d in drivers] == [
        ('nodes["scale"].inputs[1].default_value', 0, "SCRIPTED", "frame / 5 + 1"),
        ('nodes["scale"].inputs[2].default_value', 0, "SCRIPTED",
         "fps * 2 if frame > 1 else min(fps, 3)"),
        ('nodes["tint"].outputs[0].default_value', 2, "SUM", ""),
    ], drivers
    ran = cli("apply", tmp_path / "changed.blend", graph, "--check")
    assert ran.code == 0 and not drift(ran.out), ran.out


def executor_tree():
    return compositor(bpy.context.scene)


def test_dry_run_describes_the_drivers_of_new_nodes(cli, tmp_path):
    driven_tree()
    blend = tmp_path / "driven.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    graph = tmp_path / "more.nodes"
    graph.write_text(exported() + 'extra = Math(drivers=[("inputs[0].default_value", '
                     '"sin(frame) * fps", ("fps", "SCENE", "Scene", "render.fps"))])\n',
                     encoding="utf-8")
    ran = cli("apply", blend, graph, "--dry-run")
    assert ran.code == 0, ran.out + ran.err
    assert ("drivers=[inputs[0].default_value \"sin(frame) * fps\" "
            "fps=SCENE:'Scene'.render.fps]") in ran.out, ran.out


def test_drivers_the_form_does_not_carry_are_noted_and_kept():
    scene = bpy.context.scene
    tree = driven_tree()
    cube = bpy.data.objects.new("Cube", None)
    scene.collection.objects.link(cube)
    scale = tree.nodes["scale"]
    fc = drive(scale.inputs[0], "default_value", "x * 2",
               variables=[("x", "OBJECT", cube, "location[0]")])
    fc.driver.variables[0].type = "TRANSFORMS"
    drive(tree.nodes["tint"].outputs[0], "default_value", index=0,
          expression="bpy.context.scene.frame_current")
    text = exported()
    assert ('node "scale": the driver on inputs[0].default_value is not exported (variable `x` '
            "of type TRANSFORMS; apply keeps it on the node)") in text, text
    assert ('node "tint": the driver on outputs[0].default_value is not exported (an '
            "expression that is not one of Blender's simple expressions") in text, text
    for line in EXPECTED:
        assert line in text, text
    before = snapshot(scene)
    apply_text(text)
    assert snapshot(scene)["tree"]["animation"] == before["tree"]["animation"]


def test_a_variable_naming_a_missing_data_block_stops_apply(cli, tmp_path):
    driven_tree()
    blend = tmp_path / "driven.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    objects = len(bpy.data.objects)
    graph = tmp_path / "missing.nodes"
    graph.write_text(exported().replace('("fps", "SCENE", "Scene", "render.fps")',
                                        '("fps", "OBJECT", "Nope", "location[0]")'),
                     encoding="utf-8")
    data = blend.read_bytes()
    ran = cli("apply", blend, graph)
    assert ran.code != 0 and "OBJECT 'Nope'" in ran.err and "no object of that name" in ran.err, \
        ran.out + ran.err
    assert blend.read_bytes() == data
    bpy.ops.wm.open_mainfile(filepath=str(blend), load_ui=False, use_scripts=False)
    assert len(bpy.data.objects) == objects


def test_apply_refuses_and_removes_a_driver_blender_would_run_as_python():
    """The resolver refuses such expressions; apply checks Blender's own verdict after writing,
    here on a plan made by hand."""
    scene = bpy.context.scene
    empty_compositor(scene)
    loaded = load_graph("g.nodes", 'rl = RenderLayers()\nm = Math(drivers=[("inputs[1]'
                                   '.default_value", "frame")])\nrl.Image -> m -> Viewer()\n')
    lowering = dialect(V)
    plan = lowering.lower(loaded.graph)
    node = plan.tree.node("m")
    driver = node.drivers[0]
    node.drivers = (type(driver)(driver.path, driver.index, "SCRIPTED", "frame ** 2"),)
    executor.bind_to_scene(plan, scene)
    with pytest.raises(ExecutionError, match="not evaluate `frame \\*\\* 2` as a simple"):
        executor.apply_plan(scene, plan, lowering)
    tree = executor_tree()
    anim = tree.animation_data
    assert anim is None or not [d for d in anim.drivers if d.data_path.startswith('nodes["m"]')]


def _subset():
    """Every function of nodescript's whitelist with each argument count it takes, and the
    other forms it accepts: each must be a simple expression in this Blender."""
    from nodescript import drivers

    calls = [f"{name}({', '.join(['d'] * n)})" for name, counts in drivers.FUNCTIONS.items()
             for n in sorted(counts)]
    calls += [f"{name}(d)" for name in drivers.VARIADIC] + ["max(d, 1, frame)"]
    return calls + ["frame / 10", "d * 2 + 1 - -d", "+d", "not d", "d and frame or 1",
                    "1 < d <= 3", "d == 1", "d != 1", "d >= 1 if frame > 3 else 0.5", "1e3",
                    ".5", "1.", "2.5E-3", "00", "pi", "True", "False", "sin (d)",
                    "(" * 120 + "d" + ")" * 120, "-" * 200 + "d"]


def test_what_the_resolver_accepts_blender_evaluates_without_python():
    from nodescript import drivers

    tree = empty_compositor(bpy.context.scene)
    node = add(tree, "Math", "m")
    fc = drive(node.inputs[1], "default_value", variables=[
        ("d", "SCENE", bpy.context.scene, "render.fps")])
    refused = []
    for text in _subset():
        drivers.check_expression(text, ["d"])
        fc.driver.expression = text
        if not fc.driver.is_simple_expression:
            refused.append(text)
    assert not refused, refused


def test_a_driver_removed_by_hand_is_drift_and_apply_makes_it_again(cli, tmp_path):
    tree = driven_tree()
    text = exported()
    tree.nodes["scale"].inputs[1].driver_remove("default_value")
    drive(tree.nodes["tint"].outputs[0], "default_value", "frame * 2", index=0)   # not named
    blend, graph = saved(tmp_path, "driven", text)
    ran = cli("apply", blend, graph, "--check")
    assert ran.code == 1 and drift(ran.out) == [
        '  ~ node scale driver inputs[1].default_value: none -> "frame / 10"'], ran.out
    assert cli("apply", blend, graph).code == 0
    bpy.ops.wm.open_mainfile(filepath=str(blend), load_ui=False, use_scripts=False)
    drivers = snapshot(bpy.context.scene)["tree"]["animation"]["drivers"]
    assert [(d["data_path"], d["index"], d["expression"]) for d in drivers] == [
        ('nodes["scale"].inputs[1].default_value', 0, "frame / 10"),
        ('nodes["scale"].inputs[2].default_value', 0, "fps * 2 if frame > 1 else min(fps, 3)"),
        ('nodes["tint"].outputs[0].default_value', 0, "frame * 2"),
        ('nodes["tint"].outputs[0].default_value', 2, ""),
    ], drivers
    assert cli("apply", blend, graph, "--check").code == 0


def test_a_value_keyed_and_driven_is_exported_with_its_keys_and_a_note():
    tree = driven_tree()
    socket = tree.nodes["scale"].inputs[1]
    for frame, value in ((1, 0.5), (10, 2.0)):
        socket.default_value = value
        socket.keyframe_insert("default_value", frame=frame)
    text = exported()
    assert 'keys=[("inputs[1].default_value", (1, 0.5), (10, 2))]' in text, text
    assert ('the driver on inputs[1].default_value is not exported (the value is keyed too; '
            "apply keeps it on the node)") in text, text
    assert '("inputs[1].default_value", "frame / 10")' not in text, text
    apply_text(text)                                  # the export is a valid graph


def test_a_driver_the_language_would_refuse_is_noted_not_written():
    """Blender takes `sin` and `frame` as variable names (and renames a second `a`); the
    language does not (they would shadow the function and the frame)."""
    scene = bpy.context.scene
    tree = driven_tree()
    drive(tree.nodes["tint"].outputs[0], "default_value", "sin + 1", index=1, variables=[
        ("sin", "SCENE", scene, "render.fps")])
    text = exported()
    assert ('node "tint": the driver on outputs[0].default_value is not exported (the variable '
            "name `sin`; apply keeps it on the node)") in text, text
    apply_text(text)


def test_drivers_on_nodes_inside_a_group_are_made_and_exported():
    empty_compositor(bpy.context.scene)
    apply_text('group Scaled(Value: float) -> (Value: float) {\n'
               '    Value -> Math(operation=multiply, drivers=[("inputs[1].default_value", '
               '"frame / 2")]) as times -> Value\n}\n\n'
               "rl = RenderLayers()\nrl.Alpha -> Scaled() as s -> Viewer()\n")
    group = bpy.data.node_groups["Scaled"]
    assert [(d.data_path, d.driver.expression) for d in group.animation_data.drivers] == [
        ('nodes["times"].inputs[1].default_value', "frame / 2")]
    text = exported()
    assert '("inputs[1].default_value", "frame / 2")' in text and "# export:" not in text, text
    apply_text(text)
    assert exported() == text
