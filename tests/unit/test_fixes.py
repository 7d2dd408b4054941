"""`nodescript lint --fix`: golden before/after files, idempotence, fmt-clean output, and what
must never be touched (previews, mixed outputs, suppressed lines, disabled rules, includes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from nodescript.cli import main
from nodescript.config import Config
from nodescript.fmt import format_source
from nodescript.lint import lint_file
from nodescript.lint.fixes import fix_file, fix_source
from nodescript.lint.rules.precision import FIXABLE

GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden" / "lint" / "fix"
CASES = sorted(p for p in GOLDEN.glob("*.nodes") if not p.name.endswith(".expected.nodes"))


def expected_for(path: Path) -> Path:
    after = path.with_name(path.name.replace(".nodes", ".expected.nodes"))
    return after if after.exists() else path          # no .expected file: nothing may change


def fixable_findings(path: Path):
    return [d for d in lint_file(str(path)).diagnostics if d.code in FIXABLE and d.is_error]


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_golden_fix(case: Path, tmp_path):
    work = tmp_path / case.name
    shutil.copy(case, work)
    before = fixable_findings(work)
    count = fix_file(str(work))
    after_text = work.read_text(encoding="utf-8")
    assert after_text == expected_for(case).read_text(encoding="utf-8")
    assert (count > 0) == (after_text != case.read_text(encoding="utf-8"))
    if count:
        assert before, "a fix without a finding"
    # Lint again: none of the fixed (error) findings is left, and the result is fmt-clean.
    left = fixable_findings(work)
    if expected_for(case) == case:             # nothing was fixable: the findings stay
        assert [d.message for d in left] == [d.message for d in before]
    else:
        assert left == []
    assert format_source(after_text, str(work)) == after_text
    # Idempotent: a second run changes nothing.
    assert fix_file(str(work)) == 0
    assert work.read_text(encoding="utf-8") == after_text
    assert not list(tmp_path.glob(".*nodescript-tmp"))


def test_expected_files_lint_without_fixable_errors():
    for expected in GOLDEN.glob("*.expected.nodes"):
        assert fixable_findings(expected) == [], expected.name


def test_fix_counts_each_finding(tmp_path):
    work = tmp_path / "half_and_codec.nodes"
    shutil.copy(GOLDEN / "half_and_codec.nodes", work)
    # half: NS302 + NS303 (B44 on half), layers: NS303 (DWA on normal.Y), pxr: NS303 (PXR24)
    assert fix_file(str(work)) == 4


def test_nothing_to_fix_leaves_the_file_alone(write_nodes):
    path = write_nodes("clean.nodes", """
        rl = RenderLayers()
        rl.Depth ->   FileOutput(path="//d/")
    """)
    stat = path.stat()
    assert fix_file(str(path)) == 0
    assert path.read_text() == 'rl = RenderLayers()\nrl.Depth ->   FileOutput(path="//d/")\n'
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


def test_disabled_rule_is_not_fixed(write_nodes):
    path = write_nodes("half.nodes", """
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> Reroute() -> Blur() -> FileOutput(path="//d/", depth=16, codec=dwaa)
    """)
    config = Config(ignore=["NS302"])
    assert fix_file(str(path), config) == 1                          # only NS303
    text = path.read_text()
    assert "depth=16" in text and "codec=zip" in text
    assert fix_file(str(path)) == 1                                  # now NS302
    assert "depth=32" in path.read_text()


def test_b44_becomes_zip_with_depth_32():
    source = ('rl = RenderLayers()\ncc = CombineColor()\nrl.Depth -> cc.Red\n'
              'cc -> FileOutput(path="//d/", format=exr, depth=16, codec=b44)\n')
    fixed, count = fix_source(source, "b.nodes", Config(select=["NS302"]))
    assert count == 1
    assert 'FileOutput(path="//d/", format=exr, depth=32, codec=zip)' in fixed


def test_nodes_from_included_files_are_not_edited(write_nodes):
    shared = write_nodes("shared.nodes", """
        rl = RenderLayers()
        out = FileOutput(path="//d/", format=png)
        rl.Depth -> out.depth
    """)
    main_file = write_nodes("shot.nodes", """
        use "shared.nodes"
        rl.Normal -> FileOutput(path="//n/", format=exr-multilayer, codec=dwaa)
    """)
    shared_text = shared.read_text()
    assert fix_file(str(main_file)) == 1
    assert "codec=zip" in main_file.read_text()
    assert shared.read_text() == shared_text


def test_syntax_or_resolve_errors_fix_nothing(write_nodes):
    broken = write_nodes("broken.nodes", 'rl = RenderLayers()\nrl.Deph -> FileOutput(format=png)\n')
    text = broken.read_text()
    assert fix_file(str(broken)) == 0 and broken.read_text() == text


def test_cli_lint_fix(tmp_path):
    work = tmp_path / "half_and_codec.nodes"
    shutil.copy(GOLDEN / "half_and_codec.nodes", work)
    result = CliRunner().invoke(main, ["lint", "--fix", str(work)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert work.read_text() == (GOLDEN / "half_and_codec.expected.nodes").read_text()
