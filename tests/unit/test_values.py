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


# --- vectors and colours, one component at a time ---------------------------------------------

def components(body: str, version: str = "4.5") -> list[values.Transfer]:
    """The per-component chains into the only File Output slot."""
    text = f'target "{version}"\nscene {{ passes = [depth, normal] }}\nrl = RenderLayers()\n' \
        + textwrap.dedent(body).strip() + "\n"
    graph = compile_source(text, "t.nodes").graph
    flow = dataflow.analyse(graph, version)[0]
    (slot,) = flow.slots
    return flow.component_transfers(slot.link)


def test_vector_math_remaps_each_normal_component():
    found = components('rl.Normal -> VectorMath(operation=multiply_add, inputs=(_, (0.5, 0.5, '
                       '0.5), (0.5, 0.5, 0.5))) -> FileOutput(path="//n/")')
    assert [t.component for t in found] == [0, 1, 2]
    assert all(t.source == "Normal" and t(-1) == 0 and t(1) == 1 for t in found)


def test_vector_math_uses_each_components_constant():
    x, y, z = components('rl.Normal -> VectorMath(operation=add, inputs=(_, (1, 2, 3))) -> '
                         'VectorMath(operation=scale, Scale=2) -> FileOutput(path="//n/")')
    assert (x(0), y(0), z(0)) == (2, 4, 6)
    per = components('rl.Normal -> VectorMath(operation=maximum, inputs=(_, (0, 0.5, 0))) -> '
                     'FileOutput(path="//n/")')
    assert per[1](0.2) == 0.5 and per[0](0.2) == 0.2


@pytest.mark.parametrize("operation", ["dot_product", "cross_product", "normalize", "length"])
def test_vector_math_that_mixes_components_ends_the_chain(operation):
    assert components(f'rl.Normal -> VectorMath(operation={operation}) -> '
                      'FileOutput(path="//n/")') == []


def test_separate_math_combine_follows_each_axis():
    x, y, z = components('''
        sep = SeparateXYZ()
        cx = CombineXYZ()
        rl.Normal -> sep
        sep.X -> Math(operation=multiply_add, inputs=(_, 0.5, 0.5)) -> cx.X
        sep.Z -> cx.Y
        sep.Y -> Math(operation=multiply, inputs=(_, -1)) -> cx.Z
        cx -> FileOutput(path="//n/")
    ''')
    assert (x.component, y.component, z.component) == (0, 2, 1)
    assert (x(-1), y(0.3), z(0.25)) == (0, 0.3, -0.25)


def test_depth_through_combine_xyz_keeps_its_range_in_its_component():
    (found,) = components('''
        cx = CombineXYZ()
        rl.Depth -> cx.Y
        cx -> VectorMath(operation=scale, Scale=0.05) -> FileOutput(path="//d/")
    ''')
    assert found.source == "Depth" and found.component is None and found(10) == 0.5
    sep = chain('''
        cx = CombineXYZ()
        sp = SeparateXYZ()
        rl.Depth -> cx.X
        cx -> VectorMath(operation=multiply, inputs=(_, (0.1, 1, 1))) -> sp
        sp.X -> FileOutput(path="//d/")
    ''')
    assert sep.source == "Depth" and sep(10) == pytest.approx(1.0)
    assert chain('''
        cx = CombineXYZ()
        sp = SeparateXYZ()
        rl.Depth -> cx.X
        cx -> sp
        sp.Y -> FileOutput(path="//d/")
    ''') is None                          # Y is a constant, not the depth


def test_separate_and_combine_color_in_rgb_mode_only():
    found = chain('''
        cc = CombineColor()
        sc = SeparateColor()
        rl.Depth -> cc.Green
        cc -> sc
        sc.Green -> Math(operation=divide, inputs=(_, 10)) -> FileOutput(path="//d/")
    ''')
    assert found(5) == 0.5
    assert components('''
        cc = CombineColor(mode=hsv)
        rl.Depth -> cc.Red
        cc -> FileOutput(path="//d/")
    ''') == []
