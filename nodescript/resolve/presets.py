"""Presets: a bare word among a FileOutput's settings, `FileOutput(float32)`, stands for the
settings everyone types (format and bit depth). A preset is expanded into those settings before
anything else looks at the node, so lint, apply and export see exactly the spelled-out form.

Presets set `format` and `depth` only: the codec stays the default (zip, lossless), and any other
setting is written next to the preset (`FileOutput(half, codec=piz, path="//out/")`). Writing a
setting the preset already sets is an error rather than an override: `FileOutput(half, depth=32)`
would read as two answers to one question.
"""

from __future__ import annotations

from nodescript.diagnostics import did_you_mean
from nodescript.presets import PRESET_KIND, PRESETS, canonical, spelled_out
from nodescript.resolve import codes
from nodescript.syntax import ast


def expand(args: tuple[ast.Arg, ...], kind: str, error) -> tuple[ast.Arg, ...]:
    """The args with each preset replaced by its settings (spans: the preset word's).
    `error(code, message, span, help=None)` reports bare values that are no preset."""
    if all(a.name is not None for a in args):
        return args
    named = {a.name: a for a in args if a.name is not None}
    out: list[ast.Arg] = [a for a in args if a.name is not None]
    set_by: dict[str, str] = {}
    for arg in args:
        if arg.name is not None:
            continue
        word = _preset_word(arg, kind, error)
        if word is None:
            continue
        clash = next((k for k in PRESETS[word] if k in named or k in set_by), None)
        if clash is not None:
            by = f"`{clash}=`" if clash in named else f"preset `{set_by[clash]}`"
            error(codes.DUPLICATE_NAME, f"preset `{word}` sets {clash}, and so does {by}",
                  named[clash].span if clash in named else arg.span,
                  f"`{word}` means {spelled_out(word)}: keep one of them")
            continue
        for key, text in PRESETS[word].items():
            set_by[key] = word
            out.append(ast.Arg(key, ast.Ident(text, arg.span), arg.span))
    return tuple(out)


def _preset_word(arg: ast.Arg, kind: str, error) -> str | None:
    if kind != PRESET_KIND:
        error(codes.UNKNOWN_SETTING, f"{kind} settings are written name=value; only FileOutput "
              "takes a preset", arg.span)
        return None
    listing = f"presets: {', '.join(PRESETS)}; other settings are written name=value"
    if not isinstance(arg.value, ast.Ident):
        error(codes.UNKNOWN_SETTING, "a bare value among FileOutput's settings must be a preset",
              arg.span, listing)
        return None
    word = canonical(arg.value.name)
    if word is None:
        error(codes.UNKNOWN_SETTING, f"`{arg.value.name}` is not a FileOutput preset", arg.span,
              did_you_mean(arg.value.name, list(PRESETS)) or listing)
    return word
