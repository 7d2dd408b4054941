"""Blender versions are dialects: named features in nodescript/dialects, one module each, and
no other code compares or names a version number (adding a version = catalogue + dialect)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from nodescript import catalog, dialects

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE = ROOT / "nodescript"
# The dialects themselves, and the generator, which records the running bpy's version.
ALLOWED = {PACKAGE / "dialects", PACKAGE / "catalog" / "generate.py"}
VERSION = re.compile(r"[4-9]\.\d+(\.\d+)?")


def test_every_catalogue_has_a_dialect_and_every_dialect_a_catalogue():
    assert dialects.versions() == catalog.supported_versions()


def test_dialects_subclass_the_version_before():
    chain = dialects.all_dialects()
    for older, newer in zip(chain, chain[1:]):
        assert isinstance(newer, type(older)), f"{newer!r} should subclass {older!r}"


def test_each_dialect_names_its_bpy_release_and_python():
    for d in dialects.all_dialects():
        assert d.BPY_RELEASE.startswith(d.VERSION + "."), d
        assert catalog.load(d.VERSION).blender == d.BPY_RELEASE, d   # the catalogue's source
        assert re.fullmatch(r"3\.\d+", d.PYTHON), d


def test_unknown_versions_are_one_clear_error():
    with pytest.raises(dialects.UnknownVersion, match="knows 4.2, "):
        dialects.get("3.6")
    assert dialects.get("4.2.23").VERSION == "4.2"


def test_table_for_the_setup_scripts(capsys):
    import runpy

    runpy.run_module("nodescript.dialects", run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(dialects.versions())
    assert all(len(line.split()) == 3 for line in lines)


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if not any(path == a or a in path.parents for a in ALLOWED):
            yield path


def _docstrings(tree) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, kinds) and n.body and isinstance(n.body[0], ast.Expr)}


def _version_uses(path: Path, root: Path = ROOT) -> list[str]:
    """Places that name a version as a value: "5.0" as a constant or dict key, a
    startswith("4."), a comparison with bpy.app.version. Prose in messages may mention
    versions (what was measured where); code may not branch on them."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docs and VERSION.fullmatch(node.value.strip()):
            found.append(f"{path.relative_to(root)}:{node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "startswith" and node.args \
                and isinstance(node.args[0], ast.Constant) \
                and re.fullmatch(r"[4-9]\.", str(node.args[0].value)):
            found.append(f"{path.relative_to(root)}:{node.lineno}: startswith({node.args[0].value!r})")
        elif isinstance(node, ast.Compare) and "app.version" in ast.unparse(node):
            found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_code_outside_the_dialects_names_a_version():
    found = [use for path in _sources() for use in _version_uses(path)]
    assert found == [], "compare dialect features instead:\n" + "\n".join(found)


def test_the_check_finds_a_version_comparison(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('def f(v):\n    """About 5.0."""\n    if v == "5.0" or v.startswith("4."):\n'
                   '        return {"4.2": 1}\n')
    assert len(_version_uses(bad, tmp_path)) == 3
