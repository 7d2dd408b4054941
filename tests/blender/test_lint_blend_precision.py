"""Precision findings of `nodescript lint SCENE.blend` on compositors built as a user would."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")


def _lint(path):
    return subprocess.run([sys.executable, "-m", "nodescript", "lint", str(path)],
                          capture_output=True, text=True, cwd=path.parent)


def _legacy_map_range_scene(path, clamp: bool):
    """Render Layers Depth -> CompositorNodeMapRange (0-20 m) -> File Output EXR 32."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    if not hasattr(bpy.types, "CompositorNodeMapRange") or hasattr(scene,
                                                                   "compositing_node_group"):
        pytest.skip("no compositor Map Range in this version")
    scene.view_layers[0].use_pass_z = True
    scene.use_nodes = True
    tree = scene.node_tree
    tree.nodes.clear()
    rl = tree.nodes.new("CompositorNodeRLayers")
    node = tree.nodes.new("CompositorNodeMapRange")
    node.use_clamp = clamp
    node.inputs[2].default_value = 20.0
    out = tree.nodes.new("CompositorNodeOutputFile")
    out.format.file_format, out.format.color_depth = "OPEN_EXR", "32"
    tree.links.new(rl.outputs["Depth"], node.inputs[0])
    tree.links.new(node.outputs[0], out.inputs[0])
    bpy.ops.wm.save_as_mainfile(filepath=str(path))


def test_legacy_map_range_with_clamp_off_is_not_a_clamp(tmp_path):
    """4.5 keeps CompositorNodeMapRange for old files (clamp off by default) while its Map
    Range is the shader node (clamp on by default): the export writes clamp=false."""
    _legacy_map_range_scene(tmp_path / "off.blend", clamp=False)
    result = _lint(tmp_path / "off.blend")
    assert "NS305" not in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


def test_legacy_map_range_with_clamp_on_is_reported(tmp_path):
    _legacy_map_range_scene(tmp_path / "on.blend", clamp=True)
    result = _lint(tmp_path / "on.blend")
    assert "error[NS305]" in result.stdout and 'node "Map Range"' in result.stdout, result.stdout


def test_a_blend_without_a_declared_range_is_sized_over_its_objects(tmp_path):
    """The example scene (ramp 8-10 m over a ground at 10 m): Depth through Combine Color into
    a half EXR; the step is the one at 10 m, the far end measured from the objects."""
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("make_example_scene",
                                                  ROOT / "scripts" / "make_example_scene.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_scene()
    scene = bpy.context.scene
    scene.view_layers[0].use_pass_z = True
    if hasattr(scene, "compositing_node_group"):
        tree = bpy.data.node_groups.new("Compositing", "CompositorNodeTree")
        scene.compositing_node_group = tree
    else:
        scene.use_nodes = True
        tree = scene.node_tree
        tree.nodes.clear()
    rl = tree.nodes.new("CompositorNodeRLayers")
    combine = tree.nodes.new("CompositorNodeCombineColor")
    out = tree.nodes.new("CompositorNodeOutputFile")
    if hasattr(out, "file_output_items"):
        out.format.media_type = "IMAGE"
        out.file_output_items.new("RGBA", "depth")
    out.format.file_format, out.format.color_depth = "OPEN_EXR", "16"
    tree.links.new(rl.outputs["Depth"], combine.inputs[0])
    tree.links.new(combine.outputs[0], out.inputs[0])
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "half.blend"))
    result = _lint(tmp_path / "half.blend")
    assert "error[NS302]" in result.stdout, result.stdout
    assert "7.8 mm steps at 10 m (far end of the scene's objects)" in result.stdout, result.stdout


def test_aov_outputs_of_a_blend_are_data(tmp_path):
    """A colour AOV and a value AOV of the view layer into an 8-bit PNG: exported as
    `aovs = [...]` and `rl.normals_aov`, linted as data; apply of that text links them again."""
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("make_example_scene",
                                                  ROOT / "scripts" / "make_example_scene.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_scene()
    scene = bpy.context.scene
    layer = scene.view_layers[0]
    for name, kind in (("normals_aov", "COLOR"), ("coords", "VALUE")):
        aov = layer.aovs.add()
        aov.name, aov.type = name, kind
    if hasattr(scene, "compositing_node_group"):
        tree = bpy.data.node_groups.new("Compositing", "CompositorNodeTree")
        scene.compositing_node_group = tree
    else:
        scene.use_nodes = True
        tree = scene.node_tree
        tree.nodes.clear()
    rl = tree.nodes.new("CompositorNodeRLayers")
    out = tree.nodes.new("CompositorNodeOutputFile")
    if hasattr(out, "file_output_items"):
        out.format.media_type = "IMAGE"
        out.file_output_items.new("RGBA", "normals")
        out.file_output_items.new("FLOAT", "coords")
    else:
        out.file_slots.clear()
        out.file_slots.new("normals")
        out.file_slots.new("coords")
    out.format.file_format, out.format.color_depth = "PNG", "8"
    tree.links.new(rl.outputs["normals_aov"], out.inputs[0])
    tree.links.new(rl.outputs["coords"], out.inputs[1])
    blend = tmp_path / "aov.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    result = _lint(blend)
    assert result.stdout.count("error[NS301]: AOV `") == 2, result.stdout
    assert "error[NS306]: AOV `normals_aov`" in result.stdout, result.stdout
    exported = subprocess.run([sys.executable, "-m", "nodescript", "export", str(blend)],
                              capture_output=True, text=True)
    assert "aovs = [normals_aov, (coords, value)]" in exported.stdout, exported.stdout
    (tmp_path / "aov.nodes").write_text(exported.stdout, encoding="utf-8")
    applied = subprocess.run([sys.executable, "-m", "nodescript", "apply", str(blend),
                              str(tmp_path / "aov.nodes"), "--force"],
                             capture_output=True, text=True)
    assert applied.returncode == 0, applied.stdout + applied.stderr


def _override_scene(path, scene_view: str, node_view: str):
    """Render Layers Normal -> File Output PNG 8 whose format overrides the colour management
    (the sidebar's Color Management: Override) with `node_view`, on a `scene_view` scene."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.view_settings.view_transform = scene_view
    scene.view_layers[0].use_pass_normal = True
    if hasattr(scene, "compositing_node_group"):
        tree = bpy.data.node_groups.new("Compositing", "CompositorNodeTree")
        scene.compositing_node_group = tree
    else:
        scene.use_nodes = True
        tree = scene.node_tree
        tree.nodes.clear()
    rl = tree.nodes.new("CompositorNodeRLayers")
    out = tree.nodes.new("CompositorNodeOutputFile")
    if hasattr(out, "file_output_items"):
        out.file_output_items.new("VECTOR", "normal")
        out.format.media_type = "IMAGE"            # before file_format (5.x)
    out.format.file_format, out.format.color_depth = "PNG", "8"
    out.format.color_management = "OVERRIDE"
    out.format.view_settings.view_transform = node_view
    tree.links.new(rl.outputs["Normal"], out.inputs[0])
    bpy.ops.wm.save_as_mainfile(filepath=str(path))


def test_a_nodes_raw_override_on_an_agx_scene_is_not_colour_managed(tmp_path):
    _override_scene(tmp_path / "raw.blend", "AgX", "Raw")
    result = _lint(tmp_path / "raw.blend")
    assert "error[NS301]" in result.stdout, result.stdout
    assert "NS306" not in result.stdout, result.stdout


def test_a_nodes_agx_override_on_a_raw_scene_is_reported(tmp_path):
    _override_scene(tmp_path / "agx.blend", "Raw", "AgX")
    result = _lint(tmp_path / "agx.blend")
    assert "error[NS306]" in result.stdout, result.stdout
    assert "the File Output's AgX view transform" in result.stdout, result.stdout
