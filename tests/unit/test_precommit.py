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


def _documented_local_config() -> str:
    """The `repo: local` block of docs/configuration.md, which the README repeats."""
    import re

    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "configuration.md").read_text(), re.S)
    local = [b for b in blocks if "repo: local" in b]
    assert len(local) == 1, "docs/configuration.md should show one `repo: local` config"
    readme = (ROOT / "README.md").read_text()
    assert local[0].split("repos:\n", 1)[1] in readme, "README's local hooks differ from the docs'"
    return local[0]


def _run_hooks(work, config: str, *files, cache=None):
    (work / ".pre-commit-config.yaml").write_text(config)
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "PRE_COMMIT_HOME": str(cache or work.parent / "cache"), "HOME": str(work)}
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--files", *files],
                          cwd=work, capture_output=True, text=True, env=env)


def test_documented_local_hooks_run_as_written(work):
    config = _documented_local_config()
    good = _run_hooks(work, config, "good.nodes")
    assert good.returncode == 0, good.stdout + good.stderr
    broken = _run_hooks(work, config, "broken.nodes")
    assert broken.returncode == 1 and "broken.nodes:2:3: error[NS103]" in broken.stdout
    messy = _run_hooks(work, config, "messy.nodes")
    assert messy.returncode == 1 and (work / "messy.nodes").read_text() == "rl = RenderLayers()\n"


def test_remote_hooks_at_a_commit_sha(hook_repo, work):
    """The documented remote form: `rev:` a full commit sha (there are no release tags)."""
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True,
                         text=True, check=True).stdout.strip()
    config = (f"repos:\n  - repo: {hook_repo}\n    rev: {sha}\n    hooks:\n"
              "      - id: nodescript-lint\n")
    ran = _run_hooks(work, config, "good.nodes", "broken.nodes", cache=hook_repo.parent / "cache")
    assert ran.returncode == 1 and "broken.nodes:2:3: error[NS103]" in ran.stdout, ran.stdout + ran.stderr
    assert "good.nodes" not in ran.stdout
