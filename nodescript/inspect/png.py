"""A small exact PNG reader, for what Pillow cannot give: 16-bit colour (RGB, RGBA, grey+alpha).

Pillow opens those as 8-bit modes and silently keeps only the high byte of each sample. This
reader parses the chunks, inflates IDAT with zlib and undoes the row filters with numpy. Filters
1-4 depend on the reconstructed left, upper and upper-left pixels; they are undone one
anti-diagonal of pixels at a time (every pixel of a diagonal depends only on earlier diagonals),
so a 1920x1080 image takes about 3,000 vectorised steps whatever filters the encoder chose.
"""

from __future__ import annotations

import struct
import zlib

from nodescript.inspect.image import InspectError, check_size

SIGNATURE = b"\x89PNG\r\n\x1a\n"
SAMPLES = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}          # colour type -> samples per pixel
CHANNEL_NAMES = {0: ("L",), 2: ("R", "G", "B"), 3: ("P",), 4: ("L", "A"), 6: ("R", "G", "B", "A")}


def read_header(data: bytes) -> dict:
    """IHDR fields: width, height, bit_depth, color_type, interlace."""
    if not data.startswith(SIGNATURE) or len(data) < 33 or data[12:16] != b"IHDR":
        raise InspectError("corrupt PNG: no IHDR header")
    width, height, depth, ctype, _comp, _filt, interlace = struct.unpack(">IIBBBBB", data[16:29])
    if ctype not in SAMPLES:
        raise InspectError(f"corrupt PNG: colour type {ctype}")
    return {"width": width, "height": height, "bit_depth": depth, "color_type": ctype,
            "interlace": interlace}


def _chunks(data: bytes):
    pos = len(SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise InspectError("corrupt PNG: truncated chunk")
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body) & 0xFFFFFFFF:
            raise InspectError(f"corrupt PNG: bad CRC in {kind.decode('latin-1')} chunk")
        yield kind, body
        if kind == b"IEND":
            return
        pos += 12 + length
    raise InspectError("corrupt PNG: no IEND (truncated file)")


def _inflate(idat: bytes, expected: int) -> bytes:
    """At most the `expected` bytes the header promises: extra data is never inflated."""
    try:
        return zlib.decompressobj().decompress(idat, expected)
    except zlib.error as exc:
        raise InspectError(f"corrupt PNG: {exc}") from None


def unfilter(filtered, height: int, row_bytes: int, bpp: int):
    """Undo PNG row filters: `filtered` is the inflated stream; returns (height, row_bytes) uint8."""
    import numpy as np

    raw = np.frombuffer(filtered, dtype=np.uint8)
    if raw.size < height * (row_bytes + 1):
        raise InspectError("corrupt PNG: image data too short")
    raw = raw[: height * (row_bytes + 1)].reshape(height, row_bytes + 1)
    types = raw[:, 0]
    if types.max(initial=0) > 4:
        raise InspectError(f"corrupt PNG: row filter type {int(types.max())}")
    units = row_bytes // bpp
    diff = raw[:, 1:].reshape(height, units, bpp).astype(np.int32)
    # out has a zero row on top and a zero column on the left: out[y + 1, u + 1] is pixel (y, u)
    out = np.zeros((height + 1, units + 1, bpp), dtype=np.int32)
    if not (types >= 3).any():
        for y in range(height):
            row, kind = diff[y], types[y]
            if kind == 1:
                row = np.cumsum(row, axis=0)
            elif kind == 2:
                row = row + out[y, 1:]
            out[y + 1, 1:] = row & 0xFF
        return out[1:, 1:].reshape(height, row_bytes).astype(np.uint8)
    for d in range(height + units - 1):
        y = np.arange(max(0, d - units + 1), min(height, d + 1))
        u = d - y
        kind = types[y][:, None]
        a = out[y + 1, u]          # left
        b = out[y, u + 1]          # up
        c = out[y, u]              # up-left
        p = a + b - c
        pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
        paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
        pred = np.select([kind == 1, kind == 2, kind == 3, kind == 4],
                         [a, b, (a + b) >> 1, paeth], 0)
        out[y + 1, u + 1] = (diff[y, u] + pred) & 0xFF
    return out[1:, 1:].reshape(height, row_bytes).astype(np.uint8)


def read_png(path: str):
    """(header, samples) with samples (height, width, channels) in the stored bit depth (>= 8)."""
    import numpy as np

    with open(path, "rb") as handle:
        data = handle.read()
    header = read_header(data)
    if header["interlace"]:
        raise InspectError("interlaced 16-bit colour PNG is not supported")
    width, height = header["width"], header["height"]
    check_size(width, height, "PNG")
    depth, samples = header["bit_depth"], SAMPLES[header["color_type"]]
    if depth not in (8, 16):
        raise InspectError(f"bit depth {depth} is read through Pillow, not here")
    bpp = samples * depth // 8
    idat = b"".join(body for kind, body in _chunks(data) if kind == b"IDAT")
    inflated = _inflate(idat, height * (width * bpp + 1))
    rows = unfilter(inflated, height, width * bpp, bpp)
    dtype = ">u2" if depth == 16 else "u1"
    pixels = np.frombuffer(rows.tobytes(), dtype=dtype).reshape(height, width, samples)
    return header, pixels.astype(np.uint16 if depth == 16 else np.uint8)
