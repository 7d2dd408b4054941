"""What a setting became in another Blender version, read from the catalogues: a property that
is an input socket of the same node elsewhere (Blur's `size_x` is the input *Size* in 5.0), or a
property under another identifier. No per-version lists: the counterpart is the setting the other
version has of a compatible type (number, true/false, choice, text) sharing the most words with
the name (`filter_type` ~ *Type*, `use_extended_bounds` ~ *Extend Bounds*), when exactly one is
best.
"""

from __future__ import annotations

import re

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
    parts = []
    for version in lack:
        source = min(have, key=lambda v: _distance(v, version))
        found = _counterpart(kind, name, source, version)
        if found is not None:
            what, written = found
            parts.append(f"in Blender {version} it is the {what}: write `{written}=`")
    if not parts:
        return None
    tail = ": one file cannot use both names, so narrow `target` to one side" if targeted else ""
    return "; ".join(parts) + f" (`{name}` is Blender {', '.join(have)}'s{tail})"


def versions_with(kind: str, name: str, versions) -> list[str]:
    """The versions among `versions` where `name` is a setting (property or input) of `kind`."""
    return [v for v in versions if _meaning(_spec(kind, v), name) is not None]


def _counterpart(kind: str, name: str, have: str, lack: str) -> tuple[str, str] | None:
    old, new = _spec(kind, have), _spec(kind, lack)
    meant = _meaning(old, name) if old and new else None
    if meant is None:
        return None
    type_, words = meant
    candidates = [c for c in _settings_of(new) if _TYPE_FAMILY.get(c[1]) == _TYPE_FAMILY.get(type_)]
    scored = sorted(((_shared(words, _words(label)), what, written)
                     for what, _, label, written in candidates), reverse=True)
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1], scored[0][2]


def _spec(kind: str, version: str):
    found = vocabulary.spec_for(kind, version)
    return found[0] if found else None


def _meaning(spec, name: str) -> tuple[str, str] | None:
    """(type, label) of what `name` sets on `spec`: a property, else an input socket."""
    if spec is None:
        return None
    wanted = vocabulary.fold(name)
    for prop in spec.properties.values():
        if vocabulary.fold(prop.identifier) == wanted and not prop.readonly:
            return prop.type, _words(prop.identifier)
    index = vocabulary.find_socket(spec.inputs, name)
    return (spec.inputs[index].type, _words(spec.inputs[index].name)) if index is not None else None


def _settings_of(spec) -> list[tuple[str, str, str, str]]:
    """(what, type, label, how it is written) for each setting of `spec`: properties, inputs."""
    found = [(f"setting `{p.identifier}`", p.type, p.identifier, p.identifier)
             for p in spec.properties.values() if not p.readonly]
    found += [(f"input `{s.name}`", s.type, s.name, _written(s.name)) for s in spec.inputs]
    return found


def _written(socket_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", socket_name.lower()).strip("_")


def _words(label) -> frozenset[str]:
    if isinstance(label, frozenset):
        return label
    words = re.split(r"[^a-z0-9]+", label.lower())
    return frozenset(w for w in words if w and w not in _NOISE_WORDS)


def _shared(a: frozenset[str], b: frozenset[str]) -> int:
    return sum(1 for w in a if any(w == x or (len(w) >= _PREFIX and len(x) >= _PREFIX and
                                              (w.startswith(x) or x.startswith(w))) for x in b))


def _distance(a: str, b: str) -> int:
    ka, kb = catalog.version_key(a), catalog.version_key(b)
    return abs((ka[0] * 100 + ka[1]) - (kb[0] * 100 + kb[1]))
