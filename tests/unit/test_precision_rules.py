"""Precision rules (NS3xx): each rule on a minimal bad and good graph, the per-version
differences, preview downgrades, quantified messages, the examples, and the golden fixtures in
tests/golden/lint/ (every `# expect: CODE, ...` line fires exactly those codes, nothing else)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from nodescript import dialects
from nodescript.diagnostics import Severity
from nodescript.lint import dataflow, lint_file, lint_source
from nodescript.lint.registry import all_rules
from nodescript.lint.rules import precision
from nodescript.resolve import compile_source

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "lint"
EXAMPLES = ROOT / "examples"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9,\s]+)$")
PRECISION_CODES = [f"NS3{i:02d}" for i in range(1, 14)]


def versions_with(feature: str) -> str:
    """ "5.0, 5.1, ...": the versions whose dialect has `feature`, as messages list them."""
    return ", ".join(d.VERSION for d in dialects.all_dialects() if getattr(d, feature))


def with_items() -> str:
    return versions_with("FILE_OUTPUT_ITEMS")


def lint(text: str, path: str = "t.nodes"):
    result = lint_source(textwrap.dedent(text).lstrip("\n"), path)
    resolve_errors = [d.render() for d in result.diagnostics if d.code < "NS2"]
    assert not resolve_errors, "\n".join(resolve_errors)
    return result.diagnostics


def only(diags, code):
    return [d for d in diags if d.code == code]


def one(diags, code):
    found = only(diags, code)
    assert len(found) == 1, [d.render() for d in diags]
    return found[0]


# --- the registry -------------------------------------------------------------------------------

def test_precision_rules_are_registered_with_docs():
    rules = all_rules()
    for code in PRECISION_CODES:
        rule = rules[code]
        assert rule.check is not None
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert heading in rule.docs, (code, heading)
        assert ("## Fix safety" in rule.docs) == rule.fixable, code
    assert {c for c in PRECISION_CODES if rules[c].fixable} == set(precision.FIXABLE)
    assert rules["NS307"].severity is Severity.WARNING
    assert rules["NS311"].severity is Severity.WARNING
    assert rules["NS313"].severity is Severity.WARNING
    assert rules["NS312"].severity is Severity.INFO
    assert all(rules[c].severity is Severity.ERROR
               for c in ("NS301", "NS302", "NS303", "NS304", "NS305", "NS306", "NS308", "NS309",
                         "NS310"))


# --- the examples and the golden fixtures -------------------------------------------------------

@pytest.mark.parametrize("name", ["depth.nodes", "multipass.nodes"])
def test_examples_are_clean(name):
    assert lint_file(str(EXAMPLES / name)).diagnostics == []


def test_preview_example_has_no_errors():
    diags = lint_file(str(EXAMPLES / "preview.nodes")).diagnostics
    assert diags, "the preview example does lossy things on purpose"
    assert not [d.render() for d in diags if d.is_error]
    assert {d.code for d in diags} <= set(PRECISION_CODES)


def expectations(path: Path) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            found |= {(number, c.strip()) for c in match.group(1).split(",") if c.strip()}
    return found


FIXTURES = sorted(GOLDEN.glob("*.nodes"))


def test_there_are_fixtures_for_every_rule():
    covered = {code for path in FIXTURES for _, code in expectations(path)}
    assert set(PRECISION_CODES) <= covered


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_golden_fixture_fires_exactly_the_expected_codes(path: Path):
    result = lint_file(str(path))
    fired = {(d.span.line, d.code) for d in result.diagnostics}
    expected = expectations(path)
    detail = "\n".join(d.render() for d in result.diagnostics)
    assert fired == expected, f"missing {sorted(expected - fired)}, unexpected " \
                              f"{sorted(fired - expected)}\n{detail}"


# --- NS301 integer formats ----------------------------------------------------------------------

def test_ns301_depth_to_png_is_an_error_with_quantified_loss():
    diags = lint("""
        scene {
            passes = [depth]
            depth_range = (0.5, 150)
        }
        rl = RenderLayers()
        out = FileOutput(path="//d/", format=png, depth=8)
        rl.Depth -> out.depth
    """)
    d = one(diags, "NS301")
    assert d.severity is Severity.ERROR and d.span.line == 6
    assert "Depth reaches FileOutput `out` slot `depth` as 8-bit PNG" in d.message
    assert "everything beyond 1 m is written as 1.0" in d.message
    assert "586 mm" in d.message            # (150 - 0.5) / 255
    assert d.help and "format=exr" in d.help


def test_ns301_mapped_depth_uses_the_mapping():
    diags = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> Math(operation=divide, inputs=(_, 20)) -> FileOutput(format=png, depth=8)
    """)
    assert "78.4 mm steps over 0-20 m" in one(diags, "NS301").message


def test_ns301_step_follows_a_group_and_the_declared_range():
    diags = lint("""
        scene { passes = [depth], depth_range = (8, 16) }
        group DepthScale(v: float) -> (r: float) {
            m = Math(operation=divide, inputs=(_, 20))
            v -> m
            m -> r
        }
        rl = RenderLayers()
        rl.Depth -> DepthScale() -> FileOutput(path="//d/", format=png, depth=8)
    """)
    assert "8-bit steps of 78.4 mm over 8-16 m (depth_range)" in one(diags, "NS301").message


def test_ns301_ids_divided_by_256_say_which_stay_distinct():
    diags = lint("""
        scene { passes = [object_index] }
        rl = RenderLayers()
        rl.IndexOB -> Math(operation=divide, inputs=(_, 256)) -> FileOutput(format=png, depth=8)
    """)
    d = one(diags, "NS301")
    assert "clamp to [0, 1]" not in d.message
    assert "indices 0-128 get distinct 8-bit codes, but 128 and 129 are both written as 128" \
        in d.message


def test_aov_outputs_are_data():
    diags = lint("""
        target "4.5"
        scene { aovs = [normals_aov, (coords, value)], dither = 0 }
        rl = RenderLayers()
        rl.normals_aov -> FileOutput(path="//n/", format=png, depth=8)
        rl.coords -> FileOutput(path="//c/", format=png, depth=8)
        rl.coords -> FileOutput(path="//e/", format=exr, depth=32)
    """)
    messages = [d.message for d in only(diags, "NS301")]
    assert len(messages) == 2 and all(m.startswith("AOV `") for m in messages)
    assert "AOV `normals_aov`" in one(diags, "NS306").message     # a colour AOV is managed


@pytest.mark.parametrize("value, error", [
    ("[(n, vector)]", "an AOV is color or value, not `vector`"),
    ("[a, a]", "lists the AOV `a` twice"),
    ("depth", "takes a list like [normals, (mask, value)]"),
])
def test_aovs_setting_errors(value, error):
    result = lint_source(f"scene {{ aovs = {value} }}\n", "t.nodes")
    assert any(error in d.message for d in result.diagnostics), \
        [d.message for d in result.diagnostics]


def test_ns301_lossy_and_other_passes():
    diags = lint("""
        scene { passes = [normal, object_index] }
        rl = RenderLayers()
        rl.Normal -> FileOutput(path="//n/", format=jpeg)
        rl.IndexOB -> FileOutput(path="//i/", format=png, depth=16)
    """)
    messages = sorted(d.message for d in only(diags, "NS301"))
    assert any("lossy 8-bit JPEG" in m and "negative components clamp to 0" in m for m in messages)
    assert any("every index from 1 up is written as 1" in m for m in messages)


def test_ns301_exr_and_non_data_are_fine():
    diags = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/", format=exr, depth=16)
        rl.Image -> FileOutput(path="//b/", format=png)
        rl.Alpha -> FileOutput(path="//a/", format=jpeg)
    """)
    assert diags == []


def test_ns301_preview_is_a_warning():
    diags = lint("""
        scene { passes = [depth], dither = 0 }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/", format=png, preview=true)
    """)
    assert one(diags, "NS301").severity is Severity.WARNING


def test_ns301_hdr_keeps_eight_mantissa_bits():
    diags = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/", format=hdr)
    """)
    assert "62.5 mm steps at 10 m" in one(diags, "NS301").message


# --- NS302 half floats --------------------------------------------------------------------------

HALF = """
    scene {{
        engine = eevee
        passes = [depth, normal]
        {extra}
    }}
    rl = RenderLayers()
    cc = CombineColor()
    rl.Depth -> cc.Red
    out = FileOutput(path="//d/", format=exr, depth={depth}{preview})
    cc -> out.depth
"""


def test_ns302_depth_through_a_colour_node_into_half_exr():
    d = one(lint(HALF.format(extra="", depth=16, preview="")), "NS302")
    assert d.severity is Severity.ERROR and d.span.line == 9
    assert "through the colour socket `cc.Image` at depth 16" in d.message
    assert d.message.endswith("7.8 mm steps at 10 m")


def test_ns302_uses_depth_range_then_clip():
    ranged = one(lint(HALF.format(extra="depth_range = (0.5, 150)", depth=16, preview="")), "NS302")
    assert "125 mm steps at 150 m (far end of depth_range)" in ranged.message
    clip = one(lint(HALF.format(extra="camera.clip_end = 100", depth=16, preview="")), "NS302")
    assert "62.5 mm steps at 100 m (camera clip_end)" in clip.message


def test_ns302_good_and_preview():
    assert only(lint(HALF.format(extra="", depth=32, preview="")), "NS302") == []
    preview = one(lint(HALF.format(extra="", depth=16, preview=", preview=true")), "NS302")
    assert preview.severity is Severity.WARNING


def test_ns302_value_and_vector_inputs_stay_full_float_at_depth_16():
    diags = lint("""
        scene { passes = [depth, normal] }
        rl = RenderLayers()
        out = FileOutput(path="//d/", format=exr-multilayer, depth=16)
        rl.Depth -> out.depth
        rl.Normal -> out.normal
        rl.Depth -> Math(operation=multiply, inputs=(_, 100)) -> out.cm
    """)
    assert diags == []


def test_ns302_reroute_is_a_colour_item_only_in_50():
    diags = lint("""
        scene { engine = eevee, passes = [depth] }
        rl = RenderLayers()
        out = FileOutput(path="//d/", format=exr, depth=16)
        rl.Depth -> Reroute() -> out.depth
    """)
    d = one(diags, "NS302")
    assert "as a colour (RGBA) item" in d.message and d.message.endswith(f"(Blender {with_items()})")


def test_ns302_mix_is_a_colour_node_unless_it_mixes_floats():
    four = lint("""
        target "4.2"
        scene { engine = eevee, passes = [depth] }
        rl = RenderLayers()
        out = FileOutput(path="//d/", format=exr, depth=16)
        rl.Depth -> Mix() -> out.depth
    """)
    assert "through the colour socket `Mix_1.Image`" in one(four, "NS302").message
    # 4.5's and 5.0's Mix is ShaderNodeMix; nodescript's Mix is the colour mix there too.
    five = """
        target "4.5".."5.0"
        scene { engine = eevee, passes = [depth] }
        rl = RenderLayers()
        mix = Mix(SETTINGS)
        out = FileOutput(path="//d/", format=exr, depth=16)
        rl.Depth -> mix.A
        mix -> out.depth
    """
    assert "through the colour socket `mix." in one(lint(five.replace("SETTINGS", "")),
                                                       "NS302").message
    assert only(lint(five.replace("SETTINGS", "data_type=float")), "NS302") == []


def test_ns302_cryptomatte_into_half_multilayer_only_in_42():
    source = """
        target "4.2".."5.0"
        scene { engine = eevee, passes = [cryptomatte_object] }
        rl = RenderLayers()
        out = FileOutput(path="//c/", format=exr-multilayer, depth=16)
        rl.CryptoObject00 -> out.crypto00
        rl.crypto_object_01 -> out.crypto01
    """
    found = only(lint(source), "NS302")
    assert ["slot `crypto00`" in d.message for d in found] == [True, False]    # one per slot
    for d in found:
        assert "Cryptomatte reaches" in d.message and "ID hashes are destroyed" in d.message
        assert d.message.endswith("(Blender 4.2)")
    assert dataflow.pass_of("CryptoMaterial01") == "Cryptomatte"
    assert only(lint(source.replace('"4.2".."5.0"', '"4.5".."5.0"')), "NS302") == []


def test_ns302_cryptomatte_full_float_is_fine():
    diags = lint("""
        target "4.2"
        scene { passes = [cryptomatte_material] }
        rl = RenderLayers()
        out = FileOutput(path="//c/", format=exr-multilayer, depth=32)
        rl.CryptoMaterial00 -> out.crypto
    """)
    assert [d for d in diags if d.code in ("NS302", "NS303", "NS309")] == []


def test_pass_only_sockets_link_and_need_their_pass():
    """Cryptomatte and Denoising Data outputs exist in Blender only while the pass is on; the
    catalogue lists them, and NS309 knows the switch behind each."""
    diags = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        out = FileOutput(path="//c/", format=exr-multilayer, depth=32)
        rl.CryptoAsset02 -> out.asset
        rl."Denoising Depth" -> out.ddepth
        rl.Depth -> out.depth
    """)
    missing = only(diags, "NS309")
    assert len(missing) == 2 and all(d.severity is Severity.ERROR for d in missing)
    assert only(lint("""
        scene { passes = [cryptomatte_asset, denoising_data] }
        rl = RenderLayers()
        out = FileOutput(path="//c/", format=exr-multilayer, depth=32)
        rl.CryptoAsset02 -> out.asset
        rl."Denoising Depth" -> out.ddepth
    """), "NS309") == []


# --- NS303 lossy codecs -------------------------------------------------------------------------

def test_ns303_pxr24_on_full_float_depth():
    diags = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/", format=exr, codec=pxr24)
    """)
    d = one(diags, "NS303")
    assert d.severity is Severity.ERROR
    assert "PXR24 rounds 32-bit floats to 24 bits: 0.24 mm steps at 10 m" in d.message


def test_ns303_dwa_damages_vector_y_but_not_a_multilayer_value():
    diags = lint("""
        scene { passes = [depth, normal] }
        rl = RenderLayers()
        out = FileOutput(path="//d/", format=exr-multilayer, codec=dwab)
        rl.Depth -> out.depth
        rl.Normal -> out.normal
    """)
    d = one(diags, "NS303")
    assert "slot `normal`" in d.message and "here normal.Y" in d.message


def test_ns303_single_layer_depth_with_dwa_depends_on_the_version():
    diags = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/", format=exr, codec=dwaa)
    """)
    d = one(diags, "NS303")
    assert "here R, G, B" in d.message \
        and d.message.endswith(f"(Blender {versions_with('SINGLE_LAYER_EXR_VALUE_AS_RGB')})")


def test_ns303_b44_only_matters_on_half_channels():
    clean = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/", format=exr, depth=16, codec=b44)
    """)
    assert clean == []
    half = lint("""
        scene { engine = eevee, passes = [depth] }
        rl = RenderLayers()
        cc = CombineColor()
        rl.Depth -> cc.Red
        cc -> FileOutput(path="//d/", format=exr, depth=16, codec=b44a)
    """)
    assert "B44A packs each 4x4 block" in one(half, "NS303").message
    assert one(half, "NS302")


def test_ns303_lossless_codecs_are_fine():
    for codec in ("zip", "zips", "piz", "rle", "none"):
        assert lint(f"""
            scene {{ passes = [depth, normal] }}
            rl = RenderLayers()
            out = FileOutput(path="//d/", format=exr, codec={codec})
            rl.Depth -> out.depth
            rl.Normal -> out.normal
        """) == []


# --- NS304 Normalize ----------------------------------------------------------------------------

def test_ns304_normalize_error_and_viewer_warning():
    diags = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> Normalize() -> FileOutput(path="//n/")
        rl.Depth -> Normalize() -> Viewer()
        rl.Depth -> Normalize() -> FileOutput(path="//p/", preview=true)
    """)
    found = {d.span.line: d.severity for d in only(diags, "NS304")}
    assert found == {3: Severity.ERROR, 4: Severity.WARNING, 5: Severity.WARNING}
    assert "not metric" in only(diags, "NS304")[0].message


def test_ns304_unlinked_or_non_data_normalize_is_fine():
    diags = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Alpha -> Normalize() -> FileOutput(path="//a/")
        rl.Depth -> FileOutput(path="//d/")
    """)
    assert diags == []


# --- NS305 clamps -------------------------------------------------------------------------------

def test_ns305_map_range_clamps_by_default_since_45():
    diags = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> MapRange(from_min=0, from_max=20) -> FileOutput(path="//d/")
    """)
    d = one(diags, "NS305")
    shader_map_range = ", ".join(v for v in dialects.versions() if v != "4.2")
    assert d.severity is Severity.ERROR and d.message.endswith(f"(Blender {shader_map_range})")
    assert "only 0-20 m passes unchanged" in d.message and "clamp=false" in d.help


def test_ns305_map_range_clamp_false_in_50():
    diags = lint("""
        target "5.0"
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> MapRange(from_min=0, from_max=20, clamp=false) -> FileOutput(path="//d/")
    """)
    assert diags == []


def test_ns305_map_range_use_clamp_in_42():
    bad = lint("""
        target "4.2"
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> MapRange(from_max=20, use_clamp=true) -> FileOutput(path="//d/")
    """)
    assert one(bad, "NS305").severity is Severity.ERROR
    good = lint("""
        target "4.2"
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> MapRange(from_max=20) -> FileOutput(path="//d/")
    """)
    assert good == []


def test_ns305_clamp_that_keeps_the_declared_range_is_fine():
    source = """
        scene {{
            passes = [depth]
            depth_range = ({near}, {far})
        }}
        rl = RenderLayers()
        rl.Depth -> MapValue(size=0.01, use_max=true, max=1) -> FileOutput(path="//d/")
    """
    assert lint(source.format(near=0.5, far=90)) == []
    d = one(lint(source.format(near=0.5, far=150)), "NS305")
    assert "only 0.5-100 m (67%) of the expected range 0.5-150 m" in d.message


def test_ns305_math_clamp_and_preview_warning():
    diags = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> Math(operation=multiply, inputs=(_, 0.1), use_clamp=true) -> Viewer()
    """)
    d = one(diags, "NS305")
    assert d.severity is Severity.WARNING and "only 0-10 m passes unchanged" in d.message


def test_ns305_file_clamp_says_how_much_of_the_range_survives():
    diags = lint("""
        target "4.2"
        scene { passes = [depth], depth_range = (8, 16) }
        rl = RenderLayers()
        out = FileOutput(path="//d/", format=png, depth=8)
        rl.Depth -> MapRange(from_max=10) -> out.depth
    """)
    d = one(diags, "NS305")
    assert "only 25% of the range survives (10-16 m is written as 1.0)" in d.message
    assert "39.2 mm over the 25% of 8-16 m" in one(diags, "NS301").message


def test_ns305_maximum_that_keeps_the_range_is_fine_and_the_emulation_saturates():
    diags = lint("""
        target "5.0"
        scene { passes = [depth], depth_range = (8, 10) }
        rl = RenderLayers()
        out = FileOutput(path="//d/", format=png, depth=8)
        rl.Depth -> Math(operation=multiply_add, inputs=(_, 1.41, -0.7)) ->
            Math(operation=maximum, inputs=(_, 0)) -> out.depth
    """)
    (d,) = only(diags, "NS305")                  # the file's clamp, not the Maximum
    assert "FileOutput `out`" in d.message and "only 0% of the range survives" in d.message
    assert "no depth survives" in one(diags, "NS301").message


def test_ns305_legacy_map_range_written_with_clamp_false_is_fine():
    diags = lint("""
        target "4.5"
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> MapRange(clamp=false, from_max=20) -> FileOutput(path="//d/", format=exr)
    """)
    assert only(diags, "NS305") == []


# --- NS306 colour management --------------------------------------------------------------------

def test_ns306_colour_socket_into_png():
    diags = lint("""
        scene {
            passes = [depth]
            view_transform = filmic
        }
        rl = RenderLayers()
        cc = CombineColor()
        rl.Depth -> cc.Red
        cc -> FileOutput(path="//d/", format=png, depth=16)
    """)
    d = one(diags, "NS306")
    assert d.severity is Severity.ERROR and "the Filmic view transform is applied" in d.message
    assert one(diags, "NS301")


def test_ns306_srgb_encoding_without_save_as_render_in_every_version():
    diags = lint("""
        scene { passes = [depth], dither = 0 }
        rl = RenderLayers()
        cc = CombineColor()
        rl.Depth -> cc.Red
        cc -> FileOutput(path="//d/", format=png, save_as_render=false, preview=true)
    """)
    d = one(diags, "NS306")
    assert d.severity is Severity.WARNING and "sRGB-encoded on save" in d.message


def test_ns306_raw_view_transform_and_float_sockets_are_fine():
    diags = lint("""
        target "4.2"
        scene { passes = [depth], view_transform = raw, dither = 0 }
        rl = RenderLayers()
        cc = CombineColor()
        rl.Depth -> cc.Red
        cc -> FileOutput(path="//d/", format=png, depth=16)
        rl.Depth -> FileOutput(path="//f/", format=png, depth=16)
    """)
    assert only(diags, "NS306") == [] and len(only(diags, "NS301")) == 2


def test_ns306_vector_inputs_are_colour_managed():
    diags = lint("""
        scene { passes = [normal], view_transform = agx }
        rl = RenderLayers()
        rl.Normal -> FileOutput(path="//n/", format=png, depth=8)
    """)
    d = one(diags, "NS306")
    assert "as a vector input (`rl.Normal`)" in d.message
    assert "(0, 0, 1) is written as (20, 86, 209)" in d.message
    assert "up to 86 of 255 codes" in d.message


def test_ns306_sixteen_bit_without_save_as_render_is_linear_only_in_42():
    source = """
        target "{version}"
        scene {{ passes = [normal] }}
        rl = RenderLayers()
        rl.Normal -> FileOutput(path="//n/", format=png, depth=16, save_as_render=false)
    """
    assert only(lint(source.format(version="4.2")), "NS306") == []
    d = one(lint(source.format(version="4.5")), "NS306")
    assert "sRGB-encoded" in d.message and "up to 18817 of 65535 codes" in d.message


def test_ns306_undoing_the_srgb_curve_is_not_reported_but_a_gamma_is():
    source = """
        target "4.5"
        scene {{ passes = [normal], dither = 0 }}
        rl = RenderLayers()
        rl.Normal -> {node} -> FileOutput(path="//n/", format=png, depth=8, save_as_render=false)
    """
    undo = 'ConvertColorspace(from_color_space="sRGB", to_color_space="Linear Rec.709")'
    assert only(lint(source.format(node=undo)), "NS306") == []
    gamma = one(lint(source.format(node="Gamma(Gamma=2.2)")), "NS306")
    assert re.search(r"`Gamma_1` before it undoes the curve only to within \d+ codes",
                     gamma.message), gamma.message


# --- NS307 dither -------------------------------------------------------------------------------

def test_ns307_default_dither_is_a_warning_preview_info_zero_none():
    source = """
        scene {{ passes = [depth]{dither} }}
        rl = RenderLayers()
        cc = CombineColor()
        rl.Depth -> cc.Red
        cc -> FileOutput(path="//d/", format=png, depth=8{preview})
    """
    d = one(lint(source.format(dither="", preview="")), "NS307")
    assert d.severity is Severity.WARNING and "dither 1 (Blender's default)" in d.message
    assert "colour socket `cc.Image`" in d.message
    assert one(lint(source.format(dither="", preview=", preview=true")), "NS307").severity \
        is Severity.INFO
    assert only(lint(source.format(dither=", dither = 0", preview="")), "NS307") == []
    assert "dither 0.5" in one(lint(source.format(dither=", dither = 0.5", preview="")),
                               "NS307").message


def test_ns307_float_and_vector_inputs_and_16_bit_files_are_not_dithered():
    """Blender dithers only 4-channel buffers (measured: tests/blender/test_dither.py)."""
    diags = lint("""
        scene { passes = [depth, normal] }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/", format=png, depth=8)
        rl.Normal -> FileOutput(path="//n/", format=png, depth=8)
        cc = CombineColor()
        rl.Depth -> cc.Red
        cc -> FileOutput(path="//c/", format=png, depth=16)
    """)
    assert only(diags, "NS307") == [] and len(only(diags, "NS301")) == 3


# --- NS308 spatial filters ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["Blur()", "Denoise()", "AntiAliasing()", "Transform()",
                                  "Glare()", "BokehBlur()"])
def test_ns308_filters_on_depth(kind):
    diags = lint(f"""
        scene {{ passes = [depth] }}
        rl = RenderLayers()
        rl.Depth -> {kind} -> FileOutput(path="//d/")
    """)
    d = one(diags, "NS308")
    assert d.severity is Severity.ERROR and d.span.line == 3 and "0.44 m" in d.message


def test_ns308_depth_steering_a_filter_is_fine():
    diags = lint("""
        scene { passes = [depth, normal] }
        rl = RenderLayers()
        dof = Defocus(use_zbuffer=true)
        rl.Image -> dof.Image
        rl.Depth -> dof.Z
        dof -> FileOutput(path="//b/", format=png)
        den = Denoise()
        rl.Image -> den.Image
        rl.Normal -> den.Normal
        den -> FileOutput(path="//dn/", format=png)
    """)
    assert diags == []


def test_ns308_dilate_erode_on_index_and_viewer_warning():
    diags = lint("""
        scene { passes = [object_index] }
        rl = RenderLayers()
        de = DilateErode()
        rl.IndexOB -> de.Mask
        de -> Viewer()
    """)
    assert one(diags, "NS308").severity is Severity.WARNING


def test_ns308_inside_a_group_only_when_data_reaches_it():
    diags = lint("""
        scene { passes = [depth] }
        group Soft(v: float) -> (o: color) {
            v -> Blur() -> o
        }
        rl = RenderLayers()
        rl.Depth -> Soft() -> FileOutput(path="//d/")
    """)
    assert one(diags, "NS308").span.line == 3
    clean = lint("""
        group Soft(v: float) -> (o: color) {
            v -> Blur() -> o
        }
        rl = RenderLayers()
        rl.Alpha -> Soft() -> FileOutput(path="//d/")
    """)
    assert clean == []


# --- NS309 passes ---------------------------------------------------------------------------------

def test_ns309_declared_passes_missing_one():
    diags = lint("""
        scene { passes = [depth] }
        rl = RenderLayers()
        out = FileOutput(path="//d/")
        rl.Depth -> out.depth
        rl."Object Index" -> out.ids
    """)
    d = one(diags, "NS309")
    assert d.severity is Severity.ERROR and d.span.line == 5
    assert '"Object Index"' in d.help


def test_ns309_undeclared_passes_is_info_and_no_scene_block_is_silent():
    info = one(lint("""
        scene { engine = cycles }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/")
    """), "NS309")
    assert info.severity is Severity.INFO
    assert lint("""
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/")
    """) == []


def test_ns309_aliases_match_across_versions():
    assert lint("""
        scene { passes = [z, "Object Index", material_index] }
        rl = RenderLayers()
        out = FileOutput(path="//d/", format=exr-multilayer)
        rl.Depth -> out.depth
        rl.IndexOB -> out.ob
        rl.IndexMA -> out.ma
    """) == []


# --- NS310-NS313 scene level --------------------------------------------------------------------

def test_ns310_compositing_disabled():
    diags = lint("""
        scene {
            passes = [depth]
            use_compositing = false
        }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/")
    """)
    d = one(diags, "NS310")
    assert d.severity is Severity.ERROR and d.span.line == 3 and "writes nothing" in d.message
    preview = lint("""
        scene { use_compositing = false, passes = [depth], dither = 0 }
        rl = RenderLayers()
        rl.Image -> FileOutput(path="//d/", format=png, preview=true)
    """)
    assert one(preview, "NS310").severity is Severity.WARNING
    assert lint("""
        scene { use_compositing = false }
        rl = RenderLayers()
        rl.Image -> Viewer()
    """) == []


def test_ns311_dof_with_depth():
    source = """
        scene {{
            passes = [depth]
            camera.dof = {dof}
        }}
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/")
    """
    d = one(lint(source.format(dof="true")), "NS311")
    assert d.severity is Severity.WARNING and d.span.line == 3 and "jitters Depth" in d.message
    assert lint(source.format(dof="false")) == []
    eevee = source.format(dof="true").replace("passes = [depth]", "passes = [depth]\n    engine = eevee")
    assert only(lint(eevee), "NS311") == []          # EEVEE's depth ignores depth of field
    cycles = eevee.replace("engine = eevee", "engine = cycles")
    assert one(lint(cycles), "NS311")


def test_ns312_panoramic_depth_is_info():
    diags = lint("""
        scene { passes = [depth], camera.type = panoramic }
        rl = RenderLayers()
        rl.Depth -> FileOutput(path="//d/")
    """)
    assert one(diags, "NS312").severity is Severity.INFO
    assert lint("""
        scene { passes = [normal], camera.type = panoramic }
        rl = RenderLayers()
        rl.Normal -> FileOutput(path="//d/")
    """) == []


def test_ns313_background_saturation_with_cycles_only():
    source = """
        scene {{ engine = {engine}, passes = [depth] }}
        rl = RenderLayers()
        cc = CombineColor()
        rl.Depth -> cc.Red
        cc -> FileOutput(path="//d/", format=exr, depth=16)
    """
    d = one(lint(source.format(engine="cycles")), "NS313")
    assert d.severity is Severity.WARNING and "65504" in d.message
    assert only(lint(source.format(engine="eevee")), "NS313") == []


def test_ns313_not_when_a_clamp_bounds_the_background():
    diags = lint("""
        scene { engine = cycles, passes = [depth], camera.clip_end = 100 }
        rl = RenderLayers()
        m = Math(operation=divide, inputs=(_, 100), use_clamp=true)
        cc = CombineColor()
        rl.Depth -> m
        m -> cc.Red
        cc -> FileOutput(path="//d/", format=exr, depth=16)
    """)
    assert only(diags, "NS313") == [] and one(diags, "NS302")


# --- dataflow and numbers -------------------------------------------------------------------------

def test_half_step_and_lengths():
    assert precision.half_step(10) == 2 ** -7
    assert precision.half_step(100) == 2 ** -4
    assert precision.length(2 ** -7) == "7.8 mm"
    assert precision.length(10 / 255) == "39.2 mm"
    assert precision.length(1.25) == "1.25 m"
    assert precision.length(precision.pxr24_step(10)) == "0.24 mm"


def test_pass_aliases():
    assert dataflow.pass_of("IndexOB") == dataflow.pass_of("Object Index") == "Object Index"
    assert dataflow.pass_of("Denoising Depth") == "Denoising Depth"
    assert dataflow.pass_of("Image") is None and dataflow.pass_of("Alpha") is None


def test_flow_follows_groups_and_linear_maps():
    loaded = compile_source(textwrap.dedent("""
        group Cm(d: float) -> (cm: float, flat: float) {
            d -> Math(operation=multiply, inputs=(_, 100)) -> cm
            Value() -> flat
        }
        rl = RenderLayers()
        g = Cm()
        rl.Depth -> g.d
        g.cm -> FileOutput(path="//cm/") as cm
        g.flat -> FileOutput(path="//flat/") as flat
    """).lstrip("\n"), "g.nodes")
    graph = loaded.graph
    assert not [d for d in loaded.diagnostics if d.is_error]
    for version in graph.targets:
        flows = dataflow.analyse(graph, version)
        top = flows[0]
        assert [s.node.name for s in top.slots] == ["cm"]
        assert top.slots[0].passes == {"Depth"}
        assert len(flows) == 2               # the group body, seen with Depth on `d`
        body = flows[1]
        math = next(n for n in body.graph.nodes.values() if n.kind == "Math")
        assert body.data_in(math.name) == {"Depth"}
        assert {s.node for s in body.sinks_of(math.name)} == {"cm"}
        link = body.links_into(math.name)[0]
        assert body.linear(body.links_from(math.name)[0]) is None   # the input is a group socket
        assert body.out_passes(link) == {"Depth"}


def test_a_muted_node_is_not_blamed_for_what_it_would_do():
    graph = """
        scene { passes = [depth] }
        rl = RenderLayers()
        rl.Depth -> Blur(MUTE) -> FileOutput(path="//d/", format=exr, depth=32)
    """
    assert only(lint(graph.replace("MUTE", "mute=true")), "NS308") == []
    assert one(lint(graph.replace("MUTE", "mute=false")), "NS308").severity is Severity.ERROR


def test_ns301_normal_remapped_per_component_through_vector_math():
    diags = lint('''
        target "4.5".."5.3"
        scene {
            passes = [normal]
        }
        rl = RenderLayers()
        rl.Normal -> VectorMath(operation=multiply_add, inputs=(_, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))) -> FileOutput(path="//n/", format=png, depth=8)
    ''')
    message = one(diags, "NS301").message
    assert "maps each component from -1 to 1 to 0 to 1: 8-bit steps of 0.00784 per component" \
        in message
    scaled = one(lint('''
        target "4.5".."5.3"
        scene {
            passes = [normal]
        }
        rl = RenderLayers()
        rl.Normal -> VectorMath(operation=scale, Scale=1) -> FileOutput(path="//n/", format=png, depth=8)
    '''), "NS301").message
    assert "only 50% of -1 to 1 survives the file's [0, 1] clamp" in scaled


def test_ns301_depth_through_combine_xyz_keeps_its_range():
    message = one(lint('''
        target "4.5".."5.3"
        scene {
            passes = [depth]
            depth_range = (8, 10)
        }
        rl = RenderLayers()
        cx = CombineXYZ()
        rl.Depth -> cx.X
        cx -> VectorMath(operation=scale, Scale=0.05) -> FileOutput(path="//d/", format=png, depth=8)
    '''), "NS301").message
    assert "8-bit steps of 78.4 mm over 8-10 m (depth_range)" in message


def test_ns301_an_affine_vector_chain_without_a_range_is_sized_over_what_it_maps():
    message = one(lint('''
        target "4.5".."5.3"
        scene {
            passes = [depth]
        }
        rl = RenderLayers()
        cx = CombineXYZ()
        rl.Depth -> cx.X
        cx -> VectorMath(operation=scale, Scale=0.05) -> FileOutput(path="//d/", format=png, depth=8)
    '''), "NS301").message
    assert "78.4 mm steps over 0-20 m, and values outside that range clamp" in message


def test_ns301_one_normal_component_is_named():
    message = one(lint('''
        target "4.5".."5.3"
        scene {
            passes = [normal]
        }
        rl = RenderLayers()
        sep = SeparateXYZ()
        rl.Normal -> VectorMath(operation=multiply_add, inputs=(_, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))) -> sep
        sep.Z -> FileOutput(path="//z/", format=png, depth=16)
    '''), "NS301").message
    assert "maps the normal's z from -1 to 1 to 0 to 1: 16-bit steps of 3.05e-05" in message
