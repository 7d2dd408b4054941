"""Live reload: a timer polls each watched scene's .nodes file and the files it `use`s; on a
change the scene is applied again (through actions.apply, live), within a second. A file with
errors changes nothing (its errors are the findings); only the watched scene is touched.

Which scenes are watched is session state, not stored in the .blend: opening a file stops it.
"""

import hashlib
import os
import stat
from dataclasses import dataclass, field

import bpy

from . import actions
from .props import graph_path

INTERVAL = 0.25                 # seconds between polls: a save is applied within a second
HASHED_UP_TO = 4 * 1024 * 1024  # bytes: a file this small is compared by content, not just stat


@dataclass
class _Watch:
    files: list = field(default_factory=list)      # the file and its includes, as last read
    signature: object = None


_watches: dict = {}             # scene.session_uid -> _Watch


def is_live(scene) -> bool:
    return scene.session_uid in _watches


def start(scene) -> actions.Outcome:
    """Watch the scene and apply its file now."""
    watch = _watches.setdefault(scene.session_uid, _Watch())
    if not bpy.app.timers.is_registered(poll):
        bpy.app.timers.register(poll, first_interval=INTERVAL)
    return _reload(scene, watch)


def stop(scene) -> None:
    _watches.pop(scene.session_uid, None)


def stop_all() -> None:
    _watches.clear()
    if bpy.app.timers.is_registered(poll):
        bpy.app.timers.unregister(poll)


def poll():
    """The timer: re-apply each watched scene whose files changed. Returns the next interval
    (None, which ends the timer, once nothing is watched)."""
    scenes = {s.session_uid: s for s in bpy.data.scenes}
    for uid, watch in list(_watches.items()):
        scene = scenes.get(uid)
        if scene is None:                              # deleted scene
            del _watches[uid]
        elif _signature(scene, watch.files) != watch.signature:
            try:
                _reload(scene, watch)
            except Exception as exc:                   # noqa: BLE001 - a timer that raises is dropped
                watch.signature = _signature(scene, watch.files)
                actions.record(scene, actions.Outcome(False, f"live reload failed: {exc}"))
    return INTERVAL if _watches else None


def _reload(scene, watch: _Watch) -> actions.Outcome:
    from nodescript.blender import in_scene

    before = _signature(scene, watch.files)
    outcome = actions.apply(scene, live=True)
    path = graph_path(scene)
    try:
        files = in_scene.graph_files(path) if actions.is_nodes(path) else []
    except Exception:                                  # noqa: BLE001 - unreadable: keep the old list
        files = watch.files
    if outcome.ok:
        _undo_step(scene)
    watch.signature = before if files == watch.files else _signature(scene, files)
    watch.files = files
    return outcome


def _signature(scene, files) -> tuple:
    path = graph_path(scene)
    return (path, *((f, _stamp(f)) for f in (files or [path])))


def _stamp(path: str):
    """What changes when the file is saved; only a regular file is opened (a FIFO would block)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > HASHED_UP_TO:
            return info.st_mode, info.st_mtime_ns, info.st_size
        with open(path, "rb") as file:
            return info.st_mtime_ns, info.st_size, hashlib.sha1(file.read()).hexdigest()
    except OSError:
        return None


def _undo_step(scene) -> None:
    """Each reload its own undo step, where there is an undo stack (not headless)."""
    try:
        bpy.ops.ed.undo_push(message=f"nodescript live reload ({scene.name})")
    except RuntimeError:
        pass


@bpy.app.handlers.persistent
def _forget(*_args) -> None:
    stop_all()


def register():
    bpy.app.handlers.load_pre.append(_forget)


def unregister():
    stop_all()
    if _forget in bpy.app.handlers.load_pre:
        bpy.app.handlers.load_pre.remove(_forget)
