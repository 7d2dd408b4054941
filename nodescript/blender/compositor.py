"""Where a scene's compositor lives, per dialect: the one place that knows `scene.node_tree`
(4.x), `scene.compositing_node_group` (5.0-5.2) and `scene.compositor_effects` (5.3).

In 5.3 the compositor is a stack of effects, each with its own node group; the enabled ones run
in order at render time, each one's Group Input receiving the image the effect before it made,
and only enabled effects' File Outputs write (measured in 5.3.0; docs/language.md). nodescript
works on one effect at a time: the one a graph or `--effect` names, else the scene's only or
active effect; the others are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from nodescript.blender.node_values import ExecutionError
from nodescript.dialects import Dialect


class CompositorError(ExecutionError):
    """The scene has no compositor effect of that name (one line)."""


@dataclass(frozen=True)
class Effect:
    name: str
    tree: object               # bpy CompositorNodeTree or None
    for_render: bool
    active: bool


def effects(scene, dialect: Dialect) -> list[Effect]:
    """The scene's compositor effects in render order (5.3); one pseudo-effect elsewhere."""
    if dialect.COMPOSITOR_EFFECTS:
        stack = scene.compositor_effects
        return [Effect(e.name, e.node_group, e.enable_for_render, e == stack.active)
                for e in stack]
    tree, in_use = _single_tree(scene, dialect)
    return [Effect("", tree, in_use, True)] if tree is not None else []


def trees_that_render(scene, dialect: Dialect) -> list:
    """The node trees a final render runs, in order (their File Outputs write)."""
    return [e.tree for e in effects(scene, dialect) if e.for_render and e.tree is not None]


def pick_effect(scene, dialect: Dialect, name: str | None):
    """The effect to work on: named, else the only one, else the active one; None when the
    scene has none yet (apply makes one) or the dialect has no effects."""
    if not dialect.COMPOSITOR_EFFECTS:
        return None
    stack = scene.compositor_effects
    if name:
        found = stack.get(name)
        if found is None:
            names = ", ".join(repr(e.name) for e in stack) or "none"
            raise CompositorError(f"scene {scene.name!r} has no compositor effect {name!r} "
                                  f"(its effects: {names})")
        return found
    if len(stack) == 0:
        return None
    return stack[0] if len(stack) == 1 else (stack.active or stack[0])


def other_effects(scene, dialect: Dialect, name: str | None) -> list[Effect]:
    """The effects nodescript leaves alone when it works on `name` (or the default one)."""
    chosen = pick_effect(scene, dialect, name)
    if chosen is None:
        return [e for e in effects(scene, dialect)] if dialect.COMPOSITOR_EFFECTS else []
    return [e for e in effects(scene, dialect) if e.name != chosen.name]


def scene_tree(scene, dialect: Dialect, effect: str | None = None) -> tuple[object, bool]:
    """(the compositor tree or None, whether a render runs it), changing nothing."""
    if dialect.COMPOSITOR_EFFECTS:
        chosen = pick_effect(scene, dialect, effect)
        if chosen is None:
            return None, False
        return chosen.node_group, chosen.node_group is not None
    return _single_tree(scene, dialect)


def _single_tree(scene, dialect: Dialect) -> tuple[object, bool]:
    if dialect.TREE_IS_NODE_GROUP:
        tree = scene.compositing_node_group
        return tree, tree is not None
    return scene.node_tree, bool(scene.use_nodes and scene.node_tree)


def set_scene_tree(scene, dialect: Dialect, tree, effect: str | None = None) -> None:
    """Make `tree` the scene's compositor (the chosen effect's group in 5.3, made if none)."""
    if dialect.COMPOSITOR_EFFECTS:
        chosen = pick_effect(scene, dialect, effect)
        if chosen is None:
            chosen = scene.compositor_effects.new(effect or dialect.DEFAULT_EFFECT_NAME)
        tree.allow_usage_in_scene_compositor_effect = True    # offered in the effect's UI
        chosen.node_group = tree
        return
    scene.compositing_node_group = tree


def users_as_compositor(tree, scenes, dialect: Dialect) -> list:
    """The scenes whose compositor (any effect of theirs) is `tree`."""
    return [s for s in scenes if any(e.tree == tree for e in effects(s, dialect))]
