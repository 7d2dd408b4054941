"""Helpers about one File Output slot: its format, what it is written as, the loss it
suffers and the edits that fix it."""

from __future__ import annotations

import math


from nodescript import catalog, dialects, ir
from nodescript.lint import dataflow as df
from nodescript.lint.rules.precision import mapped
from nodescript.lint.rules.precision.common import (EXR_FORMATS, HALF_MAX, Analysis, half_step,
                                                    length, num, span_text)
from nodescript.scene_settings import VIEW_TRANSFORMS
from nodescript.vocabulary import fold

# --- helpers about one File Output slot -------------------------------------------------------

def own_format(slot: df.SlotFlow) -> dict | None:
    """The input's own format (`out.preview(format=png)`), or None when it uses the node's."""
    return slot.node.bindings[slot.version].properties.get("input_formats", {}).get(slot.slot)


def slot_format(slot: df.SlotFlow) -> dict:
    own = own_format(slot)
    return own if own is not None else slot.node.bindings[slot.version].properties.get("format", {})


def slot_span(slot: df.SlotFlow):
    """Where the slot's format is written: the link giving its own format, else the node."""
    return slot.link.span if own_format(slot) is not None else slot.node.span


def bit_depth(fmt: dict) -> int:
    depth = fmt.get("color_depth") or "8"
    return int(depth) if str(depth).isdigit() else 8


def primary_pass(passes) -> str:
    for p in df.DATA_PASSES:
        if p in passes and p in df.METRIC_PASSES:
            return p
    return next(p for p in df.DATA_PASSES if p in passes)


def reaches(slot: df.SlotFlow) -> str:
    passes = df.describe_passes(slot.passes)
    if df.AOV in slot.raw:                 # straight from Render Layers: name the AOV
        passes = passes.replace(df.AOV, f"AOV `{slot.feeder.bindings[slot.version][0].name}`")
    verb = "reaches" if len(slot.passes) == 1 else "reach"
    return f"{passes} {verb} FileOutput `{slot.node.name}` slot `{slot.slot}`"


def linear_mapping(flow: df.Flow, slot: df.SlotFlow, p: str,
                   transfer=None) -> tuple[float, float, list[str]] | None:
    """(scale, offset, nodes) when the slot's value is `p * scale + offset`: from the graph's
    linear nodes, else from a chain (`transfer`, per component) whose steps are all affine."""
    found = flow.linear(slot.link)
    if found is not None and found[0] == p:
        return found[1], found[2], found[3]
    affine = [getattr(fn, "affine", None) for fn in (transfer.compiled if transfer else ())]
    if len(affine) != 1 or affine[0] is None:
        return None
    return affine[0][0], affine[0][1], transfer.nodes


def lossy_format(fmt: dict) -> bool:
    if fmt.get("file_format") == "JPEG":
        return True
    return fmt.get("file_format") == "WEBP" and fmt.get("quality", 90) != 100   # 100 = lossless


def integer_loss(a: Analysis, flow: df.Flow, slot: df.SlotFlow, bits: int) -> str:
    levels = 2 ** bits - 1
    p = primary_pass(slot.passes)
    if p == "Cryptomatte":
        return "the float ID hashes are destroyed"
    transfers = slot_transfers(flow, slot, p)
    transfer = transfers[0] if transfers else None
    identity = transfer is not None and transfer.identity
    if p in df.METRIC_PASSES:
        spread = length(a.range.span / levels)
        if identity:
            return (f"float values clamp to [0, 1], so everything beyond 1 m is written as 1.0; "
                    f"even remapped to {a.range.over()}, {bits}-bit steps would be {spread}")
        if transfer is not None and a.range.declared:
            return mapped.metric_loss(a, transfer, bits)
        mapping = linear_mapping(flow, slot, p, transfer)
        if mapping is not None and mapping[0] != 0:
            scale, offset, _ = mapping
            lo, hi = sorted(((0 - offset) / scale, (1 - offset) / scale))
            return (f"{length(1 / (abs(scale) * levels))} steps over {span_text(lo, hi)}, and "
                    "values outside that range clamp")
        if transfer is not None:
            return mapped.metric_loss(a, transfer, bits)
        return f"{bits}-bit steps are {spread} over {a.range.over()}"
    if p in ("Normal", "Denoising Normal") and transfer is not None and not identity:
        return mapped.component_loss(transfers, bits)
    if p in ("Normal", "Denoising Normal", "Vector") and (identity or transfer is None):
        what = "negative components clamp to 0" if p != "Vector" else "motion clamps to [0, 1] px"
        return f"{what} and the rest is quantized to 1/{levels}"
    if p in ("Object Index", "Material Index") and identity:
        return "indices clamp to [0, 1]: every index from 1 up is written as 1"
    if p in ("Object Index", "Material Index") and transfer is not None:
        return mapped.index_loss(transfer, bits)
    return f"values clamp to [0, 1] and are quantized to steps of 1/{levels}"


def slot_transfers(flow: df.Flow, slot: df.SlotFlow, p: str) -> list:
    """The chains from pass `p` to the slot: per component for a vector or colour slot (the
    components that carry `p`), else the one value's."""
    if slot.socket_type in ("VECTOR", "RGBA"):
        found = [t for t in flow.component_transfers(slot.link) if t.source == p]
        if found:
            return found
    transfer = flow.transfer(slot.link)
    return [transfer] if transfer is not None and transfer.source == p else []


def half_loss(a: Analysis, flow: df.Flow, slot: df.SlotFlow) -> str:
    p = primary_pass(slot.passes)
    if p == "Cryptomatte":
        return "the float ID hashes are destroyed"
    if p in df.METRIC_PASSES:
        transfers = slot_transfers(flow, slot, p)
        transfer = transfers[0] if transfers else None
        far = a.range.far
        if transfer is None:
            written, slope = far, 1.0
        else:                              # the chain's value and slope at the far end
            h = max(far * 1e-6, 1e-9)
            written = transfer(far)
            slope = (written - transfer(far - h)) / h
        if abs(written) > HALF_MAX:
            return f"values above {num(HALF_MAX)} saturate, and {far:g} m is beyond that"
        if not slope:
            return f"the graph flattens the depth {a.range.at_far()}"
        inside = written - math.copysign(abs(written) * 1e-6, slope)   # just inside the range
        return f"{length(half_step(inside) / abs(slope))} steps {a.range.at_far()}"
    if p in ("Object Index", "Material Index"):
        return "indices are exact only up to 2048"
    if p == "Vector":
        return "11 significant bits: 0.0078 px steps at 10 px of motion"
    return f"11 significant bits: steps of {half_step(0.99):.2g} near 1.0"


def is_half(slot: df.SlotFlow) -> bool:
    """Whether the slot is written as half float in its version (see docs/accurate-depth.md)."""
    fmt = slot_format(slot)
    if fmt.get("file_format") not in EXR_FORMATS or fmt.get("color_depth") != "16":
        return False
    if slot.socket_type != "RGBA":
        return False                      # float -> V, vector -> XYZ: always full float
    if slot.raw == {"Cryptomatte"} and not dialects.get(slot.version).CRYPTOMATTE_HALF_IN_HALF_EXR:
        return False                      # 4.5+: Cryptomatte layers stay full float
    return True


def fix_edits(flow: df.Flow, slot: df.SlotFlow, code: str) -> dict[str, str | None] | None:
    if slot.preview:
        return None
    fmt = slot_format(slot)
    if code == "NS302":
        edits: dict[str, str | None] = {"depth": "32"}
        if fmt.get("exr_codec") in ("B44", "B44A"):       # only offered at depth 16
            edits["codec"] = "zip"
        return edits
    if code == "NS303":
        return {"codec": "zip"}
    if code == "NS301":
        # Only a File Output that writes nothing but data (or an input with its own format):
        # others would change the beauty too.
        if own_format(slot) is None and not flow.all_data(slot.node.name):
            return None
        edits = {"format": "exr", "depth": "32", "codec": "zip", "quality": None,
                 "compression": None}
        if "color_management" in fmt:      # an integer file's colour space would convert EXR
            edits["color_space"] = None    # colour inputs: EXR's own default is linear
        mode = fmt.get("color_mode")
        for version in slot.graph.targets:
            modes = catalog.load(version).image_format.get("per_format", {}) \
                .get("OPEN_EXR", {}).get("color_mode", [])
            if mode and mode not in modes:
                edits["color_mode"] = None
        return edits
    return None


def exr_channels(slot: df.SlotFlow) -> list[str]:
    """Channel names the slot is written as (after the last dot)."""
    multilayer = slot_format(slot).get("file_format") == "OPEN_EXR_MULTILAYER"
    if slot.socket_type == "VALUE":
        as_rgb = not multilayer and dialects.get(slot.version).SINGLE_LAYER_EXR_VALUE_AS_RGB
        return ["R", "G", "B"] if as_rgb else ["V"]
    if slot.socket_type == "VECTOR":
        return ["X", "Y", "Z"]            # single-layer too, in every version (measured)
    if slot.raw == {"Cryptomatte"}:
        return ["r", "g", "b", "a"]       # lower case on purpose: EXR codecs leave them alone
    return ["R", "G", "B", "A"]


def colour(slot: df.SlotFlow, graph: ir.Graph) -> "encoding.Colour":
    """The colour management the slot's format saves with: its own override, else the
    settings the scene's `graph` declares."""
    from nodescript.lint.rules.precision import encoding

    own = slot_format(slot).get("color_management")
    if own is not None:
        return encoding.Colour(own["view_transform"], own["look"], float(own["exposure"]),
                               float(own["gamma"]), own["display_device"], own["color_space"],
                               own=True)
    return encoding.Colour(view_transform(graph), str(graph.setting("look", "None")),
                           float(graph.setting("exposure", 0.0)),
                           float(graph.setting("gamma", 1.0)))


def view_transform(graph: ir.Graph) -> str | None:
    word = graph.setting("view_transform")
    if word is None:
        return None
    for key, name in VIEW_TRANSFORMS.items():
        if fold(key) == fold(str(word)):
            return name
    return str(word)

