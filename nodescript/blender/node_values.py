"""Node values through RNA paths, in both directions: plain properties, colour-ramp stops,
curve points and File Output inputs (4.x file slots, 5.0 items, with their own formats).

The executor reads a scene's nodes with these to compare them with a plan, and writes a plan's
values with them. Only the backend imports this (it touches bpy objects, never `import bpy`).
"""

from __future__ import annotations

from nodescript import curve_settings
from nodescript.blender import plan


class ExecutionError(Exception):
    """Blender refused something the plan asks for; the message says what and where."""


# What is read of an input's own format when the graph gives it none (enough to show drift).
OWN_FORMAT_SHOWN = ("format.file_format", "format.color_depth")


def read_slots(node, wanted: tuple[plan.FileSlot, ...] | None) -> tuple[plan.FileSlot, ...] | None:
    if node.bl_idname != "CompositorNodeOutputFile":
        return None
    keys = {s.name: tuple(k for k, _ in s.format) for s in wanted or () if s.format is not None}
    per_input = {s.name for s in wanted or () if s.save_as_render is not None}     # 4.2

    def own(slot, name: str, on: bool):
        return tuple((k, read_path(slot, k)) for k in keys.get(name, OWN_FORMAT_SHOWN)) if on else None

    if hasattr(node, "file_output_items"):
        return tuple(plan.FileSlot(i.name, socket_type=i.socket_type,
                                   format=own(i, i.name, i.override_node_format),
                                   dimensions=_dimensions(i))
                     for i in node.file_output_items)
    return tuple(plan.FileSlot(layer.name, path=slot.path,
                               format=own(slot, layer.name, not slot.use_node_format),
                               save_as_render=slot.save_as_render if layer.name in per_input
                               else None)
                 for slot, layer in zip(node.file_slots, node.layer_slots))


def _dimensions(item) -> int | None:
    dims = getattr(item, "vector_socket_dimensions", 3)
    return dims if item.socket_type == "VECTOR" and dims != 3 else None


def read_property(node, path: str):
    """A node property by RNA path; colour-ramp stops and curve points as plain tuples."""
    points = curve_settings.POINTS_PATH.match(path)
    if points:
        mapping = getattr(node, points.group(1), None)
        index = int(points.group(2))
        if mapping is None or index >= len(mapping.curves):
            return None
        return tuple((p.location[0], p.location[1], p.handle_type)
                     for p in mapping.curves[index].points)
    elements = curve_settings.ELEMENTS_PATH.match(path)
    if elements:
        ramp = getattr(node, elements.group(1), None)
        return None if ramp is None else tuple((e.position, tuple(e.color)) for e in ramp.elements)
    return read_path(node, path)


def read_path(owner, path: str):
    try:
        for part in path.split("."):
            owner = getattr(owner, part)
    except AttributeError:
        return None
    return plain(owner)


def plain(value):
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if hasattr(value, "bl_rna") and hasattr(value, "name"):
        return value.name                       # a datablock: compared by name
    try:
        return tuple(value)
    except TypeError:
        return value


def write_property(node, path: str, value) -> None:
    """A node property by RNA path; colour-ramp stops and curve points from plain tuples."""
    points = curve_settings.POINTS_PATH.match(path)
    elements = curve_settings.ELEMENTS_PATH.match(path)
    if points:
        write_points(getattr(node, points.group(1)), int(points.group(2)), value)
    elif elements:
        write_stops(getattr(node, elements.group(1)), value)
    else:
        write_path(node, path, value)
        owner = getattr(node, path.partition(".")[0], None) if "." in path else None
        if getattr(getattr(owner, "bl_rna", None), "identifier", "") == "CurveMapping":
            owner.update()                  # clipping and extension apply on update


def write_stops(ramp, stops) -> None:
    """A ColorRamp's elements as `stops` [(position, rgba)], sorted by position. Moving an
    element re-sorts them at once, so all but the first are removed and the others added in
    order (a new element goes after those at the same position)."""
    elements = ramp.elements
    while len(elements) > 1:                    # the last one cannot be removed
        elements.remove(elements[len(elements) - 1])
    first = elements[0]
    first.position, first.color = stops[0]
    for position, color in stops[1:]:
        elements.new(position).color = color


def write_points(mapping, index: int, points) -> None:
    """A curve's points as `points` [(x, y, handle_type)], sorted by x, then the mapping
    updated (which sorts them and clips them to its clip rectangle)."""
    curve_points = mapping.curves[index].points
    while len(curve_points) > max(len(points), 2):
        curve_points.remove(curve_points[len(curve_points) - 1])
    while len(curve_points) < len(points):
        curve_points.new(points[-1][0], points[-1][1])
    for point, (x, y, handle) in zip(curve_points, points):
        point.location = (x, y)
        point.handle_type = handle
    mapping.update()


def write_path(owner, path: str, value) -> None:
    *parents, last = path.split(".")
    for part in parents:
        owner = getattr(owner, part)
        if owner is None:
            raise ExecutionError(f"cannot set {path}: {part} is not set in this scene")
    try:
        setattr(owner, last, value)
    except (TypeError, ValueError, OverflowError) as exc:    # bpy's words for a bad value
        raise ExecutionError(f"Blender refused {path} = {value!r}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1].strip() if text else type(exc).__name__


def write_slots(node, slots: tuple[plan.FileSlot, ...]) -> None:
    if hasattr(node, "file_output_items"):       # 5.0: typed items
        node.file_output_items.clear()
        for slot in slots:
            item = node.file_output_items.new(slot.socket_type, slot.name)
            if slot.dimensions is not None:
                item.vector_socket_dimensions = slot.dimensions
            if slot.format is not None:
                item.override_node_format = True
                _write_own_format(node, item, slot)
        return
    node.file_slots.clear()                      # 4.x: slots that are also layers
    for i, slot in enumerate(slots):
        node.file_slots.new(slot.name)           # the socket's name: the input's (kept after)
        node.file_slots[i].path = slot.path
        node.layer_slots[i].name = slot.name
        if slot.save_as_render is not None:
            node.file_slots[i].save_as_render = slot.save_as_render
        if slot.format is not None:
            node.file_slots[i].use_node_format = False
            _write_own_format(node, node.file_slots[i], slot)


def _write_own_format(node, owner, slot: plan.FileSlot) -> None:
    for path, value in slot.format:
        try:
            write_path(owner, path, value)
        except (TypeError, ValueError, AttributeError) as exc:
            raise ExecutionError(f"node {node.name!r} input {slot.name!r}: cannot set {path} = "
                                 f"{value!r}: {exc}") from None
