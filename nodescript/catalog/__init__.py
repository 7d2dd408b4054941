"""The node catalogue: what each supported Blender version offers, as shipped JSON data.

The JSON files in `data/` are generated from real bpy by `python -m nodescript.catalog.generate`
(see that module for the schema) and checked against bpy by tests/blender/test_catalog_matches_bpy.py.
Nothing here imports bpy: resolution and lint use only these files.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class SocketSpec:
    identifier: str
    name: str
    type: str
    default: object = None
    min: float | None = None          # the range the node declares: the UI's soft limits
    max: float | None = None
    enabled: bool = True
    bl_idname: str = ""
    hard_min: float | None = None     # what Blender holds the value to (None: unlimited)
    hard_max: float | None = None


@dataclass(frozen=True)
class PropSpec:
    identifier: str
    type: str
    default: object = None
    array_length: int = 0
    min: float | None = None
    max: float | None = None
    items: tuple[tuple[str, str], ...] = ()
    readonly: bool = False


@dataclass(frozen=True)
class RampSpec:
    """The ColorRamp a node holds (`property`), as a fresh node has it."""

    property: str                                          # "color_ramp"
    properties: dict[str, PropSpec]                        # interpolation, color_mode, ...
    elements: tuple[tuple[float, tuple[float, ...]], ...]  # (position, (r, g, b, a)) in order


@dataclass(frozen=True)
class MappingSpec:
    """The CurveMapping a node holds (`property`), as a fresh node has it."""

    property: str                                          # "mapping", "curve" (Time Curve)
    properties: dict[str, PropSpec]                        # use_clip, clip_min_x, extend, ...
    point_properties: dict[str, PropSpec]                  # handle_type
    curves: tuple[tuple[tuple[float, float, str], ...], ...]   # per curve: (x, y, handle_type)


@dataclass(frozen=True)
class NodeSpec:
    idname: str
    ui_name: str
    inputs: tuple[SocketSpec, ...]
    outputs: tuple[SocketSpec, ...]
    properties: dict[str, PropSpec]
    # {"by": [enum setting, ...], "cases": {"V1 V2": {"inputs": [shown identifiers], ...}}}
    availability: dict | None = None
    ramp: RampSpec | None = None
    mapping: MappingSpec | None = None
    mutable: bool = True  # False: Blender refuses `node.mute = True` (5.0's Viewer)


@dataclass(frozen=True)
class Catalog:
    version: str          # "4.2"
    blender: str          # "4.2.23"
    raw: dict

    @functools.cached_property
    def nodes(self) -> Mapping[str, NodeSpec]:
        return _NodeSpecs(self.raw["nodes"])

    @property
    def image_format(self) -> dict:
        return self.raw.get("image_format", {})

    @property
    def file_output(self) -> dict:
        return self.raw.get("file_output", {})

    @property
    def render_passes(self) -> dict[str, dict]:
        return self.raw.get("render_passes", {})

    @property
    def version_tuple(self) -> tuple[int, int]:
        major, minor = self.version.split(".")
        return int(major), int(minor)


class _NodeSpecs(Mapping):
    """idname -> NodeSpec, each built on first use: a lint of a small file reads a few dozen of
    a catalogue's 800 nodes, and building them all cost a cold `lint` 20 ms over six versions."""

    def __init__(self, raw: dict):
        self._raw = raw
        self._built: dict[str, NodeSpec] = {}

    def __getitem__(self, idname: str) -> NodeSpec:
        spec = self._built.get(idname)
        if spec is None:
            spec = self._built[idname] = _node_spec(idname, self._raw[idname])
        return spec

    def __contains__(self, idname: object) -> bool:
        return idname in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _socket_spec(data: dict) -> SocketSpec:
    return SocketSpec(data["identifier"], data["name"], data["type"], data.get("default"),
                      data.get("min"), data.get("max"), data.get("enabled", True),
                      data.get("bl_idname", ""), data.get("hard_min"), data.get("hard_max"))


def _prop_spec(identifier: str, data: dict) -> PropSpec:
    items = tuple((i[0], i[1]) for i in data.get("items", ()))
    return PropSpec(identifier, data["type"], data.get("default"), data.get("array_length", 0),
                    data.get("min"), data.get("max"), items, data.get("readonly", False))


def _props(data: dict) -> dict[str, PropSpec]:
    return {k: _prop_spec(k, v) for k, v in data.items()}


def _ramp_spec(data: dict | None) -> RampSpec | None:
    if data is None:
        return None
    return RampSpec(data["property"], _props(data["properties"]),
                    tuple((pos, tuple(color)) for pos, color in data["elements"]))


def _mapping_spec(data: dict | None) -> MappingSpec | None:
    if data is None:
        return None
    return MappingSpec(data["property"], _props(data["properties"]),
                       _props(data["point_properties"]),
                       tuple(tuple((x, y, handle) for x, y, handle in curve)
                             for curve in data["curves"]))


def _node_spec(idname: str, data: dict) -> NodeSpec:
    return NodeSpec(idname, data.get("ui_name", idname),
                    tuple(_socket_spec(s) for s in data.get("inputs", ())),
                    tuple(_socket_spec(s) for s in data.get("outputs", ())),
                    _props(data.get("properties", {})), data.get("availability"),
                    _ramp_spec(data.get("color_ramp")), _mapping_spec(data.get("curve_mapping")),
                    data.get("mutable", True))


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


@functools.cache
def supported_versions() -> tuple[str, ...]:
    """Versions with a shipped catalogue, oldest first, e.g. ("4.2", "4.5", "5.0")."""
    names = [p.stem.removeprefix("blender-") for p in DATA_DIR.glob("blender-*.json")]
    return tuple(sorted(names, key=version_key))


@functools.cache
def load(version: str) -> Catalog:
    path = DATA_DIR / f"blender-{version}.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Catalog(version, raw.get("blender", version), raw)
