"""Drawing a graph: DOT text from the IR, rendered to SVG/PNG by Graphviz's `dot` program.

Nodes are boxes with their linked sockets (inputs left, outputs right) and the settings that were
written; links join sockets. Graphviz does the layout and drawing.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

from nodescript import ir
from nodescript.files import write_bytes, write_text
from nodescript.resolve.file_output import FILE_OUTPUT, format_label

# Header colours by role, close to Blender's node editor.
COLOURS = {"RenderLayers": "#e56d6d", "FileOutput": "#6d6de5", "Composite": "#6d6de5",
           "Viewer": "#6d6de5", "Group": "#3c9f3c"}
DEFAULT_COLOUR = "#7a7a7a"


class GraphvizMissing(Exception):
    pass


def to_dot(graph: ir.Graph) -> str:
    lines = ["digraph nodescript {", '  rankdir=LR; bgcolor="white";',
             '  node [shape=plaintext, fontname="Helvetica", fontsize=11];',
             '  edge [arrowsize=0.6, color="#555555"];']
    lines += _body(graph, "")
    for name, group in graph.groups.items():
        lines.append(f'  subgraph "cluster_{_id(name)}" {{ label="group {html.escape(name)}"; '
                     'style=rounded; color="#3c9f3c";')
        lines += ["  " + l for l in _body(group.body, f"{name}/", group)]
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _body(graph: ir.Graph, prefix: str, group: ir.Group | None = None) -> list[str]:
    lines = []
    if group is not None:
        lines.append(_interface_box(f"{prefix}{ir.GROUP_INPUT}", "Group Input", [],
                                    [s.name for s in group.inputs]))
        lines.append(_interface_box(f"{prefix}{ir.GROUP_OUTPUT}", "Group Output",
                                    [s.name for s in group.outputs], []))
    for node in graph.nodes.values():
        ins = _unique(l.to_socket for l in graph.links if l.to_node == node.name)
        outs = _unique(l.from_socket for l in graph.links if l.from_node == node.name)
        lines.append(_node_box(prefix + node.name, node, ins, outs))
    for link in graph.links:
        # In a group body, an end that is not a node is a group socket (its name is the socket's).
        src = link.from_node if link.from_node in graph.nodes else ir.GROUP_INPUT
        dst = link.to_node if link.to_node in graph.nodes else ir.GROUP_OUTPUT
        lines.append(f'  "{_id(prefix + src)}":"o_{_id(link.from_socket)}":e -> '
                     f'"{_id(prefix + dst)}":"i_{_id(link.to_socket)}":w;')
    return lines


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


def _settings(node: ir.Node) -> list[str]:
    if node.kind == FILE_OUTPUT:
        binding = next(iter(node.bindings.values()), None)
        shown = [format_label(binding.properties)] if binding else []
        if "path" in node.args:
            shown.append(str(node.args["path"]))
        for slot, own in (binding.properties.get("input_formats", {}) if binding else {}).items():
            shown.append(f"{slot}: {format_label({'format': own})}")     # its own format
        return shown
    return [f"{k}={_short(v)}" for k, v in node.args.items() if k != "label"]


def _short(value) -> str:
    text = str(value) if not isinstance(value, tuple) else "(" + ", ".join(map(str, value)) + ")"
    return text if len(text) <= 28 else text[:25] + "..."


def _node_box(node_id: str, node: ir.Node, ins: list[str], outs: list[str]) -> str:
    title = node.group or node.kind
    header = title if node.anonymous else f"{node.name}: {title}"
    return _box(node_id, header, ins, outs, _settings(node), COLOURS.get(node.kind, DEFAULT_COLOUR))


def _interface_box(node_id: str, title: str, ins: list[str], outs: list[str]) -> str:
    return _box(node_id, title, ins, outs, [], COLOURS["Group"])


def _box(node_id, header, ins, outs, settings, colour) -> str:
    rows = [f'<tr><td colspan="2" bgcolor="{colour}"><font color="white"><b>{html.escape(header)}'
            f"</b></font></td></tr>"]
    rows += [f'<tr><td colspan="2" align="left"><font point-size="9">{html.escape(s)}</font></td></tr>'
             for s in settings]
    for i in range(max(len(ins), len(outs))):
        left = (f'<td port="i_{_id(ins[i])}" align="left">&#9679; {html.escape(ins[i])}</td>'
                if i < len(ins) else "<td></td>")
        right = (f'<td port="o_{_id(outs[i])}" align="right">{html.escape(outs[i])} &#9679;</td>'
                 if i < len(outs) else "<td></td>")
        rows.append(f"<tr>{left}{right}</tr>")
    table = ('<table border="1" cellborder="0" cellspacing="0" cellpadding="4" bgcolor="#eeeeee">'
             + "".join(rows) + "</table>")
    return f'  "{_id(node_id)}" [label=<{table}>];'


def _id(text: str) -> str:
    return "".join(c if c.isalnum() or c in "_/" else f"_{ord(c):x}_" for c in text)


def render(graph: ir.Graph, out: Path) -> None:
    """Write `out` as .dot, .svg or .png (the last two need Graphviz's `dot` on PATH)."""
    dot_text = to_dot(graph)
    suffix = out.suffix.lower().lstrip(".")
    if suffix in ("dot", "gv"):
        write_text(out, dot_text)
        return
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing("Graphviz's `dot` program is not installed (Debian/Ubuntu: "
                              "apt-get install graphviz); write a .dot file instead")
    result = subprocess.run([exe, f"-T{suffix}"], input=dot_text.encode(),
                            capture_output=True, check=False)
    if result.returncode != 0:
        raise GraphvizMissing(f"dot failed: {result.stderr.decode(errors='replace').strip()}")
    write_bytes(out, result.stdout)
