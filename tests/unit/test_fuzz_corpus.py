"""Every input that ever failed (tests/fuzz/corpus) stays a regression test, and the
coverage-guided atheris target runs for a bounded time (NODESCRIPT_FUZZ_SECONDS, default 10)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nodescript.cli import main
from tests.fuzz.properties import check_input

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
CASES = sorted(CORPUS.iterdir())


def test_the_corpus_is_there():
    assert len(CASES) >= 18


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_input(case, tmp_path):
    data = case.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        check_input(text)
    copy = tmp_path / "case.nodes"               # the CLI on the file itself: bytes as they are
    copy.write_bytes(data)
    for args in (["lint", str(copy)], ["fmt", "--check", str(copy)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code in (0, 1), (args, result.output, result.exception)
        assert "Traceback" not in result.output
        assert "root:" not in result.output and "PATH=" not in result.output


def test_atheris_runs_clean(tmp_path):
    pytest.importorskip("atheris")
    seconds = int(os.environ.get("NODESCRIPT_FUZZ_SECONDS", "10"))
    work = tmp_path / "corpus"                  # libFuzzer adds new inputs to the first folder
    work.mkdir()
    ran = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "fuzz" / "atheris_target.py"),
         f"-max_total_time={seconds}", "-rss_limit_mb=2048", "-timeout=20",
         f"-artifact_prefix={tmp_path}/", str(work), str(CORPUS), str(ROOT / "examples")],
        capture_output=True, text=True, cwd=tmp_path, timeout=seconds + 120,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    crashes = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-")))
    assert ran.returncode == 0 and not crashes, (crashes, ran.stderr[-3000:])
    assert "Done" in ran.stderr
