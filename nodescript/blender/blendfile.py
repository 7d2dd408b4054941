"""Read a .blend file's header without bpy.

A .blend file starts with a text header, in one of two layouts:

- 12 bytes, every Blender up to 4.5: ``BLENDER-v402`` = magic, pointer size (``-`` 8 bytes,
  ``_`` 4 bytes), endianness (``v`` little, ``V`` big), 3-digit file version (402 = 4.2).
- 17 bytes, Blender 5.0 on: ``BLENDER17-01v0500`` = magic, header length (17), ``-``,
  block-header format (01: 64-bit block lengths), endianness, 4-digit file version (500 = 5.0).

Then come blocks, each behind a small block header. The first ones are REND (render info), an
optional TEST (thumbnail) and GLOB, whose FileGlobal struct opens with the file's subversion and
the oldest Blender version that can read the file. This module reads up to GLOB and stops.

Compressed files are one gzip stream (Blender < 3.0) or zstd frames (3.0 on; 5.0 compresses by
default). Both are decompressed as a stream, so only the first few KB are ever inflated.
"""

from __future__ import annotations

import gzip
import os
import re
import stat
import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Literal

Compression = Literal["none", "gzip", "zstd"]
Endian = Literal["little", "big"]
HeaderFormat = Literal["12-byte", "17-byte"]

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
GZIP_MAGIC = b"\x1f\x8b"
BLEND_MAGIC = b"BLENDER"

LEGACY_HEADER_SIZE = 12
LARGE_HEADER_SIZE = 17
# The 17-byte header's only defined block-header format so far (Blender 5.0).
LARGE_BHEAD_FORMAT = 1

# Stop looking for GLOB after this much block data: REND and GLOB are about 1 KB each, a
# thumbnail (TEST) at most 128 x 128 x 4 bytes. Past that, the subversion is reported unknown.
MAX_BYTES_BEFORE_GLOB = 256 * 1024
MAX_BLOCKS_BEFORE_GLOB = 8

# Block codes are upper-case ASCII padded with NUL (REND, TEST, GLOB, DATA, SC\0\0, ...).
_BLOCK_CODE = re.compile(rb"[A-Z0-9][A-Z0-9\0]{3}")
_SKIP_CHUNK = 64 * 1024


class BlendError(Exception):
    """Base of every error about one .blend file; ``str()`` is one line: ``<path>: <reason>``."""

    def __init__(self, path: str | os.PathLike[str] | bytes, reason: str) -> None:
        self.path = os.fsdecode(path)
        self.reason = " ".join(str(reason).split())  # a CLI prints it as one line
        super().__init__(self.path, self.reason)

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class BlendFileError(BlendError):
    """The file is missing, unreadable, not a .blend file, truncated or corrupt."""


@dataclass(frozen=True)
class BlendHeader:
    """What the first bytes of a .blend file say about it."""

    path: str
    version: tuple[int, int]  # (4, 2): the Blender major.minor that wrote the file
    file_version: int  # 402, as stored in the header
    subversion: int | None  # BLENDER_FILE_SUBVERSION from GLOB; None when GLOB was not reached
    min_version: tuple[int, int] | None  # oldest Blender that can read the file (GLOB)
    min_subversion: int | None
    pointer_size: int  # 4 or 8
    endian: Endian
    compression: Compression
    header_format: HeaderFormat
    header_text: str  # the header itself, e.g. "BLENDER-v402" or "BLENDER17-01v0500"

    @property
    def version_string(self) -> str:
        return _version_string(self.version)

    @property
    def min_version_string(self) -> str | None:
        return None if self.min_version is None else _version_string(self.min_version)


@dataclass(frozen=True)
class _FileHeader:
    version: tuple[int, int]
    file_version: int
    pointer_size: int
    endian: Endian
    header_format: HeaderFormat
    text: str

    @property
    def block_header(self) -> struct.Struct:
        order = "<" if self.endian == "little" else ">"
        if self.header_format == "17-byte":
            return struct.Struct(order + "4siQqq")  # code, sdna, old, len, nr
        if self.pointer_size == 8:
            return struct.Struct(order + "4siQii")  # code, len, old, sdna, nr
        return struct.Struct(order + "4siIii")

    def block_code_and_length(self, raw: bytes) -> tuple[bytes, int]:
        fields = self.block_header.unpack(raw)
        length = fields[3] if self.header_format == "17-byte" else fields[1]
        return fields[0], length


@dataclass(frozen=True)
class _GlobalInfo:
    subversion: int
    min_version: tuple[int, int]
    min_subversion: int


def read_blend_header(path: str | os.PathLike[str]) -> BlendHeader:
    """Read the header (and GLOB's version fields) of a plain, gzip or zstd .blend file.

    Raises BlendFileError for a missing, empty, truncated, non-.blend or corrupt file.
    """
    with _open_for_reading(path) as raw:
        compression = _detect_compression(path, raw.read(len(ZSTD_MAGIC)))
        raw.seek(0)
        stream = _decompressing_stream(path, raw, compression)
        try:
            return _read_from_stream(path, stream, compression)
        except _stream_errors(compression) as err:
            raise BlendFileError(path, _stream_error_reason(compression, err)) from None


def _read_from_stream(path, stream: BinaryIO, compression: Compression) -> BlendHeader:
    reader = _ExactReader(path, stream)
    file_header = _parse_file_header(path, reader, compression)
    glob = _find_global_info(reader, file_header)
    return BlendHeader(
        path=os.fsdecode(path),
        version=file_header.version,
        file_version=file_header.file_version,
        subversion=glob.subversion if glob else None,
        min_version=glob.min_version if glob else None,
        min_subversion=glob.min_subversion if glob else None,
        pointer_size=file_header.pointer_size,
        endian=file_header.endian,
        compression=compression,
        header_format=file_header.header_format,
        header_text=file_header.text,
    )


def _open_for_reading(path) -> BinaryIO:
    try:
        # O_NONBLOCK: a FIFO must not wait for a writer; then only regular files are read.
        file = os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb")
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            file.close()
            raise BlendFileError(path, "not a regular file (a device or FIFO), not a .blend file")
        return file
    except FileNotFoundError:
        raise BlendFileError(path, "no such file") from None
    except IsADirectoryError:
        raise BlendFileError(path, "is a directory, not a .blend file") from None
    except PermissionError:
        raise BlendFileError(path, "permission denied") from None
    except OSError as err:
        raise BlendFileError(path, f"cannot read it ({err.strerror or err})") from None


def _detect_compression(path, first_bytes: bytes) -> Compression:
    if not first_bytes:
        raise BlendFileError(path, "empty file, not a .blend file")
    if first_bytes.startswith(ZSTD_MAGIC):
        return "zstd"
    if first_bytes.startswith(GZIP_MAGIC):
        return "gzip"
    return "none"  # whether it is a .blend file at all is checked on the header


def _decompressing_stream(path, raw: BinaryIO, compression: Compression) -> BinaryIO:
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "zstd":
        try:
            import zstandard  # a dependency of the Blender backends only
        except ImportError:
            raise BlendFileError(
                path, "zstd-compressed; install the 'zstandard' package to read it"
            ) from None
        # Blender writes many zstd frames (so it can seek by frame): read on across them.
        return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    return raw


def _stream_errors(compression: Compression) -> tuple[type[BaseException], ...]:
    if compression == "zstd":
        import zstandard

        return (zstandard.ZstdError,)
    if compression == "gzip":
        return (OSError, EOFError, zlib.error)  # gzip.BadGzipFile is an OSError
    return (OSError,)


def _stream_error_reason(compression: Compression, err: BaseException) -> str:
    if compression == "none":
        return f"cannot read it ({err})"
    if isinstance(err, EOFError):
        return f"truncated: the {compression} stream ends early"
    return f"corrupt {compression} data ({err})"


class _ExactReader:
    """Reads exact byte counts from a (decompressing) stream; running short means truncated."""

    def __init__(self, path, stream: BinaryIO) -> None:
        self.path, self.stream = path, stream
        self.offset = 0  # in the decompressed data

    def read_available(self, size: int) -> bytes:
        chunks, missing = [], size
        while missing:
            chunk = self.stream.read(missing)
            if not chunk:
                break
            chunks.append(chunk)
            missing -= len(chunk)
        data = b"".join(chunks)
        self.offset += len(data)
        return data

    def read(self, size: int, what: str) -> bytes:
        data = self.read_available(size)
        if len(data) < size:
            raise BlendFileError(
                self.path, f"truncated: the data ends inside the {what} (at byte {self.offset})"
            )
        return data

    def skip(self, size: int, what: str) -> None:
        while size:
            size -= len(self.read(min(size, _SKIP_CHUNK), what))


def _parse_file_header(path, reader: _ExactReader, compression: Compression) -> _FileHeader:
    start = reader.read_available(LEGACY_HEADER_SIZE)
    compressed = "" if compression == "none" else f"{compression}-compressed, but "
    if not start:
        raise BlendFileError(path, f"{compressed}the stream is empty or cut short")
    if not start.startswith(BLEND_MAGIC) and not BLEND_MAGIC.startswith(start):
        raise BlendFileError(path, f"{compressed}not a .blend file (starts with {start[:8]!r})")
    if len(start) < LEGACY_HEADER_SIZE:
        raise BlendFileError(path, f"truncated: the data ends inside the file header ({start!r})")
    if start[7:8] in (b"-", b"_"):
        return _parse_legacy_header(path, start)
    return _parse_large_header(path, start + reader.read(5, "file header"))


def _parse_legacy_header(path, text: bytes) -> _FileHeader:
    """``BLENDER`` + pointer size char + endian char + 3 version digits."""
    file_version = _digits(path, text, text[9:12])
    return _FileHeader(
        version=divmod(file_version, 100),
        file_version=file_version,
        pointer_size=8 if text[7:8] == b"-" else 4,
        endian=_endian(path, text, text[8:9]),
        header_format="12-byte",
        text=text.decode("ascii"),
    )


def _parse_large_header(path, text: bytes) -> _FileHeader:
    """``BLENDER`` + ``17`` (header size) + ``-`` + ``01`` (format) + endian + 4 version digits."""
    size, format_version = text[7:9], text[10:12]
    if size != b"17" or text[9:10] != b"-" or format_version != b"%02d" % LARGE_BHEAD_FORMAT:
        raise BlendFileError(
            path, f"unsupported .blend header {text!r} (written by a newer Blender?)"
        )
    file_version = _digits(path, text, text[13:17])
    return _FileHeader(
        version=divmod(file_version, 100),
        file_version=file_version,
        pointer_size=8,
        endian=_endian(path, text, text[12:13]),
        header_format="17-byte",
        text=text.decode("ascii"),
    )


def _digits(path, header: bytes, digits: bytes) -> int:
    if not digits.isdigit():
        raise BlendFileError(path, f"corrupt .blend header {header!r} (bad version digits)")
    return int(digits)


def _endian(path, header: bytes, char: bytes) -> Endian:
    if char == b"v":
        return "little"
    if char == b"V":
        return "big"
    raise BlendFileError(path, f"corrupt .blend header {header!r} (bad endianness byte)")


def _find_global_info(reader: _ExactReader, header: _FileHeader) -> _GlobalInfo | None:
    """Walk the first blocks to GLOB; None if it is not among them."""
    block_header = header.block_header
    scanned = 0
    for _ in range(MAX_BLOCKS_BEFORE_GLOB):
        raw = reader.read(block_header.size, "first block headers")
        code, length = header.block_code_and_length(raw)
        if not _BLOCK_CODE.fullmatch(code) or length < 0:
            raise BlendFileError(
                reader.path, f"corrupt block header at byte {reader.offset - len(raw)}"
            )
        if code == b"GLOB":
            return _parse_global(reader, header, length)
        if code == b"ENDB":
            return None
        scanned += length
        if scanned > MAX_BYTES_BEFORE_GLOB:
            return None
        reader.skip(length, f"{_block_name(code)} block")
    return None


def _block_name(code: bytes) -> str:
    return code.rstrip(b"\0").decode("ascii")


def _parse_global(reader: _ExactReader, header: _FileHeader, length: int) -> _GlobalInfo:
    """FileGlobal opens with char subvstr[4]; short subversion, minversion, minsubversion."""
    layout = struct.Struct(("<" if header.endian == "little" else ">") + "4shhh")
    if length < layout.size:
        raise BlendFileError(reader.path, f"corrupt GLOB block (only {length} bytes)")
    _, subversion, min_file_version, min_subversion = layout.unpack(
        reader.read(layout.size, "GLOB block")
    )
    return _GlobalInfo(subversion, divmod(min_file_version, 100), min_subversion)


def _version_string(version: tuple[int, int]) -> str:
    major, minor = version
    return f"{major}.{minor}"
