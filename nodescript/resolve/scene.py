"""The `scene { ... }` block -> checked SceneSettings."""

from __future__ import annotations

from nodescript import ir, vocabulary
from nodescript.diagnostics import did_you_mean
from nodescript.resolve import codes
from nodescript.resolve.values import describe, plain
from nodescript.scene_settings import BY_KEY, SCENE_KEYS, SceneKey
from nodescript.syntax import ast


def resolve_scene(block: ast.SceneBlock, targets, existing: list[ir.SceneSetting], resolver):
    seen = {s.key for s in existing}
    out = []
    for setting in block.settings:
        written = ".".join(setting.key)
        spec = BY_KEY.get(written)
        if spec is None:
            resolver.error(codes.UNKNOWN_SCENE_SETTING, f"unknown scene setting `{written}`",
                           setting.span, did_you_mean(written, [k.key for k in SCENE_KEYS]))
            continue
        if spec.key in seen:
            resolver.error(codes.DUPLICATE_NAME, f"scene setting `{spec.key}` is set twice", setting.span)
            continue
        seen.add(spec.key)
        problem = _check(spec, setting.value, targets)
        if problem:
            resolver.error(codes.BAD_VALUE, problem[0], setting.value.span, problem[1])
            continue
        out.append(ir.SceneSetting(spec.key, _value(spec, setting.value, targets), setting.span))
    return out


AOV_TYPES = {"color": "COLOR", "colour": "COLOR", "value": "VALUE", "float": "VALUE"}


def _value(spec: SceneKey, value: ast.Value, targets):
    if spec.type == "aovs":             # ((name, "COLOR" | "VALUE"), ...)
        return tuple(_aov(item) for item in value.items)
    if spec.type == "passes":
        newest = targets[-1]
        return tuple(vocabulary.pass_aliases(newest)[vocabulary.fold(str(plain(v)))] for v in value.items)
    if spec.type == "enum":        # the table's own key, however it was spelled
        word = vocabulary.fold(str(plain(value)))
        return next(k for k in spec.choices if vocabulary.fold(k) == word)
    return plain(value)


def _check(spec: SceneKey, value: ast.Value, targets) -> tuple[str, str | None] | None:
    what = f"scene setting `{spec.key}`"
    if spec.type == "bool" and not isinstance(value, ast.Bool):
        return f"{what} takes true or false, not {describe(value)}", None
    if spec.type in ("int", "float") and not isinstance(value, ast.Number):
        return f"{what} takes a number, not {describe(value)}", None
    if spec.type == "int" and isinstance(value, ast.Number) and not isinstance(value.value, int):
        return f"{what} takes a whole number, not {value.text}", None
    if spec.type == "str" and not isinstance(value, (ast.String, ast.Ident)):
        return f"{what} takes a name, not {describe(value)}", None
    if spec.type in ("size", "clip"):
        if not (isinstance(value, ast.Tuple) and len(value.items) == 2
                and all(isinstance(v, ast.Number) for v in value.items)):
            return f"{what} takes two numbers, like (1920, 1080)", None
    if spec.type == "enum":
        word = str(plain(value)).lower() if isinstance(value, (ast.Ident, ast.String)) else ""
        if vocabulary.fold(word) not in {vocabulary.fold(k) for k in spec.choices}:
            return (f"{what} takes one of {', '.join(spec.choices)}, not {describe(value)}",
                    did_you_mean(word, list(spec.choices)))
    if spec.type == "passes":
        return _check_passes(value, targets, what)
    if spec.type == "aovs":
        return _check_aovs(value, what)
    return None


def _aov(item: ast.Value) -> tuple[str, str]:
    if isinstance(item, ast.Tuple):
        return str(plain(item.items[0])), AOV_TYPES[vocabulary.fold(str(plain(item.items[1])))]
    return str(plain(item)), "COLOR"


def _check_aovs(value: ast.Value, what) -> tuple[str, str | None] | None:
    usage = "a list like [normals, (mask, value)]"
    if not isinstance(value, (ast.List, ast.Tuple)):
        return f"{what} takes {usage}, not {describe(value)}", None
    seen = set()
    for item in value.items:
        if isinstance(item, ast.Tuple):
            if len(item.items) != 2 or not all(isinstance(v, (ast.Ident, ast.String))
                                               for v in item.items):
                return f"{what}: {describe(item)} is not (name, color) or (name, value)", None
            kind = vocabulary.fold(str(plain(item.items[1])))
            if kind not in AOV_TYPES:
                return (f"{what}: an AOV is color or value, not `{plain(item.items[1])}`",
                        did_you_mean(kind, ["color", "value"]))
            name = str(plain(item.items[0]))
        elif isinstance(item, (ast.Ident, ast.String)):
            name = str(plain(item))
        else:
            return f"{what}: {describe(item)} is not an AOV name", usage
        if name in seen:
            return f"{what} lists the AOV `{name}` twice", None
        seen.add(name)
    return None


def check_passes(value: ast.Value, targets, what) -> tuple[str, str | None] | None:
    """A list of pass names every target knows, each once (also RenderLayers' `passes=`)."""
    return _check_passes(value, targets, what)


def _check_passes(value: ast.Value, targets, what) -> tuple[str, str | None] | None:
    if not isinstance(value, (ast.List, ast.Tuple)):
        return f"{what} takes a list like [depth, normal], not {describe(value)}", None
    seen: dict[str, str] = {}          # pass (newest name) -> how it was first written
    for item in value.items:
        if not isinstance(item, (ast.Ident, ast.String)):
            return f"{what}: {describe(item)} is not a pass name", None
        word = str(plain(item))
        for version in targets:
            aliases = vocabulary.pass_aliases(version)
            if vocabulary.fold(word) not in aliases:
                return (f"`{word}` is not a render pass in Blender {version}",
                        did_you_mean(word, sorted(set(aliases.values()))))
        name = vocabulary.pass_aliases(targets[-1])[vocabulary.fold(word)]
        if name in seen:
            return f"{what} lists the {name} pass twice (`{seen[name]}` and `{word}`)", \
                "list each pass once"
        seen[name] = word
    return None
