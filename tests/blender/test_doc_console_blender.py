"""The ```console blender examples of README.md and docs/ print what the doc shows, in this
Blender (the convention: tests/console_examples.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
pytest.importorskip("bpy")
pytest.importorskip("OpenEXR")

import console_examples as ce  # noqa: E402

BLENDER = [b for b in ce.all_blocks() if b.blender]


@pytest.mark.parametrize("block", BLENDER, ids=[b.id for b in BLENDER])
def test_console_example(block, tmp_path, version):
    if block.versions and version not in block.versions:
        pytest.skip(f"the doc shows Blender {', '.join(block.versions)}'s output")
    ce.run_block(block, tmp_path)
