"""`[tool.nodescript]` in the nearest pyproject.toml: which rules run.

```toml
[tool.nodescript]
select = ["NS"]          # codes or prefixes; default: every rule
ignore = ["NS204"]
exclude = ["build/**"]   # globs skipped when linting folders
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(Exception):
    pass


@dataclass
class Config:
    select: list[str] = field(default_factory=lambda: ["NS"])
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    source: Path | None = None

    def enabled(self, code: str) -> bool:
        if is_resolution_error(code):    # the graph is invalid: no config may hide that
            return True
        return (any(code.startswith(p) for p in self.select)
                and not any(code.startswith(p) for p in self.ignore))

    def with_overrides(self, select=None, ignore=None) -> Config:
        return Config(list(select) if select else self.select,
                      self.ignore + list(ignore or []), self.exclude, self.source)


def is_resolution_error(code: str) -> bool:
    """NS0xx/NS1xx: the file could not be read as a valid graph. Never deselected or ignored."""
    return code[:3] == "NS0" or code[:3] == "NS1"


def _upper(codes: list[str]) -> list[str]:
    return [c.strip().upper() for c in codes]


def find_pyproject(start: Path) -> Path | None:
    start = start.resolve()
    for folder in [start, *start.parents] if start.is_dir() else [start.parent, *start.parent.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start: Path | None = None) -> Config:
    path = find_pyproject(start or Path.cwd())
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    section = data.get("tool", {}).get("nodescript", {})
    unknown = set(section) - {"select", "ignore", "exclude"}
    if unknown:
        raise ConfigError(f"{path}: unknown [tool.nodescript] keys: {', '.join(sorted(unknown))}")
    for key in ("select", "ignore", "exclude"):
        if key in section and not (isinstance(section[key], list)
                                   and all(isinstance(x, str) for x in section[key])):
            raise ConfigError(f"{path}: [tool.nodescript] {key} must be a list of strings")
    return Config(_upper(section.get("select", ["NS"])), _upper(section.get("ignore", [])),
                  section.get("exclude", []), path)
