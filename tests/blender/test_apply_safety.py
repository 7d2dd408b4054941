"""Every safety promise of `nodescript apply`: bad files refused in one line, versions checked,
writes atomic with a .blend1 backup, scripts never run, failures leave the input untouched."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import EXAMPLES, compositor  # noqa: E402

DEPTH = EXAMPLES / "depth.nodes"


def with_version(data: bytes, major: int, minor: int) -> bytes:
    """Rewrite the version digits of an uncompressed file's header (either header style)."""
    if data[7:8] in (b"-", b"_"):
        return data[:9] + b"%d%02d" % (major, minor) + data[12:]
    return data[:13] + b"%04d" % (major * 100 + minor) + data[17:]


def older_version() -> tuple[int, int]:
    major, minor = bpy.app.version[:2]
    return (major, minor - 1) if minor else (major - 1, 5)


def assert_one_line_error(ran, path) -> None:
    assert ran.code == 2
    lines = ran.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: "), ran.err


def only_files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("content", [b"", b"not a blend file at all\n", b"BLENDER-v402" + b"\x00" * 7])
def test_not_a_blend_file_is_refused_in_one_line(cli, tmp_path, content):
    path = tmp_path / "scene.blend"
    path.write_bytes(content)
    ran = cli("apply", path, DEPTH)
    assert_one_line_error(ran, path)
    assert path.read_bytes() == content and only_files(tmp_path) == ["scene.blend"]


def test_missing_file_is_refused(cli, tmp_path):
    ran = cli("apply", tmp_path / "nope.blend", DEPTH)
    assert_one_line_error(ran, tmp_path / "nope.blend")
    assert only_files(tmp_path) == []


def test_truncated_blend_file_is_refused(make_scene, cli, tmp_path):
    path = make_scene()
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 3])
    ran = cli("apply", path, DEPTH)
    assert ran.code == 2 and ran.err.startswith(f"{path}: ")
    assert path.read_bytes() == whole[: len(whole) // 3]


def test_file_from_a_newer_blender_is_refused_even_with_allow_upgrade(make_scene, cli):
    path = make_scene()
    newer = with_version(path.read_bytes(), 9, 9)
    path.write_bytes(newer)
    for extra in ((), ("--allow-upgrade",), ("--check",)):
        ran = cli("apply", path, DEPTH, *extra)
        assert_one_line_error(ran, path)
        assert "newer" in ran.err and "9.9" in ran.err
    assert path.read_bytes() == newer


def test_older_file_needs_allow_upgrade(make_scene, cli, tmp_path):
    path = make_scene()
    older = with_version(path.read_bytes(), *older_version())
    path.write_bytes(older)

    refused = cli("apply", path, DEPTH)
    assert_one_line_error(refused, path)
    assert "--allow-upgrade" in refused.err and path.read_bytes() == older

    upgraded = cli("apply", path, DEPTH, "--allow-upgrade", "-o", tmp_path / "new.blend")
    assert upgraded.code == 0, upgraded.err
    assert "saved by Blender %d.%d" % older_version() in upgraded.out
    assert path.read_bytes() == older
    from nodescript.blender.blendfile import read_blend_header
    assert read_blend_header(tmp_path / "new.blend").version == tuple(bpy.app.version[:2])


def test_writing_in_place_keeps_the_previous_file_as_blend1(make_scene, cli, tmp_path):
    path = make_scene()
    original = path.read_bytes()
    ran = cli("apply", path, DEPTH)
    assert ran.code == 0 and "scene.blend1" in ran.out
    assert (tmp_path / "scene.blend1").read_bytes() == original
    assert path.read_bytes() != original
    assert only_files(tmp_path) == ["scene.blend", "scene.blend1"]     # no temporary files left


def test_writing_elsewhere_leaves_the_input_alone(make_scene, cli, tmp_path):
    path = make_scene()
    original = path.read_bytes()
    assert cli("apply", path, DEPTH, "-o", tmp_path / "out.blend").code == 0
    assert path.read_bytes() == original
    assert only_files(tmp_path) == ["out.blend", "scene.blend"]


def test_failed_save_leaves_input_untouched(make_scene, cli, tmp_path):
    path = make_scene()
    original = path.read_bytes()
    ran = cli("apply", path, DEPTH, "-o", tmp_path / "missing" / "out.blend")
    assert ran.code == 2 and "does not exist" in ran.err
    assert path.read_bytes() == original and only_files(tmp_path) == ["scene.blend"]


@pytest.mark.parametrize("text, message", [
    ('rl = RenderLayers(layer="Nope")\nrl.Image -> Composite()\n', "no view layer 'Nope'"),
    ('Image(image="missing.png") -> Composite()\n', "no image named 'missing.png'"),
])
def test_failure_while_applying_writes_nothing(make_scene, cli, graph, tmp_path, text, message):
    path = make_scene()
    original = path.read_bytes()
    ran = cli("apply", path, graph(text))
    assert ran.code != 0 and message in ran.err
    assert path.read_bytes() == original
    assert only_files(tmp_path) == ["graph.nodes", "scene.blend"]


def test_graph_errors_stop_before_the_file_is_read(cli, graph, tmp_path):
    blend = tmp_path / "never-read.blend"          # does not even exist: lint comes first
    ran = cli("apply", blend, graph("rl = RenderLayers()\nrl.Depht -> Composite()\n"))
    assert ran.code == 1 and "NS103" in ran.err and "Depth" in ran.err


def test_graph_for_other_versions_is_refused(make_scene, cli, graph, version):
    from nodescript import dialects

    other = next(v for v in dialects.versions() if v != version)
    path = make_scene()
    original = path.read_bytes()
    ran = cli("apply", path, graph(f'target "{other}"\nrl = RenderLayers()\nrl.Image -> Composite()\n'))
    assert ran.code == 1 and f"not {version}" in ran.err
    assert path.read_bytes() == original


def test_scripts_in_the_file_never_run(make_scene, cli, tmp_path):
    marker = tmp_path / "marker.txt"

    def add_script(bpy):
        text = bpy.data.texts.new("startup_hook.py")
        text.write(f"open({str(marker)!r}, 'w').write('ran')\n")
        text.use_module = True
    path = make_scene(edit=add_script)
    bpy.context.preferences.filepaths.use_scripts_auto_execute = True     # the worst case

    assert cli("apply", path, DEPTH).code == 0
    assert not marker.exists()


def test_check_and_dry_run_never_write(make_scene, cli, tmp_path):
    path = make_scene()
    original = path.read_bytes()
    assert cli("apply", path, DEPTH, "--check").code == 1
    assert cli("apply", path, DEPTH, "--dry-run").code == 0
    assert path.read_bytes() == original and only_files(tmp_path) == ["scene.blend"]


def test_apply_result_loads_in_blender(make_scene, cli, open_file, tmp_path):
    path = make_scene()
    assert cli("apply", path, DEPTH, "-o", tmp_path / "out.blend").code == 0
    scene = open_file(tmp_path / "out.blend")
    assert "depth" in compositor(scene).nodes
