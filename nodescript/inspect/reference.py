"""Error statistics of one channel against a known truth (`--reference truth.npy|.exr`)."""

from __future__ import annotations

from nodescript.inspect.image import Channel, ImageFile, InspectError

DEFAULT_SUFFIXES = ("Z", "V", "Depth", "R")   # in this order of preference


def pick_channel(image: ImageFile, wanted: str | None) -> Channel:
    """The channel to compare: `wanted` (exact name, "part/name", or a unique ending after a dot),
    else the first channel whose last name component is Z, then V, then Depth, then R; else the
    only or first channel (a grey image's L)."""
    channels = image.channels
    if wanted:
        for ch in channels:
            if wanted in (ch.name, ch.label):
                return ch
        tail = [ch for ch in channels if ch.name.endswith("." + wanted)]
        if len(tail) == 1:
            return tail[0]
        names = ", ".join(ch.label for ch in channels[:12]) + (", ..." if len(channels) > 12 else "")
        if len(tail) > 1:
            raise InspectError(f"channel {wanted!r} is ambiguous: {', '.join(c.label for c in tail)}")
        raise InspectError(f"no channel {wanted!r} (channels: {names})")
    for suffix in DEFAULT_SUFFIXES:
        for ch in channels:
            if ch.name.rsplit(".", 1)[-1] == suffix:
                return ch
    if not channels:
        raise InspectError("no channels")
    return channels[0]


def _check_npy_size(path: str) -> None:
    """The declared shape, before numpy allocates it (a 100-byte file can declare 80 GB)."""
    import math

    import numpy as np

    from nodescript.inspect.image import MAX_PIXELS

    with open(path, "rb") as file:
        version = np.lib.format.read_magic(file)
        read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                else np.lib.format.read_array_header_2_0)
        shape, _, _ = read(file)
    if math.prod(shape) > MAX_PIXELS:
        raise InspectError(f"a .npy reference declares shape {list(shape)}, over the "
                           f"{MAX_PIXELS:,}-value limit; not read")


def load_reference(path: str, channel: str | None = None):
    """The truth as a 2-D float64 array, and a label for it; raises InspectError."""
    import numpy as np

    from nodescript.inspect.image import load_image, sniff

    if path.lower().endswith(".npy"):
        if sniff(path) != "other":
            raise InspectError("not a .npy file")
        try:
            _check_npy_size(path)
            array = np.load(path, allow_pickle=False)
        except InspectError:
            raise
        except Exception as exc:
            raise InspectError(f"unreadable .npy: {str(exc).splitlines()[0]}") from None
        array = np.squeeze(np.asarray(array))
        if array.ndim != 2 or array.dtype.kind not in "fiub":
            raise InspectError(f"a .npy reference must be a 2-D numeric array, not {array.dtype}{list(array.shape)}")
        return array.astype(np.float64), "array"
    image = load_image(path)
    if len(image.channels) == 1:
        ch = image.channels[0]
    else:
        try:
            ch = pick_channel(image, channel)
        except InspectError:
            ch = pick_channel(image, None)
    from nodescript.inspect.stats import values_of
    return values_of(ch), ch.label


def compare(measured_values, truth, fit: bool = False, exclude=None) -> dict:
    """Errors of `measured_values` against `truth` over pixels where the truth is finite and below
    1e9 (background). Non-finite measured values there are counted, not averaged. `exclude`: a
    mask of pixels left out and counted (with --fit: integer pixels clamped at 0 or full scale)."""
    import numpy as np

    if measured_values.shape != truth.shape:
        raise InspectError(f"reference is {truth.shape[1]}x{truth.shape[0]} but the channel is "
                           f"{measured_values.shape[1]}x{measured_values.shape[0]}")
    usable = np.isfinite(truth) & (np.abs(truth) < 1e9)
    finite = np.isfinite(measured_values)
    both = usable & finite
    excluded = 0
    if exclude is not None:
        excluded = int((both & exclude).sum())
        both &= ~exclude
    result = {"compared": int(both.sum()), "skipped_reference": int((~usable).sum()),
              "nonfinite_measured": int((usable & ~finite).sum()), "clamped_excluded": excluded,
              "fit": None}
    if not both.any():
        result.update(mean_abs=None, max_abs=None, rmse=None, p99=None, bias=None)
        return result
    m, t = measured_values[both], truth[both]
    if fit:
        # measured ~= scale * truth + offset (an 8-bit normalized depth lost its metric scale)
        A = np.stack([t, np.ones_like(t)], axis=1)
        (scale, offset), *_ = np.linalg.lstsq(A, m, rcond=None)
        if scale == 0:
            raise InspectError("cannot fit a scale: the channel is constant")
        m = (m - offset) / scale
        result["fit"] = {"scale": float(scale), "offset": float(offset)}
    err = m - t
    abs_err = np.abs(err)
    result.update(mean_abs=float(abs_err.mean()), max_abs=float(abs_err.max()),
                  rmse=float(np.sqrt(np.mean(err * err))), p99=float(np.percentile(abs_err, 99)),
                  bias=float(err.mean()))
    return result
