"""`git diff` on .blend files through `nodescript export` as git's textconv driver: the lines
docs/git-diff.md tells people to add, run with real git on a repository with two commits."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.blender,
              pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")]
pytest.importorskip("bpy")

from conftest import EXAMPLES, ROOT  # noqa: E402

DOC = ROOT / "docs" / "git-diff.md"
# How the test runs "nodescript": this Python (with bpy) and this checkout.
NODESCRIPT = f"{shlex.quote(sys.executable)} -c 'from nodescript.cli import main; main()'"


def documented_setup() -> tuple[str, list[str]]:
    """(the .gitattributes line, the `git config` commands) as docs/git-diff.md shows them."""
    text = DOC.read_text(encoding="utf-8")
    attributes = re.search(r"```text\n(\*\.blend [^\n]*)\n```", text)[1]
    commands = re.search(r"```sh\n(.*?)```", text, re.S)[1].splitlines()
    return attributes, [c.split("#")[0].strip() for c in commands if c.startswith("git config")]


def git(repo, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo,
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def repo(tmp_path, make_scene, cli):
    """A repository set up as documented, with shot.blend committed twice: the good graph, then
    the half-float trap applied to it (saved compressed)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    attributes, commands = documented_setup()
    assert attributes == "*.blend diff=nodescript"
    assert git(repo, "init", "-q").returncode == 0
    (repo / ".gitattributes").write_text(attributes + "\n")
    for command in commands:
        words = shlex.split(command)
        if words[2] == "diff.nodescript.textconv":
            assert words[3] == "/path/to/venv/bin/nodescript export"
            words[3] = f"{NODESCRIPT} export"
        assert git(repo, *words[1:]).returncode == 0
    shot = repo / "shot.blend"
    for graph, message, compress in ((EXAMPLES / "depth.nodes", "depth as float32", False),
                                     (EXAMPLES / "traps" / "half-float.nodes", "the trap", True)):
        scene = make_scene(f"{message}.blend")
        assert cli("apply", scene, graph, "--force").code == 0
        if compress:                     # Blender's "Compress" option: a zstd stream
            import bpy

            bpy.ops.wm.open_mainfile(filepath=str(scene), load_ui=False, use_scripts=False)
            bpy.ops.wm.save_as_mainfile(filepath=str(scene), compress=True)
            assert scene.read_bytes()[:4] == b"\x28\xb5\x2f\xfd"
        shutil.copyfile(scene, shot)
        assert git(repo, "add", "-A").returncode == 0
        assert git(repo, "commit", "-qm", message).returncode == 0
    return repo


def env_with_temp(tmp_path):
    import os

    temp = tmp_path / "git-temp"
    temp.mkdir()
    return temp, dict(os.environ, TMPDIR=str(temp),
                      PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))


def test_git_diff_shows_the_compositor_change_as_nodes_text(repo, tmp_path):
    temp, env = env_with_temp(tmp_path)
    before = sorted(p.name for p in repo.iterdir())

    diff = git(repo, "diff", "HEAD~1", "HEAD", "--", "shot.blend", env=env)

    assert diff.returncode == 0, diff.stderr
    assert "Binary files" not in diff.stdout
    removed = [l for l in diff.stdout.splitlines() if l.startswith("-") and not l.startswith("---")]
    added = [l for l in diff.stdout.splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert removed == ['-depth = FileOutput(path="//out/depth/", format=exr, depth=32, codec=zip)',
                       "-rl.Depth -> depth.depth"]
    assert '+half = FileOutput(path="//out/half/", format=exr, depth=16, codec=zip)' in added
    assert "+c = CombineColor()" in added and "+rl.Depth -> c.Red" in added
    # export wrote nothing next to the file, and git's temporary copies are gone; the temp
    # folder keeps only lark's grammar cache (compiled parser tables, written once by any command)
    assert sorted(p.name for p in repo.iterdir()) == before
    assert [p.name for p in temp.iterdir() if not p.name.startswith(".lark_cache_")] == []
    assert git(repo, "status", "--porcelain").stdout == ""


def test_log_and_working_tree_diffs_use_the_driver_too(repo, tmp_path, make_scene, cli, graph):
    temp, env = env_with_temp(tmp_path)
    log = git(repo, "log", "-p", "--format=%s", "--", "shot.blend", env=env)
    assert log.returncode == 0, log.stderr
    assert "+rl.Depth -> depth.depth" in log.stdout               # the first commit, as text
    assert "+rl.Depth -> c.Red" in log.stdout                      # the second
    # An uncommitted edit: git hands export the working-tree file itself.
    edited = make_scene("edited.blend")
    assert cli("apply", edited, graph('rl = RenderLayers()\nrl.Depth -> Viewer()\n')).code == 0
    shutil.copyfile(edited, repo / "shot.blend")
    before = sorted(p.name for p in repo.iterdir())
    work = git(repo, "diff", "--", "shot.blend", env=env)
    assert work.returncode == 0, work.stderr
    assert "-c -> half.depth" in work.stdout or "-c.Image -> half.depth" in work.stdout
    assert sorted(p.name for p in repo.iterdir()) == before       # no .blend1, nothing new
    assert git(repo, "diff", "--no-textconv", "--", "shot.blend").stdout.count("Binary files") == 1
