"""Docs of the errors the resolver reports while reading a file (NS0xx, NS1xx).

They are checked while names, sockets and values are resolved, not by a rule function, but they
live in the same registry so `--select`/`--ignore`, `nodescript rule` and docs treat them alike.
"""

from nodescript.diagnostics import Severity
from nodescript.lint.registry import Rule, register
from nodescript.resolve import codes

_DOCS = {
    codes.SYNTAX: ("The file does not follow nodescript's grammar. Every syntax error of a file "
                   "(up to 50) is reported in one run: after each, reading starts again at the next line "
                   "that begins with a name at column 1 outside `{ }` blocks (where `fmt` starts "
                   "statements).",
                   "Nothing else can be checked until the file parses.",
                   "rl = RenderLayers(", "rl = RenderLayers()"),
    codes.INCLUDE_NOT_FOUND: ("A `use` names a file that cannot be read.",
                              "The included nodes and settings would be missing.",
                              'use "missing.nodes"', 'use "fragments/depth.nodes"'),
    codes.INCLUDE_CYCLE: ("Files include each other in a loop.",
                          "The graph would be infinite.",
                          'use "a.nodes"   # in b.nodes, while a.nodes uses b.nodes',
                          "Move the shared part into a third file both use."),
    codes.BAD_TARGET: ("A `target` names a Blender version nodescript has no catalogue for, or "
                       "an empty range.", "The graph cannot be checked for that version.",
                       'target "3.6"', 'target "4.2".."5.0"'),
    codes.UNKNOWN_NODE: ("A node type that no supported Blender version has.",
                         "Blender would refuse to build it.", "n = Normalise()", "n = Normalize()"),
    codes.UNKNOWN_SETTING: ("A setting that is neither a property nor an input of the node.",
                            "It would be silently ignored by a script; here it is an error.",
                            "MapValue(sise=0.1)", "MapValue(size=0.1)"),
    codes.UNKNOWN_SOCKET: ("A socket name or index the node does not have.",
                           "The link cannot be made.", "rl.Deph -> out", "rl.Depth -> out"),
    codes.BAD_VALUE: ("A value of the wrong type, out of range, or not one of an enum's items; "
                      "colour-ramp stops or curve points out of order, too few or too many, or a "
                      "point outside its curve's clip rectangle.",
                      "Blender would reject, clamp, re-sort or move it.",
                      'Math(operation=multiplyy)\nColorRamp(stops=[(0.5, 1), (0.2, 0)])',
                      "Math(operation=multiply)\nColorRamp(stops=[(0.2, 0), (0.5, 1)])"),
    codes.DUPLICATE_NAME: ("Two nodes (or groups, scene settings, group sockets) share a name.",
                           "Node names are how nodescript keeps a scene's tree stable.",
                           "a = Blur()\na = Blur()", "a = Blur()\nb = Blur()"),
    codes.UNDEFINED_NAME: ("A name is used before a node of that name is defined, or a word in "
                           "a chain is neither a node of the graph nor a node kind (a kind alone "
                           "is a new node of that kind: `-> MapValue ->`).",
                           "Links need both ends to exist.", "rl.Depth -> out\nout = Viewer()",
                           "out = Viewer()\nrl.Depth -> out"),
    codes.AMBIGUOUS_SOCKET: ("No socket was named and the node has several candidates.",
                             "nodescript will not guess which output you meant.",
                             "sep = SeparateColor()\nsep -> out", "sep.Red -> out"),
    codes.INCOMPATIBLE_LINK: ("A link between socket types Blender cannot convert.",
                              "Blender would mark the link invalid.", "", ""),
    codes.INPUT_LINKED_TWICE: ("Two links end in the same input.",
                               "An input takes one link; the second would replace the first.",
                               "a -> m.Image\nb -> m.Image", "a -> m[1]\nb -> m[2]"),
    codes.CYCLE: ("Links form a loop.", "Compositor trees must be acyclic.", "a -> b\nb -> a", ""),
    codes.NOT_IN_TARGET: ("A node, setting or socket exists in some declared target versions "
                          "but not in all. Where the catalogues show what a setting became in "
                          "the other version (a property that is an input there, or a renamed "
                          "one), the help names it: Blur's `size_x` is the input *Size* in 5.0.",
                          "The graph would break in the other versions.",
                          'target "4.2".."5.0"\nb = Blur(size_x=3)',
                          'target "5.0"\nb = Blur(size=3)'),
    codes.UNKNOWN_SCENE_SETTING: ("A `scene` key nodescript does not know.",
                                  "It would be ignored.", "scene { engin = cycles }",
                                  "scene { engine = cycles }"),
    codes.BAD_GROUP: ("A malformed node group (bad socket type, Render Layers inside a group).",
                      "Blender cannot build it.", "group G(a: colr) -> (b) { }",
                      "group G(a: color) -> (b: float) { }"),
}


def _doc(what, why, bad, good) -> str:
    parts = [f"## What it does\n{what}", f"## Why is this bad?\n{why}"]
    if bad:
        parts.append(f"## Example\n```\n{bad}\n```")
    if good:
        parts.append(f"## Use instead\n```\n{good}\n```")
    return "\n\n".join(parts)


for _code, (_what, _why, _bad, _good) in _DOCS.items():
    register(Rule(_code, codes.TITLES[_code], Severity.ERROR, _what, None, False,
                  _doc(_what, _why, _bad, _good)))
