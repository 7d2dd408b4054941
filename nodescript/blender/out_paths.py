"""File names under `render --out`, and where Blender writes (pure functions, no bpy).

Under `--out` every name that comes from the .blend (node and group names, 5.0 `file_name`,
4.x slot paths, the render result's name) is made safe, so every file lands under the folder:
characters other than letters (any script), digits, `_`, `-`, `.`, space, `#` and `{}` become `_`, a name
that is empty or starts with `.` gets a leading `_`, and a slot path keeps its sub-folders
with each one made safe the same way (`../../x` -> `_../_../x`, `//dir/` -> `dir/`).
"""

from __future__ import annotations

import os
import re

_UNSAFE = re.compile(r"[^\w\-. #{}]")

# What Blender takes as the extension already there (it adds none then): per file format.
EXTENSIONS = {"OPEN_EXR": (".exr",), "OPEN_EXR_MULTILAYER": (".exr",), "PNG": (".png",),
              "JPEG": (".jpg", ".jpeg"), "JPEG2000": (".jp2", ".j2c"), "TIFF": (".tif", ".tiff"),
              "BMP": (".bmp",), "TARGA": (".tga",), "TARGA_RAW": (".tga",),
              "IRIS": (".rgb", ".sgi"), "CINEON": (".cin",), "DPX": (".dpx",),
              "HDR": (".hdr",), "WEBP": (".webp",)}


def safe_component(name: str) -> str:
    """One folder or file name that cannot leave its folder."""
    safe = _UNSAFE.sub("_", name)
    return safe if safe and not safe.startswith(".") else "_" + safe


def safe_relative(path: str) -> str:
    """A slot path kept relative and inside: each folder made safe, the trailing `/` kept."""
    parts = [p for p in re.split(r"[/\\]+", path) if p]
    safe = "/".join(safe_component(p) for p in parts)
    return safe + "/" if safe and path.endswith(("/", "\\")) else safe


def blender_join(base: str, path: str) -> str:
    """4.x base_path + slot path as Blender joins them: the slot's leading `/` are dropped
    (an empty base and `//dir/` write `dir/` relative to the working folder)."""
    tail = path.lstrip("/\\")
    if not base:
        return tail
    return base if not tail else base.rstrip("/\\") + "/" + tail


def frame_name(name: str, frame: int) -> str:
    """Blender's rule: the last run of `#` becomes the zero-padded frame, else 4 digits are added."""
    runs = list(re.finditer(r"#+", name))
    if not runs:
        return f"{name}{frame:04d}"
    last = runs[-1]
    return f"{name[:last.start()]}{frame:0{len(last.group())}d}{name[last.end():]}"


def with_extension(name: str, file_format: str) -> str:
    """Blender adds the format's extension unless the name ends with it (`x_#.exr` -> x_3.exr)."""
    known = EXTENSIONS.get(file_format, ("." + file_format.lower(),))
    return name if name.lower().endswith(known) else name + known[0]


def written_file(folder: str, name: str, frame: int, file_format: str,
                 extension: bool = True) -> str:
    """Where Blender writes one frame; `extension` off (5.2+ `use_file_extension`): as named."""
    named = frame_name(name, frame)
    return os.path.join(folder, with_extension(named, file_format) if extension else named)
