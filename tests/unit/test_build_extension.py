"""scripts/build_extension.sh without Blender: the zip's manifest and contents (Blender's own
validator and a headless install run in tests/blender/test_extension.py)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import nodescript
from nodescript import dialects

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(["bash", str(ROOT / "scripts" / "build_extension.sh"), "--out", str(out),
                           "--no-validate"], capture_output=True, text=True,
                          env={**os.environ, "PYTHON": sys.executable})
    assert done.returncode == 0, done.stderr
    assert f"wrote {out / f'nodescript-{nodescript.__version__}.zip'}" in done.stdout
    return out / f"nodescript-{nodescript.__version__}.zip"


def test_manifest_names_the_version_the_blenders_and_the_wheels(built):
    with zipfile.ZipFile(built) as archive:
        manifest = tomllib.loads(archive.read("blender_manifest.toml").decode())
        names = set(archive.namelist())

    assert manifest["id"] == "nodescript" and manifest["type"] == "add-on"
    assert manifest["version"] == nodescript.__version__
    first, last = dialects.versions()[0], dialects.versions()[-1]
    assert manifest["blender_version_min"] == f"{first}.0"
    major, minor = last.split(".")
    assert manifest["blender_version_max"] == f"{major}.{int(minor) + 1}.0"    # exclusive
    wheels = [w.removeprefix("./") for w in manifest["wheels"]]
    assert {Path(w).name.split("-")[0] for w in wheels} == {"nodescript", "lark", "click"}
    assert all(w.endswith("-py3-none-any.whl") for w in wheels)             # any platform
    assert set(wheels) <= names


def test_the_zip_holds_the_addon_modules_and_nothing_else(built):
    sources = {p.name for p in (ROOT / "extension").glob("*.py")}
    with zipfile.ZipFile(built) as archive:
        names = archive.namelist()
        infos = archive.infolist()

    assert {n for n in names if "/" not in n} == sources | {"blender_manifest.toml"}
    assert {n.split("/")[0] for n in names if "/" in n} == {"wheels"}
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)           # reproducible


def test_the_bundled_nodescript_is_this_checkout(built, tmp_path):
    with zipfile.ZipFile(built) as archive:
        wheel = next(n for n in archive.namelist() if n.startswith("wheels/nodescript-"))
        (tmp_path / "ns.whl").write_bytes(archive.read(wheel))
    with zipfile.ZipFile(tmp_path / "ns.whl") as inner:
        listed = set(inner.namelist())
        here = inner.read("nodescript/blender/in_scene.py")

    assert here == (ROOT / "nodescript" / "blender" / "in_scene.py").read_bytes()
    assert "nodescript/grammar/nodescript.lark" in listed
    assert {f"nodescript/catalog/data/blender-{v}.json" for v in dialects.versions()} <= listed


def test_the_addon_has_no_nodescript_of_its_own():
    """No second implementation: the add-on's modules import nodescript for every step and
    define no lowering, diff or lint of their own."""
    imported = set()
    for path in (ROOT / "extension").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    assert {"nodescript.blender.in_scene", "nodescript.blender.export"} <= imported
    assert not any(m.startswith(("lark", "nodescript.syntax")) for m in imported)
