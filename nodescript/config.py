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
        if code == "NS001":      # a syntax error can't be ignored: nothing else was checked
            return True
        return (any(code.startswith(p) for p in self.select)
                and not any(code.startswith(p) for p in self.ignore))

    def with_overrides(self, select=None, ignore=None) -> Config:
        return Config(list(select) if select else self.select,
                      self.ignore + list(ignore or []), self.exclude, self.source)


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
    return Config(section.get("select", ["NS"]), section.get("ignore", []),
                  section.get("exclude", []), path)
