"""Turning AST literals into the Python values a Blender property or socket takes."""

from __future__ import annotations

from nodescript import vocabulary
from nodescript.catalog import PropSpec, SocketSpec
from nodescript.syntax import ast


class ValueError_(Exception):
    """A value that does not fit; `help` may carry a did-you-mean."""

    def __init__(self, message: str, help: str | None = None):
        super().__init__(message)
        self.help = help


def plain(value: ast.Value) -> object:
    """The literal as Python: numbers, strings, bools; identifiers as str; tuples/lists as tuples."""
    if isinstance(value, (ast.Tuple, ast.List)):
        return tuple(plain(v) for v in value.items)
    if isinstance(value, ast.Ident):
        return None if value.name == "_" else value.name
    return value.value


def describe(value: ast.Value) -> str:
    if isinstance(value, ast.Ident):
        return f"`{value.name}`"
    if isinstance(value, ast.String):
        return f'"{value.value}"'
    if isinstance(value, ast.Bool):
        return "true" if value.value else "false"
    if isinstance(value, ast.Number):
        return value.text
    return "a tuple" if isinstance(value, ast.Tuple) else "a list"


def _number(value: ast.Value, what: str, integer: bool = False) -> float | int:
    if isinstance(value, ast.Bool):
        return int(value.value)
    if not isinstance(value, ast.Number):
        raise ValueError_(f"{what} takes a number, not {describe(value)}")
    if integer and not isinstance(value.value, int):
        raise ValueError_(f"{what} takes a whole number, not {value.text}")
    return value.value


def _check_range(number, lo, hi, what: str):
    if lo is not None and number < lo or hi is not None and number > hi:
        number, lo, hi = _text(number), _text(lo), _text(hi)
        if lo is None:
            raise ValueError_(f"{what} must be at most {hi}, not {number}")
        if hi is None:
            raise ValueError_(f"{what} must be at least {lo}, not {number}")
        raise ValueError_(f"{what} must be between {lo} and {hi}, not {number}")
    return number


def _text(number) -> str | None:
    """A limit as written: whole numbers in full (2147483647), others shortest (0.001)."""
    if number is None:
        return None
    return str(number) if isinstance(number, int) else f"{number:g}"


def _vector(value: ast.Value, length: int, what: str, integer: bool = False) -> tuple:
    if isinstance(value, ast.Number):       # a scalar fills every component
        return (value.value,) * length
    if not isinstance(value, ast.Tuple):
        raise ValueError_(f"{what} takes a tuple of {length} numbers, not {describe(value)}")
    if len(value.items) != length:
        raise ValueError_(f"{what} takes {length} numbers, not {len(value.items)}")
    return tuple(_number(v, what, integer) for v in value.items)


def for_property(value: ast.Value, prop: PropSpec, what: str) -> object:
    """Convert for an RNA property; raises ValueError_ with a helpful message."""
    if prop.type == "ENUM":
        if not isinstance(value, (ast.Ident, ast.String, ast.Number)):
            raise ValueError_(f"{what} takes one of {_items(prop)}, not {describe(value)}")
        raw = value.text if isinstance(value, ast.Number) else str(plain(value))
        item = vocabulary.match_enum(raw, prop.items, prop.identifier)
        if item is None:
            names = [i.lower() for i, _ in prop.items]
            raise ValueError_(f"`{raw}` is not a value of {what}; expected one of {_items(prop)}",
                              vocabulary_help(raw, names))
        return item
    if prop.type == "BOOLEAN":
        if not isinstance(value, ast.Bool):
            raise ValueError_(f"{what} takes true or false, not {describe(value)}")
        return value.value
    if prop.type == "STRING":
        if not isinstance(value, (ast.String, ast.Ident)):
            raise ValueError_(f"{what} takes a string, not {describe(value)}")
        return str(plain(value))
    if prop.type in ("FLOAT", "INT"):
        integer = prop.type == "INT"
        if prop.array_length:
            return _vector(value, prop.array_length, what, integer)
        return _check_range(_number(value, what, integer), prop.min, prop.max, what)
    raise ValueError_(f"{what} is a {prop.type.lower()} property, which nodescript cannot set")


_SOCKET_LENGTHS = {"RGBA": 4, "VECTOR": 3}
INT_RANGE = (-(2**31), 2**31 - 1)


def for_socket(value: ast.Value, socket: SocketSpec, what: str) -> object:
    """Convert for an unlinked input socket's default_value. Numbers are held to Blender's hard
    limits, not to the UI's range: what a script can set, and export writes, resolves."""
    kind = socket.type
    if kind == "VALUE":
        return _check_range(_number(value, what), socket.hard_min, socket.hard_max, what)
    if kind == "INT":                       # held in a C int where no other limit is recorded
        lo = INT_RANGE[0] if socket.hard_min is None else socket.hard_min
        hi = INT_RANGE[1] if socket.hard_max is None else socket.hard_max
        return _check_range(_number(value, what, True), lo, hi, what)
    if kind == "BOOLEAN":
        if not isinstance(value, ast.Bool):
            raise ValueError_(f"{what} takes true or false, not {describe(value)}")
        return value.value
    if kind == "RGBA":        # a grey level or RGB gets alpha 1
        if isinstance(value, ast.Number) or isinstance(value, ast.Tuple) and len(value.items) == 3:
            return _vector(value, 3, what) + (1.0,)
        return _vector(value, 4, what)
    if kind == "VECTOR":
        length = len(socket.default) if isinstance(socket.default, list) else 3
        return _vector(value, length, what)
    if kind in ("STRING", "MENU"):
        if not isinstance(value, (ast.String, ast.Ident)):
            raise ValueError_(f"{what} takes a name, not {describe(value)}")
        return str(plain(value))
    raise ValueError_(f"{what} is a {kind.lower()} socket, which takes no value")


def _items(prop: PropSpec) -> str:
    names = [i.lower() for i, _ in prop.items]
    shown = ", ".join(names[:12])
    return shown + (", ..." if len(names) > 12 else "")


def vocabulary_help(word: str, choices) -> str | None:
    from nodescript.diagnostics import did_you_mean
    return did_you_mean(word, choices)
