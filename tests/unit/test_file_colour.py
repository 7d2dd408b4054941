"""A File Output's own colour management (`FileOutput(view_transform=raw)`): the language, its
lowering, and NS306 following the node's effective settings (measured with
benchmarks/colour_override_matrix.py; the Blender side is tests/blender/test_file_colour.py)."""

from __future__ import annotations

import textwrap

import pytest

from nodescript import dialects
from nodescript.blender import lower_file_output
from nodescript.lint import lint_source
from nodescript.resolve import compile_source

SCENE = 'target "4.2".."5.3"\nscene {\n    passes = [normal, depth]\n    view_transform = agx\n}\n' \
    "rl = RenderLayers()\n"


def lint(body: str):
    result = lint_source(SCENE + textwrap.dedent(body).strip() + "\n", "t.nodes")
    errors = [d.render() for d in result.diagnostics if d.code < "NS2"]
    assert not errors, errors
    return result.diagnostics


def codes(body: str, code: str = "NS306") -> list[str]:
    return [d.message for d in lint(body) if d.code == code]


def versions(feature: str, value) -> list[str]:
    return [d.VERSION for d in dialects.all_dialects()
            if getattr(d, feature) == value]


def test_an_override_resolves_to_every_field_with_blender_5_starting_values():
    graph = compile_source(SCENE + 'out = FileOutput(path="//n/", format=png, view_transform=raw)\n'
                           'rl.Normal -> out.normal\n'
                           'rl.Image -> out.beauty(format=exr, color_space="linear rec.2020")\n',
                           "t.nodes").graph
    props = graph.nodes["out"].bindings["4.5"].properties
    assert props["format"]["color_management"] == {
        "view_transform": "Raw", "look": "None", "exposure": 0.0, "gamma": 1.0,
        "display_device": "sRGB", "color_space": "sRGB"}          # an integer format's space
    own = props["input_formats"]["beauty"]["color_management"]
    assert own["color_space"] == "Linear Rec.2020" and own["view_transform"] == "AgX"
    assert "color_management" not in compile_source(
        SCENE + 'rl.Normal -> FileOutput(path="//n/")\n', "t.nodes").graph.nodes[
            "FileOutput_1"].bindings["4.5"].properties["format"]


def test_lowering_sets_the_override_after_the_format_display_before_view():
    fmt = {"file_format": "PNG", "color_depth": "8",
           "color_management": {"view_transform": "Standard", "look": "None", "exposure": 1.0,
                                "gamma": 1.0, "display_device": "sRGB", "color_space": "sRGB"}}
    paths = list(lower_file_output.format_properties(fmt).items())
    keys = [k for k, _ in paths]
    assert keys.index("format.file_format") < keys.index("format.color_management")
    assert keys.index("format.display_settings.display_device") < \
        keys.index("format.view_settings.view_transform")
    assert ("format.color_management", "OVERRIDE") in paths
    assert ("format.view_settings.exposure", 1.0) in paths
    assert ("format.linear_colorspace_settings.name", "sRGB") in paths


@pytest.mark.parametrize("setting, wanted", [
    ("view_transform=sepia", "not a view transform"),
    ('color_space="Rec.7090"', "not a colour space of Blender"),
    ("exposure=bright", "takes a number"),
])
def test_bad_values_are_errors(setting, wanted):
    result = lint_source(SCENE + f'rl.Normal -> FileOutput(path="//n/", {setting})\n', "t.nodes")
    assert any(wanted in d.message for d in result.diagnostics if d.code < "NS2"), \
        [d.render() for d in result.diagnostics]


def test_a_raw_override_on_an_agx_scene_is_exact():
    assert codes('rl.Normal -> FileOutput(path="//n/", format=png, depth=8, '
                 'view_transform=raw)') == []
    assert codes('out = FileOutput(path="//n/", format=png, depth=8)\n'
                 'rl.Normal -> out.n(format=png, depth=8, view_transform=raw)') == []


def test_a_standard_override_is_the_srgb_curve_not_exact():
    (message,) = codes('rl.Normal -> FileOutput(path="//n/", format=png, depth=8, '
                       'view_transform=standard)')
    assert "the File Output's Standard view transform" in message
    assert "up to 73 of 255 codes" in message


def test_an_agx_override_on_a_raw_scene_bakes_the_view_into_data():
    text = SCENE.replace("view_transform = agx", "view_transform = raw") + \
        'rl.Normal -> FileOutput(path="//n/", format=png, depth=8, view_transform=agx)\n'
    (found,) = [d for d in lint_source(text, "t.nodes").diagnostics if d.code == "NS306"]
    assert "the File Output's AgX view transform" in found.message
    assert "(20, 86, 209)" in found.message          # measured the same as the scene's AgX


def test_exposure_and_gamma_of_a_raw_override_are_quantified():
    (message,) = codes('rl.Normal -> FileOutput(path="//n/", format=png, depth=8, '
                       'view_transform=raw, gamma=2)')
    assert "Raw view transform with gamma 2" in message
    assert "0.5 is written as 180 instead of 128" in message        # 0.5 ** (1 / 2)


def test_colour_space_without_save_as_render_follows_each_versions_rule():
    body = ('rl.Normal -> FileOutput(path="//n/", format=png, depth=8, save_as_render=false, '
            'color_space="{space}")')
    non_color = lint(body.format(space="Non-Color"))
    ignored = versions("INTEGER_FILE_OVERRIDE_SPACES", "none")
    assert [d.code for d in non_color if d.code == "NS306"] == ["NS306"] * bool(ignored)
    if ignored:
        assert f"(Blender {', '.join(ignored)})" in only_message(non_color)
    linear = lint(body.format(space="Linear Rec.709"))
    encoded = ignored + versions("INTEGER_FILE_OVERRIDE_SPACES", "non-color")
    assert "ignores the File Output's colour space Linear Rec.709" in only_message(linear)
    mentioned = only_message(linear)
    for version in dialects.versions():
        assert (version in mentioned) == (version in encoded)


def only_message(diags) -> str:
    return " ".join(d.message for d in diags if d.code == "NS306")


def test_an_exr_colour_space_changes_colour_inputs_only():
    body = '''
        out = FileOutput(path="//e/", format=exr, color_space="{space}")
        cc = CombineColor()
        rl.Depth -> cc.Red
        cc -> out.depth
        rl.Normal -> out.normal
        rl.Depth -> out.z
    '''
    (message,) = codes(body.format(space="ACEScg"))
    assert "slot `depth`" in message and "colour space ACEScg converts it" in message
    assert codes(body.format(space="Non-Color")) == []
    assert codes(body.format(space="Linear Rec.709")) == []


def test_fix_to_exr_drops_an_integer_files_colour_space():
    from nodescript.lint.fixes import fix_source

    text = SCENE + ('rl.Depth -> FileOutput(path="//d/", format=png, depth=16, '
                    'view_transform=raw, color_space="sRGB")\n')
    fixed, count = fix_source(text, "t.nodes")
    assert count >= 1
    assert 'format=exr, depth=32, view_transform=raw, codec=zip)' in fixed, fixed


def test_sixteen_bit_files_keep_the_override_colour_space_in_every_version():
    body = ('rl.Normal -> FileOutput(path="//n/", format=png, depth=16, save_as_render=false, '
            'color_space="{space}")')
    assert codes(body.format(space="Linear Rec.709")) == []
    (encoded,) = codes(body.format(space="sRGB"))       # even 4.2, linear without an override
    assert "the File Output's colour space is sRGB" in encoded and "(Blender" not in encoded
