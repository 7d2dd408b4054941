"""PNG, TIFF and other raster files: through Pillow, except where Pillow would not give the bits
stored.

- 16-bit colour PNG (RGB, RGBA, grey+alpha): Pillow keeps only the high byte, so the exact reader
  in `png.py` is used instead (16-bit grey is fine in Pillow: mode I;16).
- TIFF with more than 8 bits per sample in colour, or float colour/half float, which Pillow
  truncates or cannot open: read with `tifffile` when it is installed, otherwise refused with a
  one-line error (never a silently truncated answer).
"""

from __future__ import annotations

from nodescript.inspect.image import Channel, ImageFile, InspectError, check_size

TIFF_CODECS_LOSSY = {"jpeg", "tiff_jpeg", "webp", "jpeg2000", "lerc"}
BAND_NAMES = {1: ("L",), 2: ("L", "A"), 3: ("R", "G", "B"), 4: ("R", "G", "B", "A")}


def _int_channel(name, pixels, bits, full_scale, compression, lossy=False, note=""):
    return Channel(name=name, pixels=pixels, kind="int", pixel_type=f"{bits}-bit", bits=bits,
                   compression=compression, lossy=lossy, lossy_note=note, full_scale=full_scale)


def _array_channels(array, names, compression, lossy=False, note=""):
    """Channels from a (h, w) or (h, w, c) array, typed by its dtype."""
    import numpy as np

    if array.ndim == 2:
        array = array[:, :, None]
    names = list(names) if len(names) == array.shape[2] else [f"C{i}" for i in range(array.shape[2])]
    out = []
    for i, name in enumerate(names):
        plane = np.ascontiguousarray(array[:, :, i])
        dt = plane.dtype
        if dt == np.bool_:
            out.append(_int_channel(name, plane.astype(np.uint8), 1, 1, compression, lossy, note))
        elif dt == np.uint8:
            out.append(_int_channel(name, plane, 8, 255, compression, lossy, note))
        elif dt == np.uint16:
            out.append(_int_channel(name, plane, 16, 65535, compression, lossy, note))
        elif dt.kind == "f":
            kind, ptype = {2: ("half", "HALF"), 4: ("float", "FLOAT"), 8: ("double", "DOUBLE")}[dt.itemsize]
            out.append(Channel(name=name, pixels=plane, kind=kind, pixel_type=ptype,
                               bits=dt.itemsize * 8, compression=compression, lossy=lossy,
                               lossy_note=note))
        elif dt.kind in "iu":
            out.append(Channel(name=name, pixels=plane, kind="uint", pixel_type=f"{dt.itemsize * 8}-bit int",
                               bits=dt.itemsize * 8, compression=compression, lossy=lossy,
                               lossy_note=note))
        else:
            raise InspectError(f"unsupported sample type {dt}")
    return out


def _png_exact(path: str) -> ImageFile:
    from nodescript.inspect.png import CHANNEL_NAMES, read_png

    header, pixels = read_png(path)
    names = CHANNEL_NAMES[header["color_type"]]
    channels = _array_channels(pixels, names, "deflate")
    return ImageFile(path=path, format="PNG", width=header["width"], height=header["height"],
                     channels=channels, notes=["16-bit colour PNG read exactly (Pillow would keep 8 bits)"])


def _tifffile(path: str, why: str) -> ImageFile:
    try:
        import tifffile
    except ImportError:
        raise InspectError(f"{why}; Pillow cannot read it exactly: install tifffile to inspect it") from None
    import numpy as np

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            check_size(*reversed(page.shape[:2]), "TIFF")        # (rows, columns, ...)
            array = page.asarray()
            axes = page.axes
            compression = getattr(page.compression, "name", str(page.compression)).lower()
            pages = len(tif.pages)
    except InspectError:
        raise
    except Exception as exc:
        raise InspectError(f"corrupt TIFF: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if "S" in axes and axes.index("S") != len(axes) - 1:
        array = np.moveaxis(array, axes.index("S"), -1)
    while array.ndim > 3:
        array = array[0]
    samples = 1 if array.ndim == 2 else array.shape[2]
    lossy = compression in TIFF_CODECS_LOSSY
    channels = _array_channels(array, BAND_NAMES.get(samples, ()), compression, lossy,
                               f"{compression} is lossy" if lossy else "")
    notes = ["read with tifffile"] + ([f"{pages} pages: the first is inspected"] if pages > 1 else [])
    return ImageFile(path=path, format="TIFF", width=array.shape[1], height=array.shape[0],
                     channels=channels, notes=notes)


def read_raster(path: str, sniffed: str) -> ImageFile:
    if sniffed == "png":
        from nodescript.inspect.png import read_header
        with open(path, "rb") as handle:
            header = read_header(handle.read(33))
        check_size(header["width"], header["height"], "PNG")
        if header["bit_depth"] == 16 and header["color_type"] in (2, 4, 6):
            try:
                import numpy  # noqa: F401
            except ImportError:
                raise InspectError("inspect needs numpy: pip install 'nodescript[images]'") from None
            return _png_exact(path)
    try:
        import numpy as np
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise InspectError("reading PNG/TIFF needs numpy and Pillow: pip install 'nodescript[images]'") from None

    try:
        image = Image.open(path)
    except UnidentifiedImageError:
        if sniffed == "tiff":
            return _tifffile(path, "a TIFF layout Pillow does not read (float colour, half float?)")
        raise InspectError("unsupported format: not EXR, PNG, TIFF or another image Pillow reads") from None
    except Exception as exc:
        raise InspectError(f"unreadable image: {exc}") from None
    with image:
        check_size(*image.size, (image.format or sniffed).upper())     # before any pixel is read
        fmt = image.format or sniffed.upper()
        mode = image.mode
        tags = getattr(image, "tag_v2", None)
        bits = tuple(tags.get(258, ())) if tags is not None else ()
        if fmt == "TIFF" and bits and max(bits) > 8 and mode in ("RGB", "RGBA", "LA", "CMYK", "RGBX", "YCbCr"):
            return _tifffile(path, f"{max(bits)}-bit colour TIFF (Pillow keeps only 8 bits)")
        notes = []
        frames = getattr(image, "n_frames", 1)
        if frames > 1:
            notes.append(f"{frames} frames: the first is inspected")
        info_codec = str(image.info.get("compression", "")).lower()
        try:
            image.load()
            if mode in ("P", "PA"):
                image = image.convert("RGBA" if "transparency" in image.info or mode == "PA" else "RGB")
                notes.append("palette image: values are the palette colours")
                mode = image.mode
            elif mode == "1":
                image = image.convert("L")
                mode = "1"
            array = np.asarray(image)
        except Exception as exc:
            raise InspectError(f"corrupt or truncated {fmt}: {exc}") from None
        bands = image.getbands()
        width, height = image.size

    if fmt == "PNG":
        compression, lossy, note = "deflate", False, ""
    elif fmt == "TIFF":
        compression = info_codec or "raw"
        lossy = compression in TIFF_CODECS_LOSSY
        note = f"TIFF {compression} is lossy" if lossy else ""
    else:
        compression = fmt.lower()
        lossy = fmt in ("JPEG", "MPO", "WEBP", "JPEG2000")
        note = f"{fmt} is lossy" + (" (unless saved lossless)" if fmt in ("WEBP", "JPEG2000") else "") if lossy else ""

    if mode == "1":
        channels = [_int_channel("L", (array > 0).astype(np.uint8), 1, 1, compression)]
    elif mode.startswith("I;16"):
        channels = [_int_channel("L", array.astype(np.uint16), 16, 65535, compression, lossy, note)]
    elif mode == "I" and fmt == "PNG":
        channels = [_int_channel("L", array.astype(np.uint16), 16, 65535, compression, lossy, note)]
    elif mode in ("I", "F"):
        channels = _array_channels(array, ("L",), compression, lossy, note)
    else:
        if array.dtype != np.uint8:
            raise InspectError(f"unsupported {fmt} mode {mode}")
        channels = _array_channels(array, bands, compression, lossy, note)
    return ImageFile(path=path, format=fmt, width=width, height=height, channels=channels, notes=notes)
