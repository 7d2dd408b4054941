"""`target` declarations -> the tuple of Blender versions a graph must work in."""

from __future__ import annotations

from nodescript import catalog
from nodescript.resolve import codes
from nodescript.syntax import ast


def resolve_targets(decls: list[ast.Target], resolver) -> tuple[str, ...]:
    """Every supported version by default; each declaration narrows the set."""
    supported = catalog.supported_versions()
    chosen = list(supported)
    for decl in decls:
        low = _known(decl.low, decl, resolver)
        high = _known(decl.high or decl.low, decl, resolver)
        if low is None or high is None:
            continue
        key = catalog.version_key
        if key(low) > key(high):
            resolver.error(codes.BAD_TARGET, f"empty target range: {low} is newer than {high}", decl.span)
            continue
        chosen = [v for v in chosen if key(low) <= key(v) <= key(high)]
    if not chosen:
        resolver.error(codes.BAD_TARGET, "the target declarations leave no Blender version",
                       decls[-1].span)
        return supported
    return tuple(chosen)


def _known(version: str, decl: ast.Target, resolver) -> str | None:
    supported = catalog.supported_versions()
    short = ".".join(version.split(".")[:2])
    if short in supported:
        return short
    resolver.error(codes.BAD_TARGET, f"Blender {version} is not supported; nodescript knows "
                   f"{', '.join(supported)}", decl.span)
    return None
