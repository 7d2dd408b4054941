"""`drivers=[...]`: drivers on a node's values, in the language (pure: no bpy).

    Math(drivers=[("inputs[1].default_value", "frame / 10"),
                  ("size", "d * 2", ("d", "SCENE", "Scene", "render.fps")),
                  ("inputs[2].default_value", sum, ("a", "OBJECT", "Cube", "location[2]"))])

Each driver is a tuple: the driven value's RNA path under the node (as in `keys=`, `[i]` for
one component), then either an expression (a scripted driver) or one of the words `average`,
`sum`, `min`, `max` (the driver combines its variables that way), then its variables, each
`(name, id_type, id_name, data_path)`: a Single Property variable reading `data_path` of the
data-block `id_name` of type `id_type` (Blender's word: `SCENE`, `OBJECT`, ...).

Security: Blender evaluates an expression without Python only while it stays within its
"simple expression" subset (blenlib's expr_pylike_eval.cc); anything else is Python, run when
the file is opened with auto-run. So an expression is accepted only within that subset, checked
here with `ast` against a whitelist of node types, names and literal spellings; apply checks
Blender's `is_simple_expression` too.
"""

from __future__ import annotations

import ast
import keyword
import re

from nodescript import keyframes

# Blender keeps an expression in a 256-byte buffer and cuts longer ones short.
MAX_EXPRESSION = 255
MAX_TEXT = 1024
TYPES = {"average": "AVERAGE", "sum": "SUM", "min": "MIN", "max": "MAX"}
SCRIPTED = "SCRIPTED"

# expr_pylike_eval.cc: builtin_ops (name -> argument counts), min/max (one or more), constants
FUNCTIONS = {
    "radians": {1}, "degrees": {1}, "abs": {1}, "fabs": {1}, "floor": {1}, "ceil": {1},
    "trunc": {1}, "round": {1}, "int": {1}, "sin": {1}, "cos": {1}, "tan": {1}, "asin": {1},
    "acos": {1}, "atan": {1}, "atan2": {2}, "exp": {1}, "log": {1, 2}, "sqrt": {1},
    "pow": {2}, "fmod": {2}, "lerp": {3}, "clamp": {1, 3}, "smoothstep": {3},
}
VARIADIC = frozenset({"min", "max"})
CONSTANTS = frozenset({"pi", "True", "False"})
FRAME = "frame"                   # the one parameter Blender gives every driver expression
RESERVED = frozenset(FUNCTIONS) | VARIADIC | CONSTANTS | {FRAME}

_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_UNARY = (ast.UAdd, ast.USub, ast.Not)
_COMPARE = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
# The characters the subset is spelled with: no quotes, brackets, '#', '%', '@', ':' ...
_CHARACTERS = re.compile(r"[A-Za-z0-9_ .+\-*/()<>=!,]*")
# Blender's number literals: decimal, no underscores, hex, octal or imaginary parts.
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
_DATA_PATH = re.compile(r'(?:[A-Za-z_]\w*|\["(?:[^"\\]|\\.)*"\])'
                        r'(?:\.[A-Za-z_]\w*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*')

# id_type -> the bpy.data collection apply looks the name up in (the types every version has
# under the same collection name; export notes variables on other types).
ID_COLLECTIONS = {
    "ACTION": "actions", "ARMATURE": "armatures", "CAMERA": "cameras",
    "COLLECTION": "collections", "CURVE": "curves", "IMAGE": "images", "LATTICE": "lattices",
    "LIGHT": "lights", "MASK": "masks", "MATERIAL": "materials", "MESH": "meshes",
    "MOVIECLIP": "movieclips", "NODETREE": "node_groups", "OBJECT": "objects",
    "SCENE": "scenes", "SOUND": "sounds", "SPEAKER": "speakers", "TEXTURE": "textures",
    "WORLD": "worlds",
}

Variable = tuple[str, str, str, str]                          # name, id_type, id_name, data_path
Driver = tuple[str, int, str, str, tuple[Variable, ...]]      # path, index, type, expression, vars


class DriversError(ValueError):
    def __init__(self, message: str, item: int | None = None):
        super().__init__(message)
        self.item = item                 # which driver of the list (for the error's place)


def parse(value) -> list[Driver]:
    """`drivers=` as plain values (resolve.values.plain) -> drivers; DriversError says what is
    wrong (and which item)."""
    if not isinstance(value, tuple) or not value:
        raise DriversError('drivers takes a list of drivers: [("inputs[1].default_value", '
                           '"frame / 10"), ...]')
    drivers, seen = [], set()
    for i, item in enumerate(value):
        try:
            driver = _driver(item)
        except DriversError as exc:
            raise DriversError(str(exc), i) from None
        if driver[:2] in seen:
            raise DriversError(f"`{keyframes.target_text(*driver[:2])}` has two drivers", i)
        seen.add(driver[:2])
        drivers.append(driver)
    return drivers


def _driver(item) -> Driver:
    if not isinstance(item, tuple) or len(item) < 2 or not all(
            isinstance(part, str) for part in item[:2]):
        raise DriversError('each driver is ("path", "expression", variables...) or ("path", '
                           "sum/average/min/max, variables...)")
    match = keyframes.TARGET.fullmatch(item[0]) if len(item[0]) <= MAX_TEXT else None
    if match is None:
        raise DriversError(f"`{item[0]}` is not a value's path under the node "
                           "(e.g. \"inputs[1].default_value\")")
    variables = tuple(variable(v) for v in item[2:])
    names = [v[0] for v in variables]
    if len(set(names)) != len(names):
        raise DriversError(f"the driver of `{item[0]}` names a variable twice")
    kind = TYPES.get(item[1].lower()) if item[1].lower() in TYPES else SCRIPTED
    expression = item[1] if kind == SCRIPTED else ""
    if kind == SCRIPTED:
        check_expression(expression, names)
    return match["path"], int(match["index"] or 0), kind, expression, variables


def variable(var) -> Variable:
    if not (isinstance(var, tuple) and len(var) == 4 and all(isinstance(v, str) for v in var)):
        raise DriversError('a variable is ("name", "ID_TYPE", "id name", "data.path"), e.g. '
                           '("fps", "SCENE", "Scene", "render.fps")')
    name, id_type, id_name, data_path = var
    check_variable_name(name)
    if id_type.upper() not in ID_COLLECTIONS:
        raise DriversError(f"`{id_type}` is not an id type a variable can read: "
                           f"{', '.join(ID_COLLECTIONS)}")
    if not id_name or len(id_name) > 255 or "\0" in id_name:
        raise DriversError(f"`{id_name}` is not a data-block name")
    if len(data_path) > MAX_TEXT or not _DATA_PATH.fullmatch(data_path):
        raise DriversError(f"`{data_path[:80]}` is not a data path (e.g. \"render.fps\", "
                           "\"location[2]\")")
    return name, id_type.upper(), id_name, data_path


def check_variable_name(name: str) -> None:
    if not _NAME.fullmatch(name) or keyword.iskeyword(name) or name in RESERVED:
        raise DriversError(f"`{name[:80]}` cannot name a driver variable: a letter, then "
                           "letters, digits or _ (at most 63), not a Python keyword, `frame` "
                           "or a function or constant of driver expressions")


def check_expression(text: str, variables) -> None:
    """Raise DriversError unless `text` is within Blender's simple expressions, using only
    `frame`, `variables`, the constants and the functions of that subset."""
    if len(text) > MAX_EXPRESSION:
        raise DriversError(f"a driver expression has at most {MAX_EXPRESSION} characters "
                           f"(Blender cuts longer ones), this one {len(text)}")
    if not text.strip():
        raise DriversError("a driver expression cannot be empty")
    bad = _CHARACTERS.fullmatch(text) is None
    try:
        tree = None if bad else ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        bad = True
    if bad:
        raise DriversError(f"`{text[:80]}` is not a driver expression Blender evaluates "
                           "without Python (numbers, + - * /, comparisons, and/or/not, "
                           "x if c else y, frame, the variables, and "
                           f"{', '.join(sorted(FUNCTIONS.keys() | VARIADIC))})")
    _Checker(text, set(variables)).visit(tree.body)


class _Checker:
    def __init__(self, text: str, names: set[str]):
        self.text, self.names = text, names

    def fail(self, what: str):
        raise DriversError(f"`{self.text[:80]}`: {what} is not in the driver expressions "
                           "Blender evaluates without Python (it would run as a Python script)")

    def visit(self, node) -> None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, _BINARY):
            self.visit(node.left), self.visit(node.right)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, _UNARY):
            self.visit(node.operand)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.visit(value)
        elif isinstance(node, ast.Compare) and all(isinstance(o, _COMPARE) for o in node.ops):
            for value in [node.left, *node.comparators]:
                self.visit(value)
        elif isinstance(node, ast.IfExp):
            self.visit(node.body), self.visit(node.test), self.visit(node.orelse)
        elif isinstance(node, ast.Constant):
            self.constant(node)
        elif isinstance(node, ast.Name):
            if node.id not in self.names and node.id not in CONSTANTS and node.id != FRAME:
                self.fail(f"the name `{node.id}` (not a variable of the driver)")
        elif isinstance(node, ast.Call):
            self.call(node)
        else:
            self.fail(type(node).__name__.lower() + _spelling(node))

    def constant(self, node: ast.Constant) -> None:
        spelled = ast.get_source_segment(self.text, node) or ""
        if isinstance(node.value, bool):
            if spelled not in CONSTANTS:
                self.fail(f"`{spelled}`")
        elif type(node.value) not in (int, float) or not _NUMBER.fullmatch(spelled) or (
                re.fullmatch(r"0\d+", spelled) and set(spelled) != {"0"}):
            self.fail(f"the literal `{spelled}`")

    def call(self, node: ast.Call) -> None:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        after = self.text[node.func.end_col_offset:].lstrip() if name else ""
        if name is None or name in self.names or not after.startswith("("):
            self.fail("calling " + (f"`{name}`" if name else "something other than a function"))
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            self.fail(f"`{name}` with keyword or * arguments")
        if name in VARIADIC:
            counts_ok = len(node.args) >= 1
        elif name in FUNCTIONS:
            counts_ok = len(node.args) in FUNCTIONS[name]
        else:
            self.fail(f"the function `{name}`")
        if not counts_ok:
            self.fail(f"`{name}` with {len(node.args)} argument(s)")
        for arg in node.args:
            self.visit(arg)


def _spelling(node) -> str:
    return {"attribute": " (attribute access)", "lambda": "", "subscript": " (indexing)"}.get(
        type(node).__name__.lower(), "")


def kind_text(kind: str, expression: str) -> str:
    """The second item of a driver as written: its expression, or the word of its type."""
    return expression if kind == SCRIPTED else kind.lower()
