"""Open and save .blend files through bpy, safely.

- open_blend checks the header first (without bpy), refuses files that this Blender cannot
  read faithfully, and loads with Python auto-execution off, so code stored in the file (text
  blocks registered as modules, Python drivers) never runs.
- save_blend_atomic writes a complete new file beside the destination and renames it into place,
  keeping the previous file as ``<name>.blend1`` the way Blender does; a failed save leaves the
  destination as it was.

bpy is imported inside the functions only: importing this module works without Blender.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator

try:
    import fcntl
except ImportError:                  # Windows: applies there are not serialised
    fcntl = None

from nodescript.blender.blendfile import BlendError, BlendFileError, BlendHeader, read_blend_header

__all__ = [
    "BlendError",
    "BlendFileError",
    "BlendSaveError",
    "BlendVersionError",
    "check_version",
    "open_blend",
    "running_blender_version",
    "running_file_version",
    "save_blend_atomic",
    "writers_locked",
]


class BlendVersionError(BlendError):
    """The file was written by a Blender version this one should not open (as asked)."""


class BlendSaveError(BlendError):
    """Saving failed; the destination file is unchanged unless the reason says otherwise."""


def running_blender_version() -> tuple[int, int, int]:
    """The running Blender's release version, e.g. (4, 2, 23)."""
    import bpy

    return tuple(bpy.app.version)


def running_file_version() -> tuple[int, int, int]:
    """The version the running Blender writes into files: (major, minor, subversion).

    E.g. (4, 2, 68) for Blender 4.2.23; it is what a file's header and GLOB block are compared to.
    """
    import bpy

    return tuple(bpy.app.version_file)


# --- opening ---------------------------------------------------------------------------------


def open_blend(path: str | os.PathLike[str], *, allow_upgrade: bool = False) -> BlendHeader:
    """Load ``path`` as Blender's main file, never running scripts stored in it.

    Raises BlendFileError (missing, not a .blend, corrupt) or BlendVersionError (newer Blender,
    or an older major.minor without ``allow_upgrade``). Returns the file's header.
    """
    header = read_blend_header(path)
    check_version(header, running_file_version(), allow_upgrade=allow_upgrade)
    _load_without_scripts(path)
    return header


def check_version(
    header: BlendHeader, running: tuple[int, int, int], *, allow_upgrade: bool = False
) -> None:
    """Refuse a file from a newer Blender, and one from an older major.minor unless allowed.

    ``running`` is ``running_file_version()``: (major, minor, file subversion).
    """
    running_version, running_subversion = tuple(running[:2]), running[2]
    this_blender = f"this Blender {_version_string(running_version)}"
    if header.version > running_version:
        raise BlendVersionError(
            header.path,
            f"saved by Blender {header.version_string}, newer than {this_blender}; "
            f"open it with Blender {header.version_string} or newer",
        )
    if header.version == running_version and (header.subversion or 0) > running_subversion:
        raise BlendVersionError(
            header.path,
            f"saved by a newer build of Blender {header.version_string} (file subversion "
            f"{header.subversion} > {running_subversion}); update this Blender",
        )
    if header.version < running_version and not allow_upgrade:
        raise BlendVersionError(
            header.path,
            f"saved by Blender {header.version_string}; {this_blender} would upgrade it and "
            f"Blender {header.version_string} might not read it back; "
            "pass --allow-upgrade to upgrade it anyway",
        )


def _load_without_scripts(path: str | os.PathLike[str]) -> None:
    import bpy

    # bpy runs in background mode, which never writes preferences back: this lasts for this
    # process only. use_scripts=False below is what guarantees it; this is a second lock.
    bpy.context.preferences.filepaths.use_scripts_auto_execute = False
    try:
        # use_scripts=False: this load never auto-runs Python from the file, whatever the
        # preferences say. load_ui=False: keep our (headless) UI instead of the file's screens.
        # An absolute path: Blender resolves relative ones against $PWD, not the process cwd.
        result = bpy.ops.wm.open_mainfile(
            filepath=os.path.abspath(path), load_ui=False, use_scripts=False
        )
    except RuntimeError as err:
        raise BlendFileError(path, f"Blender could not load it: {_blender_message(err)}") from None
    if result != {"FINISHED"}:
        raise BlendFileError(path, f"Blender did not load it ({', '.join(sorted(result))})")


def _blender_message(err: RuntimeError) -> str:
    """Blender's 'Error: Loading "x" failed: Failed to read blend file 'x': Missing DNA block'
    names the path twice; keep the last clause."""
    text = " ".join(str(err).split())
    return text.rsplit(": ", 1)[-1] or text


# --- saving ----------------------------------------------------------------------------------


def save_blend_atomic(
    dest: str | os.PathLike[str], *, backup: bool = True, compress: bool | None = None
) -> None:
    """Save the current main file to ``dest`` atomically.

    The file is written beside ``dest`` under a temporary name, flushed to disk, then renamed
    over ``dest``; with ``backup`` the previous ``dest`` is kept as ``dest + "1"`` (scene.blend ->
    scene.blend1). ``compress=None`` keeps the compression of the loaded file (or of ``dest``).
    On failure raises BlendSaveError and removes the temporary file; ``dest`` is untouched.
    """
    import bpy

    target = os.path.realpath(dest)  # replace a symlink's target, not the link
    if not os.path.isdir(os.path.dirname(target)):
        raise BlendSaveError(dest, f"directory {os.path.dirname(target)} does not exist")
    if os.path.exists(target) and not os.path.isfile(target):
        raise BlendSaveError(dest, "it is not a regular file (a device, FIFO or folder)")
    if compress is None:
        compress = _compression_in_use(bpy.data.filepath, target)
    temp = None
    try:
        with _signals_as_exceptions():
            temp = _reserve_temp_path(target)
            _write_copy(bpy, temp, compress)
            _commit(temp, target, backup=backup)
    except _Interrupted as err:
        raise BlendSaveError(dest, f"interrupted by signal {err.signum}; the file is as it "
                             "was") from None
    except (OSError, RuntimeError, BlendError) as err:
        raise BlendSaveError(dest, _save_failure_reason(err)) from err
    finally:
        if temp is not None:
            _remove_quietly(temp, temp + "@", temp + "1")  # ours, Blender's, Blender's backup


class _Interrupted(Exception):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    """SIGTERM, SIGINT and SIGHUP while saving raise, so the temporary files are removed
    (a SIGKILL cannot be caught: writers_locked removes what such a kill left)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, _frame):
        raise _Interrupted(signum)

    wanted = [signal.SIGTERM, signal.SIGINT] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {sig: signal.signal(sig, interrupt) for sig in wanted}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def writers_locked(paths) -> Iterator[None]:
    """Hold an exclusive lock on the folders of `paths` while reading, changing and saving, so
    two applies on one file run one after the other (the second reads what the first wrote and
    keeps it as .blend1). The lock is on the folder itself (flock): no lock file is left behind.
    With the lock held no other nodescript is saving there, so temporary files of a killed save
    (`.NAME.*.saving.blend`) are removed."""
    folders = sorted({os.path.dirname(os.path.realpath(p)) or "." for p in paths})
    held: list[int] = []
    try:
        for folder in folders:
            if fcntl is None or not os.path.isdir(folder):
                continue                       # saving reports a missing folder
            fd = os.open(folder, os.O_RDONLY)
            held.append(fd)
            fcntl.flock(fd, fcntl.LOCK_EX)
        for path in paths:
            _remove_stale_temps(os.path.realpath(path))
        yield
    finally:
        for fd in held:
            os.close(fd)                       # closing releases the lock


def _remove_stale_temps(target: str) -> None:
    directory, name = os.path.split(target)
    with contextlib.suppress(OSError):
        for entry in os.listdir(directory or "."):
            if entry.startswith(f".{name}.") and entry.endswith((".saving.blend", ".saving.blend@",
                                                                 ".saving.blend1")):
                _remove_quietly(os.path.join(directory, entry))


def _compression_in_use(*candidates: str) -> bool | None:
    """Whether the first readable .blend among ``candidates`` is compressed (None: unknown)."""
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            with contextlib.suppress(BlendError):
                return read_blend_header(candidate).compression != "none"
    return None  # Blender's default then: 5.0 compresses new files, 4.x does not


def _reserve_temp_path(target: str) -> str:
    """A fresh file beside ``target``: in the same directory the final rename is atomic and
    Blender keeps relative paths (textures, libraries) pointing at the same files."""
    directory, name = os.path.split(target)
    fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".saving.blend", dir=directory)
    os.close(fd)
    return temp


def _write_copy(bpy, temp: str, compress: bool | None) -> None:
    options = {"filepath": os.path.abspath(temp), "copy": True}  # copy: bpy.data.filepath stays the source
    if compress is not None:
        options["compress"] = compress
    with _blender_backups_off(bpy):
        result = bpy.ops.wm.save_as_mainfile(**options)
    if result != {"FINISHED"}:
        raise BlendSaveError(temp, f"Blender did not save ({', '.join(sorted(result))})")
    read_blend_header(temp)  # what Blender wrote must at least be a readable .blend
    _fsync_path(temp)


@contextlib.contextmanager
def _blender_backups_off(bpy) -> Iterator[None]:
    """Blender renames an existing file to .blend1 before saving over it; we keep backups
    ourselves, so it must not (our temp file exists already: mkstemp reserved the name)."""
    filepaths = bpy.context.preferences.filepaths
    saved = filepaths.save_version
    filepaths.save_version = 0
    try:
        yield
    finally:
        filepaths.save_version = saved


def _commit(temp: str, target: str, *, backup: bool) -> None:
    """Rename ``temp`` over ``target``; only then does the old ``target`` become ``target1``."""
    staged_backup = None
    if os.path.exists(target):
        shutil.copymode(target, temp)
        if backup:
            staged_backup = _stage_backup(target)
    try:
        os.replace(temp, target)
        if staged_backup:
            _install_backup(staged_backup, target)
    finally:
        if staged_backup:
            _remove_quietly(staged_backup)
    _fsync_directory(os.path.dirname(target))


def _stage_backup(target: str) -> str:
    """A second name for the current ``target`` (a hard link, or a copy where links fail)."""
    staged = _reserve_temp_path(target)
    os.remove(staged)
    try:
        os.link(target, staged)
    except OSError:
        shutil.copy2(target, staged)
    return staged


def _install_backup(staged: str, target: str) -> None:
    try:
        os.replace(staged, target + "1")
    except OSError as err:
        raise BlendSaveError(
            target, f"saved, but keeping the previous file as {target}1 failed ({err})"
        ) from err


def _fsync_path(path: str) -> None:
    with open(path, "rb") as file:
        os.fsync(file.fileno())


def _fsync_directory(directory: str) -> None:
    """Make the rename durable; not every platform can open a directory, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(directory or ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_quietly(*paths: str) -> None:
    """Best-effort cleanup: never let it hide the error that made cleaning up necessary."""
    for path in paths:
        with contextlib.suppress(OSError):
            os.remove(path)


def _save_failure_reason(err: BaseException) -> str:
    if isinstance(err, BlendSaveError):
        return err.reason
    if isinstance(err, BlendError):
        return f"Blender wrote an unreadable file ({err.reason})"
    if isinstance(err, RuntimeError):
        return f"Blender could not save it: {_blender_message(err)}"
    return f"could not save it ({getattr(err, 'strerror', None) or err})"


def _version_string(version: tuple[int, int]) -> str:
    return ".".join(str(part) for part in version)
