"""Colour-ramp stops and curve points as settings, without bpy: what they resolve to per Blender
version, the errors (code, position, help), formatting, and the fresh-node values lowering
compares a scene with."""

import textwrap

import pytest

from nodescript import catalog, curve_settings, vocabulary
from nodescript.blender.lowering import dialect, lower
from nodescript.fmt import format_source
from nodescript.resolve import compile_source

VERSIONS = catalog.supported_versions()


def resolve(text: str):
    return compile_source(textwrap.dedent(text).lstrip("\n"), "g.nodes")


def errors(text: str):
    return [(d.code, d.span.line, d.span.col, d.message, d.help)
            for d in resolve(text).diagnostics if d.is_error]


def only_error(text: str):
    found = errors(text)
    assert len(found) == 1, found
    return found[0]


def props(text: str, name: str, version: str) -> dict:
    loaded = resolve(text)
    assert not [d for d in loaded.diagnostics if d.is_error], [d.render() for d in loaded.diagnostics]
    return loaded.graph.nodes[name].bindings[version].properties


# --- what the settings become ---------------------------------------------------------------

def test_stops_and_interpolation_in_every_version():
    text = "heat = ColorRamp(stops=[(0, (0, 0, 0, 1)), (0.5, (1, 0, 0)), (1, 0.5)], interpolation=ease)"
    for version in VERSIONS:
        assert props(text, "heat", version) == {
            "color_ramp.interpolation": "EASE",
            "color_ramp.elements": ((0, (0, 0, 0, 1)), (0.5, (1, 0, 0, 1)), (1, (0.5, 0.5, 0.5, 1))),
        }


def test_colour_mode_and_hue_interpolation_match_loosely():
    found = props("r = ColorRamp(color_mode=HSV, hue_interpolation=Far, Interpolation=b-spline)",
                  "r", "5.0")
    assert found == {"color_ramp.interpolation": "B_SPLINE", "color_ramp.color_mode": "HSV",
                     "color_ramp.hue_interpolation": "FAR"}


def test_equal_positions_make_a_hard_edge():
    found = props("r = ColorRamp(stops=[(0, 0), (0.5, 0), (0.5, 1), (1, 1)])", "r", "4.2")
    assert [p for p, _ in found["color_ramp.elements"]] == [0, 0.5, 0.5, 1]


def test_rgb_curves_name_their_curves_as_the_editor_does():
    text = "g = RGBCurves(c=[(0, 0), (0.25, 0.15), (1, 1)], r=[(0, 0.05), (1, 1, vector)])"
    for version in VERSIONS:
        assert props(text, "g", version) == {      # R, G, B are curves 0-2; C (combined) is 3
            "mapping.curves[0].points": ((0, 0.05, "AUTO"), (1, 1, "VECTOR")),
            "mapping.curves[3].points": ((0, 0, "AUTO"), (0.25, 0.15, "AUTO"), (1, 1, "AUTO")),
        }


def test_mapping_settings_come_before_the_points():
    text = ("v = VectorCurves(z=[(-2, 0), (2, 1)], extend=horizontal, clip=(-2, -1, 2, 1), "
            "use_clip=true)")
    found = props(text, "v", "4.5")
    assert list(found) == ["mapping.use_clip", "mapping.clip_min_x", "mapping.clip_min_y",
                           "mapping.clip_max_x", "mapping.clip_max_y", "mapping.extend",
                           "mapping.curves[2].points"]
    assert found["mapping.extend"] == "HORIZONTAL" and found["mapping.clip_min_x"] == -2


def test_hue_correct_time_and_float_curves():
    assert props("h = HueCorrect(v=[(0, 0.5), (1, 0.6, auto_clamped)])", "h", "5.0") == {
        "mapping.curves[2].points": ((0, 0.5, "AUTO"), (1, 0.6, "AUTO_CLAMPED"))}
    assert props("t = TimeCurve(curve=[(0, 1), (1, 0)])", "t", "4.2") == {
        "curve.curves[0].points": ((0, 1, "AUTO"), (1, 0, "AUTO"))}
    found = props('target "4.5".."5.0"\nf = FloatCurve(curve=[(0, 0), (1, 0.5)], tone=filmlike)',
                  "f", "5.0")
    assert found == {"mapping.tone": "FILMLIKE", "mapping.curves[0].points":
                     ((0, 0, "AUTO"), (1, 0.5, "AUTO"))}


def test_points_outside_the_default_clip_are_fine_without_clipping():
    found = props("g = RGBCurves(c=[(0, -0.5), (2, 3)], use_clip=false)", "g", "4.2")
    assert found["mapping.use_clip"] is False


# --- errors ---------------------------------------------------------------------------------

def test_stops_out_of_order():
    code, line, col, message, _ = only_error("""
        rl = RenderLayers()
        r = ColorRamp(stops=[(0.5, 0), (0.2, 1)])
    """)
    assert (code, line, col) == ("NS104", 2, 32)
    assert message == "stops go in order of position: 0.2 comes after 0.5"


@pytest.mark.parametrize("stops, col, words", [
    ("[(1.5, 0)]", 23, "a stop's position must be between 0 and 1, not 1.5"),
    ("[(0, (1, -0.1, 0))]", 26, "cannot be negative"),
    ("[(0, (1, 0))]", 26, "takes a grey level, (r, g, b) or (r, g, b, a)"),
    ("[0.5]", 22, "is (position, colour)"),
    ("[]", 21, "1 to 32 stops, not 0"),
    ("0.5", 21, "takes a list like [(0, (0, 0, 0, 1)), (1, (1, 1, 1, 1))]"),
    ("[" + ", ".join(f"({i / 40}, 0)" for i in range(33)) + "]", 21, "1 to 32 stops, not 33"),
])
def test_bad_stops_point_at_the_problem(stops, col, words):
    code, line, column, message, _ = only_error(f"r = ColorRamp(stops={stops})")
    assert (code, line, column) == ("NS104", 1, col) and words in message, message


def test_unknown_interpolation_lists_the_values():
    code, _, col, message, help = only_error("r = ColorRamp(interpolation=smooth)")
    assert code == "NS104" and col == 29
    assert "ease, cardinal, linear, b_spline, constant" in message


def test_misspelt_setting_suggests_the_ramp_setting():
    code, _, _, message, help = only_error("r = ColorRamp(stop=[(0, 0)])")
    assert code == "NS102" and help == "did you mean `stops`?"


def test_a_curve_name_of_another_node_is_unknown():
    code, _, _, message, help = only_error("v = VectorCurves(r=[(0, 0), (1, 1)])")
    assert code == "NS102" and "`x`" in help and "`z`" in help


@pytest.mark.parametrize("setting, col, words", [
    ("c=[(0, 0)]", 17, "at least 2 points, not 1"),
    ("c=[(0, 0), (0.5, 1, smooth)]", 35, "not a value of a point's handle"),
    ("c=[(0, 0), (1, 1, vector, 2)]", 26, "is (x, y) or (x, y, handle)"),
    ("c=[(0.5, 0), (0.2, 1)]", 28, "points go in order of x: 0.2 comes after 0.5"),
    ("clip=(0, 0, 1)", 20, "takes (min_x, min_y, max_x, max_y)"),
    ("clip=(1, 0, 0, 1)", 20, "each minimum must be below its maximum"),
    ("clip=(-200, 0, 1, 1)", 21, "must be between -100 and 100"),
    ("use_clip=1", 24, "takes true or false"),
])
def test_bad_curves_point_at_the_problem(setting, col, words):
    code, line, column, message, _ = only_error(f"g = RGBCurves({setting})")
    assert (code, line, column) == ("NS104", 1, col) and words in message, message


def test_a_point_outside_the_clip_rectangle_is_an_error():
    code, line, col, message, help = only_error("""
        rl = RenderLayers()
        v = VectorCurves(x=[(-1, -1), (0, 1.5), (1, 1)])
    """)
    assert (code, line, col) == ("NS104", 2, 31)
    assert "point (0, 1.5) of VectorCurves.x is outside the clip rectangle x -1..1, y -1..1" \
        in message
    assert "clip=(min_x, min_y, max_x, max_y)" in help and "use_clip=false" in help
    assert not errors("v = VectorCurves(x=[(-1, -1), (0, 1.5), (1, 1)], clip=(-1, -1, 1, 2))")


def test_float_curve_needs_4_5():
    code, _, _, message, _ = only_error("f = FloatCurve(curve=[(0, 0), (1, 1)])")
    assert code == "NS111" and "4.2" in message


# --- formatting -----------------------------------------------------------------------------

def test_fmt_breaks_long_stops_one_per_line_and_is_stable():
    stops = ", ".join(f"({i / 8:g}, ({i / 8:g}, 0.25, 0.5, 1))" for i in range(9))
    source = f"heat = ColorRamp(stops=[{stops}], interpolation=constant)\n"
    once = format_source(source)
    lines = once.splitlines()
    assert lines[:3] == ["heat = ColorRamp(", "    stops=[", "        (0, (0, 0.25, 0.5, 1)),"]
    assert lines[-3:] == ["    ],", "    interpolation=constant,", ")"]
    assert format_source(once) == once
    assert resolve(once).graph.nodes["heat"].bindings["4.2"].properties \
        == resolve(source).graph.nodes["heat"].bindings["4.2"].properties


def test_fmt_keeps_short_ones_on_one_line():
    text = "g = RGBCurves(c=[(0, 0), (1, 1, vector)], use_clip=false)\n"
    assert format_source(text) == text


# --- what a fresh node has, to compare a scene with -----------------------------------------

def test_fresh_node_defaults_come_from_the_catalogue():
    props_42, _ = dialect("4.2").defaults("CompositorNodeValToRGB")
    assert props_42["color_ramp.elements"] == ((0.0, (0.0, 0.0, 0.0, 1.0)), (1.0, (1.0, 1.0, 1.0, 1.0)))
    assert props_42["color_ramp.interpolation"] == "LINEAR"
    curves_50, _ = dialect("5.0").defaults("CompositorNodeCurveRGB")
    assert curves_50["mapping.use_clip"] is True and curves_50["mapping.extend"] == "EXTRAPOLATED"
    assert curves_50["mapping.curves[3].points"] == ((0.0, 0.0, "AUTO"), (1.0, 1.0, "AUTO"))
    keys = list(curves_50)
    assert keys.index("mapping.clip_max_y") < keys.index("mapping.curves[0].points")


def test_hue_correct_starts_differently_in_5_0():
    old = dialect("4.2").defaults("CompositorNodeHueCorrect")[0]["mapping.curves[0].points"]
    new = dialect("5.0").defaults("CompositorNodeHueCorrect")[0]["mapping.curves[0].points"]
    assert [x for x, _, _ in old] == [i / 8 for i in range(8)]
    assert [x for x, _, _ in new] == [i / 8 for i in range(1, 9)]


def test_every_ramp_and_curve_node_has_settings_in_the_vocabulary():
    for version in VERSIONS:
        for spec in catalog.load(version).nodes.values():
            if spec.mapping is not None:
                names = curve_settings.curve_names(spec)
                assert sorted(i for _, i in names) == list(range(len(spec.mapping.curves)))
            if spec.ramp is not None:
                assert "stops" in curve_settings.setting_names(spec)
    assert curve_settings.curve_names(vocabulary.spec_for("TimeCurve", "5.0")[0]) == (("curve", 0),)


def test_plan_carries_the_paths():
    graph = resolve("r = ColorRamp(stops=[(0, 1), (1, 0)])\ng = RGBCurves(g=[(0, 1), (1, 0)])").graph
    for version in VERSIONS:
        nodes = {n.name: n for n in lower(graph, version).tree.nodes}
        assert nodes["r"].properties == {"color_ramp.elements": ((0, (1, 1, 1, 1)), (1, (0, 0, 0, 1)))}
        assert nodes["g"].properties == {"mapping.curves[1].points": ((0, 1, "AUTO"), (1, 0, "AUTO"))}


def test_a_bad_clip_rectangle_is_the_only_error():
    # The points are not also checked against the default rectangle the bad one would replace.
    code, _, _, message, _ = only_error("v = VectorCurves(x=[(-5, 0), (5, 1)], clip=(5, 0, -5, 1))")
    assert code == "NS104" and "each minimum must be below its maximum" in message
