"""Exact node types: `Node("CompositorNodeMath", ...)` names a node type by its bl_idname where
no kind is built as that type (4.5's legacy compositor nodes, which old files and scripts hold).
It resolves against the version's catalogue (sockets, settings, values), keeps its own type and
defaults, and lint reads it with that type's own semantics."""

from __future__ import annotations

import textwrap

from nodescript import vocabulary
from nodescript.lint import lint_source
from nodescript.resolve import compile_source


def compiled(text: str):
    return compile_source(textwrap.dedent(text).lstrip("\n"), "t.nodes")


def errors(text: str) -> list[str]:
    return [d.message for d in compiled(text).diagnostics if d.is_error]


def test_a_legacy_type_resolves_as_itself_with_its_own_settings_and_sockets():
    loaded = compiled("""
        target "4.5"
        rl = RenderLayers()
        m = Node("CompositorNodeMath", operation=multiply, inputs=(_, 65535))
        mr = Node("CompositorNodeMapRange", from_max=20)
        rl.Depth -> m -> mr.Value
        mr.Value -> Composite()
    """)
    assert [d.render() for d in loaded.diagnostics] == []
    graph = loaded.graph
    math, ramp = graph.nodes["m"].bindings["4.5"], graph.nodes["mr"].bindings["4.5"]
    assert (math.idname, math.properties["operation"], math.inputs["Value_001"]) == \
        ("CompositorNodeMath", "MULTIPLY", 65535)
    assert (ramp.idname, ramp.inputs["From Max"]) == ("CompositorNodeMapRange", 20)
    # the legacy Map Range's output is `Value` (the shader node's is `Result`)
    out = [link for link in graph.links if link.from_node == "mr"][0]
    assert out.bindings["4.5"][0].identifier == "Value"


def test_settings_and_sockets_are_the_types_own():
    assert errors("""
        target "4.5"
        mr = Node("CompositorNodeMapRange", clamp=true)
        mr.Result -> Composite()
    """) == ["CompositorNodeMapRange has no setting `clamp`",
             "CompositorNodeMapRange `mr` has no output `Result`"]


def test_a_type_missing_from_a_target_or_from_every_version():
    assert errors("""
        target "4.5".."5.0"
        m = Node("CompositorNodeMath")
    """) == ["Blender 5.0 has no node type `CompositorNodeMath` (targets: 4.5, 5.0)"]
    loaded = compiled('target "4.5"\nm = Node("CompositorNodeMaht")\n')
    (error,) = loaded.diagnostics
    assert error.code == "NS101" and "`CompositorNodeMaht`" in error.message
    assert "CompositorNodeMath" in error.help


def test_a_type_a_kind_is_built_as_is_written_as_the_kind():
    loaded = compiled('target "4.5"\na = Node("ShaderNodeMath")\nb = Node(operation=add)\n')
    assert [(d.code, d.message, d.help) for d in loaded.diagnostics] == [
        ("NS101", "ShaderNodeMath is Math in Blender 4.5", "write `Math(...)`"),
        ("NS101", 'Node takes the node type\'s bl_idname first, as in '
                  'Node("CompositorNodeMath", operation=multiply)', None)]


def test_the_vocabulary_has_no_kind_for_a_legacy_type_where_another_took_its_name():
    """4.5's CompositorNodeMixRGB was `MixRGB`, a kind no name could reach (`MixRGB` finds Mix):
    legacy types are exact types there."""
    assert "MixRGB" not in vocabulary.kind_table()
    assert vocabulary.kind_in("CompositorNodeMixRGB", "4.2") == "Mix"
    assert vocabulary.kind_in("CompositorNodeMixRGB", "4.5") is None
    assert vocabulary.semantics("CompositorNodeMixRGB") == "Mix"
    assert vocabulary.semantics("Math") == "Math"
    assert vocabulary.find_kind(vocabulary.EXACT_CALL) is None    # `Node` is never a kind


def _ns305(map_range: str, target: str = "4.5") -> list[str]:
    source = textwrap.dedent(f"""
        target "{target}"
        scene {{ passes = [depth] }}
        rl = RenderLayers()
        rl.Depth -> {map_range} -> FileOutput(path="//d/")
    """).lstrip("\n")
    return [d.message for d in lint_source(source, "t.nodes").diagnostics if d.code == "NS305"]


def test_lint_reads_the_legacy_map_range_as_not_clamping():
    """4.5's shader Map Range clamps by default, the legacy compositor one does not (BlenderProc's
    Mist -> Map Range): each is linted as what it is."""
    assert len(_ns305("MapRange(from_max=20)")) == 1
    assert _ns305('Node("CompositorNodeMapRange", from_max=20)') == []
    assert len(_ns305('Node("CompositorNodeMapRange", from_max=20, use_clamp=true)')) == 1


def test_values_are_held_to_blenders_limits_not_the_sliders():
    """Math's inputs slide from -10000 to 10000 but hold any number (RGB-D model's 65535)."""
    assert errors('target "4.2"\nm = Math(operation=divide, inputs=(_, 65535))\n') == []
    assert errors('target "4.2"\ng = Gamma(Gamma=-1)\n') == [
        "Gamma input `Gamma` must be at least 0, not -1"]
    # an integer input holds a C int (Blender refuses 2**31 with a ValueError)
    assert errors('target "5.0"\np = Pixelate(Size=-3)\n') == []
    assert errors('target "5.0"\np = Pixelate(Size=2147483648)\n') == [
        "Pixelate input `Size` must be between -2147483648 and 2147483647, not 2147483648"]
