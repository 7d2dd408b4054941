"""The rule registry: one rule is one small function with a code, a severity and its docs.

A rule's docstring is its documentation, with the fixed headings `## What it does`,
`## Why is this bad?`, `## Example` and `## Use instead` (ruff's convention); `nodescript rule CODE`
prints it and docs/rules.md is generated from it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable, Iterable

from nodescript.diagnostics import Severity, Span


@dataclass(frozen=True)
class Finding:
    message: str
    span: Span
    help: str | None = None
    severity: Severity | None = None       # overrides the rule's default (e.g. preview outputs)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    check: Callable[..., Iterable[Finding]] | None     # None: reported by the resolver itself
    fixable: bool = False
    docs: str = ""


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.code in RULES:
        raise ValueError(f"rule code {rule.code} is used twice: {RULES[rule.code].name}, {rule.name}")
    RULES[rule.code] = rule
    return rule


def rule(code: str, name: str, severity: Severity, summary: str, fixable: bool = False):
    """Decorator: register `check(ctx) -> Iterable[Finding]` as rule `code`."""
    def wrap(check):
        register(Rule(code, name, severity, summary, check, fixable, inspect.getdoc(check) or ""))
        return check
    return wrap


def all_rules() -> dict[str, Rule]:
    # Importing the rule modules registers them; done lazily so `import nodescript` stays cheap.
    from nodescript.lint.rules import load_all
    load_all()
    return dict(sorted(RULES.items()))
