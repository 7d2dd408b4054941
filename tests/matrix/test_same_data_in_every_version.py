"""One `.nodes` file, the same data in every Blender version: examples/multipass.nodes applied to
one scene (made by the oldest version, opened by the others with --allow-upgrade) and rendered
by each version's bpy; the written depth, normal and position arrays are compared.

This test drives the .venvs/bpy-* environments as subprocesses from the core run (it is the only
test that needs all of them at once); without them it is skipped.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nodescript import dialects

np = pytest.importorskip("numpy")
OpenEXR = pytest.importorskip("OpenEXR")

ROOT = Path(__file__).resolve().parent.parent.parent
VENVS = ROOT / ".venvs"
GRAPH = ROOT / "examples" / "multipass.nodes"
LAYERS = {"depth": ("V",), "normal": ("X", "Y", "Z"), "position": ("X", "Y", "Z")}

pytestmark = pytest.mark.slow


def _python(version: str) -> Path:
    return VENVS / f"bpy-{version}" / "bin" / "python"


def _run(version: str, *args, cwd: Path) -> str:
    done = subprocess.run([str(_python(version)), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"Blender {version}: {args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _layers(path: Path) -> dict[str, np.ndarray]:
    """The data layers, whether one part holds them all (4.x) or each is a part (5.0 on)."""
    with OpenEXR.File(str(path), separate_channels=True) as exr:
        channels = {name: np.asarray(c.pixels) for part in exr.parts
                    for name, c in part.channels.items()}
    return {layer: np.stack([channels[f"{layer}.{c}"] for c in parts], -1)
            for layer, parts in LAYERS.items()}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, dict[str, np.ndarray]]:
    versions = [v for v in dialects.versions() if _python(v).exists()]
    if len(versions) < len(dialects.versions()):
        pytest.skip("needs every .venvs/bpy-* environment (scripts/bootstrap.sh)")
    work = tmp_path_factory.mktemp("matrix")
    scene = work / "scene.blend"
    _run(versions[0], ROOT / "scripts" / "make_example_scene.py", scene, cwd=ROOT)
    found = {}
    for version in versions:
        folder = work / version
        folder.mkdir()
        applied = folder / "applied.blend"
        _run(version, "-m", "nodescript", "apply", scene, GRAPH, "-o", applied, "--allow-upgrade",
             cwd=ROOT)
        _run(version, "-m", "nodescript", "render", applied, "--out", folder / "out", cwd=ROOT)
        written = sorted((folder / "out" / "data").glob("*.exr"))
        assert len(written) == 1, f"Blender {version} wrote {written}"
        found[version] = _layers(written[0])
    return found


def test_every_version_writes_full_float_data_of_the_scene(rendered):
    for version, layers in rendered.items():
        depth = layers["depth"][..., 0]
        ground = depth[depth > 9.99]                    # the ground plane at 10 m
        assert ground.size and np.abs(ground - 10.0).max() < 1e-5, version
        assert 7.9 < depth.min() < 9.5, version         # the ramp rises towards the camera
        # Normals are averaged over samples: unit length inside surfaces, shorter at edges.
        unit = np.abs(np.linalg.norm(layers["normal"], axis=-1) - 1) < 1e-4
        assert unit.mean() > 0.9, version


def _ulps(a: np.ndarray, b: np.ndarray) -> float:
    """The largest difference in float32 units in the last place of the values."""
    return float((np.abs(a - b) / np.spacing(np.abs(b).astype(np.float32) + 1e-30)).max())


def test_the_arrays_agree_to_float32_rounding(rendered):
    """Measured (docs/accurate-depth.md, "Every version"): Cycles' ray intersection changed in
    4.5 and 5.1 (position moves by a few micrometres, depth by 1 ulp on a few pixels) and its
    sample accumulation in 5.0, 5.1 and 5.3 (normals by a few ulps). Nothing else differs: the
    compositor writes the same full-float data in every version."""
    versions = list(rendered)
    for older, newer in zip(versions, versions[1:]):
        a, b = rendered[older], rendered[newer]
        assert _ulps(a["depth"], b["depth"]) <= 1, (older, newer)
        assert np.abs(a["position"] - b["position"]).max() < 1e-5, (older, newer)   # 10 µm
        assert np.abs(a["normal"] - b["normal"]).max() < 1e-6, (older, newer)


def test_depth_changes_only_where_cycles_intersection_changed(rendered):
    """Between versions whose rays hit surfaces at the same points (position bit-identical),
    depth is bit-identical too: the compositor and the file add nothing."""
    versions = list(rendered)
    same_hits = 0
    for older, newer in zip(versions, versions[1:]):
        a, b = rendered[older], rendered[newer]
        if np.array_equal(a["position"], b["position"]):
            same_hits += 1
            assert np.array_equal(a["depth"], b["depth"]), (older, newer)
    assert same_hits >= 1
