"""Reading and writing `.nodes` files as if every one were hostile (docs/safety.md).

- `read_source` (and `read_named_source`, which also refuses a symlink out of the project)
  reads only regular files (a FIFO or a device such as /dev/zero is refused before it can
  block or never end), at most MAX_SOURCE_BYTES, as UTF-8; every failure is a `SourceError`
  with one clean reason.
- `include_problem` keeps `use` inside the project: the included file must be a `.nodes` file
  under the include root (the repository the file named on the command line is in, else the
  folder of the nearest pyproject.toml above it, else its own folder), after following symlinks.
- `write_text` writes a file's text atomically through an unpredictable temporary
  name, writing through symlinks to their target, keeping the mode, and in place when the file
  has other hard links.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

MAX_SOURCE_BYTES = 64 * 1024 * 1024
SOURCE_SUFFIX = ".nodes"
ROOT_MARKERS = (".git", "pyproject.toml")      # in this order of preference


class SourceError(Exception):
    """A file that cannot be read or written as a `.nodes` source; `reason` is one line."""

    def __init__(self, reason: str, line: int = 1, col: int = 1):
        super().__init__(reason)
        self.reason, self.line, self.col = reason, line, col


def read_source(path: str | os.PathLike) -> str:
    """The UTF-8 text of a regular file of at most MAX_SOURCE_BYTES."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except (OSError, ValueError) as exc:
        raise SourceError(_os_reason(exc)) from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError("not a regular file")
        data = file.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(f"larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MiB")
    return decode(data)


def read_named_source(path: str | os.PathLike) -> str:
    """read_source for a file named on the command line (or found in a folder given there).
    Reached through a symlink, it must be a .nodes file inside the project the link is in: a
    pull request's `x.nodes -> /etc/shadow` is neither printed (syntax errors quote tokens) nor,
    by fmt, written through."""
    named = Path(os.path.abspath(path))
    real = _resolved(named)
    if real != named and _resolved(named.parent) / named.name != real:     # a symlinked file
        problem = include_problem(named, _project_of(_resolved(named.parent)))
        if problem is not None:
            raise SourceError(f"a symlink to a file that is not a source here ({problem})")
    return read_source(path)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise SourceError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", line, col) from None


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, ValueError):          # a NUL byte in the path
        return "not a valid path"
    return exc.strerror or str(exc)


def include_root(top_file: str | os.PathLike) -> Path:
    """The folder `use` may read from: the project of the file named on the command line."""
    return _project_of(_resolved(Path(top_file)).parent)


def _project_of(folder: Path) -> Path:
    """The repository (nearest `.git` above), else the nearest `pyproject.toml`'s folder, else
    `folder`: a monorepo's sub-projects may share .nodes files anywhere in the repository."""
    for marker in ROOT_MARKERS:
        for candidate in (folder, *folder.parents):
            if (candidate / marker).exists():
                return candidate
    return folder


def include_problem(path: Path, root: Path) -> str | None:
    """Why `use` may not read `path` (None when it may)."""
    if path.suffix != SOURCE_SUFFIX:
        return f"only {SOURCE_SUFFIX} files can be included"
    try:
        real = _resolved(path)
    except SourceError as exc:
        return exc.reason
    if real.suffix != SOURCE_SUFFIX:            # a link to the project's .env, say
        return f"a link to {real.name}, which is not a {SOURCE_SUFFIX} file"
    if not real.is_relative_to(root):
        return f"outside the project folder {root}"
    return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:   # symlink loop (RuntimeError before 3.13)
        reason = "symlink loop" if "loop" in str(exc).lower() else _os_reason(exc)
        raise SourceError(reason) from None


def output_problem(output: str | os.PathLike, inputs=()) -> str | None:
    """Why a command must not write `output` (None when it may): it is one of the command's
    inputs, an existing device, FIFO or folder, or its folder does not exist."""
    out = Path(output)
    if out.exists():
        if not out.is_file():
            return "it exists and is not a regular file"
        for item in inputs:
            with contextlib.suppress(OSError):
                if os.path.samefile(out, item):
                    return f"it is the input {item}"
    elif not out.parent.is_dir():
        return f"the folder {out.parent} does not exist"
    return None


def write_text(path: str | os.PathLike, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `path` (new or existing) atomically; raises SourceError with the reason."""
    target = _resolved(Path(path))          # write the symlink's target, keep the symlink
    try:
        try:
            info = os.stat(target)
        except FileNotFoundError:
            _replace_atomically(target, data, 0o666 & ~_umask())
            return
        if not stat.S_ISREG(info.st_mode):
            raise SourceError("not a regular file")
        if info.st_nlink > 1:               # renaming would break the other hard links
            with open(target, "r+b") as file:
                file.write(data)
                file.truncate()
            return
        _replace_atomically(target, data, stat.S_IMODE(info.st_mode))
    except OSError as exc:
        raise SourceError(f"cannot write: {_os_reason(exc)}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace_atomically(target: Path, data: bytes, mode: int) -> None:
    # mkstemp: a random name opened with O_EXCL, so a planted file or symlink is never written.
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".nodescript-tmp",
                               dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            os.fchmod(file.fileno(), mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
