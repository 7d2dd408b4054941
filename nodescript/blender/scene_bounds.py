"""The depth range a scene's camera sees, measured from the objects (for `lint SCENE.blend`).

Lint sizes precision losses over the scene's depth range. A `.nodes` file declares it
(`depth_range`); a .blend says it through its objects: the nearest and farthest corner of every
rendered mesh's bounding box, as depth from the active camera (planar camera Z for perspective
and orthographic cameras, distance for panoramic ones, as Cycles writes Depth), kept within the
camera's clip range. Bounding boxes make the range a little wide, never too narrow.
"""

from __future__ import annotations

import math

RENDERED_TYPES = frozenset({"MESH", "CURVE", "SURFACE", "META", "FONT"})


def depth_bounds(scene) -> tuple[float, float] | None:
    """(near, far) in metres, or None without a camera or a rendered object."""
    camera = scene.camera
    if camera is None or camera.type != "CAMERA":
        return None
    data = camera.data
    to_camera = camera.matrix_world.inverted()
    panoramic = data.type == "PANO"
    depths = []
    for obj in scene.objects:
        if obj.type not in RENDERED_TYPES or obj.hide_render:
            continue
        for corner in obj.bound_box:
            p = to_camera @ (obj.matrix_world @ _vector(corner))
            depths.append(math.dist((0, 0, 0), p) if panoramic else -p.z)
    if not depths:
        return None
    near = max(min(depths), data.clip_start)
    far = min(max(depths), data.clip_end)
    if far <= near:
        return None
    return round(near, 4), round(far, 4)


def _vector(values):
    from mathutils import Vector

    return Vector(values)
