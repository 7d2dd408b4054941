"""The shipped node catalogue for this bpy's version equals what the running bpy reports.

Run in each .venvs/bpy-* environment. Regenerate a stale file with
`PYTHONPATH=. .venvs/bpy-X.Y/bin/python -m nodescript.catalog.generate`.
Building the catalogue resets Blender to factory settings.
"""

from __future__ import annotations

import difflib
import json

import pytest

pytestmark = pytest.mark.blender

bpy = pytest.importorskip("bpy")

from nodescript.catalog.generate import (  # noqa: E402  (needs bpy)
    DATA_DIR,
    build_catalog,
    catalog_filename,
    dumps,
)

VERSION = tuple(bpy.app.version[:2])
REGENERATE = "regenerate with: python -m nodescript.catalog.generate (in this bpy's venv)"


@pytest.fixture(scope="module")
def catalog() -> dict:
    return json.loads(dumps(build_catalog()))  # through JSON, as the shipped file went


@pytest.fixture(scope="module")
def shipped_text() -> str:
    path = DATA_DIR / catalog_filename()
    if not path.exists():
        pytest.fail(f"{path} is missing; {REGENERATE}")
    return path.read_text(encoding="utf-8")


def _json_diff(shipped, built) -> str:
    def lines(value):
        return json.dumps(value, indent=1, sort_keys=True).splitlines()

    return "\n".join(difflib.unified_diff(lines(shipped), lines(built), "shipped", "bpy",
                                          lineterm="", n=2))


def _node_difference(built: dict, shipped: dict) -> str:
    only_shipped = sorted(shipped.keys() - built.keys())
    only_bpy = sorted(built.keys() - shipped.keys())
    if only_shipped or only_bpy:
        return f"nodes only in the shipped file: {only_shipped}; only in bpy: {only_bpy}"
    idname = next(i for i in sorted(built) if built[i] != shipped[i])
    return f"node {idname} differs:\n{_json_diff(shipped[idname], built[idname])}"


def _first_difference(built: dict, shipped: dict) -> str:
    key = next(k for k in sorted(built.keys() | shipped.keys()) if built.get(k) != shipped.get(k))
    if key == "nodes":
        return _node_difference(built["nodes"], shipped["nodes"])
    return f"{key!r} differs:\n{_json_diff(shipped.get(key), built.get(key))}"


def test_shipped_catalog_matches_bpy(catalog, shipped_text):
    shipped = json.loads(shipped_text)
    if catalog != shipped:
        pytest.fail(f"{catalog_filename()} is stale; {REGENERATE}\n"
                    f"{_first_difference(catalog, shipped)}")


def test_shipped_catalog_is_in_canonical_form(shipped_text):
    assert dumps(json.loads(shipped_text)) == shipped_text, "hand-edited? " + REGENERATE


def test_generation_is_deterministic(catalog):
    assert json.loads(dumps(build_catalog())) == catalog


# --- known facts per version (blender-facts.md), asserted on the live catalogue ----------------

def _render_layers_outputs(catalog) -> list[str]:
    return [s["name"] for s in catalog["nodes"]["CompositorNodeRLayers"]["outputs"]]


def test_version_string(catalog):
    assert catalog["schema"] == 1
    assert catalog["blender"] == ".".join(map(str, bpy.app.version))


def test_map_value_and_composite_exist_only_before_5_0(catalog):
    nodes = catalog["nodes"]
    for idname in ("CompositorNodeMapValue", "CompositorNodeComposite", "CompositorNodeMath",
                   "CompositorNodeMapRange"):
        assert (idname in nodes) == (VERSION < (5, 0)), idname


def test_shader_math_nodes_in_compositor(catalog):
    nodes = catalog["nodes"]
    for idname in ("ShaderNodeMath", "ShaderNodeMapRange"):
        assert (idname in nodes) == (VERSION >= (4, 5)), idname
    if VERSION >= (4, 5):
        assert nodes["ShaderNodeMath"]["in_add_menu"]
    if VERSION == (4, 5):  # still creatable, but the Add menu offers the shader nodes instead
        assert not nodes["CompositorNodeMath"]["in_add_menu"]
        assert not nodes["CompositorNodeMapValue"]["in_add_menu"]


def test_map_range_clamp_default(catalog):
    nodes = catalog["nodes"]
    if VERSION >= (5, 0):
        assert nodes["ShaderNodeMapRange"]["properties"]["clamp"]["default"] is True
    else:
        assert nodes["CompositorNodeMapRange"]["properties"]["use_clamp"]["default"] is False


def test_composite_inputs(catalog):
    if VERSION >= (5, 0):
        pytest.skip("no Composite node in 5.0")
    names = [s["name"] for s in catalog["nodes"]["CompositorNodeComposite"]["inputs"]]
    assert names == (["Image", "Alpha"] if VERSION == (4, 2) else ["Image"])


def test_depth_pass(catalog):
    assert "Depth" in _render_layers_outputs(catalog)
    assert catalog["render_passes"]["Depth"] == {"owner": "view_layer", "property": "use_pass_z"}
    for always in ("Image", "Alpha"):
        assert catalog["render_passes"][always] == {"owner": "always", "property": None}


def test_object_index_pass_name(catalog):
    name = "Object Index" if VERSION >= (5, 0) else "IndexOB"
    assert name in _render_layers_outputs(catalog)
    assert catalog["render_passes"][name] == {
        "owner": "view_layer", "property": "use_pass_object_index", "engines": ["CYCLES"]}


def test_cryptomatte_and_cycles_passes(catalog):
    passes = catalog["render_passes"]
    assert passes["CryptoObject00"]["property"] == "use_pass_cryptomatte_object"
    cycles = {k: v for k, v in passes["Denoising Normal"].items() if k != "by_engine"}
    assert cycles == {"owner": "view_layer.cycles", "property": "denoising_store_passes",
                      "engines": ["CYCLES"]}
    # 5.3's EEVEE has denoising passes too, behind its own switch.
    for engine, how in passes["Denoising Normal"].get("by_engine", {}).items():
        assert engine.startswith("BLENDER_EEVEE") and how["owner"] == "view_layer.eevee"
    assert "use_pass_z" in catalog["view_layer_passes"]
    assert "cycles.denoising_store_passes" in catalog["view_layer_passes"]


def test_render_engines(catalog):
    eevee = "BLENDER_EEVEE" if VERSION >= (5, 0) else "BLENDER_EEVEE_NEXT"
    assert catalog["render_engines"] == ["CYCLES", eevee]


def test_file_output_api(catalog):
    file_output = catalog["file_output"]
    if VERSION >= (5, 0):
        assert file_output["api"] == "items"
        assert file_output["item_socket_types"] == ["FLOAT", "VECTOR", "RGBA"]
        assert {"directory", "file_name", "file_output_items"} <= set(file_output["properties"])
    else:
        assert file_output["api"] == "slots"
        assert {"base_path", "file_slots", "layer_slots"} <= set(file_output["properties"])
        assert ("save_as_render" in file_output["properties"]) == (VERSION >= (4, 5))


def test_exr_defaults(catalog):
    image_format = catalog["image_format"]
    exr_switch_depth = image_format["exr_switch_defaults"]["color_depth"]
    assert exr_switch_depth == ("16" if VERSION >= (5, 0) else "32")
    new = image_format["new_file_output_defaults"]
    if VERSION >= (5, 0):
        assert (new["file_format"], new["color_depth"]) == ("OPEN_EXR_MULTILAYER", "32")
        assert image_format["media_types"] == ["IMAGE", "MULTI_LAYER_IMAGE"]
    else:
        assert (new["file_format"], new["color_depth"]) == ("PNG", "8")
    exr = image_format["per_format"]["OPEN_EXR"]
    assert exr["color_depth"] == ["16", "32"]
    assert "B44" in exr["exr_codec_by_depth"]["16"] and "B44" not in exr["exr_codec_by_depth"]["32"]


def test_declared_socket_limits(catalog):
    """Socket min/max come from the node declarations, e.g. a Mix factor is 0..1."""
    if VERSION >= (5, 0):
        value = catalog["nodes"]["ShaderNodeMath"]["inputs"][0]
        assert (value["min"], value["max"]) == (-10000.0, 10000.0)
    else:
        fac = catalog["nodes"]["CompositorNodeMixRGB"]["inputs"][0]
        assert (fac["identifier"], fac["min"], fac["max"]) == ("Fac", 0.0, 1.0)


def test_hard_socket_limits(catalog):
    """The declared range is the UI's: Blender holds a Math input to no limit (hard_min/hard_max
    absent), and 4.x's unsigned Gamma input to 0 and up."""
    math_node = "ShaderNodeMath" if VERSION >= (5, 0) else "CompositorNodeMath"
    value = catalog["nodes"][math_node]["inputs"][0]
    assert "hard_min" not in value and "hard_max" not in value
    if VERSION < (5, 0):
        gamma = catalog["nodes"]["CompositorNodeGamma"]["inputs"][1]
        assert (gamma["identifier"], gamma["hard_min"], gamma["min"]) == ("Gamma", 0.0, 0.001)


def test_pass_only_render_layers_outputs_are_listed(catalog):
    """Outputs Blender adds only while their pass is on are in the catalogue, shown as off."""
    outputs = {s["name"]: s for s in catalog["nodes"]["CompositorNodeRLayers"]["outputs"]}
    for name in ("CryptoObject00", "CryptoMaterial02", "CryptoAsset01", "Denoising Normal",
                 "Denoising Depth", "Noisy Image", "Shadow Catcher"):
        assert outputs[name]["enabled"] is False, name
    assert outputs["Denoising Normal"]["type"] == "VECTOR"
    assert outputs["CryptoObject00"]["type"] == "RGBA"
    assert set(catalog["render_passes"]) <= set(outputs)
