"""Hostile .blend files and outputs (issue 14): nothing outside --out, no file destroyed, no
hang at exit, clean machine output, one clean line for bad scene values."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import ROOT, empty_compositor, running_dialect  # noqa: E402

DEPTH = ROOT / "examples" / "depth.nodes"


def nodescript(*args, cwd=None, timeout=240):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "nodescript", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=timeout)


def files_under(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _file_output(bpy, name: str, file_name: str = "", slot: str = "Image"):
    """A scene whose compositor is Render Layers -> File Output `name` (EXR) with one slot."""
    scene = bpy.context.scene
    scene.render.use_compositing = True
    tree = empty_compositor(scene)
    rl = tree.nodes.new("CompositorNodeRLayers")
    _add_file_output(tree, rl, name, file_name, slot)


def _add_file_output(tree, rl, name: str, file_name: str = "", slot: str = "Image"):
    fo = tree.nodes.new("CompositorNodeOutputFile")
    fo.name = name
    if hasattr(fo.format, "media_type"):
        fo.format.media_type = "IMAGE"
    fo.format.file_format = "OPEN_EXR"
    if hasattr(fo, "file_output_items"):
        fo.directory, fo.file_name = "//o/", file_name
        fo.file_output_items.clear()
        fo.file_output_items.new("RGBA", slot)
    else:
        fo.base_path = "//o/" + file_name
        fo.file_slots.clear()
        fo.file_slots.new(slot)
    tree.links.new(rl.outputs["Image"], fo.inputs[0])


def test_render_out_folders_stay_apart_when_names_are_made_safe(make_scene, cli, tmp_path):
    def two(b):
        _file_output(b, "a?")
        scene = b.context.scene
        tree = scene.compositing_node_group if hasattr(scene, "compositing_node_group") \
            else scene.node_tree
        _add_file_output(tree, tree.nodes["Render Layers"], "a*")
    ran = cli("render", make_scene(edit=two), "--out", tmp_path / "out")
    assert ran.code == 0, ran.err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a_", "a__2", "render"]


@pytest.mark.parametrize("name, file_name, slot", [
    ("../../x", "", "Image"),
    ("fo", "../../../x", "Image"),
    ("fo", "", "../../x"),
    ("fo", "", "/abs/x"),
])
def test_render_out_keeps_every_file_under_it(make_scene, cli, tmp_path, name, file_name, slot):
    scene_file = make_scene(edit=lambda b: _file_output(b, name, file_name, slot))
    out = tmp_path / "deep" / "out"
    ran = cli("render", scene_file, "--out", out)
    assert ran.code == 0, ran.err
    written = files_under(tmp_path)
    assert [f for f in written if not f.startswith("deep/out/")] == ["scene.blend"], written
    assert len([f for f in written if f.endswith(".exr")]) == 1, written


@pytest.mark.parametrize("slot, expected", [("x_#.exr", "x_1.exr"), ("y_##", "y_01.exr"),
                                            ("//dir/", "dir/0001.exr")])
def test_render_finds_what_blender_wrote(make_scene, tmp_path, slot, expected, version):
    """4.x: an empty base path and `//dir/` write relative to the working folder; a `#` run
    is the frame and an extension already there is not added again (5.0 makes `/` into `_`)."""
    def edit(b):
        _file_output(b, "fo", "", slot)
        fo = b.context.scene.node_tree.nodes["fo"] if not hasattr(
            b.context.scene, "compositing_node_group") else None
        if fo is not None:
            fo.base_path = ""
    items = running_dialect().FILE_OUTPUT_ITEMS
    if items and "/" in slot:
        pytest.skip("items (5.0 on) turn `/` in an item name into `_`")
    scene_file = make_scene(edit=edit)
    work = tmp_path / "work"
    work.mkdir()
    ran = nodescript("render", scene_file, "--frames", "1", cwd=work)
    assert ran.returncode == 0, ran.stderr
    assert "missing" not in ran.stderr
    folder = tmp_path / "o" if items else work
    assert (folder / expected).is_file(), files_under(tmp_path)


def test_render_frames_out_of_range_is_one_line(make_scene, cli):
    ran = cli("render", make_scene(), "--frames", "99999999999")
    assert ran.code == 2 and "is not a Blender frame" in ran.err and "Traceback" not in ran.err


def test_export_never_replaces_a_blend(make_scene, tmp_path):
    scene_file = make_scene()
    before = scene_file.read_bytes()
    other = tmp_path / "other.blend"
    other.write_bytes(before)
    for target in (scene_file, other):
        ran = nodescript("export", scene_file, "-o", target)
        assert ran.returncode == 2 and "will not write" in ran.stderr, ran.stderr
        assert target.read_bytes() == before


def test_apply_refuses_the_graph_and_devices_as_output(make_scene, cli, graph, tmp_path):
    scene_file = make_scene()
    graph_file = graph(DEPTH.read_text())
    text = graph_file.read_text()
    ran = cli("apply", scene_file, graph_file, "-o", graph_file)
    assert ran.code == 2 and "is the input" in ran.err
    assert graph_file.read_text() == text
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me\n")
    ran = cli("apply", scene_file, graph_file, "-o", notes)
    assert ran.code == 2 and "not a .blend file" in ran.err and notes.read_text() == "keep me\n"
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))     # a /dev/null of our own
    ran = cli("apply", scene_file, graph_file, "-o", device)
    assert ran.code == 2 and "not a regular file" in ran.err
    assert stat.S_ISCHR(device.lstat().st_mode)


@pytest.mark.parametrize("setting, words", [("frame_end = -99999999999", "frame_end"),
                                            ('look = "No Such Look"', "look")])
def test_bad_scene_values_are_one_line(make_scene, cli, graph, setting, words):
    graph_file = graph(f"scene {{ {setting} }}\nrl = RenderLayers()\nrl -> Composite()\n")
    ran = cli("apply", make_scene(), graph_file)
    assert ran.code == 2, ran.err
    assert "Blender refused" in ran.err and words in ran.err and "Traceback" not in ran.err


def _waits_for_a_lock(pid: int) -> bool:
    """Linux lists a process blocked in flock in /proc/locks as `-> FLOCK ... <pid> ...`."""
    with open("/proc/locks") as locks:
        return any("->" in line and f" {pid} " in line for line in locks)


@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="needs Linux's /proc/locks")
def test_an_apply_waits_while_another_writes_the_file(make_scene, tmp_path):
    from nodescript.blender.safe_io import writers_locked

    scene_file = make_scene()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with writers_locked([scene_file]):              # as a first apply holds it while it works
        second = subprocess.Popen([sys.executable, "-m", "nodescript", "apply", scene_file, DEPTH],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        for _ in range(1200):
            if _waits_for_a_lock(second.pid) or second.poll() is not None:
                break
            threading.Event().wait(0.1)
        assert second.poll() is None and _waits_for_a_lock(second.pid)
        assert not (tmp_path / "scene.blend1").exists()
    out, err = second.communicate(timeout=240)
    assert second.returncode == 0, err
    assert (tmp_path / "scene.blend1").exists()


def test_stale_saving_files_are_removed(make_scene, cli, tmp_path):
    scene_file = make_scene()
    stale = tmp_path / ".scene.blend.abc123.saving.blend"
    stale.write_bytes(b"half a file")
    assert cli("apply", scene_file, DEPTH).code == 0
    assert not stale.exists()


def _python_driver(b):
    scene = b.context.scene
    cube = b.data.objects.new("Driven", None)
    scene.collection.objects.link(cube)
    fcurve = cube.driver_add("location", 0)
    fcurve.driver.type = "SCRIPTED"
    fcurve.driver.expression = "frame * 2"


def test_a_python_driver_does_not_hang_or_crash_at_exit(make_scene, tmp_path):
    scene_file = make_scene(edit=_python_driver)
    for args in (("lint", scene_file, "--format", "json"), ("apply", scene_file, DEPTH,
                                                            "-o", tmp_path / "o.blend")):
        ran = nodescript(*args, timeout=120)
        assert ran.returncode in (0, 1), (args, ran.returncode, ran.stderr[-2000:])
        assert "Not freed memory" not in ran.stdout + ran.stderr
    json.loads(nodescript("lint", scene_file, "--format", "json", timeout=120).stdout)
