"""What was read from one image file: its channels as stored, plus how they were stored.

`load_image(path)` picks the reader by the file's first bytes (not its name) and raises
`InspectError` with a one-line message for a missing, unreadable, corrupt or unsupported file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

EXR_MAGIC = b"\x76\x2f\x31\x01"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TIFF_MAGICS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


class InspectError(Exception):
    """A file could not be inspected; the message is one line, without the path."""


@dataclass
class Channel:
    """One channel, as stored.

    kind: how values are quantized: "half", "float" (float32), "double", "uint" (EXR UINT: raw
    integers), "int" (integer raster: values are normalized by `full_scale`).
    """

    name: str
    pixels: Any                     # 2-D numpy array in the stored type
    kind: str
    pixel_type: str                 # as the format calls it: HALF, FLOAT, UINT, 8-bit, 16-bit, ...
    bits: int
    part: str | None = None         # EXR part name (multi-part files)
    compression: str | None = None
    lossy: bool = False
    lossy_note: str = ""
    mantissa_bits: int | None = None  # kept by the codec when fewer than the type's (PXR24: 15)
    full_scale: int | None = None     # integer rasters: the largest code (255, 65535)

    @property
    def label(self) -> str:
        return f"{self.part}/{self.name}" if self.part else self.name


@dataclass
class ImageFile:
    path: str
    format: str
    width: int
    height: int
    channels: list[Channel]
    notes: list[str] = field(default_factory=list)
    parts: list[dict] = field(default_factory=list)


# Pillow's own decompression-bomb limit (Image.MAX_IMAGE_PIXELS): a few KB of compressed data can
# declare gigapixels, so every reader checks the declared size before decoding anything.
MAX_PIXELS = 89_478_485


def check_size(width: int, height: int, what: str = "image") -> None:
    """Refuse a declared size over MAX_PIXELS (or a nonsensical one) before decoding."""
    if width <= 0 or height <= 0:
        raise InspectError(f"corrupt {what}: declared size {width}x{height}")
    if width * height > MAX_PIXELS:
        raise InspectError(f"{what} declares {width}x{height} pixels, over the "
                           f"{MAX_PIXELS:,}-pixel limit (a decompression bomb?); not decoded")


def sniff(path: str) -> str:
    """The format from the first bytes: "exr", "png", "tiff", "other"; raises InspectError."""
    if not os.path.exists(path):
        raise InspectError("no such file")
    if os.path.isdir(path):
        raise InspectError("is a folder, not an image file")
    if not os.path.isfile(path):                # a FIFO or device would block or never end
        raise InspectError("not a regular file")
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise InspectError(f"cannot read: {exc.strerror or exc}") from None
    if not head:
        raise InspectError("empty file")
    if head.startswith(EXR_MAGIC):
        return "exr"
    if head.startswith(PNG_MAGIC):
        return "png"
    if head[:4] in TIFF_MAGICS:
        return "tiff"
    return "other"


def load_image(path: str) -> ImageFile:
    kind = sniff(path)
    if kind == "exr":
        from nodescript.inspect.exr import read_exr
        return read_exr(path)
    from nodescript.inspect.raster import read_raster
    return read_raster(path, kind)
