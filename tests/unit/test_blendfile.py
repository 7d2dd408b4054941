"""The bpy-free .blend header reader, on small synthetic files."""

from __future__ import annotations

import gzip
import pickle
import struct

import pytest
import zstandard

from nodescript.blender.blendfile import (
    BlendError,
    BlendFileError,
    BlendHeader,
    read_blend_header,
)

# --- building synthetic .blend files -----------------------------------------------------------


def file_header(version: int, *, large: bool, pointer: bytes = b"-", endian: bytes = b"v") -> bytes:
    if large:
        return b"BLENDER17-01" + endian + b"%04d" % version
    return b"BLENDER" + pointer + endian + b"%03d" % version


def block(
    code: bytes, data: bytes, *, large: bool, pointer: bytes = b"-", order: str = "<"
) -> bytes:
    if large:
        head = struct.pack(order + "4siQqq", code, 0, 0x1000, len(data), 1)
    elif pointer == b"-":
        head = struct.pack(order + "4siQii", code, len(data), 0x1000, 0, 1)
    else:
        head = struct.pack(order + "4siIii", code, len(data), 0x1000, 0, 1)
    return head + data


def blend_bytes(
    version: int = 402,
    *,
    large: bool = False,
    pointer: bytes = b"-",
    endian: bytes = b"v",
    subversion: int = 68,
    min_version: int = 306,
    min_subversion: int = 13,
    thumbnail: int = 0,
) -> bytes:
    """Header, REND, optional TEST (thumbnail), GLOB and ENDB: the start of a real file."""
    order = "<" if endian == b"v" else ">"
    versions = (subversion, min_version, min_subversion)
    glob = struct.pack(order + "4shhh", b"%4d" % subversion, *versions)
    blocks = [(b"REND", bytes(72))]
    if thumbnail:
        blocks.append((b"TEST", bytes(thumbnail)))
    blocks += [(b"GLOB", glob + bytes(1094)), (b"ENDB", b"")]
    body = b"".join(block(c, d, large=large, pointer=pointer, order=order) for c, d in blocks)
    return file_header(version, large=large, pointer=pointer, endian=endian) + body


def write(tmp_path, data: bytes, name: str = "scene.blend"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- reading good files ----------------------------------------------------------------------


def test_plain_12_byte_header(tmp_path):
    header = read_blend_header(write(tmp_path, blend_bytes(402)))
    assert header == BlendHeader(
        path=str(tmp_path / "scene.blend"),
        version=(4, 2),
        file_version=402,
        subversion=68,
        min_version=(3, 6),
        min_subversion=13,
        pointer_size=8,
        endian="little",
        compression="none",
        header_format="12-byte",
        header_text="BLENDER-v402",
    )
    assert header.version_string == "4.2"
    assert header.min_version_string == "3.6"


def test_17_byte_header_of_blender_5(tmp_path):
    data = blend_bytes(500, large=True, subversion=119, min_version=405, min_subversion=85)
    header = read_blend_header(write(tmp_path, data))
    assert header.version == (5, 0)
    assert header.version_string == "5.0"
    assert header.header_format == "17-byte"
    assert header.header_text == "BLENDER17-01v0500"
    assert (header.subversion, header.min_version, header.min_subversion) == (119, (4, 5), 85)
    assert header.pointer_size == 8


def test_32_bit_big_endian_file(tmp_path):
    data = blend_bytes(249, pointer=b"_", endian=b"V", subversion=2, min_version=245)
    header = read_blend_header(write(tmp_path, data))
    assert (header.pointer_size, header.endian) == (4, "big")
    assert header.version_string == "2.49"
    assert (header.subversion, header.min_version) == (2, (2, 45))


def test_two_digit_minor_versions(tmp_path):
    header = read_blend_header(write(tmp_path, blend_bytes(280, min_version=280)))
    assert header.version == (2, 80)
    assert header.version_string == "2.80"


def test_thumbnail_block_before_glob_is_skipped(tmp_path):
    header = read_blend_header(write(tmp_path, blend_bytes(405, subversion=92, thumbnail=65544)))
    assert header.subversion == 92


def test_gzip_compressed(tmp_path):
    header = read_blend_header(write(tmp_path, gzip.compress(blend_bytes(279, subversion=6))))
    assert header.compression == "gzip"
    assert (header.version, header.subversion) == ((2, 79), 6)


@pytest.mark.parametrize("large", [False, True])
def test_zstd_compressed(tmp_path, large):
    data = zstandard.ZstdCompressor().compress(blend_bytes(500 if large else 402, large=large))
    header = read_blend_header(write(tmp_path, data))
    assert header.compression == "zstd"
    assert header.version == ((5, 0) if large else (4, 2))
    assert header.subversion == 68


def test_zstd_header_split_across_frames(tmp_path):
    """Blender writes many zstd frames; the header may straddle two of them."""
    data = blend_bytes(405)
    compress = zstandard.ZstdCompressor().compress
    header = read_blend_header(write(tmp_path, compress(data[:5]) + compress(data[5:])))
    assert header.header_text == "BLENDER-v405"


def test_accepts_str_and_pathlike(tmp_path):
    path = write(tmp_path, blend_bytes())
    assert read_blend_header(str(path)) == read_blend_header(path)


def test_glob_not_among_the_first_blocks_leaves_subversion_unknown(tmp_path):
    data = file_header(402, large=False) + block(b"ENDB", b"", large=False)
    header = read_blend_header(write(tmp_path, data))
    assert header.version == (4, 2)
    assert (header.subversion, header.min_version, header.min_subversion) == (None, None, None)
    assert header.min_version_string is None


# --- only the start of the file is read --------------------------------------------------------


def test_plain_file_is_not_read_past_its_first_blocks(tmp_path):
    path = write(tmp_path, blend_bytes())
    with open(path, "r+b") as file:
        file.truncate(1 << 32)  # a sparse 4 GiB tail: reading it would take a long time
    assert read_blend_header(path).subversion == 68


def test_zstd_file_is_not_decompressed_past_its_first_blocks(tmp_path):
    compress = zstandard.ZstdCompressor().compress
    corrupt_later_frame = b"\x28\xb5\x2f\xfd" + b"\xff" * 64
    path = write(tmp_path, compress(blend_bytes()) + corrupt_later_frame)
    assert read_blend_header(path).subversion == 68


def test_gzip_file_is_not_decompressed_past_its_first_blocks(tmp_path):
    data = gzip.compress(blend_bytes() + bytes(4_000_000))
    path = write(tmp_path, data[: len(data) // 2] + b"\xff" * 64)  # corrupt after the start
    assert read_blend_header(path).subversion == 68


# --- files that are not good .blend files ------------------------------------------------------


def error_for(path) -> BlendFileError:
    with pytest.raises(BlendFileError) as caught:
        read_blend_header(path)
    return caught.value


def test_missing_file(tmp_path):
    err = error_for(tmp_path / "nope.blend")
    assert str(err) == f"{tmp_path / 'nope.blend'}: no such file"


def test_directory(tmp_path):
    assert "is a directory" in str(error_for(tmp_path))


def test_empty_file(tmp_path):
    assert "empty file" in str(error_for(write(tmp_path, b"")))


def test_zip_file(tmp_path):
    err = error_for(write(tmp_path, b"PK\x03\x04" + bytes(40)))
    starts = r"b'PK\x03\x04\x00\x00\x00\x00'"
    assert str(err) == f"{tmp_path / 'scene.blend'}: not a .blend file (starts with {starts})"


def test_text_file(tmp_path):
    assert "not a .blend file (starts with b'hello wo')" in str(
        error_for(write(tmp_path, b"hello world\n"))
    )


def test_short_file_that_is_not_blend(tmp_path):
    assert "not a .blend file" in str(error_for(write(tmp_path, b"BLX")))


@pytest.mark.parametrize("size", [3, 7, 11])
def test_truncated_file_header(tmp_path, size):
    err = error_for(write(tmp_path, blend_bytes()[:size]))
    assert "truncated" in err.reason


def test_truncated_17_byte_header(tmp_path):
    err = error_for(write(tmp_path, blend_bytes(500, large=True)[:14]))
    assert "truncated" in err.reason


def test_header_only(tmp_path):
    err = error_for(write(tmp_path, b"BLENDER-v402"))
    assert "truncated" in err.reason and "block" in err.reason


@pytest.mark.parametrize("large", [False, True])
def test_truncated_inside_the_first_blocks(tmp_path, large):
    data = blend_bytes(500 if large else 402, large=large)
    cut = data.index(b"GLOB") + 20
    assert "truncated" in error_for(write(tmp_path, data[:cut])).reason


def test_truncated_zstd_stream(tmp_path):
    data = zstandard.ZstdCompressor().compress(blend_bytes())
    err = error_for(write(tmp_path, data[: len(data) // 2]))
    assert err.reason == "zstd-compressed, but the stream is empty or cut short"


def test_corrupt_zstd_stream(tmp_path):
    err = error_for(write(tmp_path, b"\x28\xb5\x2f\xfd" + b"junk" * 20))
    assert "corrupt zstd data" in err.reason


def test_corrupt_gzip_stream(tmp_path):
    err = error_for(write(tmp_path, b"\x1f\x8b" + b"junk" * 20))
    assert "corrupt gzip data" in err.reason


def test_truncated_gzip_stream(tmp_path):
    data = gzip.compress(blend_bytes())
    assert error_for(write(tmp_path, data[:30])).reason == "truncated: the gzip stream ends early"


def test_zstd_file_that_is_not_blend(tmp_path):
    data = zstandard.ZstdCompressor().compress(b"PK\x03\x04 a zip in disguise")
    err = error_for(write(tmp_path, data))
    assert err.reason == "zstd-compressed, but not a .blend file (starts with b'PK\\x03\\x04 a z')"


def test_garbage_after_a_blender_header(tmp_path):
    data = b"BLENDER-v402" + bytes(range(200, 256)) * 20
    assert "corrupt block header at byte 12" in error_for(write(tmp_path, data)).reason


def test_negative_block_length(tmp_path):
    data = file_header(402, large=False) + struct.pack("<4siQii", b"REND", -5, 0, 0, 1)
    assert "corrupt block header" in error_for(write(tmp_path, data)).reason


@pytest.mark.parametrize(
    "header, words",
    [
        (b"BLENDER-x402", "endianness"),
        (b"BLENDER-v4x2", "version digits"),
        (b"BLENDER18-01v0600", "unsupported .blend header"),
        (b"BLENDER17-02v0600", "unsupported .blend header"),
    ],
)
def test_bad_file_headers(tmp_path, header, words):
    assert words in error_for(write(tmp_path, header + bytes(200))).reason


# --- the error type ----------------------------------------------------------------------------


def test_error_is_one_line_starting_with_the_path():
    err = BlendFileError("dir/scene.blend", "first line\n  second line")
    assert str(err) == "dir/scene.blend: first line second line"
    assert isinstance(err, BlendError)


def test_error_survives_pickling():
    err = pickle.loads(pickle.dumps(BlendFileError("scene.blend", "corrupt")))
    assert (type(err), err.path, err.reason) == (BlendFileError, "scene.blend", "corrupt")
