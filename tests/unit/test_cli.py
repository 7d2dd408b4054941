"""The command line: exit codes, output formats, configuration and suppressions."""

import importlib.util
import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from nodescript.cli import main

GOOD = 'rl = RenderLayers()\nout = FileOutput(path="//d/")\nrl.Depth -> out.depth\n'
WARN = GOOD + "b = Blur()\n"                     # NS201: unused node
BROKEN = "rl = RenderLayers()\nrl.Deph -> Viewer()\n"


def run(*args, cwd=None):
    runner = CliRunner()
    if cwd is not None:
        with runner.isolated_filesystem(temp_dir=cwd):
            return runner.invoke(main, list(args), catch_exceptions=False)
    return runner.invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def files(write_nodes):
    return {name: write_nodes(f"{name}.nodes", text)
            for name, text in (("good", GOOD), ("warn", WARN), ("broken", BROKEN),
                               ("syntax", "rl = RenderLayers(\n"))}


def test_exit_codes(files):
    assert run("lint", str(files["good"])).exit_code == 0
    assert run("lint", str(files["warn"])).exit_code == 0           # warnings don't fail
    assert run("lint", str(files["broken"])).exit_code == 1
    assert run("lint", str(files["syntax"])).exit_code == 1
    assert run("lint", "missing.nodes").exit_code == 2
    assert run("lint", str(files["good"]), "--format", "xml").exit_code == 2


def test_text_output_has_location_source_and_caret(files):
    out = run("lint", str(files["broken"])).output
    assert f"{files['broken']}:2:3: error[NS103]: RenderLayers `rl` has no output `Deph`" in out
    assert "  rl.Deph -> Viewer()\n    ^^^^^" in out
    assert "help: did you mean `Depth`?" in out
    assert "1 file checked: 1 error(s)" in out


def test_json_output(files):
    result = run("lint", "--format", "json", str(files["warn"]), str(files["broken"]))
    found = json.loads(result.output)
    assert {(f["code"], f["severity"]) for f in found} == {("NS201", "warning"), ("NS103", "error")}
    for f in found:
        assert {"code", "severity", "message", "file", "line", "col"} <= set(f)


def test_sarif_output(files):
    doc = json.loads(run("lint", "--format", "sarif", str(files["broken"])).output)
    assert doc["version"] == "2.1.0"
    (result,) = doc["runs"][0]["results"]
    assert result["ruleId"] == "NS103" and result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (2, 3)
    assert doc["runs"][0]["tool"]["driver"]["rules"][0]["id"] == "NS103"


def test_github_output(files):
    out = run("lint", "--format", "github", str(files["broken"])).output.strip()
    assert out.startswith(f"::error file={files['broken']},line=2,col=3,")
    assert "title=NS103::" in out


def test_select_and_ignore(files):
    assert "NS201" not in run("lint", "--ignore", "NS201", str(files["warn"])).output
    assert "NS201" not in run("lint", "--select", "NS1", str(files["warn"])).output
    assert "NS201" in run("lint", "--select", "NS2", str(files["warn"])).output


def test_inline_suppression(write_nodes):
    path = write_nodes("s.nodes", GOOD + "b = Blur()  # nodescript: ignore[NS201]\n")
    assert "NS201" not in run("lint", str(path)).output
    path = write_nodes("t.nodes", GOOD + "b = Blur()  # nodescript: ignore[NS999]\n")
    assert "NS201" in run("lint", str(path)).output


def test_pyproject_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nodescript]\nignore = ["NS201"]\n')
    (tmp_path / "w.nodes").write_text(WARN)
    out = subprocess.run([sys.executable, "-m", "nodescript", "lint", "w.nodes"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0 and "NS201" not in out.stdout
    (tmp_path / "pyproject.toml").write_text('[tool.nodescript]\nignroe = ["NS201"]\n')
    out = subprocess.run([sys.executable, "-m", "nodescript", "lint", "w.nodes"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 2 and "unknown [tool.nodescript] keys: ignroe" in out.stderr


def test_folders_are_searched_for_nodes_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.nodes").write_text(GOOD)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "b.nodes").write_text(BROKEN)
    result = run("lint", str(tmp_path))
    assert result.exit_code == 0 and "1 file checked" in result.output


def test_fmt_check_diff_and_write(write_nodes):
    path = write_nodes("f.nodes", "rl=RenderLayers()\n")
    assert run("fmt", "--check", str(path)).exit_code == 1
    diff = run("fmt", "--diff", str(path))
    assert diff.exit_code == 1 and "+rl = RenderLayers()" in diff.output
    assert path.read_text() == "rl=RenderLayers()\n"
    assert run("fmt", str(path)).exit_code == 0
    assert path.read_text() == "rl = RenderLayers()\n"
    assert run("fmt", "--check", str(path)).exit_code == 0


def test_fmt_reports_syntax_errors_without_writing(write_nodes):
    path = write_nodes("f.nodes", "rl = RenderLayers(\n")
    result = run("fmt", str(path))
    assert result.exit_code == 1 and "NS001" in result.output
    assert path.read_text() == "rl = RenderLayers(\n"


def test_graph_dot(files, tmp_path):
    out = tmp_path / "g.dot"
    assert run("graph", str(files["good"]), "-o", str(out)).exit_code == 0
    dot = out.read_text()
    assert dot.startswith("digraph nodescript {")
    assert '"rl":"o2":e -> "out":"i0":w;' in dot            # sockets by index: Depth is output 2
    assert "format=exr, depth=32, codec=zip" in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG")])
def test_graph_pictures(files, tmp_path, suffix, magic):
    out = tmp_path / f"g{suffix}"
    assert run("graph", str(files["good"]), "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(magic)


def test_graph_refuses_broken_graphs_and_unknown_suffixes(files, tmp_path):
    assert run("graph", str(files["broken"]), "-o", str(tmp_path / "g.svg")).exit_code == 1
    assert not (tmp_path / "g.svg").exists()
    assert run("graph", str(files["good"]), "-o", str(tmp_path / "g.jpg")).exit_code == 2


def test_rule_docs():
    out = run("rule", "NS201").output
    assert out.startswith("# NS201 unused-node (warning)") and "## What it does" in out
    listing = run("rule").output
    assert "NS001" in listing and "NS201" in listing
    assert run("rule", "NS999").exit_code == 2


def test_config_cannot_hide_an_invalid_graph(files, write_nodes):
    assert run("lint", "--select", "NS2", str(files["broken"])).exit_code == 1
    path = write_nodes("i.nodes", "rl = RenderLayers()\nrl.Deph -> Viewer()  # nodescript: ignore\n")
    assert run("lint", str(path)).exit_code == 1


def test_exclude_globs_reach_nested_folders(tmp_path):
    (tmp_path / "build" / "sub").mkdir(parents=True)
    (tmp_path / "build" / "sub" / "a.nodes").write_text(BROKEN)
    (tmp_path / "ok.nodes").write_text(GOOD)
    (tmp_path / "pyproject.toml").write_text('[tool.nodescript]\nexclude = ["build/**"]\n')
    out = subprocess.run([sys.executable, "-m", "nodescript", "lint", "."], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0 and "1 file checked" in out.stdout


@pytest.mark.skipif(importlib.util.find_spec("bpy") is not None, reason="bpy is installed here")
@pytest.mark.parametrize("args", [("lint", "{blend}"), ("apply", "{blend}", "{graph}"),
                                  ("render", "{blend}"), ("export", "{blend}")])
def test_without_bpy_a_blend_command_says_how_to_install_it_in_one_line(args, tmp_path):
    blend = tmp_path / "shot.blend"
    blend.write_bytes(b"\x28\xb5\x2f\xfd" + b"\0" * 64)     # zstd-compressed: bpy is said first
    graph = tmp_path / "g.nodes"
    graph.write_text("rl = RenderLayers()\n")
    result = CliRunner().invoke(main, [a.format(blend=blend, graph=graph) for a in args])
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and result.exit_code == 2, result.output
    assert f"nodescript {args[0]}" in lines[0] and "pip install bpy==" in lines[0]
    assert "zstandard" not in lines[0] and "NS002" not in lines[0]
