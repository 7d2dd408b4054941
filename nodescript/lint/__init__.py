"""Lint: rules over the resolved graph, run by `nodescript lint`.

`lint_file(path, config)` returns every finding for one file: resolution errors (NS0xx/NS1xx),
then the registered rules (structural NS2xx, precision NS3xx+), filtered by config and by inline
`# nodescript: ignore[CODE]` comments.
"""

from nodescript.lint.engine import LintResult, lint_file, lint_source

__all__ = ["LintResult", "lint_file", "lint_source"]
