"""A corpus of real compositor setups, rebuilt from the public code of data pipelines.

Each module rebuilds one project's compositor as that project's code builds it (its node types,
names, settings, links, view-layer passes and keyframes), in the current scene. Modules import
no bpy at module level: `build(bpy)` receives it, so this registry stays importable without
Blender (tests/unit/test_corpus_registry.py checks it there).

`VERSIONS` of a project are the supported Blender versions its code can run in: the code of
every project here writes `scene.node_tree`, which 5.0 removed, except where the module says.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

# The modules of the corpus, one per project.
MODULES = ("blenderproc", "kubric", "infinigen", "shapenet_renderer", "nerf_360_view",
           "vision_blender", "qq_render", "rgbd_camera_model", "output_setup_helper")


@dataclass(frozen=True)
class Source:
    """Where the rebuilt code lives: repository, file path(s) and the commit read."""
    repo: str
    paths: tuple[str, ...]
    commit: str
    note: str = ""


@dataclass(frozen=True)
class Project:
    name: str
    source: Source
    versions: tuple[str, ...]
    passes: str                   # what the setup writes, in words (for docs/corpus.md)
    module: ModuleType

    def build(self, bpy) -> None:
        self.module.build(bpy)


def projects() -> list[Project]:
    out = []
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        out.append(Project(name, module.SOURCE, module.VERSIONS, module.PASSES, module))
    return out


def by_name(name: str) -> Project:
    return next(p for p in projects() if p.name == name)
