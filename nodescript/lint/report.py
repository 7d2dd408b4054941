"""Lint findings as text, JSON, SARIF 2.1.0 or GitHub workflow annotations."""

from __future__ import annotations

import json

from nodescript import __version__
from nodescript.diagnostics import Diagnostic, Severity
from nodescript.lint.registry import all_rules

FORMATS = ("text", "json", "sarif", "github")
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(diags: list[Diagnostic], fmt: str, files_checked: int) -> str:
    return {"text": _text, "json": _json, "sarif": _sarif, "github": _github}[fmt](diags, files_checked)


def as_dict(d: Diagnostic) -> dict:
    """One finding; in a .blend (`place` set) it has no line or column but scene, group, node,
    link and setting, and `location` says the same in words."""
    if d.place is not None:
        return {"code": d.code, "severity": d.severity.value, "message": d.message,
                "file": d.span.file, "line": None, "col": None, "end_line": None,
                "end_col": None, "help": d.help, "location": d.place.text(), **d.place.as_dict()}
    return {"code": d.code, "severity": d.severity.value, "message": d.message, "file": d.span.file,
            "line": d.span.line, "col": d.span.col, "end_line": d.span.end_line,
            "end_col": d.span.end_col, "help": d.help}


def _text(diags, files_checked) -> str:
    blocks = [d.render() for d in diags]
    counts = {s: sum(d.severity is s for d in diags) for s in Severity}
    summary = (f"{files_checked} file{'s' if files_checked != 1 else ''} checked: "
               f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
               f"{counts[Severity.INFO]} info")
    return "\n\n".join(blocks + [summary]) if blocks else summary


def _json(diags, files_checked) -> str:
    return json.dumps([as_dict(d) for d in diags], indent=2)


def _sarif(diags, files_checked) -> str:
    rules = all_rules()
    used = sorted({d.code for d in diags})
    driver = {
        "name": "nodescript", "version": __version__,
        "informationUri": "https://github.com/nodescript/nodescript",
        "rules": [{"id": code, "name": rules[code].name if code in rules else code,
                   "shortDescription": {"text": rules[code].summary if code in rules else code},
                   "fullDescription": {"text": rules[code].docs if code in rules else code},
                   "defaultConfiguration": {"level": _SARIF_LEVEL[rules[code].severity]
                                            if code in rules else "error"}}
                  for code in used],
    }
    results = [{
        "ruleId": d.code, "ruleIndex": used.index(d.code), "level": _SARIF_LEVEL[d.severity],
        "message": {"text": _where(d) + d.message + (f" ({d.help})" if d.help else "")},
        "locations": [_sarif_location(d)],
    } for d in diags]
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": driver}, "results": results}]}
    return json.dumps(doc, indent=2)


def _sarif_location(d: Diagnostic) -> dict:
    """A line and column in a `.nodes` file; in a .blend the file alone (a binary has no lines)
    and a logical location naming the node, link or setting, under its scene and group."""
    if d.place is None:
        return {"physicalLocation": {
            "artifactLocation": {"uri": d.span.file},
            "region": {"startLine": d.span.line, "startColumn": d.span.col,
                       "endLine": d.span.end_line, "endColumn": d.span.end_col}}}
    p = d.place
    path = [p.scene, *([p.group] if p.group else [])]
    named = []
    if p.node:
        named.append((p.node, "object"))
    if p.link:
        named.append((f"{p.link[0]}.{p.link[1]} -> {p.link[2]}.{p.link[3]}", "object"))
    if p.setting:
        named.append((p.setting, "property"))
    if not named:                               # the group itself, or the scene
        path, named = path[:-1], [(path[-1], "namespace" if p.group else "module")]
    logical = [{"name": name, "fullyQualifiedName": "/".join([*path, name]), "kind": kind}
               for name, kind in named]
    return {"physicalLocation": {"artifactLocation": {"uri": d.span.file}},
            "logicalLocations": logical}


def _where(d: Diagnostic) -> str:
    """`scene "Scene", node "Blur": ` before a .blend finding's message (tools that show only
    the file and the message still tell where it is)."""
    return f"{d.place.text()}: " if d.place is not None else ""


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def _github(diags, files_checked) -> str:
    lines = []
    for d in diags:
        msg = _where(d) + d.message + (f" ({d.help})" if d.help else "")
        where = "" if d.place is not None else (
            f",line={d.span.line},col={d.span.col},endLine={d.span.end_line},"
            f"endColumn={d.span.end_col}")
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} file={_escape_property(d.span.file)}{where},"
                     f"title={d.code}::{_escape(msg)}")
    return "\n".join(lines)
