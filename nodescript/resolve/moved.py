"""What a setting became in another Blender version, read from the catalogues: a property that
is an input socket of the same node elsewhere (Blur's `size_x` is the input *Size* in 5.0), or a
property under another identifier. No per-version lists: the counterpart is the one setting of
the other version that

- holds the same kind of value (number, true/false, choice, text), and for choices shares items
  (by identifier between enums; a menu socket records only its default item's name);
- shares the most words with the name (`filter_type` ~ *Type*, `use_extended_bounds` ~ *Extend
  Bounds*), not counting one-letter words or the kind's own (BoxMask's `mask_width` is not its
  input *Mask*);
- matches back: its own best match in the first version is the name, so two settings never claim
  one (Tonemap's `adaptation` and 5.0's Light and Chromatic Adaptation), except scalars merging
  into a vector (`size_x` and `size_y` are both *Size*).

The catalogues say nothing of meaning, so no hint is better than a guess: many missing settings
get none.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from nodescript import catalog, vocabulary

# Kinds of value that can stand for each other across versions (a property's type, a socket's).
_TYPE_FAMILY = {"BOOLEAN": "bool", "INT": "number", "FLOAT": "number", "VALUE": "number",
                "VECTOR": "number", "ENUM": "choice", "MENU": "choice", "STRING": "text"}
_NOISE_WORDS = frozenset({"use"})
_PREFIX = 4          # `extend` and `extended` are one word


def hint(kind: str, name: str, have: list[str], lack: list[str], targeted: bool) -> str | None:
    """Help for `name`, a setting of `kind` in versions `have` but not in `lack`; `targeted`:
    the file targets versions of both kinds."""
    if not have or not lack:
        return None
    by_counterpart: dict[tuple[str, str], list[str]] = {}
    for version in lack:
        source = min(have, key=lambda v: _distance(v, version))
        found = _counterpart(kind, name, source, version)
        if found is not None:
            by_counterpart.setdefault(found, []).append(version)
    if not by_counterpart:
        return None
    parts = [f"in Blender {', '.join(versions)} it is the {what}: write `{written}=`"
             for (what, written), versions in by_counterpart.items()]
    tail = ": one file cannot use both names, so narrow `target` to one side" if targeted else ""
    return "; ".join(parts) + f" (`{name}` is Blender {', '.join(have)}'s{tail})"


def versions_with(kind: str, name: str, versions) -> list[str]:
    """The versions among `versions` where `name` is a setting (property or input) of `kind`."""
    return [v for v in versions if _meaning(_spec(kind, v), name) is not None]


class _Setting(NamedTuple):
    what: str                        # "setting `filter_type`", "input `Type`"
    type: str
    words: frozenset[str]
    written: str                     # as a file writes it: filter_type, type
    # An enum's item identifiers and names (folded), or a menu socket's default item's name.
    choices: tuple[frozenset[str], frozenset[str]] | None


def _counterpart(kind: str, name: str, have: str, lack: str) -> tuple[str, str] | None:
    old, new = _spec(kind, have), _spec(kind, lack)
    source = _meaning(old, name) if old and new else None
    if source is None:
        return None
    ignore = _words(kind)            # BoxMask's `mask_width` is not its input *Mask*
    found = _best(source, _settings_of(new), ignore)
    if found is None:
        return None
    # Several scalars may become one vector (size_x, size_y -> Size); otherwise the match must
    # hold both ways, so two settings never claim one (Light and Chromatic Adaptation).
    merges = found.type == "VECTOR" and source.type != "VECTOR"
    others = [c for c in _settings_of(old) if c.what != found.what]   # 4.5 has both Blur's
    if not merges and _best(found, others, ignore) != source:         # size_x and input Size
        return None
    return found.what, found.written


def _best(source: _Setting, candidates: list[_Setting], ignore: frozenset[str]) -> _Setting | None:
    """The one candidate of a compatible kind sharing the most words with `source`, if one."""
    words = source.words - ignore
    scored = sorted(((_shared(words, c.words - ignore), i) for i, c in enumerate(candidates)
                     if _compatible(source, c)), reverse=True)
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return candidates[scored[0][1]]


def _compatible(a: _Setting, b: _Setting) -> bool:
    family = _TYPE_FAMILY.get(a.type)
    if family is None or family != _TYPE_FAMILY.get(b.type):
        return False
    # Two choices are one setting only if they share items: two enums by identifier (Mix's
    # data_type and blend_type share only the name "Color"), a menu socket, which records its
    # default item's name only, by name.
    if a.choices is None or b.choices is None:
        return True
    (ids_a, names_a), (ids_b, names_b) = a.choices, b.choices
    return bool(ids_a & ids_b) if ids_a and ids_b else bool(names_a & names_b)


def _spec(kind: str, version: str):
    found = vocabulary.spec_for(kind, version)
    return found[0] if found else None


def _meaning(spec, name: str) -> _Setting | None:
    """What `name` sets on `spec`: a property, else an input socket."""
    if spec is None:
        return None
    wanted = vocabulary.fold(name)
    settings = _settings_of(spec)
    for setting in settings:
        if setting.what.startswith("setting") and vocabulary.fold(setting.written) == wanted:
            return setting
    index = vocabulary.find_socket(spec.inputs, name)
    if index is None:
        return None
    return next(s for s in settings if s.what == f"input `{spec.inputs[index].name}`")


def _settings_of(spec) -> list[_Setting]:
    """Every setting of `spec`: its writable properties, then its inputs."""
    found = [_Setting(f"setting `{p.identifier}`", p.type, _words(p.identifier), p.identifier,
                      (_fold_all(i[0] for i in p.items), _fold_all(i[-1] for i in p.items))
                      if p.type == "ENUM" else None)
             for p in spec.properties.values() if not p.readonly]
    found += [_Setting(f"input `{s.name}`", s.type, _words(s.name), _written(s.name),
                       (frozenset(), _fold_all([s.default])) if s.type == "MENU" else None)
              for s in spec.inputs]
    return found


def _fold_all(texts) -> frozenset[str]:
    return frozenset(vocabulary.fold(str(t)) for t in texts)


def _written(socket_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", socket_name.lower()).strip("_")


def _split_pascal(kind: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", kind)


def _words(label: str) -> frozenset[str]:
    """The words of a name; one-letter words (`x` of `size_x`) say too little to match on."""
    words = re.split(r"[^a-z0-9]+", _split_pascal(label).lower())
    return frozenset(w for w in words if len(w) > 1 and w not in _NOISE_WORDS)


def _shared(a: frozenset[str], b: frozenset[str]) -> int:
    return sum(1 for w in a if any(w == x or (len(w) >= _PREFIX and len(x) >= _PREFIX and
                                              (w.startswith(x) or x.startswith(w))) for x in b))


def _distance(a: str, b: str) -> int:
    ka, kb = catalog.version_key(a), catalog.version_key(b)
    return abs((ka[0] * 100 + ka[1]) - (kb[0] * 100 + kb[1]))
