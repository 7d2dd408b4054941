"""The corpus of real setups (tests/corpus) without Blender: at least eight projects, each with
its source (repository, files, the commit read), the supported versions its code runs in, and
a build function."""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpus  # noqa: E402

SUPPORTED = {"4.2", "4.5", "5.0"}


def test_the_corpus_lists_at_least_eight_projects():
    projects = corpus.projects()
    assert len(projects) >= 8
    assert len({p.name for p in projects}) == len(projects)
    assert len({p.source.repo for p in projects}) == len(projects)


def test_each_project_names_its_source_and_versions():
    for project in corpus.projects():
        source = project.source
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", source.repo), project.name
        assert source.paths and all(source.paths), project.name
        assert re.fullmatch(r"[0-9a-f]{40}", source.commit), project.name
        assert project.versions and set(project.versions) <= SUPPORTED, project.name
        assert project.passes, project.name


def test_each_project_builds_from_the_bpy_it_is_given():
    for project in corpus.projects():
        params = list(inspect.signature(project.module.build).parameters)
        assert params == ["bpy"], project.name
        assert "import bpy" not in inspect.getsource(project.module), project.name
