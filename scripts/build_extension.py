#!/usr/bin/env python3
"""Build dist/nodescript-<version>.zip, the Blender extension (run by scripts/build_extension.sh).

The zip holds, at its root, blender_manifest.toml (written here), the add-on's modules from
extension/, and wheels/ with nodescript's own wheel (built from this checkout) and pure-Python
wheels of its dependencies lark and click, at the versions this Python has installed, as the
extensions platform prescribes (Blender installs the wheels when the extension is enabled).
The add-on has no nodescript code of its own: it calls the bundled package.

The zip is reproducible: sorted entries, fixed timestamps. When a bpy environment is found
(.venvs/bpy-*), Blender's own validator (`blender --command extension validate`, run from the
bpy package's copy of it) checks the result.
"""

from __future__ import annotations

import argparse
import glob
import importlib.metadata
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = ROOT / "extension"
DEPENDENCIES = ("lark", "click")              # nodescript's run-time dependencies (pyproject)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

sys.path.insert(0, str(ROOT))                 # the dialects of this checkout


def version() -> str:
    text = (ROOT / "nodescript" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def blender_range() -> tuple[str, str]:
    """(first supported Blender, the first one past the last): the dialects nodescript has."""
    from nodescript.dialects import versions

    known = versions()
    major, minor = known[-1].split(".")
    return f"{known[0]}.0", f"{major}.{int(minor) + 1}.0"


def manifest(wheels: list[str]) -> str:
    low, high = blender_range()
    listed = "".join(f'    "./wheels/{name}",\n' for name in wheels)
    return f'''schema_version = "1.0.0"

id = "nodescript"
version = "{version()}"
name = "nodescript"
tagline = "Compositor graphs as text: apply, check, lint and live-reload"
maintainer = "nodescript contributors"
type = "add-on"
tags = ["Compositing", "Node", "Pipeline"]
blender_version_min = "{low}"
blender_version_max = "{high}"
license = ["SPDX:MIT"]
wheels = [
{listed}]

[permissions]
files = "Read .nodes files, and write them on export"
'''


def build_wheels(dest: Path) -> list[str]:
    pins = [f"{name}=={importlib.metadata.version(name)}" for name in DEPENDENCIES]
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["download", "--no-deps", "--only-binary=:all:", "--dest", str(dest),
                          *pins], check=True)
    subprocess.run(pip + ["wheel", "--no-deps", "--wheel-dir", str(dest), str(ROOT)], check=True)
    names = sorted(p.name for p in dest.glob("*.whl"))
    impure = [n for n in names if not n.endswith("-py3-none-any.whl")]
    if impure:
        sys.exit(f"build_extension: not pure-Python wheels: {', '.join(impure)}")
    return names


def addon_files() -> list[Path]:
    return sorted(p for p in ADDON.rglob("*.py") if "__pycache__" not in p.parts)


def write_zip(target: Path, wheel_dir: Path, wheels: list[str]) -> None:
    entries = [("blender_manifest.toml", manifest(wheels).encode())]
    entries += [(p.relative_to(ADDON).as_posix(), p.read_bytes()) for p in addon_files()]
    entries += [(f"wheels/{name}", (wheel_dir / name).read_bytes()) for name in wheels]
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    os.replace(partial, target)


def blender_validators() -> list[str]:
    """Blender's extension command-line tool, from each bpy environment found."""
    pattern = "bpy/*/scripts/addons_core/bl_pkg/cli/blender_ext.py"
    return sorted(glob.glob(str(ROOT / ".venvs" / "bpy-*" / "lib" / "python*" / "site-packages"
                                / pattern)))


def validate(target: Path) -> None:
    tools = blender_validators()
    if not tools:
        print("no bpy environment found: not validated by Blender (see docs/extension.md)")
        return
    done = subprocess.run([sys.executable, tools[-1], "validate", str(target)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"Blender's validator refused {target}:\n{done.stdout}{done.stderr}")
    print(f"validated by {Path(tools[-1]).relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "dist"), help="folder for the zip")
    parser.add_argument("--no-validate", action="store_true")
    args = parser.parse_args()
    target = Path(args.out) / f"nodescript-{version()}.zip"
    with tempfile.TemporaryDirectory() as tmp:
        wheels = build_wheels(Path(tmp))
        write_zip(target, Path(tmp), wheels)
    print(f"wrote {target} ({', '.join(wheels)})")
    if not args.no_validate:
        validate(target)


if __name__ == "__main__":
    main()
