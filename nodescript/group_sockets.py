"""The settings of a node group's interface sockets: `fac: float(default=0.5, min=0, max=1,
subtype=factor)` in a group's params (pure: no bpy).

NEW_SOCKET is what Blender gives a new interface socket of each type (measured in 4.2, 4.5,
5.0 and 5.3, inputs and outputs alike): a setting a param does not declare has that value.
None: the type has no such setting (colours and bools have no min, max or subtype).
"""

from __future__ import annotations

FLT_MAX = 3.4028234663852886e38
INT_MIN, INT_MAX = -2 ** 31, 2 ** 31 - 1
SETTINGS = ("default", "min", "max", "subtype")

NEW_SOCKET: dict[str, tuple] = {
    "VALUE": (0.0, -FLT_MAX, FLT_MAX, "NONE"),
    "VECTOR": ((0.0, 0.0, 0.0), -FLT_MAX, FLT_MAX, "NONE"),
    "RGBA": ((0.0, 0.0, 0.0, 1.0), None, None, None),
    "INT": (0, INT_MIN, INT_MAX, "NONE"),
    "BOOLEAN": (False, None, None, None),
}
COMPONENTS = {"VECTOR": 3, "RGBA": 4}
# A param's type -> the interface socket type Blender makes for it (lowering, the chunked build,
# export reading it back).
SOCKET_IDNAMES = {"VALUE": "NodeSocketFloat", "RGBA": "NodeSocketColor",
                  "VECTOR": "NodeSocketVector", "INT": "NodeSocketInt", "BOOLEAN": "NodeSocketBool"}


class SettingError(ValueError):
    pass


def new_socket(type_: str) -> dict[str, object]:
    return dict(zip(SETTINGS, NEW_SOCKET[type_]))


def check(type_: str, name: str, value) -> object:
    """A declared setting's value as the plan holds it (plain value in); SettingError if the
    type has no such setting or the value does not fit."""
    if name not in SETTINGS:
        raise SettingError(f"`{name}` is not a socket setting: {', '.join(SETTINGS)}")
    if new_socket(type_)[name] is None:
        raise SettingError(f"a {_word(type_)} socket has no `{name}`")
    if name == "subtype":
        if not isinstance(value, str):
            raise SettingError("subtype takes a name: factor, percentage, angle, distance, ...")
        return value.upper()
    if name == "default":
        return _default(type_, value)
    return _number(value, name, type_ == "INT")


def _default(type_: str, value):
    if type_ == "BOOLEAN":
        if not isinstance(value, bool):
            raise SettingError("default of a bool socket takes true or false")
        return value
    if type_ in COMPONENTS:
        size = COMPONENTS[type_]
        items = value if isinstance(value, tuple) else ()
        if type_ == "RGBA" and len(items) == 3:
            items = (*items, 1.0)
        if len(items) != size:
            raise SettingError(f"default of a {_word(type_)} socket takes {size} numbers")
        return tuple(float(_number(v, "default")) for v in items)
    return _number(value, "default", type_ == "INT")


def _number(value, name: str, integer: bool = False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingError(f"{name} takes a number")
    if integer and value != int(value):
        raise SettingError(f"{name} of an int socket takes a whole number")
    return int(value) if integer else float(value)


def _word(type_: str) -> str:
    return {"VALUE": "float", "RGBA": "color", "VECTOR": "vector", "INT": "int",
            "BOOLEAN": "bool"}[type_]
