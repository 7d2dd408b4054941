"""`nodescript inspect`: synthetic EXR/PNG/TIFF files with known precision, checked with real numbers.

The ramp: planar depth 8 .. 8.55 m over 160x120 pixels (0.5 m down, 0.05 m across), so the
per-pixel gradient is 4.2 mm/px. Stored as HALF the step at 8-16 m is 2^-7 m = 7.8 mm: the values
form a staircase and the error is at most half a step (3.9 mm). Stored as FLOAT it is smooth.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib

import pytest
from click.testing import CliRunner

np = pytest.importorskip("numpy")
OpenEXR = pytest.importorskip("OpenEXR")
Image = pytest.importorskip("PIL.Image")

from nodescript.inspect.command import inspect_command  # noqa: E402
from nodescript.inspect.image import load_image  # noqa: E402
from nodescript.inspect.png import read_png  # noqa: E402
from nodescript.inspect.stats import channel_stats, type_step  # noqa: E402

H, W = 120, 160
HALF_STEP = 2.0 ** -7          # half spacing at 8-16
FLOAT_STEP = 2.0 ** -20        # float32 spacing at 8-16
PXR24_STEP = 2.0 ** -12        # 15 mantissa bits at 8-16


def truth_depth():
    y, x = np.mgrid[0:H, 0:W]
    return 8.0 + 0.5 * y / (H - 1) + 0.05 * x / (W - 1)


def write_exr(path, channels, compression=OpenEXR.ZIP_COMPRESSION):
    OpenEXR.File({"compression": compression}, channels).write(str(path))
    return path


def write_png(path, array, filters=(0,)):
    """A PNG writer independent of Pillow (which cannot write 16-bit colour), with the given row
    filters cycled over the rows, so the reader's unfiltering is exercised."""
    a = np.asarray(array)
    h, w = a.shape[:2]
    samples = 1 if a.ndim == 2 else a.shape[2]
    depth = 16 if a.dtype == np.uint16 else 8
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[samples]
    rows = np.frombuffer(a.astype(">u2" if depth == 16 else "u1").tobytes(), np.uint8)
    rows = rows.reshape(h, -1).astype(np.int32)
    bpp = samples * depth // 8
    up = np.vstack([np.zeros((1, rows.shape[1]), np.int32), rows[:-1]])
    left = np.hstack([np.zeros((h, bpp), np.int32), rows[:, :-bpp]])
    upleft = np.hstack([np.zeros((h, bpp), np.int32), up[:, :-bpp]])
    p = left + up - upleft
    pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
    paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, upleft))
    predictors = [0 * rows, left, up, (left + up) >> 1, paeth]
    stream = bytearray()
    for y in range(h):
        f = filters[y % len(filters)]
        stream.append(f)
        stream += ((rows[y] - predictors[f][y]) & 0xFF).astype(np.uint8).tobytes()

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(bytes(stream))) + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("inspect")
    z = truth_depth()
    zf = z.astype(np.float32)
    np.save(d / "truth.npy", z)
    out = {"truth": d / "truth.npy", "dir": d}
    out["float"] = write_exr(d / "ramp_float.exr", {"Z": zf})
    out["half"] = write_exr(d / "ramp_half.exr", {"Z": zf.astype(np.float16)})
    out["pxr24"] = write_exr(d / "ramp_pxr24.exr", {"Z": zf, "H": zf.astype(np.float16)},
                             OpenEXR.PXR24_COMPRESSION)
    out["truth_exr"] = write_exr(d / "truth.exr", {"Z": zf})
    # Blender-like multilayer file: depth with a 1e10 background, a normal pass, a half colour pass
    depth = zf.copy()
    depth[:10] = 1e10
    y, x = np.mgrid[0:H, 0:W]
    normal = [np.sin(x / 50.0), np.cos(y / 40.0), np.full((H, W), 0.3)]
    layers = {"ViewLayer.Depth.Z": depth,
              **{f"ViewLayer.Normal.{c}": n.astype(np.float32) for c, n in zip("XYZ", normal)},
              "ViewLayer.Combined.R": zf.astype(np.float16),
              "ViewLayer.Combined.A": np.ones((H, W), np.float16)}
    out["multilayer"] = write_exr(d / "multilayer.exr", layers, OpenEXR.DWAA_COMPRESSION)
    # render output EXR 16: depth copied into half RGB, background clamped to the half maximum
    clamped = np.minimum(depth, 65504).astype(np.float16)
    out["rgba_half"] = write_exr(d / "rgba_half.exr", {"R": clamped, "G": clamped, "B": clamped,
                                                       "A": np.ones((H, W), np.float16)})
    parts = [OpenEXR.Part({"compression": OpenEXR.ZIP_COMPRESSION}, {"Depth.Z": zf}, "left"),
             OpenEXR.Part({"compression": OpenEXR.PIZ_COMPRESSION},
                          {"Depth.Z": zf.astype(np.float16),
                           "IndexOB.X": np.arange(H * W, dtype=np.uint32).reshape(H, W)}, "right")]
    OpenEXR.File(parts).write(str(d / "multipart.exr"))
    out["multipart"] = d / "multipart.exr"
    # normalized depth as the tutorials write it: value = 0.4 + 0.3 * (z - 8)
    v = 0.4 + 0.3 * (z - 8.0)
    out["v"] = v
    out["png8"] = write_png(d / "ramp8.png", np.round(v * 255).astype(np.uint8))
    Image.fromarray(np.round(v * 65535).astype(np.uint16)).save(d / "ramp16.png")
    out["png16"] = d / "ramp16.png"
    g = np.round(v * 65535).astype(np.uint16)
    out["rgba16"] = np.stack([g, g // 2, 65535 - g, np.full_like(g, 65535)], -1)
    out["png16rgba"] = write_png(d / "ramp16rgba.png", out["rgba16"], (0, 1, 2, 3, 4))
    clip = np.clip((z - 8.1) * 3.0, 0, 1)                      # Blender's clamp of float -> PNG
    out["clipped"] = write_png(d / "clipped.png", np.round(clip * 255).astype(np.uint8))
    Image.fromarray(g).save(d / "ramp16.tif")
    Image.fromarray(zf).save(d / "float.tif")
    out["tif16"], out["tiff_float"] = d / "ramp16.tif", d / "float.tif"
    # broken files
    good = out["float"].read_bytes()
    (d / "corrupt.exr").write_bytes(good[:400] + bytes(range(256)) * 40)
    (d / "truncated_header.exr").write_bytes(good[:200])
    mp = out["multipart"].read_bytes()
    (d / "truncated_part.exr").write_bytes(mp[: len(mp) - 3000])
    png = out["png8"].read_bytes()
    (d / "truncated.png").write_bytes(png[: len(png) // 2])
    (d / "notes.txt").write_text("not an image\n")
    return out


def run(*args):
    return CliRunner().invoke(inspect_command, [str(a) for a in args], catch_exceptions=False)


def stats_of(path, channel=None):
    image = load_image(str(path))
    ch = image.channels[0] if channel is None else next(c for c in image.channels if c.label == channel)
    return channel_stats(ch)


def test_importing_the_cli_loads_no_image_library():
    code = ("import nodescript.cli, nodescript.inspect.command, sys; "
            "assert 'numpy' not in sys.modules and 'OpenEXR' not in sys.modules, 'heavy'; "
            "assert 'PIL' not in sys.modules, 'PIL'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_type_step_theory():
    assert type_step("half", 8.0)["step"] == 2.0 ** -7
    assert type_step("half", 15.99)["exponent"] == -7
    assert type_step("half", 16.0)["step"] == 2.0 ** -6
    assert type_step("half", 100.0)["step"] == 0.0625        # blender-facts: 0.0625 m at 100 m
    assert type_step("float", 8.0)["step"] == 2.0 ** -20
    assert type_step("float", 8.0, mantissa_bits=15)["step"] == 2.0 ** -12
    assert type_step("half", 1e-6)["step"] == 2.0 ** -24     # subnormal spacing
    assert type_step("float", 0.75)["binade"] == [0.5, 1.0]
    assert type_step("int", None, full_scale=255)["step"] == 1 / 255


def test_float_ramp_is_smooth(files):
    s = stats_of(files["float"])
    assert (s["pixel_type"], s["compression"], s["lossy"]) == ("FLOAT", "ZIP", False)
    assert s["distinct"] == H * W
    assert s["min"] == 8.0 and s["max"] == pytest.approx(8.55, abs=1e-6)
    assert s["type_step"]["step"] == FLOAT_STEP and s["type_step"]["binade"] == [8.0, 16.0]
    assert s["step"] < 1e-4                                  # data spacing, not quantization
    st = s["staircase"]
    assert st["verdict"] == "smooth"
    assert st["gradient"] == pytest.approx(0.5 / (H - 1), rel=0.02)
    assert st["repeat_fraction"] == 0


def test_half_ramp_is_a_staircase_with_the_predicted_step(files):
    s = stats_of(files["half"])
    assert s["pixel_type"] == "HALF" and s["bits"] == 16
    assert s["step"] == HALF_STEP                            # measured == theory at 8-16 m
    assert s["type_step"]["step"] == HALF_STEP and s["type_step"]["exponent"] == -7
    levels = round(0.55 / HALF_STEP) + 1
    assert abs(s["distinct"] - levels) <= 2
    st = s["staircase"]
    assert st["verdict"] == "staircase" and st["on_type_grid"]
    assert st["gradient"] < HALF_STEP
    assert 0.3 < st["repeat_fraction"] < 0.6                 # 7.8 mm steps on a 4.2 mm/px ramp
    result = run(files["half"])
    assert result.exit_code == 0
    assert "half: 2^-7 m = 7.81 mm at 8-16 m" in result.stdout
    assert "staircase: " in result.stdout and "step 7.81 mm >= gradient" in result.stdout


def test_reference_errors_match_theory(files):
    result = run("--json", "--reference", files["truth"], files["half"], files["float"], files["pxr24"])
    assert result.exit_code == 0, result.output
    half, flt, pxr = (r["reference"] for r in json.loads(result.stdout))
    assert half["channel"] == "Z" and half["compared"] == H * W and half["skipped_reference"] == 0
    # rounding to the nearest half: max error half a step, RMSE step / sqrt(12)
    assert HALF_STEP / 4 <= half["max_abs"] <= HALF_STEP
    assert half["max_abs"] == pytest.approx(HALF_STEP / 2, rel=0.05)
    assert half["rmse"] == pytest.approx(HALF_STEP / 12 ** 0.5, rel=0.15)
    assert half["p99"] <= half["max_abs"]
    assert FLOAT_STEP / 4 <= flt["max_abs"] <= FLOAT_STEP     # half a float32 ulp
    assert PXR24_STEP / 4 <= pxr["max_abs"] <= PXR24_STEP     # PXR24 keeps 15 mantissa bits


def test_reference_as_exr_and_background_is_skipped(files):
    result = run("--json", "--reference", files["truth_exr"], files["half"])
    ref = json.loads(result.stdout)[0]["reference"]
    assert ref["max_abs"] == pytest.approx(HALF_STEP / 2, rel=0.05)
    # a truth with background: those pixels are not compared
    truth = truth_depth()
    truth[:10] = 1e10
    truth[10, :5] = np.nan
    np.save(files["dir"] / "truth_bg.npy", truth)
    result = run("--json", "--reference", files["dir"] / "truth_bg.npy", files["multilayer"])
    assert result.exit_code == 0, result.output
    ref = json.loads(result.stdout)[0]["reference"]
    assert ref["channel"] == "ViewLayer.Depth.Z"             # Z before R, whatever the order
    assert ref["skipped_reference"] == 10 * W + 5
    assert ref["compared"] == H * W - 10 * W - 5
    assert ref["max_abs"] < 1e-6


def test_pxr24_float_is_flagged_lossy(files):
    image = load_image(str(files["pxr24"]))
    by_name = {c.name: c for c in image.channels}
    assert by_name["Z"].lossy and by_name["Z"].compression == "PXR24"
    assert not by_name["H"].lossy                             # PXR24 is lossless on HALF
    s = channel_stats(by_name["Z"])
    assert s["step"] == PXR24_STEP
    assert s["type_step"]["step"] == PXR24_STEP and s["type_step"]["uncompressed_step"] == FLOAT_STEP
    assert s["staircase"]["verdict"] == "smooth"              # 0.24 mm steps < 4.2 mm/px
    out = run(files["pxr24"]).stdout
    assert "PXR24 LOSSY" in out and "PXR24 keeps 15 mantissa bits: 2^-12 m = 244 um" in out


def test_multilayer_exr(files):
    image = load_image(str(files["multilayer"]))
    types = {c.name: c.pixel_type for c in image.channels}
    assert types == {"ViewLayer.Depth.Z": "FLOAT", "ViewLayer.Normal.X": "FLOAT",
                     "ViewLayer.Normal.Y": "FLOAT", "ViewLayer.Normal.Z": "FLOAT",
                     "ViewLayer.Combined.R": "HALF", "ViewLayer.Combined.A": "HALF"}
    lossy = {c.name for c in image.channels if c.lossy}
    assert lossy == {"ViewLayer.Normal.Y", "ViewLayer.Combined.R"}   # DWAA: by the last suffix
    depth = channel_stats(next(c for c in image.channels if c.name == "ViewLayer.Depth.Z"))
    assert depth["background"] == 10 * W and depth["max"] == 1e10
    assert depth["data_max"] == pytest.approx(8.55, abs=1e-6)
    assert depth["type_step"]["step"] == FLOAT_STEP            # at the data maximum, not 1e10
    assert depth["staircase"]["verdict"] == "smooth"
    nz = channel_stats(next(c for c in image.channels if c.name == "ViewLayer.Normal.Z"))
    assert nz["distinct"] == 1 and nz["staircase"]["verdict"] == "flat"
    out = run(files["multilayer"]).stdout
    assert "ViewLayer.Normal.Z: float32, lossless, exact to 1 ulp" in out
    assert "stored: FLOAT, DWAA lossless" in out
    assert "ViewLayer.Normal.Y: float32, LOSSY (DWAA)" in out and "stored: FLOAT, DWAA LOSSY" in out
    assert "background (|v| >= 1e9): 1,600 px" in out


def test_half_saturation(files):
    s = stats_of(files["rgba_half"], "R")
    assert s["saturated"] == 10 * W and s["max"] == 65504
    assert s["data_max"] < 9 and s["type_step"]["step"] == HALF_STEP
    assert "saturated at 65504 (half max): 1,600 px" in run(files["rgba_half"]).stdout


def test_multipart_exr(files):
    image = load_image(str(files["multipart"]))
    assert [p["name"] for p in image.parts] == ["left", "right"]
    assert [p["compression"] for p in image.parts] == ["ZIP", "PIZ"]
    labels = {c.label: c.pixel_type for c in image.channels}
    assert labels == {"left/Depth.Z": "FLOAT", "right/Depth.Z": "HALF", "right/IndexOB.X": "UINT"}
    result = run("--json", "--reference", files["truth"], "--channel", "right/Depth.Z", files["multipart"])
    ref = json.loads(result.stdout)[0]["reference"]
    assert ref["channel"] == "right/Depth.Z"
    assert ref["max_abs"] == pytest.approx(HALF_STEP / 2, rel=0.05)


def test_png_8bit_ramp(files):
    s = stats_of(files["png8"])
    assert (s["pixel_type"], s["full_scale"]) == ("8-bit", 255)
    v = files["v"]
    assert s["raw_min"] == round(v.min() * 255) and s["raw_max"] == round(v.max() * 255)
    assert s["distinct"] == s["raw_max"] - s["raw_min"] + 1
    assert s["step"] == pytest.approx(1 / 255) and s["type_step"]["step"] == pytest.approx(1 / 255)
    assert s["at_zero"] == 0 and s["at_full_scale"] == 0
    assert s["staircase"]["verdict"] == "staircase"          # 0.3 codes/px: 3-pixel plateaus
    assert s["staircase"]["repeat_fraction"] > 0.5
    out = run(files["png8"]).stdout
    assert "8-bit: 1/255 = 0.003922 of full scale" in out
    # refitting the lost scale: 1 code = (1/255) / 0.3 m = 13 mm; error at most half of that
    result = run("--json", "--reference", files["truth"], "--fit", files["png8"])
    ref = json.loads(result.stdout)[0]["reference"]
    assert ref["fit"]["scale"] == pytest.approx(0.3, rel=0.01)
    assert ref["max_abs"] == pytest.approx(1 / 255 / 0.3 / 2, rel=0.25)


def test_png_clamped_at_0_and_1(files):
    s = stats_of(files["clipped"])
    clip = np.clip((truth_depth() - 8.1) * 3.0, 0, 1)
    assert s["at_zero"] == int((np.round(clip * 255) == 0).sum()) > 0
    assert s["at_full_scale"] == int((np.round(clip * 255) == 255).sum()) > 0
    # --fit leaves the clamped pixels out: what is left is 8-bit rounding of 3 * (z - 8.1)
    result = run("--json", "--reference", files["truth"], "--fit", files["clipped"])
    ref = json.loads(result.stdout)[0]["reference"]
    assert ref["clamped_excluded"] == s["at_zero"] + s["at_full_scale"]
    assert ref["compared"] == H * W - ref["clamped_excluded"]
    assert ref["fit"]["scale"] == pytest.approx(3.0, rel=0.01)
    assert ref["max_abs"] == pytest.approx(1 / 255 / 3 / 2, rel=0.25)


def test_png_16bit_grey_and_colour(files):
    grey = stats_of(files["png16"])
    assert (grey["pixel_type"], grey["full_scale"]) == ("16-bit", 65535)
    assert grey["step"] == pytest.approx(1 / 65535)
    assert grey["staircase"]["verdict"] == "smooth"
    assert grey["raw_max"] == round(files["v"].max() * 65535)
    image = load_image(str(files["png16rgba"]))
    assert [c.name for c in image.channels] == ["R", "G", "B", "A"]
    for i, ch in enumerate(image.channels):                   # every 16 bits, not Pillow's 8
        assert ch.pixel_type == "16-bit" and np.array_equal(ch.pixels, files["rgba16"][:, :, i])
    assert channel_stats(image.channels[3])["at_full_scale"] == H * W


def test_png_reader_matches_pillow_and_undoes_every_filter(tmp_path):
    rng = np.random.default_rng(7)
    for shape, dtype in [((13, 17, 3), np.uint8), ((13, 17, 4), np.uint8), ((13, 17, 3), np.uint16),
                         ((13, 17, 4), np.uint16), ((13, 17, 2), np.uint16), ((1, 5, 4), np.uint16)]:
        a = rng.integers(0, np.iinfo(dtype).max + 1, shape).astype(dtype)
        for filters in [(0,), (1,), (2,), (3,), (4,), (0, 1, 2, 3, 4), (1, 2)]:
            path = write_png(tmp_path / "t.png", a, filters)
            _header, pixels = read_png(str(path))
            assert np.array_equal(pixels, a), (shape, filters)
            if dtype == np.uint8:
                assert np.array_equal(np.asarray(Image.open(path)), a)


def test_tiff_16bit_and_float(files):
    s = stats_of(files["tif16"])
    assert (s["pixel_type"], s["step"]) == ("16-bit", pytest.approx(1 / 65535))
    f = stats_of(files["tiff_float"])
    assert f["pixel_type"] == "FLOAT" and f["distinct"] == H * W
    assert f["type_step"]["step"] == FLOAT_STEP and f["staircase"]["verdict"] == "smooth"


def test_16bit_colour_tiff_is_never_silently_truncated(tmp_path):
    g = (np.arange(48 * 64).reshape(48, 64) * 21).astype(np.uint16)
    path = tmp_path / "rgb16.tif"
    _write_tiff_rgb16(path, np.stack([g, g, g], -1))
    result = run(path)
    try:
        import tifffile  # noqa: F401
    except ImportError:
        assert result.exit_code == 1
        assert "16-bit colour TIFF" in result.stderr and "install tifffile" in result.stderr
    else:
        assert result.exit_code == 0
        assert np.array_equal(load_image(str(path)).channels[0].pixels, g)


def _write_tiff_rgb16(path, a):
    """Minimal uncompressed little-endian RGB 16-bit TIFF (Pillow cannot write one)."""
    h, w, _ = a.shape
    data = a.astype("<u2").tobytes()
    bits_off = 8 + len(data)
    ifd_off = bits_off + 6
    entries = [(256, 4, 1, struct.pack("<I", w)), (257, 4, 1, struct.pack("<I", h)),
               (258, 3, 3, struct.pack("<I", bits_off)), (259, 3, 1, struct.pack("<HH", 1, 0)),
               (262, 3, 1, struct.pack("<HH", 2, 0)), (273, 4, 1, struct.pack("<I", 8)),
               (277, 3, 1, struct.pack("<HH", 3, 0)), (278, 4, 1, struct.pack("<I", h)),
               (279, 4, 1, struct.pack("<I", len(data))), (284, 3, 1, struct.pack("<HH", 1, 0))]
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHI", tag, typ, count) + value for tag, typ, count, value in entries)
    path.write_bytes(b"II*\x00" + struct.pack("<I", ifd_off) + data + struct.pack("<HHH", 16, 16, 16)
                     + ifd + b"\x00\x00\x00\x00")


def test_json_output(files):
    result = run("--json", files["half"], files["png8"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [d["format"] for d in data] == ["OpenEXR", "PNG"]
    assert all(d["ok"] and d["error"] is None for d in data)
    z = data[0]["channels"][0]
    assert (z["name"], z["pixel_type"], z["compression"], z["lossy"]) == ("Z", "HALF", "ZIP", False)
    assert z["step"] == HALF_STEP and z["type_step"]["exponent"] == -7
    assert z["staircase"]["verdict"] == "staircase" and z["nonfinite"] == 0
    assert data[1]["channels"][0]["raw_min"] == round(files["v"].min() * 255)


def test_broken_files_one_line_each_exit_1(files):
    d = files["dir"]
    broken = ["corrupt.exr", "truncated_header.exr", "truncated_part.exr", "truncated.png",
              "notes.txt", "missing.exr"]
    result = run(files["half"], *(d / name for name in broken))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(broken), lines
    by_file = {line.split(": error: ")[0].rsplit("/", 1)[-1]: line.split(": error: ")[1] for line in lines}
    assert by_file["corrupt.exr"].startswith("corrupt or truncated EXR")
    assert by_file["truncated_header.exr"].startswith("corrupt or truncated EXR header")
    assert by_file["truncated_part.exr"].startswith("corrupt or truncated EXR")
    assert "truncated" in by_file["truncated.png"]
    assert by_file["notes.txt"].startswith("unsupported format")
    assert by_file["missing.exr"] == "no such file"
    assert "ramp_half.exr: OpenEXR 160x120" in result.stdout  # the good file is still reported
    js = run("--json", d / "corrupt.exr", files["half"])
    data = json.loads(js.stdout)
    assert js.exit_code == 1 and [r["ok"] for r in data] == [False, True]


def test_reference_errors(files):
    np.save(files["dir"] / "small.npy", np.zeros((10, 10)))
    result = run("--reference", files["dir"] / "small.npy", files["half"])
    assert result.exit_code == 1
    assert "reference is 10x10 but the channel is 160x120" in result.stderr
    result = run("--reference", files["truth"], "--channel", "nope", files["half"])
    assert result.exit_code == 1 and "no channel 'nope'" in result.stderr
    result = run("--reference", files["truth"], "--channel", "Normal.X", files["multilayer"])
    ref = json.loads(run("--json", "--reference", files["truth"], "--channel", "Normal.X",
                         files["multilayer"]).stdout)[0]["reference"]
    assert result.exit_code == 0 and ref["channel"] == "ViewLayer.Normal.X"


def test_usage_errors_exit_2(files):
    assert run("--channel", "Z", files["half"]).exit_code == 2          # --channel needs --reference
    assert run("--reference", files["dir"] / "nope.npy", files["half"]).exit_code == 2
    assert run().exit_code == 2
    assert run("--bogus", files["half"]).exit_code == 2
    result = run("--reference", files["dir"] / "notes.txt", files["half"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_nonfinite_values_are_counted(tmp_path):
    z = truth_depth().astype(np.float32)
    z[0, :3] = np.nan
    z[1, :2] = np.inf
    z[2, :1] = -np.inf
    s = stats_of(write_exr(tmp_path / "nan.exr", {"Z": z}))
    assert (s["nan"], s["posinf"], s["neginf"], s["nonfinite"]) == (3, 2, 1, 6)
    finite = z[np.isfinite(z)]
    assert (s["min"], s["max"]) == (float(finite.min()), float(finite.max()))
    assert s["data_pixels"] == H * W - 6


def test_one_line_verdict_first_then_slope_apart_from_the_step(files):
    out = run(files["half"], files["float"]).stdout.splitlines()
    assert out[1] == "  Z: half float, lossless, 7.81 mm steps at 8-16 m: staircase"
    assert out[2].strip() == "stored: HALF, ZIP lossless"
    float_line = next(i for i, line in enumerate(out) if line.startswith("  Z: float32"))
    assert out[float_line] == "  Z: float32, lossless, exact to 1 ulp (954 nm at 8-16 m)"
    details = "\n".join(out[float_line:])
    # the ramp's slope (4.2 mm/px) is said to be a slope, and no 4.2 mm "step" is claimed
    assert "surface: changes 4.2 mm per pixel along its gradient" in details
    assert "quantization: float32: 2^-20 m = 954 nm at 8-16 m\n" in details + "\n"


def test_flat_surfaces_in_float32_are_not_a_staircase(tmp_path):
    """Normals of a ground and a tilted ramp: two values per component, held exactly."""
    z = np.where(np.arange(W) < 80, 1.0, 0.866).astype(np.float32) * np.ones((H, 1), np.float32)
    path = write_exr(tmp_path / "normal.exr", {"Normal.Z": z})
    s = stats_of(path)
    assert s["staircase"]["verdict"] == "piecewise"
    assert "Normal.Z: float32, lossless, exact to 1 ulp (1.19e-07 at 1-2): flat surfaces, " \
        "held exactly" in run(path).stdout
    quantized = write_exr(tmp_path / "q.exr", {"V": (np.round(truth_depth() * 20) / 20)
                                               .astype(np.float32)})
    assert stats_of(quantized)["staircase"]["verdict"] == "staircase"   # evenly spaced levels
    assert stats_of(write_exr(tmp_path / "h.exr", {"Normal.Z": z.astype(np.float16)})
                    )["staircase"]["verdict"] == "staircase"           # half: not exact


def test_single_layer_exr_with_equal_rgb_and_depth_in_metres(tmp_path):
    z = truth_depth().astype(np.float32)
    path = write_exr(tmp_path / "render0001.exr", {"R": z, "G": z, "B": z})
    out = run(path).stdout
    assert "R, G and B hold the same values: one value written to a single-layer EXR" in out
    assert out.count("the same values as") == 2
    assert " m," not in out                                   # not depth by any name
    metres = run("--depth", path).stdout
    assert "(depth): float32, lossless, exact to 1 ulp (954 nm at 8-16 m)" in metres
    named = write_exr(tmp_path / "depth0001.exr", {"R": z, "G": z, "B": z})
    assert "954 nm" in run(named).stdout
