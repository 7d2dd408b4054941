"""EXR files through the OpenEXR 3.x Python binding: every part, every channel, as stored.

Binding behaviours this module works around (OpenEXR 3.5):
- `File(path)` merges R,G,B(,A) into one array by default, and refuses a file whose colour
  channels mix HALF and FLOAT; `separate_channels=True` gives each channel as stored.
- The pixel type is not read from the header: `Channel.type()` is derived from the numpy dtype
  (float16 -> HALF, float32 -> FLOAT, uint32 -> UINT), and raises IndexError on a header-only read.
- A part whose pixel data fails to decode (truncated or corrupt file) does not raise: the binding
  prints "Warning: Exception raised reading pixel data for part N" to Python's stdout and returns a
  File without that part (and the parts after it). The part count from a header-only read tells.
- The C library prints its own errors to the process's stderr (fd 2).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile

from nodescript.inspect.image import Channel, ImageFile, InspectError, check_size

LOSSLESS = {"NONE", "RLE", "ZIPS", "ZIP", "PIZ", "ZSTD", "HTJ2K256", "HTJ2K32"}
DWA_LOSSY_SUFFIXES = {"R", "G", "B", "Y", "BY", "RY"}   # OpenEXR's DWA rules: exact, case-sensitive
KINDS = {"float16": ("half", "HALF", 16), "float32": ("float", "FLOAT", 32),
         "uint32": ("uint", "UINT", 32)}


def codec_name(compression) -> str:
    """`Compression.PXR24_COMPRESSION` -> "PXR24"; "NO" -> "NONE"."""
    name = getattr(compression, "name", str(compression)).split(".")[-1]
    name = name.removesuffix("_COMPRESSION")
    return "NONE" if name == "NO" else name


def lossiness(codec: str, kind: str, name: str, layer_names: set[str]) -> tuple[bool, str, int | None]:
    """(lossy, note, mantissa bits kept) for one channel stored with `codec`."""
    suffix = name.rsplit(".", 1)[-1]
    if codec in LOSSLESS:
        return False, "", None
    if codec == "PXR24":
        if kind == "float":
            return True, "PXR24 rounds 32-bit floats to 24 bits (15 mantissa bits)", 15
        return False, f"PXR24 is lossless on {kind.upper()}", None
    if codec in ("B44", "B44A"):
        if kind == "half":
            return True, f"{codec} is lossy on HALF channels", None
        return False, f"{codec} stores {kind.upper()} channels losslessly", None
    if codec in ("DWAA", "DWAB"):
        if suffix in DWA_LOSSY_SUFFIXES:
            return True, f"{codec} is lossy on channels named {suffix} (after the last dot)", None
        return False, f"{codec} is lossless on a channel named {suffix}", None
    if codec == "LJ2K":
        prefix = name[: -len(suffix)]
        if suffix in ("R", "G", "B") and all(prefix + c in layer_names for c in "RGB"):
            return True, "LJ2K is lossy on R, G, B of a layer that has all three", None
        return False, "", None
    return True, f"unknown codec {codec}: assumed lossy", None


@contextlib.contextmanager
def captured_output(messages: list[str]):
    """Silence and collect what the binding (Python stdout) and the C library (fd 1, 2) print."""
    buffer = io.StringIO()
    saved: list[int] = []
    sink = None
    try:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        sink = tempfile.TemporaryFile()
        for fd in (1, 2):
            saved.append(os.dup(fd))
            os.dup2(sink.fileno(), fd)
    except OSError:
        pass
    try:
        with contextlib.redirect_stdout(buffer):
            yield messages
    finally:
        for fd, copy in zip((1, 2), saved):
            os.dup2(copy, fd)
            os.close(copy)
        if sink is not None:
            sink.seek(0)
            messages += sink.read().decode("utf-8", "replace").splitlines()
            sink.close()
        messages += buffer.getvalue().splitlines()


def _reason(messages: list[str], fallback: str) -> str:
    """The most telling library message, shortened to one line without the path."""
    for line in messages:
        if "(EXR_ERR_" in line:
            return "corrupt or truncated EXR: " + line.split(") ", 1)[-1].strip()
    for line in messages:
        if line.strip():
            return "corrupt or truncated EXR: " + line.strip().removeprefix("Warning: ")
    return fallback


def _check_declared_sizes(headers: list[dict]) -> None:
    for header in headers:
        window = header.get("dataWindow")
        if window is not None:
            lo, hi = window
            check_size(int(hi[0] - lo[0] + 1), int(hi[1] - lo[1] + 1), "EXR")


def read_exr(path: str) -> ImageFile:
    try:
        import OpenEXR
    except ImportError:
        raise InspectError("reading EXR needs OpenEXR: pip install 'nodescript[images]'") from None

    messages: list[str] = []
    header_file = exr = None
    read_error = ""
    with captured_output(messages):
        try:                    # the binding raises RuntimeError / ValueError
            header_file = OpenEXR.File(path, header_only=True)
            expected = len(header_file.parts)
            headers = [header_file.header(i) for i in range(expected)]
        except Exception:
            header_file = None
        if header_file is not None:
            _check_declared_sizes(headers)        # before the pixels are decoded
            try:
                exr = OpenEXR.File(path, separate_channels=True)
            except Exception as exc:
                read_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if header_file is None:
        raise InspectError(_reason(messages, "corrupt or truncated EXR header: OpenEXR cannot open it"))
    if exr is None:
        raise InspectError(_reason(messages, f"unreadable EXR pixel data: {read_error}"))
    parts = exr.parts
    if len(parts) < expected:
        raise InspectError(_reason(messages, f"only {len(parts)} of {expected} parts could be read"))

    channels: list[Channel] = []
    part_rows: list[dict] = []
    width = height = 0
    multipart = len(parts) > 1
    for index, part in enumerate(parts):
        header = headers[index] if index < len(headers) else exr.header(index)
        codec = codec_name(header.get("compression", part.compression()))
        storage = getattr(header.get("type"), "name", None) or "scanlineimage"
        lo, hi = header["dataWindow"]
        pw, ph = int(hi[0] - lo[0] + 1), int(hi[1] - lo[1] + 1)
        width, height = max(width, pw), max(height, ph)
        part_name = header.get("name") or (f"part{index}" if multipart else None)
        part_rows.append({"index": index, "name": part_name, "compression": codec,
                          "lossless_codec": codec in LOSSLESS, "storage": storage,
                          "width": pw, "height": ph})
        stored = exr.channels(index)
        names = set(stored)
        for name in sorted(stored):
            pixels = stored[name].pixels
            if pixels is None or getattr(pixels, "ndim", 0) != 2 or pixels.size == 0:
                raise InspectError(f"channel {name} has no pixel data (corrupt file?)")
            dtype = str(pixels.dtype)
            if dtype not in KINDS:
                raise InspectError(f"channel {name} has an unexpected pixel array type {dtype}")
            kind, pixel_type, bits = KINDS[dtype]
            lossy, note, mantissa = lossiness(codec, kind, name, names)
            channels.append(Channel(name=name, pixels=pixels, kind=kind, pixel_type=pixel_type,
                                    bits=bits, part=part_name if multipart else None,
                                    compression=codec, lossy=lossy, lossy_note=note,
                                    mantissa_bits=mantissa))
    notes = [f"{len(parts)} parts"] if multipart else []
    if any("." in c.name for c in channels):
        notes.append("multilayer channel names")
    return ImageFile(path=path, format="OpenEXR", width=width, height=height,
                     channels=channels, notes=notes, parts=part_rows)
