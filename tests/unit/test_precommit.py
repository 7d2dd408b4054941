"""The pre-commit hooks, run by pre-commit itself (`try-repo`) on a throwaway git repository."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = 'rl = RenderLayers()\nout = FileOutput(path="//d/")\nrl.Depth -> out.depth\n'
BROKEN = "rl = RenderLayers()\nrl.Deph -> Viewer()\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A copy of this project committed to a temporary repository, as pre-commit needs a commit."""
    src = tmp_path_factory.mktemp("hooks") / "nodescript"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venvs", ".git", "__pycache__",
                                                           "*.blend*", "out"))
    _git(src, "init", "-q")
    _git(src, "add", "-A")
    _git(src, "commit", "-qm", "snapshot")
    return src


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True)


def _try(hook_repo, work, hook, *files):
    env = {"PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent),
           "PRE_COMMIT_HOME": str(hook_repo.parent / "cache"), "HOME": str(work)}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook,
                           "--files", *files], cwd=work, capture_output=True, text=True, env=env)


@pytest.fixture
def work(tmp_path):
    (tmp_path / "good.nodes").write_text(GOOD)
    (tmp_path / "broken.nodes").write_text(BROKEN)
    (tmp_path / "messy.nodes").write_text("rl=RenderLayers()\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    return tmp_path


def test_lint_hook_passes_good_and_fails_broken(hook_repo, work):
    good = _try(hook_repo, work, "nodescript-lint", "good.nodes")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    broken = _try(hook_repo, work, "nodescript-lint", "broken.nodes")
    assert broken.returncode == 1
    assert "broken.nodes:2:3: error[NS103]" in broken.stdout


def test_fmt_hook_rewrites_and_fails_once(hook_repo, work):
    first = _try(hook_repo, work, "nodescript-fmt", "messy.nodes")
    assert first.returncode == 1 and "files were modified by this hook" in first.stdout
    assert (work / "messy.nodes").read_text() == "rl = RenderLayers()\n"
    _git(work, "add", "-A")
    second = _try(hook_repo, work, "nodescript-fmt", "messy.nodes")
    assert second.returncode == 0, second.stdout
