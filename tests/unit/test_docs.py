"""The docs stay true: their ```nodes examples resolve, docs/rules.md matches the registry, and
every rule is documented with the fixed headings."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from nodescript.lint.registry import all_rules
from nodescript.resolve import compile_source
from nodescript.scene_settings import SCENE_KEYS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")


def fenced_blocks(text: str) -> list[tuple[str, int, str]]:
    """(info string, line of the opening fence, body) for each fenced code block."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        fence, info, start = match["fence"], match["info"].strip(), i + 1
        body = []
        i += 1
        while i < len(lines) and not (lines[i].strip().startswith(fence[0] * len(fence))
                                      and lines[i].strip().strip(fence[0]) == ""):
            body.append(lines[i])
            i += 1
        blocks.append((info, start, "\n".join(body) + "\n"))
        i += 1
    return blocks


def doc_files() -> list[Path]:
    files = sorted(DOCS.glob("*.md"))
    if (ROOT / "README.md").is_file():
        files.append(ROOT / "README.md")
    return files


def nodes_examples():
    for path in doc_files():
        for info, line, body in fenced_blocks(path.read_text(encoding="utf-8")):
            if info.split()[:1] == ["nodes"]:
                rel = path.relative_to(ROOT)
                yield pytest.param(path, body, id=f"{rel}:{line}")


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "scripts" / "gen_rule_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fence_parser_finds_blocks():
    text = "intro\n```nodes\na = Viewer()\n```\n\n```text\nbroken(\n```\n"
    assert fenced_blocks(text) == [("nodes", 2, "a = Viewer()\n"), ("text", 6, "broken(\n")]


def test_docs_have_nodes_examples():
    assert len(list(nodes_examples())) >= 10, "docs/language.md should carry its examples"


@pytest.mark.parametrize("path, source", list(nodes_examples()))
def test_nodes_example_resolves(path: Path, source: str):
    # Resolved as if the block were a file next to the doc, so a `use` would be relative to it.
    loaded = compile_source(source, str(path.with_suffix(".example.nodes")))
    errors = [d.render() for d in loaded.diagnostics if d.is_error]
    assert loaded.graph is not None and not errors, "\n\n".join(errors)


def test_rules_md_is_up_to_date():
    generator = _load_generator()
    expected = generator.render()
    current = (DOCS / "rules.md").read_text(encoding="utf-8")
    assert current == expected, "docs/rules.md is stale: run `python scripts/gen_rule_docs.py`"


def test_rules_md_check_mode(tmp_path):
    generator = _load_generator()
    target = tmp_path / "rules.md"
    assert generator.main(["--check", "--output", str(target)]) == 1      # missing
    assert generator.main(["--output", str(target)]) == 0
    assert generator.main(["--check", "--output", str(target)]) == 0
    target.write_text(target.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert generator.main(["--check", "--output", str(target)]) == 1


def test_rules_md_lists_every_rule():
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    for code, rule in all_rules().items():
        assert f"### {code} {rule.name}\n" in text
        assert f"[{code}](#{code.lower()}-{rule.name})" in text


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_rule_has_docs(code: str):
    rule = all_rules()[code]
    assert rule.summary.strip(), f"{code} has no summary"
    assert rule.docs.strip(), f"{code} has no docs"
    for heading in ("## What it does", "## Why is this bad?"):
        assert re.search(rf"^{re.escape(heading)}\s*$", rule.docs, re.M), f"{code}: no `{heading}`"
        section = rule.docs.split(heading, 1)[1].split("\n## ", 1)[0]
        assert section.strip(), f"{code}: `{heading}` is empty"


def test_language_md_documents_every_scene_key():
    text = (DOCS / "language.md").read_text(encoding="utf-8")
    for key in SCENE_KEYS:
        assert f"| `{key.key}` |" in text, f"scene key `{key.key}` missing from docs/language.md"
        for alias in key.aliases:
            assert f"`{alias}`" in text, f"alias `{alias}` of `{key.key}` missing"


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def test_docs_links_resolve():
    for path in doc_files():
        text = path.read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([^)#:\s]*)(?:#([^)\s]*))?\)", text):
            linked = (path.parent / target) if target else path
            assert linked.exists(), f"{path.name} links to missing {target}"
            if anchor and linked.suffix == ".md":
                assert anchor in _anchors(linked), f"{path.name} links to missing {target}#{anchor}"


@pytest.mark.parametrize("path, source", list(nodes_examples()))
def test_nodes_example_is_formatted(path: Path, source: str):
    """Examples are in the canonical form, so copying one into a file never makes `fmt` dirty."""
    from nodescript.fmt import format_source

    assert format_source(source, str(path)) == source


def test_middle_socket_is_the_input_then_default_output_continues():
    source = ("rl = RenderLayers()\nm = Math(operation=multiply)\nv = Viewer()\n"
              "rl.Depth -> m[1] -> v\n")
    loaded = compile_source(source, "middle.nodes")
    assert not [d for d in loaded.diagnostics if d.is_error]
    into_m, into_v = loaded.graph.links
    assert (into_m.to_node, into_m.bindings["5.0"][1].index) == ("m", 1)
    assert (into_v.from_node, into_v.from_socket) == ("m", "Value")
