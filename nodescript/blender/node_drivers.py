"""Drivers on node values (`drivers=[...]` in the language, plan.Driver in a plan): read,
written and judged carryable here, through RNA and the bpy.data the executor passes.

Blender keeps them on the tree's animation data, as F-curves whose data path is the node's
(`nodes["Math"].inputs[1].default_value`); a driver's path here is the part under the node. A
driver F-curve's own mapping is not carried: apply leaves the one `driver_add` makes (4.2 and
4.5: a Generator modifier, 0 + 1x; 5.0 on: two keys, (0, 0) and (1, 1)), and export writes a
driver only when its F-curve is one of those. Nothing here runs Python of a file's: a scripted
expression is written only after nodescript.drivers accepted it, and kept only if Blender says
it is a simple expression (evaluated without Python).
"""

from __future__ import annotations

from nodescript import drivers
from nodescript.blender import animation, plan


class DriverError(ValueError):
    pass


def read(node, wanted: list[tuple[str, int]]) -> dict[tuple[str, int], plan.Driver]:
    """The node's drivers on the values in `wanted` as plan.Driver; one the form cannot carry
    comes with what it has besides in its type (so it differs from any the graph names)."""
    found = {}
    for fc in animation.node_drivers(node):
        driver = driver_of(node, fc)
        key = (driver.path, driver.index)
        if key in wanted:
            extra = unkept(fc)
            found[key] = driver if not extra else plan.Driver(
                driver.path, driver.index, f"{driver.type} with {', '.join(extra)}",
                driver.expression, driver.variables)
    return found


def driver_of(node, fc) -> plan.Driver:
    d = fc.driver
    variables = tuple(_variable(v) for v in d.variables)
    return plan.Driver(animation.path_under(node, fc.data_path), fc.array_index, d.type,
                       d.expression if d.type == drivers.SCRIPTED else "", variables)


def _variable(var) -> tuple[str, str, str, str]:
    target = var.targets[0] if len(var.targets) else None
    if var.type != "SINGLE_PROP" or target is None:
        return var.name, var.type, "", ""
    name = target.id.name if target.id is not None else ""
    return var.name, target.id_type, name, target.data_path


def unkept(fc) -> list[str]:
    """What a driver has that `drivers=` does not carry (export notes it, apply replaces it
    when the graph names the value)."""
    d, out = fc.driver, []
    if d.type == drivers.SCRIPTED:
        try:
            drivers.check_expression(d.expression, [v.name for v in d.variables])
        except drivers.DriversError:
            out.append("an expression that is not one of Blender's simple expressions")
        else:
            if not d.is_simple_expression:
                out.append("an expression Blender does not evaluate as a simple expression")
        if d.expression.lower() in drivers.TYPES:
            out.append(f"the expression `{d.expression}`, which the language reads as a type")
    if d.use_self:
        out.append("use_self")
    for var in d.variables:
        out += _unkept_variable(var)
    if fc.mute:
        out.append("its mute switch")
    if not is_default_curve(fc):
        out.append("F-curve keys or modifiers of its own")
    return out


def _unkept_variable(var) -> list[str]:
    try:
        drivers.check_variable_name(var.name)
    except drivers.DriversError:
        return [f"the variable name `{var.name}`"]
    if var.type != "SINGLE_PROP":
        return [f"variable `{var.name}` of type {var.type}"]
    target = var.targets[0]
    if target.id_type not in drivers.ID_COLLECTIONS:
        return [f"variable `{var.name}` reading a {target.id_type}"]
    if target.id is None:
        return [f"variable `{var.name}` without a data-block"]
    if getattr(target.id, "is_embedded_data", False) or target.id.library is not None:
        return [f"variable `{var.name}` reading an embedded or linked data-block"]
    if getattr(target, "use_fallback_value", False):
        return [f"variable `{var.name}`'s fallback value"]
    try:
        drivers.variable((var.name, target.id_type, target.id.name, target.data_path))
    except drivers.DriversError:
        return [f"variable `{var.name}` reading `{target.data_path}`"]
    return []


def is_default_curve(fc) -> bool:
    """Whether the driver's F-curve is the mapping `driver_add` makes (see the module doc)."""
    keys, mods = fc.keyframe_points, fc.modifiers
    if len(getattr(fc, "sampled_points", ())):
        return False
    if not len(keys):
        return not len(mods) or (len(mods) == 1 and _identity_generator(mods[0]))
    return (not len(mods) and len(keys) == 2 and fc.extrapolation == "LINEAR"
            and [tuple(k.co) for k in keys] == [(0.0, 0.0), (1.0, 1.0)]
            and all(k.interpolation == "BEZIER" and k.type == "KEYFRAME"
                    and k.handle_left_type == k.handle_right_type == animation.DEFAULT_HANDLE
                    for k in keys))


def _identity_generator(mod) -> bool:
    return (mod.type == "GENERATOR" and mod.mode == "POLYNOMIAL" and mod.poly_order == 1
            and list(mod.coefficients) == [0.0, 1.0] and not mod.use_additive and not mod.mute
            and not mod.use_restricted_range and not mod.use_influence)


def write(node, wanted: tuple[plan.Driver, ...], data) -> None:
    """Make each driver exactly as the plan has it (others of the node are left alone);
    `data` is bpy.data, where variables' data-blocks are looked up by name (never made)."""
    tree = node.id_data
    for driver in wanted:
        ids = [_find_id(data, id_type, name) for _, id_type, name, _ in driver.variables]
        full, owner, attr, index = animation.animated_value(node, driver.path, driver.index)
        if index == -1 and driver.index:
            raise DriverError(f"{driver.path} is a single value: it has no [{driver.index}]")
        for fc in [f for f in animation.node_drivers(node)
                   if f.data_path == full and f.array_index == driver.index]:
            tree.animation_data.drivers.remove(fc)
        fc = owner.driver_add(attr, index)
        try:
            _fill(fc.driver, driver, ids)
        except (TypeError, ValueError, AttributeError) as exc:
            tree.animation_data.drivers.remove(fc)
            raise DriverError(f"cannot make the driver on {driver.path}: {exc}") from None
        if driver.type == drivers.SCRIPTED and not fc.driver.is_simple_expression:
            tree.animation_data.drivers.remove(fc)
            raise DriverError(f"the driver on {driver.path}: Blender does not evaluate "
                              f"`{driver.expression}` as a simple expression (it would run as "
                              "Python); removed")


def _fill(d, driver: plan.Driver, ids: list) -> None:
    d.type = driver.type
    d.use_self = False
    for (name, id_type, _, data_path), found in zip(driver.variables, ids):
        var = d.variables.new()
        var.type = "SINGLE_PROP"
        var.name = name
        target = var.targets[0]
        target.id_type = id_type
        target.id = found
        target.data_path = data_path
    d.expression = driver.expression if driver.type == drivers.SCRIPTED else ""


def _find_id(data, id_type: str, name: str):
    collection = drivers.ID_COLLECTIONS.get(id_type)
    found = getattr(data, collection).get(name) if collection else None
    if found is None:
        raise DriverError(f"a driver variable reads {id_type} {name!r}, and the file has no "
                          f"{id_type.lower().replace('_', ' ')} of that name")
    return found
