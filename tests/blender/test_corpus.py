"""Issue 10's outcome on a corpus of real setups (tests/corpus): export, then apply, changes
nothing.

For each project whose code runs in this Blender version, the tiny example scene gets the
project's compositor (built by its tests/corpus module), and then:
- `export` then `apply --check` on the untouched file says up to date;
- `apply` of the export changes nothing: a full snapshot (tests/blender/snapshot.py) of the
  compositor before and after is the same, node locations included;
- applying the export onto a copy whose compositor was emptied rebuilds the same compositor
  (the same snapshot, layout apart);
- and `apply` changes nothing once export's node names are
  mapped back to Blender's (layout apart).

`--force` is passed so that precision findings (these setups write 8-bit depth, half floats...)
do not stop apply: what is measured here is the round trip, not the lint. Each case nodescript
does not meet yet is a strict xfail naming the gap, so each fix flips one to a pass.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

import corpus  # noqa: E402
from corpus import scene as corpus_scene  # noqa: E402
from snapshot import compositor, differences, renamed, snapshot, summary  # noqa: E402

from nodescript.blender.export import export_file, export_file_with_names  # noqa: E402

V = "%d.%d" % tuple(bpy.app.version[:2])

# Gaps measured today (4.2.23, 4.5.15, 5.0.1), by (test, project): each reason names what is
# lost or changed. A dict value gives the reason per version when the gaps differ.


def _gap(*parts: str) -> str:
    return "; ".join(parts)


KNOWN_GAPS: dict[tuple[str, str], str | dict[str, str]] = {
}


TESTS = ("check", "apply", "rebuild", "names")


def test_each_known_gap_is_a_case_of_the_corpus():
    """A misspelt key would leave its case without its xfail: every key names a test and a
    project, and every version given is one the project runs in."""
    projects = {p.name: p for p in corpus.projects()}
    for (test, name), gap in KNOWN_GAPS.items():
        assert test in TESTS and name in projects, (test, name)
        if isinstance(gap, dict):
            assert set(gap) <= set(projects[name].versions), (test, name)


def _cases(test: str) -> list:
    params = []
    for project in corpus.projects():
        marks = [pytest.mark.skipif(V not in project.versions,
                                    reason=f"{project.name}'s code cannot run in {V}")]
        gap = KNOWN_GAPS.get((test, project.name))
        if isinstance(gap, dict):
            gap = gap.get(V)
        if gap:
            marks.append(pytest.mark.xfail(strict=True, raises=AssertionError, reason=gap))
        params.append(pytest.param(project, marks=marks, id=project.name))
    return params


@pytest.fixture(autouse=True)
def factory_blender():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    yield
    bpy.ops.wm.read_factory_settings(use_empty=True)


def build_file(project, path):
    """The corpus scene (64x48, 1 sample) with the project's compositor, saved at `path`."""
    corpus_scene.make(bpy)
    project.build(bpy)
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    return path


def exported(blend, tmp_path):
    path = tmp_path / "exported.nodes"
    path.write_text(export_file(blend), encoding="utf-8")
    return path


def snapshot_of(open_file, path) -> dict:
    return snapshot(open_file(path))


def emptied_copy(open_file, blend, path):
    """A copy of `blend` whose compositor has no nodes, links or animation left (its node
    groups, now unused, are not saved)."""
    scene = open_file(blend)
    tree = compositor(scene)
    tree.nodes.clear()
    tree.animation_data_clear()
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    return path


def _report(lines: list[str], limit: int = 40) -> str:
    more = f"\n... and {len(lines) - limit} more" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


@pytest.mark.parametrize("project", _cases("check"))
def test_check_on_the_untouched_file_says_up_to_date(project, tmp_path, cli):
    blend = build_file(project, tmp_path / "original.blend")
    ran = cli("apply", blend, exported(blend, tmp_path), "--check", "--force")
    assert ran.code == 0, ran.out + ran.err


@pytest.mark.parametrize("project", _cases("apply"))
def test_apply_of_the_export_changes_nothing(project, tmp_path, cli, open_file):
    blend = build_file(project, tmp_path / "original.blend")
    graph = exported(blend, tmp_path)
    before = snapshot_of(open_file, blend)
    ran = cli("apply", blend, graph, "--force", "-o", tmp_path / "applied.blend")
    assert ran.code == 0, ran.out + ran.err
    after = snapshot_of(open_file, tmp_path / "applied.blend")
    assert not differences(before, after), _report(summary(before, after))


@pytest.mark.parametrize("project", _cases("rebuild"))
def test_export_rebuilds_an_emptied_compositor(project, tmp_path, cli, open_file):
    blend = build_file(project, tmp_path / "original.blend")
    graph = exported(blend, tmp_path)
    before = snapshot_of(open_file, blend)
    empty = emptied_copy(open_file, blend, tmp_path / "empty.blend")
    assert not compositor(open_file(empty)).nodes
    ran = cli("apply", empty, graph, "--force", "-o", tmp_path / "rebuilt.blend")
    assert ran.code == 0, ran.out + ran.err
    after = snapshot_of(open_file, tmp_path / "rebuilt.blend")
    assert not differences(before, after, layout=False), _report(
        summary(before, after, layout=False))


@pytest.mark.parametrize("project", _cases("names"))
def test_apply_changes_nothing_besides_names(project, tmp_path, cli, open_file):
    """The apply round trip with export's node names mapped back to Blender's, layout apart:
    what is left once names are kept. Export keeps Blender's names (quoted where needed), so
    this mostly agrees with the apply test; it stays for names export must still change
    (a group named like a node kind, a node named like a group socket)."""
    blend = build_file(project, tmp_path / "original.blend")
    names = export_file_with_names(blend)
    graph = tmp_path / "exported.nodes"
    graph.write_text(names.text, encoding="utf-8")
    before = snapshot_of(open_file, blend)
    ran = cli("apply", blend, graph, "--force", "-o", tmp_path / "applied.blend")
    assert ran.code == 0, ran.out + ran.err
    after = renamed(snapshot_of(open_file, tmp_path / "applied.blend"),
                    blender_names(names, compositor(bpy.context.scene).name))
    assert not differences(before, after, layout=False), _report(
        summary(before, after, layout=False))


def blender_names(exported, tree_name: str) -> dict[str, dict[str, str]]:
    """Export's node names -> Blender's, per node tree (the compositor's tree as applied)."""
    out: dict[str, dict[str, str]] = {}
    for (scope, name), blender in exported.nodes.items():
        tree = tree_name if scope is None else exported.groups.get(scope, scope)
        out.setdefault(tree, {})[name] = blender[0]
    return out


@pytest.mark.parametrize("project", _cases("snapshot"))
def test_the_snapshot_sees_the_setup(project, tmp_path, open_file):
    """The comparison is only as good as the snapshot: it must hold the project's nodes, links
    and passes, be stable across save and load, and notice a changed setting."""
    blend = build_file(project, tmp_path / "original.blend")
    scene = open_file(blend)
    shot = snapshot(scene)
    tree = compositor(scene)
    assert len(shot["tree"]["nodes"]) == len(tree.nodes) > 0
    assert len(shot["tree"]["links"]) == len(tree.links) > 0
    assert not differences(shot, snapshot_of(open_file, blend))
    scene = bpy.context.scene
    node = compositor(scene).nodes[-1]
    node.label = "changed by the test"
    changed = differences(shot, snapshot(scene))
    assert len(changed) == 1 and node.name in changed[0], changed
