"""open_blend / save_blend_atomic against the real Blender of this venv."""

from __future__ import annotations

import dataclasses
import glob
import os
import shutil
import stat
import struct

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from nodescript.blender.blendfile import BlendFileError, read_blend_header  # noqa: E402
from nodescript.blender.safe_io import (  # noqa: E402
    BlendSaveError,
    BlendVersionError,
    check_version,
    open_blend,
    running_blender_version,
    running_file_version,
    save_blend_atomic,
)

RUNNING = tuple(bpy.app.version_file)  # (major, minor, file subversion)
WRITES_17_BYTE_HEADER = bpy.app.version >= (5, 0)


@pytest.fixture(autouse=True)
def factory_blender():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    yield
    bpy.ops.wm.read_factory_settings(use_empty=True)  # drop prefs and data the test changed


def save_scene(path, *, compress: bool | None = False, scene_name: str = "Original") -> bytes:
    bpy.context.scene.name = scene_name
    options = {} if compress is None else {"compress": compress}
    bpy.ops.wm.save_as_mainfile(filepath=str(path), copy=True, **options)
    return path.read_bytes()


def with_version(data: bytes, major: int, minor: int) -> bytes:
    """Rewrite the version digits of an uncompressed file's header, in either header style."""
    if data[7:8] in (b"-", b"_"):
        return data[:9] + b"%d%02d" % (major, minor) + data[12:]
    return data[:13] + b"%04d" % (major * 100 + minor) + data[17:]


def synthetic_blend(major: int, minor: int, *, large: bool) -> bytes:
    """Header + REND + GLOB + ENDB, enough for the header reader (Blender could not load it)."""
    version = major * 100 + minor
    header = b"BLENDER17-01v%04d" % version if large else b"BLENDER-v%03d" % version

    def block(code: bytes, data: bytes) -> bytes:
        if large:  # code, SDNA index, old address, length, count
            return struct.pack("<4siQqq", code, 0, 1, len(data), 1) + data
        return struct.pack("<4siQii", code, len(data), 1, 0, 1) + data

    glob_data = struct.pack("<4shhh", b"   1", 1, version, 0)
    return header + block(b"REND", bytes(8)) + block(b"GLOB", glob_data) + block(b"ENDB", b"")


def files_in(directory) -> list[str]:
    return sorted(os.listdir(directory))


def assert_one_line_about(err: Exception, path) -> None:
    text = str(err)
    assert text.startswith(f"{path}: ") and "\n" not in text


# --- the header reader on files this Blender writes ------------------------------------------


@pytest.mark.parametrize("compress", [False, True])
def test_header_reader_reads_what_this_blender_writes(tmp_path, compress):
    path = tmp_path / "scene.blend"
    save_scene(path, compress=compress)
    header = read_blend_header(path)
    assert header.version == RUNNING[:2] == running_blender_version()[:2]
    assert header.subversion == RUNNING[2]
    assert header.compression == ("zstd" if compress else "none")
    assert header.header_format == ("17-byte" if WRITES_17_BYTE_HEADER else "12-byte")
    assert (header.pointer_size, header.endian) == (8, "little")
    assert header.min_version is not None and header.min_version <= header.version


def test_blender_5_compresses_new_files_by_default(tmp_path):
    path = tmp_path / "scene.blend"
    save_scene(path, compress=None)
    expected = "zstd" if bpy.app.version >= (5, 0) else "none"
    assert read_blend_header(path).compression == expected


# --- opening ---------------------------------------------------------------------------------


def test_open_blend_loads_the_file(tmp_path):
    path = tmp_path / "scene.blend"
    save_scene(path, scene_name="Shot010")
    bpy.ops.wm.read_factory_settings(use_empty=True)

    header = open_blend(path)

    assert header.version == RUNNING[:2]
    assert bpy.data.filepath == str(path)
    assert "Shot010" in bpy.data.scenes


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_file_is_a_blend_file_error(tmp_path, compress):
    good = tmp_path / "good.blend"
    data = save_scene(good, compress=compress)
    path = tmp_path / "cut.blend"
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(BlendFileError) as caught:
        open_blend(path)

    assert_one_line_about(caught.value, path)
    assert path.read_bytes() == data[: len(data) // 2]


def test_garbage_behind_a_blender_header_is_a_blend_file_error(tmp_path):
    path = tmp_path / "garbage.blend"
    real = save_scene(tmp_path / "good.blend")
    header_size = 17 if WRITES_17_BYTE_HEADER else 12
    path.write_bytes(real[:header_size] + os.urandom(4096))
    before = path.read_bytes()

    with pytest.raises(BlendFileError) as caught:
        open_blend(path)

    assert_one_line_about(caught.value, path)
    assert path.read_bytes() == before


def test_blender_load_error_becomes_a_blend_file_error(tmp_path):
    """The header is fine, the rest is not: bpy's RuntimeError must come out as BlendFileError."""
    data = save_scene(tmp_path / "good.blend")
    path = tmp_path / "no-dna.blend"
    # Cut past GLOB: 5.1+ files saved in the background open with a 64 KB thumbnail block.
    path.write_bytes(data[:data.index(b"GLOB") + 4096])
    read_blend_header(path)  # passes the header check

    with pytest.raises(BlendFileError) as caught:
        open_blend(path)

    assert "Blender could not load it" in caught.value.reason
    assert_one_line_about(caught.value, path)


def test_failed_load_keeps_the_previous_file_loaded(tmp_path):
    good = tmp_path / "good.blend"
    save_scene(good, scene_name="Kept")
    open_blend(good)
    broken = tmp_path / "broken.blend"
    data = good.read_bytes()
    broken.write_bytes(data[:data.index(b"GLOB") + 4096])

    with pytest.raises(BlendFileError):
        open_blend(broken)

    assert bpy.data.filepath == str(good)
    assert "Kept" in bpy.data.scenes


@pytest.mark.parametrize("name, content", [("missing.blend", None), ("empty.blend", b"")])
def test_missing_and_empty_files(tmp_path, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BlendFileError) as caught:
        open_blend(path)
    assert_one_line_about(caught.value, path)


# --- versions --------------------------------------------------------------------------------


def test_file_from_a_newer_blender_is_refused(tmp_path):
    path = tmp_path / "future.blend"
    path.write_bytes(with_version(save_scene(tmp_path / "now.blend"), 9, 9))
    before = path.read_bytes()

    with pytest.raises(BlendVersionError) as caught:
        open_blend(path, allow_upgrade=True)

    assert "Blender 9.9, newer than this Blender" in str(caught.value)
    assert_one_line_about(caught.value, path)
    assert bpy.data.filepath == ""  # never handed to bpy
    assert path.read_bytes() == before


@pytest.mark.parametrize("large", [False, True], ids=["12-byte", "17-byte"])
def test_newer_version_is_refused_in_both_header_styles(tmp_path, large):
    path = tmp_path / "future.blend"
    path.write_bytes(synthetic_blend(9, 9, large=large))
    with pytest.raises(BlendVersionError, match="newer"):
        open_blend(path)
    assert bpy.data.filepath == ""


def test_newer_build_of_the_same_version_is_refused(tmp_path):
    path = tmp_path / "scene.blend"
    save_scene(path)
    header = read_blend_header(path)

    check_version(header, running_file_version())  # this build's own file: fine
    newer_build = dataclasses.replace(header, subversion=RUNNING[2] + 1)
    with pytest.raises(BlendVersionError, match="newer build"):
        check_version(newer_build, running_file_version(), allow_upgrade=True)


def older_version() -> tuple[int, int]:
    major, minor = RUNNING[:2]
    return (major, minor - 1) if minor else (major - 1, 5)  # 5.0 follows 4.5


def test_file_from_an_older_blender_needs_allow_upgrade(tmp_path):
    path = tmp_path / "old.blend"
    current = save_scene(tmp_path / "now.blend", scene_name="Old")
    path.write_bytes(with_version(current, *older_version()))

    with pytest.raises(BlendVersionError) as caught:
        open_blend(path)
    assert "--allow-upgrade" in str(caught.value)
    assert_one_line_about(caught.value, path)
    assert bpy.data.filepath == ""

    header = open_blend(path, allow_upgrade=True)
    assert header.version == older_version()
    assert tuple(bpy.data.version[:2]) == older_version()
    assert "Old" in bpy.data.scenes


def shipped_older_blend_file() -> str | None:
    """The smallest .blend shipped inside bpy that an older Blender wrote (asset libraries)."""
    root = bpy.utils.resource_path("LOCAL")
    older = [
        path
        for path in glob.glob(os.path.join(root, "**", "*.blend"), recursive=True)
        if read_blend_header(path).version < RUNNING[:2]
    ]
    return min(older, key=os.path.getsize, default=None)


def test_real_file_from_an_older_blender(tmp_path):
    shipped = shipped_older_blend_file()
    if shipped is None:
        pytest.skip("this bpy ships no .blend file from an older Blender")
    path = tmp_path / "older.blend"
    shutil.copyfile(shipped, path)

    with pytest.raises(BlendVersionError, match="--allow-upgrade"):
        open_blend(path)
    header = open_blend(path, allow_upgrade=True)

    assert header.version < RUNNING[:2]
    assert bpy.data.filepath == str(path)


# --- scripts stored in the file --------------------------------------------------------------


def save_file_with_module_text_block(path, marker) -> None:
    text = bpy.data.texts.new("startup_hook.py")
    text.write(f"open({str(marker)!r}, 'w').write('ran')\n")
    text.use_module = True  # Blender runs such text blocks on load when auto-execution is on
    bpy.ops.wm.save_as_mainfile(filepath=str(path), copy=True)
    bpy.ops.wm.read_factory_settings(use_empty=True)


def test_module_text_block_would_run_if_scripts_were_allowed(tmp_path):
    """The control for the next test: the stored script is live."""
    path, marker = tmp_path / "hook.blend", tmp_path / "marker.txt"
    save_file_with_module_text_block(path, marker)
    bpy.ops.wm.open_mainfile(filepath=str(path), load_ui=False, use_scripts=True)
    assert marker.read_text() == "ran"


def test_open_blend_never_runs_scripts_stored_in_the_file(tmp_path):
    path, marker = tmp_path / "hook.blend", tmp_path / "marker.txt"
    save_file_with_module_text_block(path, marker)
    bpy.context.preferences.filepaths.use_scripts_auto_execute = True  # worst case

    open_blend(path)

    assert not marker.exists()
    assert bpy.app.autoexec_fail  # Blender noticed a script and skipped it
    assert "startup_hook.py" in bpy.data.texts
    assert bpy.context.preferences.filepaths.use_scripts_auto_execute is False


# --- saving ----------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True])
def test_atomic_save_keeps_the_old_file_as_blend1(tmp_path, compress):
    path = tmp_path / "scene.blend"
    old_bytes = save_scene(path, compress=compress, scene_name="Before")
    open_blend(path)
    bpy.context.scene.name = "After"

    save_blend_atomic(path)

    assert files_in(tmp_path) == ["scene.blend", "scene.blend1"]
    assert (tmp_path / "scene.blend1").read_bytes() == old_bytes
    assert read_blend_header(path).compression == ("zstd" if compress else "none")
    bpy.ops.wm.read_factory_settings(use_empty=True)
    open_blend(path)
    assert "After" in bpy.data.scenes and "Before" not in bpy.data.scenes


def test_atomic_save_replaces_an_older_backup(tmp_path):
    path = tmp_path / "scene.blend"
    old_bytes = save_scene(path)
    (tmp_path / "scene.blend1").write_bytes(b"an older backup")
    open_blend(path)

    save_blend_atomic(path)

    assert (tmp_path / "scene.blend1").read_bytes() == old_bytes


def test_atomic_save_without_backup(tmp_path):
    path = tmp_path / "scene.blend"
    save_scene(path)
    open_blend(path)

    save_blend_atomic(path, backup=False)

    assert files_in(tmp_path) == ["scene.blend"]


def test_atomic_save_to_a_new_file_keeps_the_loaded_path(tmp_path):
    source = tmp_path / "scene.blend"
    save_scene(source, scene_name="Copied")
    open_blend(source)

    save_blend_atomic(tmp_path / "copy.blend")

    assert files_in(tmp_path) == ["copy.blend", "scene.blend"]
    assert bpy.data.filepath == str(source)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    open_blend(tmp_path / "copy.blend")
    assert "Copied" in bpy.data.scenes


def test_atomic_save_keeps_the_file_mode(tmp_path):
    path = tmp_path / "scene.blend"
    save_scene(path)
    path.chmod(0o640)
    open_blend(path)

    save_blend_atomic(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o640


class FailingSaveOps:
    """Stands in for bpy.ops.wm: save_as_mainfile writes part of a file, then fails."""

    def __init__(self, real_wm) -> None:
        self.real_wm = real_wm

    def __getattr__(self, name):
        return getattr(self.real_wm, name)

    def save_as_mainfile(self, *, filepath, **options):
        for partial in (filepath, filepath + "@"):
            with open(partial, "wb") as file:
                file.write(b"BLENDER-v4 partial")
        raise RuntimeError(f'Error: Cannot write "{filepath}": disk full\n')


def test_failed_blender_save_leaves_dest_untouched(tmp_path, monkeypatch):
    path = tmp_path / "scene.blend"
    old_bytes = save_scene(path)
    open_blend(path)
    monkeypatch.setattr(bpy.ops, "wm", FailingSaveOps(bpy.ops.wm))

    with pytest.raises(BlendSaveError) as caught:
        save_blend_atomic(path)

    assert_one_line_about(caught.value, path)
    assert "disk full" in str(caught.value)
    assert path.read_bytes() == old_bytes
    assert files_in(tmp_path) == ["scene.blend"]  # no temp file, no .blend1


def test_failed_rename_leaves_dest_and_backup_untouched(tmp_path, monkeypatch):
    path = tmp_path / "scene.blend"
    old_bytes = save_scene(path)
    (tmp_path / "scene.blend1").write_bytes(b"previous backup")
    open_blend(path)
    real_replace = os.replace

    def replace_failing_onto_dest(src, dst):
        if os.fspath(dst) == str(path):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_failing_onto_dest)

    with pytest.raises(BlendSaveError, match="No space left on device"):
        save_blend_atomic(path)

    assert path.read_bytes() == old_bytes
    assert (tmp_path / "scene.blend1").read_bytes() == b"previous backup"
    assert files_in(tmp_path) == ["scene.blend", "scene.blend1"]


def test_save_into_a_missing_directory_fails_cleanly(tmp_path):
    save_scene(tmp_path / "scene.blend")
    open_blend(tmp_path / "scene.blend")
    dest = tmp_path / "missing" / "scene.blend"

    with pytest.raises(BlendSaveError) as caught:
        save_blend_atomic(dest)

    assert_one_line_about(caught.value, dest)
    assert files_in(tmp_path) == ["scene.blend"]
