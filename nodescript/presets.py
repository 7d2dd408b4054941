"""FileOutput presets: a bare word among a FileOutput's settings, `FileOutput(float32)`, stands for
the settings everyone types (format and bit depth). This module is the table (fmt and lint --fix
read it without loading the resolver); nodescript.resolve.presets expands presets into settings.
"""

from __future__ import annotations

from nodescript import vocabulary

# Preset word -> the settings it stands for, as they are written. Aliases are entries of their own.
PRESETS: dict[str, dict[str, str]] = {
    "float32": {"format": "exr", "depth": "32"},
    "half": {"format": "exr", "depth": "16"},
    "float16": {"format": "exr", "depth": "16"},
    "png8": {"format": "png", "depth": "8"},
    "png16": {"format": "png", "depth": "16"},
    "exr-multilayer": {"format": "exr-multilayer", "depth": "32"},
}
# Kinds that take presets: FileOutput nodes, and a File Output input's own format (`out.x(png8)`).
PRESET_KIND = "FileOutput"

_BY_FOLDED = {vocabulary.fold(word): word for word in PRESETS}


def canonical(word: str) -> str | None:
    """The preset's spelling in PRESETS: `Float32` -> `float32`, `exr_multilayer` ->
    `exr-multilayer`; None for a word that is no preset."""
    return _BY_FOLDED.get(vocabulary.fold(word))


def spelled_out(word: str) -> str:
    """`half` -> `format=exr, depth=16`, for messages."""
    return ", ".join(f"{k}={v}" for k, v in PRESETS[word].items())


def replacement(word: str, edits: dict[str, str | None]) -> str:
    """What a preset becomes when `lint --fix` changes settings it sets: another preset when one
    means exactly that (`half` + depth=32 -> `float32`), else the settings spelled out."""
    settings = {k: edits.get(k, v) for k, v in PRESETS[word].items()}
    for other, means in PRESETS.items():      # the first of aliases: `half`, not `float16`
        if means == settings:
            return other
    return ", ".join(f"{k}={v}" for k, v in settings.items() if v is not None)
