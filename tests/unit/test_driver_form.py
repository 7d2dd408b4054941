"""`drivers=[...]` without bpy: the form, the plan, and the whitelist that keeps driver
expressions within what Blender evaluates without Python (hostile expressions included)."""

from __future__ import annotations

import pytest

from nodescript import drivers
from nodescript.blender.lowering import LoweringError, lower
from nodescript.resolve import compile_source

TARGET = 'target "4.2".."5.3"\n'


def diagnostics(source: str):
    return [d for d in compile_source(TARGET + source).diagnostics if d.is_error]


def graph(source: str):
    loaded = compile_source(TARGET + source)
    errors = [d.render() for d in loaded.diagnostics if d.is_error]
    assert not errors, errors
    return loaded.graph


DRIVEN = """rl = RenderLayers()
scale = Math(operation=multiply,
             drivers=[("inputs[1].default_value", "frame / 10"),
                      ("inputs[2].default_value", "d * 2", ("d", "SCENE", "Scene", "render.fps")),
                      ("inputs[0].default_value", sum, ("a", "OBJECT", "Cube", "location[2]"),
                       ("b", object, "Cube", "[\\"prop\\"]"))])
tint = Color(drivers=[("outputs[0].default_value[2]", "min(frame, 10) / 10")])
rl.Image -> scale -> Viewer()
"""


@pytest.mark.parametrize("version", ["4.2", "4.5", "5.0", "5.3"])
def test_drivers_become_the_plan_nodes_drivers(version):
    p = lower(graph(DRIVEN), version)
    scale, tint = p.tree.node("scale"), p.tree.node("tint")
    assert [(d.path, d.index, d.type, d.expression, d.variables) for d in scale.drivers] == [
        ("inputs[1].default_value", 0, "SCRIPTED", "frame / 10", ()),
        ("inputs[2].default_value", 0, "SCRIPTED", "d * 2",
         (("d", "SCENE", "Scene", "render.fps"),)),
        ("inputs[0].default_value", 0, "SUM", "",
         (("a", "OBJECT", "Cube", "location[2]"), ("b", "OBJECT", "Cube", '["prop"]')))]
    assert [(d.path, d.index) for d in tint.drivers] == [("outputs[0].default_value", 2)]
    described = p.describe()
    assert ("drivers=[inputs[1].default_value \"frame / 10\", inputs[2].default_value "
            "\"d * 2\" d=SCENE:'Scene'.render.fps, inputs[0].default_value sum "
            "a=OBJECT:'Cube'.location[2] b=OBJECT:'Cube'.[\"prop\"]]") in described, described


def test_drivers_on_a_node_built_from_several_or_a_file_output_are_refused():
    g = graph('rl = RenderLayers()\nrl.Depth -> MapValue(size=2, drivers=[("size", "frame")]) '
              "-> Viewer()\n")
    lower(g, "4.5")
    with pytest.raises(LoweringError, match="built from several nodes"):
        lower(g, "5.0")
    found = diagnostics('out = FileOutput(drivers=[("format.quality", "frame")])\n')
    assert [d.code for d in found] == ["NS102"], [d.render() for d in found]


@pytest.mark.parametrize("value, message", [
    ("3", "drivers takes a list of drivers"),
    ("[(1, 2)]", "each driver is"),
    ('[("inputs[1].default_value")]', "each driver is"),
    ('[("inputs[1]. x", "frame")]', "is not a value's path"),
    ('[("size", "frame"), ("size", "1")]', "has two drivers"),
    ('[("size", "a", ("a", "SCENE", "Scene"))]', "a variable is"),
    ('[("size", "a", ("a", "TEXT", "x", "lines"))]', "`TEXT` is not an id type"),
    ('[("size", "a", ("a", "SCENE", "", "frame_current"))]', "is not a data-block name"),
    ('[("size", "a", ("a", "SCENE", "Scene", "render.fps; import os"))]', "is not a data path"),
    ('[("size", "a", ("a", "SCENE", "Scene", "x"), ("a", "SCENE", "Scene", "y"))]',
     "names a variable twice"),
    ('[("size", "frame", ("_a", "SCENE", "Scene", "x"))]', "cannot name a driver variable"),
    ('[("size", "frame", ("frame", "SCENE", "Scene", "x"))]', "cannot name a driver variable"),
    ('[("size", "frame", ("sin", "SCENE", "Scene", "x"))]', "cannot name a driver variable"),
    ('[("size", "frame", ("import", "SCENE", "Scene", "x"))]', "cannot name a driver variable"),
    ('[("size", "frame", ("é", "SCENE", "Scene", "x"))]', "cannot name a driver variable"),
])
def test_bad_drivers_are_ns104(value, message):
    found = diagnostics(f"m = Math(drivers={value})\n")
    assert len(found) == 1 and found[0].code == "NS104" and message in found[0].message, \
        [d.render() for d in found]


def test_the_error_points_at_the_driver_that_is_wrong():
    found = diagnostics('m = Math(drivers=[("size", "frame"),\n'
                        '                  ("inputs[1].default_value", "__import__(\'os\')")])\n')
    assert len(found) == 1 and found[0].code == "NS104", [d.render() for d in found]
    rendered = found[0].render()
    assert ":3:19: error[NS104]" in rendered, rendered


def test_a_value_both_keyed_and_driven_is_an_error():
    found = diagnostics('m = Math(keys=[("inputs[1].default_value", (1, 0))], '
                        'drivers=[("inputs[1].default_value", "frame")])\n')
    assert len(found) == 1 and "both keyed and driven" in found[0].message, found


SIMPLE = [
    "frame / 10", "d * 2 + 1 - -d", "(d)", "+d", "not d", "d and frame or 1", "1 < d <= 3",
    "d == 1", "d != 1", "d >= 1 if frame > 3 else 0.5", "1e3", ".5", "1.", "2.5E-3", "00",
    "pi", "True", "False", "min(d)", "max(d, 1, 2)", "radians(d)", "degrees(d)", "abs(d)",
    "fabs(d)", "floor(d)", "ceil(d)", "trunc(d)", "round(d)", "int(d)", "sin(d)", "cos(d)",
    "tan(d)", "asin(d)", "acos(d)", "atan(d)", "atan2(d, 1)", "exp(d)", "log(d)", "log(d, 2)",
    "sqrt(d)", "pow(d, 2)", "fmod(d, 2)", "lerp(1, 2, d)", "clamp(d)", "clamp(d, 0, 1)",
    "smoothstep(0, 1, d)", "sin (d)", "-" * 200 + "d", "(" * 120 + "d" + ")" * 120,
]


@pytest.mark.parametrize("text", SIMPLE)
def test_simple_expressions_are_accepted(text):
    drivers.check_expression(text, ["d"])


HOSTILE = [
    "__import__('os')", "__import__(\"os\").system(\"true\")", "bpy.data", "d.real",
    "(lambda: 1)()", "lambda: 1", "[d][0]", "d[0]", "{}", "d ** 2", "d % 2", "d // 2",
    "0x10", "0o7", "0b1", "1_000", "1j", "01", "sum(d)", "e", "var", "self", "d(1)",
    "frame  # comment", "'a'", "None", "...", "d\n+1", "d\t+1", "min()", "sin(d, 2)",
    "clamp(d, 1)", "lerp(1, 2)", "sin(x=d)", "max(*d)", "(sin)(d)", "d if d else exec",
    "exec('1')", "eval('1')", "getattr(d, 'x')", "open('/etc/passwd')", "globals()",
    "d := 1", "(d := 1)", "d is 1", "d in d", "d & 1", "d | 1", "~d", "d << 1", "d @ d",
    "[i for i in d]", "f'{d}'", "d;d", "é", "sin", "x" * 300,
    "", "   ", "\0", "d\x00", "frame " * 50,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_other_expressions_are_refused(text):
    with pytest.raises(drivers.DriversError):
        drivers.check_expression(text, ["d"])


def test_a_hostile_expression_in_a_graph_is_ns104_at_its_place():
    found = diagnostics('m = Math(drivers=[("size", "__import__(\'os\').system(\'x\')")])\n')
    assert len(found) == 1 and found[0].code == "NS104", found
    assert "without Python" in found[0].message
    big = "1 + " * 100_000 + "1"
    found = diagnostics(f'm = Math(drivers=[("size", "{big}")])\n')
    assert len(found) == 1 and "at most 255 characters" in found[0].message


def test_huge_lists_of_drivers_are_checked_in_time():
    items = ", ".join(f'("inputs[{i % 3}].default_value", "frame * {i}")' for i in range(2000))
    found = diagnostics(f"m = Math(drivers=[{items}])\n")
    assert len(found) == 1 and "has two drivers" in found[0].message


# --- generated input: only DriversError, and what passes is made of the subset's pieces -------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PIECES = ["d", "frame", "pi", "True", "1", "0.5", "1e3", "+", "-", "*", "/", "**", "%", "(",
          ")", ",", "<", "==", "and", "or", "not", "if", "else", "sin", "min", "max", "clamp",
          "lambda", ":", ".", "real", "__import__", "'os'", "[", "]", "#", ";", "=", " "]
GENERATED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_PLAIN = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                                st.text(max_size=12), st.sampled_from(["SCENE", "sum", "x"])),
                      lambda inner: st.lists(inner, max_size=5).map(tuple), max_leaves=20)


@GENERATED
@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(PIECES), max_size=40)
                 .map(" ".join)))
def test_generated_expressions_raise_only_drivers_errors(text):
    import ast

    try:
        drivers.check_expression(text, ["d"])
    except drivers.DriversError:
        return
    allowed = drivers.RESERVED | {"d"}
    for node in ast.walk(ast.parse(text, mode="eval")):
        assert not isinstance(node, (ast.Attribute, ast.Subscript, ast.Lambda, ast.keyword)), text
        if isinstance(node, ast.Name):
            assert node.id in allowed, text
        if isinstance(node, ast.Constant):
            assert type(node.value) in (int, float, bool), text


@GENERATED
@given(_PLAIN)
def test_generated_values_raise_only_drivers_errors(value):
    try:
        drivers.parse(value)
    except drivers.DriversError:
        pass
