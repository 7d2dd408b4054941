"""Graph pictures: frames around what they hold, one row per input socket, settings spelled as
the language writes them."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from nodescript.graphviz import spelled, to_dot
from nodescript.resolve import compile_source

SOURCE = """\
outputs = Frame(label="Depth out")
inner = Frame(parent=outputs)
rl = RenderLayers()
m = Math(operation=multiply, use_clamp=true, parent=inner)
rl.Depth -> m[0]
rl.Depth -> m[1]
m -> MapRange(from_max=20, clamp=false) -> FileOutput(path="//o/", format=exr, depth=32, codec=zip, parent=outputs) as out
"""


@pytest.fixture(scope="module")
def dot():
    loaded = compile_source(SOURCE, "g.nodes")
    assert not [d for d in loaded.diagnostics if d.is_error]
    return to_dot(loaded.graph)


def _cluster(dot: str, name: str) -> str:
    """The text of one frame's cluster, up to its closing brace (nested clusters included)."""
    start = dot.index(f'subgraph "cluster_frame_{name}"')
    depth, i = 0, dot.index("{", start)
    for i in range(i, len(dot)):
        depth += {"{": 1, "}": -1}.get(dot[i], 0)
        if depth == 0:
            break
    return dot[start:i]


def test_frames_are_drawn_around_the_nodes_they_hold(dot):
    outer, inner = _cluster(dot, "outputs"), _cluster(dot, "inner")
    assert 'label="Depth out"' in outer and '"out" [label=' in outer
    assert 'subgraph "cluster_frame_inner"' in outer            # a frame in a frame
    assert '"m" [label=' in inner and '"out" [label=' not in inner
    assert '"rl" [label=' not in outer                          # not framed: outside
    assert '"outputs" [label=' not in dot                       # a frame is no box of its own


def test_each_input_socket_has_its_own_row(dot):
    math_box = re.search(r'"m" \[label=<(.*?)>\];', dot)[1]
    assert 'port="i0"' in math_box and 'port="i1"' in math_box
    assert "Value[0]" in math_box and "Value[1]" in math_box      # one name, two sockets
    assert '"rl":"o2":e -> "m":"i0":w;' in dot and '"rl":"o2":e -> "m":"i1":w;' in dot


def test_settings_are_spelled_as_the_language_writes_them(dot):
    assert "clamp=false" in dot and "use_clamp=true" in dot and "operation=multiply" in dot
    assert "path=&quot;//o/&quot;" in dot and "format=exr" in dot
    assert "True" not in dot and "False" not in dot
    assert spelled((None, 2)) == "(_, 2)" and spelled("exr-multilayer") == "exr-multilayer"
    assert spelled("Depth", "label") == '"Depth"' and spelled("a b") == '"a b"'


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_graphviz_accepts_the_picture(dot, tmp_path):
    done = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    svg = done.stdout.decode()
    assert svg.count('class="cluster"') == 2 and "Depth out" in svg


def test_every_edge_inside_a_group_attaches_to_a_declared_port():
    """Links into and out of a group body end on the Group Input/Output boxes' own ports."""
    loaded = compile_source("group Soft(img: color, amount: float) -> (out: color) {\n"
                            "    img -> InvertColor() as b\n    b -> out\n}\n"
                            "rl = RenderLayers()\ns = Soft()\nrl.Image -> s.img\ns.out -> Viewer()\n", "g.nodes")
    assert not [d for d in loaded.diagnostics if d.is_error]
    text = to_dot(loaded.graph)
    declared = {(box, port) for box, label in re.findall(r'^\s*"([^"]+)" \[label=<(.*)>\];$',
                                                        text, re.M)
                for port in re.findall(r'port="([^"]+)"', label)}
    used = set(re.findall(r'"([^"]+)":"([^"]+)":[ew]', text))
    assert len(used) == 8 and used <= declared, used - declared      # 4 links, 2 ends each
