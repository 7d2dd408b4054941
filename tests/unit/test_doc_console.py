"""Every plain ```console example of README.md and docs/ prints what the doc shows (the blender
ones run in tests/blender/test_doc_console_blender.py). The convention: tests/console_examples.py."""

from __future__ import annotations

import pytest

import console_examples as ce

PLAIN = [b for b in ce.all_blocks() if not b.blender]


def test_the_docs_have_console_examples_of_both_kinds():
    blocks = ce.all_blocks()
    assert len(PLAIN) >= 5 and any(b.blender for b in blocks)
    assert all(b.commands for b in blocks), [b.id for b in blocks if not b.commands]


@pytest.mark.parametrize("block", PLAIN, ids=[b.id for b in PLAIN])
def test_console_example(block, tmp_path):
    ce.run_block(block, tmp_path)


def test_wildcard_lines_match_any_lines():
    assert ce.matches(["a", "...", "z"], ["a", "b", "c", "z"])
    assert ce.matches(["a", "...", "z"], ["a", "z"])
    assert not ce.matches(["a", "...", "z"], ["a", "b"])
    assert not ce.matches(["a.b"], ["axb"])
    assert ce.matches(["applied ... changes"], ["applied 10 changes"])   # within a line
    assert not ce.matches(["applied ... changes"], ["applied 10", "changes"])


def test_normalising_hides_what_differs_between_runs(tmp_path):
    text = (f"{tmp_path}/out/x.exr (13,024 bytes)\nBlender 4.2.23 LTS reading {tmp_path} "
            "(saved by Blender 4.2)\n1 frame(s) in 0.09 s\n"
            "Error: Not freed memory blocks: 1, total unfreed memory 0.001328 MB\n\n")
    assert ce.normalise(text, tmp_path) == [
        "out/x.exr (N bytes)", "Blender X.Y.Z reading . (saved by Blender X.Y)", "1 frame(s) in N s"]


def test_a_mismatch_shows_the_doc_and_the_output(tmp_path):
    command = ce.Command(ce.ROOT / "README.md", 1, "nodescript rule NS201", ["nothing like it"])
    ce.prepare_folder(tmp_path)
    with pytest.raises(AssertionError) as failed:
        ce.check(command, tmp_path)
    message = str(failed.value)
    assert "README.md:1" in message and "--- the doc shows:\nnothing like it" in message
    assert "--- the command printed:\n# NS201 unused-node (warning)" in message


def test_the_readme_shows_examples_depth_nodes_as_it_is():
    import test_docs

    readme = (ce.ROOT / "README.md").read_text(encoding="utf-8")
    first = next(body for info, _, body in test_docs.fenced_blocks(readme) if info == "nodes")
    assert first == (ce.ROOT / "examples" / "depth.nodes").read_text(encoding="utf-8")
