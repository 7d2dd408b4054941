"""Drawing a graph: DOT text from the IR, rendered to SVG/PNG by Graphviz's `dot` program.

Nodes are boxes with their linked sockets (inputs left, each its own row; outputs right) and the
settings that were written, in the language's spelling (`clamp=false`, `format=exr`); links join
sockets; frames are boxes drawn around the nodes they hold, node groups around their bodies.
Graphviz does the layout and drawing.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

from nodescript import ir
from nodescript.files import write_bytes, write_text
from nodescript.resolve.file_output import ARGS as FILE_OUTPUT_ARGS
from nodescript.resolve.file_output import FILE_OUTPUT
from nodescript.vocabulary import FORMAT_WORDS

# Header colours by role, close to Blender's node editor.
COLOURS = {"RenderLayers": "#e56d6d", "FileOutput": "#6d6de5", "Composite": "#6d6de5",
           "Viewer": "#6d6de5", "Group": "#3c9f3c"}
DEFAULT_COLOUR = "#7a7a7a"
FRAME = "Frame"
# Settings that take a string: always quoted. Other words the language reads bare (enum items).
STRING_SETTINGS = {"label", *(k for k, (_, _, t) in FILE_OUTPUT_ARGS.items() if t == "str"),
                   "look", "display", "color_space"}          # a File Output's colour names
BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
HIDDEN_SETTINGS = {"label", "parent"}          # shown as the frame or cluster around the node


class GraphvizMissing(Exception):
    pass


def to_dot(graph: ir.Graph) -> str:
    lines = ["digraph nodescript {", '  rankdir=LR; bgcolor="white";',
             '  node [shape=plaintext, fontname="Helvetica", fontsize=11];',
             '  edge [arrowsize=0.6, color="#555555"];']
    lines += _body(graph, "")
    for name, group in graph.groups.items():
        lines.append(f'  subgraph "cluster_{_id(name)}" {{ label="group {_dot_string(name)}"; '
                     'style=rounded; color="#3c9f3c";')
        lines += ["  " + l for l in _body(group.body, f"{name}/", group)]
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _body(graph: ir.Graph, prefix: str, group: ir.Group | None = None) -> list[str]:
    boxes: dict[str | None, list[str]] = {}        # frame name (None: no frame) -> its boxes
    version = graph.targets[-1] if graph.targets else None
    if group is not None:
        # Ports as _port names a link's end: by index in the interface when links are bound.
        port = (lambda side, i, s: f"{side}{i}") if version else \
            (lambda side, i, s: f"{side}_{_id(s.name)}")
        boxes[None] = [
            _interface_box(f"{prefix}{ir.GROUP_INPUT}", "Group Input", [],
                           [(port("o", i, s), s.name) for i, s in enumerate(group.inputs)]),
            _interface_box(f"{prefix}{ir.GROUP_OUTPUT}", "Group Output",
                           [(port("i", i, s), s.name) for i, s in enumerate(group.outputs)], [])]
    for node in graph.nodes.values():
        if node.kind == FRAME:
            continue
        ins = _sockets(graph.links_into(node.name), version, into=True)
        outs = _sockets(graph.links_from(node.name), version, into=False)
        boxes.setdefault(_frame_of(node, graph), []).append(
            _node_box(prefix + node.name, node, ins, outs))
    lines = _framed(graph, prefix, boxes, None)
    for link in graph.links:
        # In a group body, an end that is not a node is a group socket (its name is the socket's).
        src = link.from_node if link.from_node in graph.nodes else ir.GROUP_INPUT
        dst = link.to_node if link.to_node in graph.nodes else ir.GROUP_OUTPUT
        style = ' [style=dashed, color="#bbbbbb"]' if link.muted else ""
        lines.append(f'  "{_id(prefix + src)}":"{_port(link, version, into=False)}":e -> '
                     f'"{_id(prefix + dst)}":"{_port(link, version, into=True)}":w{style};')
    return lines


def _frame_of(node: ir.Node, graph: ir.Graph) -> str | None:
    parent = node.args.get("parent")
    return parent if isinstance(parent, str) and parent in graph.nodes else None


def _framed(graph: ir.Graph, prefix: str, boxes: dict, frame: str | None) -> list[str]:
    """The boxes of `frame` (None: the top), with the frames it holds as clusters around theirs."""
    lines = list(boxes.get(frame, []))
    for node in graph.nodes.values():
        if node.kind == FRAME and _frame_of(node, graph) == frame:
            inner = _framed(graph, prefix, boxes, node.name)
            label = node.args.get("label") or node.name
            lines.append(f'  subgraph "cluster_frame_{_id(prefix + node.name)}" {{ '
                         f'label="{_dot_string(str(label))}"; style="rounded,filled"; '
                         'fillcolor="#f4f4f4"; color="#999999";')
            lines += ["  " + l for l in inner]
            lines.append("  }")
    return lines


def _port(link: ir.Link, version: str | None, into: bool) -> str:
    """A socket's port: by its index in the node (two inputs may share a name: Math's `Value`),
    by name for a group's interface sockets (no binding)."""
    binding = link.bindings.get(version) if version else None
    if binding is None:
        return f"i_{_id(link.to_socket)}" if into else f"o_{_id(link.from_socket)}"
    return f"{'i' if into else 'o'}{binding[1 if into else 0].index}"


def _sockets(links: list[ir.Link], version: str | None, into: bool) -> list[tuple[str, str]]:
    """(port, label) of each linked socket, in the node's order; a shared name gets its index
    (`Value[1]`, as the language writes it)."""
    found: dict[str, tuple[int, str]] = {}
    for link in links:
        binding = link.bindings.get(version) if version else None
        index = binding[1 if into else 0].index if binding else len(found)
        name = link.to_socket if into else link.from_socket
        found.setdefault(_port(link, version, into), (index, name))
    ordered = sorted(found.items(), key=lambda item: item[1][0])
    names = [name for _, (_, name) in ordered]
    return [(port, f"{name}[{index}]" if names.count(name) > 1 else name)
            for port, (index, name) in ordered]


def _settings(node: ir.Node) -> list[str]:
    shown = [f"{k}={spelled(v, k)}" for k, v in node.args.items() if k not in HIDDEN_SETTINGS]
    if node.kind == FILE_OUTPUT:
        binding = next(iter(node.bindings.values()), None)
        written = {k for k in node.args if k in ("format", "depth", "codec")}
        if binding and written != {"format", "depth", "codec"}:
            shown.append("(" + ", ".join(_format_args(binding.properties.get("format", {})))
                         + ")")                                           # what it resolved to
        for slot, own in (binding.properties.get("input_formats", {}) if binding else {}).items():
            shown.append(f"{slot}: " + ", ".join(_format_args(own)))     # its own format
    return shown


def _format_args(fmt: dict) -> list[str]:
    args = []
    if fmt.get("file_format"):
        args.append(f"format={FORMAT_WORDS.get(fmt['file_format'], fmt['file_format'].lower())}")
    if fmt.get("color_depth"):
        args.append(f"depth={fmt['color_depth']}")
    if fmt.get("exr_codec"):
        args.append(f"codec={fmt['exr_codec'].lower()}")
    return args


def spelled(value, key: str = "") -> str:
    """A setting's value as the language writes it: true/false, `_`, bare enum words, quoted
    strings, tuples; long values shortened for the drawing."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "_"
    elif isinstance(value, (tuple, list)):
        text = "(" + ", ".join(spelled(v) for v in value) + ")"
    elif isinstance(value, str):
        bare = key not in STRING_SETTINGS and BARE_WORD.fullmatch(value)
        text = value if bare else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        text = str(value)
    return text if len(text) <= 32 else text[:29] + "..."


def _node_box(node_id: str, node: ir.Node, ins, outs) -> str:
    title = node.group or node.kind
    header = title if node.anonymous else f"{node.name}: {title}"
    if node.args.get("label"):
        header += f" ({node.args['label']})"
    return _box(node_id, header, ins, outs, _settings(node), COLOURS.get(node.kind, DEFAULT_COLOUR))


def _interface_box(node_id: str, title: str, ins, outs) -> str:
    return _box(node_id, title, ins, outs, [], COLOURS["Group"])


def _box(node_id, header, ins, outs, settings, colour) -> str:
    rows = [f'<tr><td colspan="2" bgcolor="{colour}"><font color="white"><b>{html.escape(header)}'
            f"</b></font></td></tr>"]
    rows += [f'<tr><td colspan="2" align="left"><font point-size="9">{html.escape(s)}</font></td></tr>'
             for s in settings]
    # Outputs first, then each input on its own row (as Blender draws them).
    rows += [f'<tr><td></td><td port="{port}" align="right">{html.escape(label)} &#9679;</td></tr>'
             for port, label in outs]
    rows += [f'<tr><td port="{port}" align="left">&#9679; {html.escape(label)}</td><td></td></tr>'
             for port, label in ins]
    table = ('<table border="1" cellborder="0" cellspacing="0" cellpadding="4" bgcolor="#eeeeee">'
             + "".join(rows) + "</table>")
    return f'  "{_id(node_id)}" [label=<{table}>];'


def _dot_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


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
