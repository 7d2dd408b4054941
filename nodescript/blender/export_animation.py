"""Export of keyframed node values: `keys=[...]` (nodescript.keyframes) from the F-curves of
the node's tree, and a note for what the form does not carry (drivers, curve modifiers...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nodescript import keyframes
from nodescript.blender import animation
from nodescript.blender.export_text import float_text, string_text

if TYPE_CHECKING:
    from nodescript.blender.export_scene import SceneExporter


def keys_args(x: SceneExporter, unit_kind: str, nodes: list, emulated: bool) -> list[str]:
    """`keys=[...]` for the unit's node, [] when none is animated; notes what is not written."""
    node = nodes[0]
    for other in nodes:
        for driver in animation.node_drivers(other):
            x.note(f'node "{other.name}": the driver on '
                   f"{animation.path_under(other, driver.data_path)} is not "
                   "exported (apply keeps it on the node)")
    curves = [fc for other in nodes for fc in animation.node_fcurves(other)]
    if not curves:
        return []
    if emulated or unit_kind == "FileOutput" or len(nodes) != 1:
        x.note(f'node "{node.name}": its keyframes are not exported (keys=[...] is not '
               f"available on {unit_kind}; apply keeps them on the node)")
        return []
    texts = []
    for fc in curves:
        curve = animation.curve_of(node, fc)
        for what in animation.unkept(node, fc):
            x.note(f'node "{node.name}": the keyframes of {curve.path} have {what}, which is '
                   "not exported")
        keys = ", ".join(_key_text(*key) for key in curve.keys)
        texts.append(f"({string_text(keyframes.target_text(curve.path, curve.index))}, {keys})")
    return ["keys=[" + ", ".join(texts) + "]"]


def _key_text(frame: float, value: float, how: str) -> str:
    words = [float_text(frame), float_text(value)]
    if how != keyframes.DEFAULT_INTERPOLATION:
        words.append(how.lower())
    return "(" + ", ".join(words) + ")"
