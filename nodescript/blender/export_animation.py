"""Export of animated node values: `keys=[...]` (nodescript.keyframes) from the F-curves of
the node's tree, `drivers=[...]` (nodescript.drivers) from its drivers, and a note for what the
forms do not carry (curve modifiers, drivers with other variables or Python expressions...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nodescript import drivers, keyframes
from nodescript.blender import animation, node_drivers
from nodescript.blender.export_text import float_text, string_text

if TYPE_CHECKING:
    from nodescript.blender.export_scene import SceneExporter


def animation_args(x: SceneExporter, unit_kind: str, nodes: list, emulated: bool) -> list[str]:
    """`keys=[...]` and `drivers=[...]` for the unit's node, [] when none is animated; notes
    what is not written."""
    return (_keys(x, unit_kind, nodes, emulated)
            + _drivers(x, unit_kind, nodes, emulated))


def _drivers(x: SceneExporter, unit_kind: str, nodes: list, emulated: bool) -> list[str]:
    carried = not (emulated or unit_kind == "FileOutput" or len(nodes) != 1)
    texts = []
    for other in nodes:
        keyed = {(f.data_path, f.array_index) for f in animation.node_fcurves(other)}
        for fc in animation.node_drivers(other):
            path = animation.path_under(other, fc.data_path)
            why = (node_drivers.unkept(fc) if carried
                   else [f"drivers=[...] is not available on {unit_kind}"])
            if (fc.data_path, fc.array_index) in keyed:       # keys= has it: one of the two
                why.append("the value is keyed too")
            if not why:
                driver = node_drivers.driver_of(other, fc)
                why = _refused(driver)
            if why:
                x.note(f'node "{other.name}": the driver on {path} is not exported '
                       f"({'; '.join(why)}; apply keeps it on the node)")
                continue
            texts.append(_driver_text(driver))
    return ["drivers=[" + ", ".join(texts) + "]"] if texts else []


def _refused(driver) -> list[str]:
    """What the resolver would say of the driver as written (nothing, for one unkept passed)."""
    written = (keyframes.target_text(driver.path, driver.index),
               drivers.kind_text(driver.type, driver.expression), *driver.variables)
    try:
        drivers.parse((written,))
    except drivers.DriversError as exc:
        return [str(exc)]
    return []


def _driver_text(driver) -> str:
    words = [string_text(keyframes.target_text(driver.path, driver.index))]
    how = drivers.kind_text(driver.type, driver.expression)
    words.append(string_text(how) if driver.type == drivers.SCRIPTED else how)
    words += ["(" + ", ".join(string_text(part) for part in var) + ")"
              for var in driver.variables]
    return "(" + ", ".join(words) + ")"


def _keys(x: SceneExporter, unit_kind: str, nodes: list, emulated: bool) -> list[str]:
    node = nodes[0]
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
