"""Values of a data pass followed through the graph (nodescript.lint.values)."""

from __future__ import annotations

import math
import textwrap

import pytest

from nodescript.lint import dataflow, values
from nodescript.resolve import compile_source


def chain(body: str, version: str = "4.5") -> values.Transfer | None:
    """The transfer into the only File Output slot of a graph, in `version`."""
    text = f'target "{version}"\nscene {{ passes = [depth, object_index] }}\nrl = RenderLayers()\n' \
        + textwrap.dedent(body).strip() + "\n"
    graph = compile_source(text, "t.nodes").graph
    flow = dataflow.analyse(graph, version)[0]
    (slot,) = flow.slots
    return flow.transfer(slot.link)


def test_a_raw_pass_is_the_identity():
    found = chain('rl.Depth -> FileOutput(path="//d/")')
    assert found.source == "Depth" and found.identity and found(12.5) == 12.5


def test_map_value_with_its_clamp():
    found = chain('rl.Depth -> MapValue(offset=-8, size=0.5, use_max=true, max=1) -> '
                  'FileOutput(path="//d/")', "4.2")
    assert [found(x) for x in (8, 9, 10, 12)] == [0, 0.5, 1, 1]


def test_map_range_clamps_by_default_only_as_the_shader_node():
    body = 'rl.Depth -> MapRange(from_max=20) -> FileOutput(path="//d/")'
    assert chain(body, "4.2")(40) == 2.0
    assert chain(body, "4.5")(40) == 1.0
    assert chain(body.replace("from_max=20", "from_max=20, clamp=false"), "5.0")(40) == 2.0


def test_map_range_stepped_and_smoothstep():
    stepped = chain('rl.Depth -> MapRange(from_max=10, interpolation_type=stepped, Steps=4) -> '
                    'FileOutput(path="//d/")', "5.0")
    assert [stepped(x) for x in (1, 3, 6, 9.9)] == [0, 0.25, 0.75, 1]
    smooth = chain('rl.Depth -> MapRange(from_max=10, interpolation_type=smoothstep) -> '
                   'FileOutput(path="//d/")', "5.0")
    assert smooth(5) == pytest.approx(0.5) and smooth(2.5) == pytest.approx(0.15625)


@pytest.mark.parametrize("operation, inputs, x, expected", [
    ("add", "(_, 2)", 3, 5), ("subtract", "(10, _)", 3, 7), ("divide", "(_, 0)", 3, 0),
    ("multiply_add", "(_, 2, 1)", 3, 7), ("power", "(_, 2)", 3, 9), ("power", "(_, 0.5)", -4, 0),
    ("logarithm", "(_, 10)", 100, 2), ("sqrt", "(_)", -1, 0), ("minimum", "(_, 2)", 3, 2),
    ("maximum", "(_, 2)", 3, 3), ("floor", "(_)", 2.7, 2), ("fract", "(_)", 2.25, 0.25),
    ("modulo", "(_, 2)", 5, 1), ("snap", "(_, 0.5)", 1.7, 1.5), ("pingpong", "(_, 2)", 3, 1),
    ("wrap", "(_, 2, 0)", 5, 1), ("less_than", "(_, 2)", 1, 1), ("sign", "(_)", -3, -1),
])
def test_math_operations(operation, inputs, x, expected):
    found = chain(f'rl.Depth -> Math(operation={operation}, inputs={inputs}) -> '
                  'FileOutput(path="//d/")')
    assert found(x) == pytest.approx(expected)


def test_math_use_clamp_and_unknown_chains():
    found = chain('rl.Depth -> Math(operation=multiply, inputs=(_, 0.1), use_clamp=true) -> '
                  'FileOutput(path="//d/")')
    assert found(20) == 1.0
    assert chain('rl.Depth -> Normalize() -> FileOutput(path="//d/")') is None


def test_groups_are_followed_in_and_out():
    found = chain('''
        group Cm(depth: float, scale: float) -> (cm: float) {
            mul = Math(operation=multiply)
            depth -> mul
            scale -> mul
            mul -> cm
        }
        g = Cm(scale=100)
        rl.Depth -> g.depth
        g.cm -> FileOutput(path="//d/")
    ''')
    assert found(2) == 200                  # the instance's scale=100 is a constant inside
    constant = chain('''
        group Half(v: float) -> (r: float) {
            m = Math(operation=multiply, inputs=(_, 0.5))
            v -> m
            m -> r
        }
        rl.Depth -> Half() -> Half() -> FileOutput(path="//d/")
    ''')
    assert constant(8) == 2 and constant.source == "Depth"


def test_sampling_finds_saturation_and_steps():
    found = chain('rl.Depth -> MapRange(from_max=9, clamp=false) -> FileOutput(path="//d/")')
    sampled = values.sample(found, 8, 10)
    assert sampled.survives() == pytest.approx(0.5, abs=1e-3)
    low, high = sampled.steps(255)
    assert low == pytest.approx(9 / 255) and high == pytest.approx(9 / 255)
    ((start, end),) = values.ranges(found, 8, 10, lambda y: y >= 1)
    assert start == pytest.approx(9, abs=1e-6) and end == 10
    assert math.isinf(values.sample(found, 0, 1).out_range[0]) is False
