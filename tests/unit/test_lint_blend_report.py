"""`nodescript lint SCENE.blend` reports in Blender's terms: findings in the exported text are
placed on the scene, node (in its node group), link or setting, in every output format. The
names export hands over are written here by hand (tests/blender/test_lint_blend.py does it for
real in every Blender version)."""

from __future__ import annotations

import json
import textwrap

from nodescript.blender.export import ExportedScene
from nodescript.diagnostics import Diagnostic, Place, Severity, Span
from nodescript.lint import lint_source
from nodescript.lint.blend import place_findings
from nodescript.lint.report import as_dict, render

EXPORTED = textwrap.dedent("""\
    target "4.5"

    scene {
        passes = []
        use_compositing = false
        camera.dof = true
    }

    group Soft_Edges(x: float) -> (y: color) {
        Combine_Color = CombineColor()
        Blur = Blur()

        x -> Combine_Color.Red
        Combine_Color.Image -> Blur.Image
        Blur.Image -> y
    }

    Render_Layers = RenderLayers()
    Combine_Color = CombineColor()
    File_Output_001 = FileOutput(path="//out/", format=exr, depth=16, codec=zip)
    Group = Soft_Edges()

    Render_Layers.Depth -> Combine_Color.Red
    Combine_Color.Image -> File_Output_001.depth
    Render_Layers.Depth -> Group.x
    Group.y -> File_Output_001.soft
    """)


def exported_scene() -> ExportedScene:
    nodes = {(None, "Render_Layers"): ("Render Layers",),
             (None, "Combine_Color"): ("Combine Color",),
             (None, "File_Output_001"): ("File Output.001",), (None, "Group"): ("Group",),
             ("Soft_Edges", "Combine_Color"): ("Combine Color",),
             ("Soft_Edges", "Blur"): ("Blur",)}
    return ExportedScene(EXPORTED, "4.5", "Shot 1", "ViewLayer", nodes,
                         {"Soft_Edges": "Soft Edges"})


def placed() -> dict[str, list[Diagnostic]]:
    result = lint_source(EXPORTED, "scene.blend[Shot 1]")
    found: dict[str, list[Diagnostic]] = {}
    for d in place_findings(result.diagnostics, result.graph, exported_scene(), "scene.blend"):
        found.setdefault(d.code, []).append(d)
    return found


def test_findings_name_the_scene_node_group_link_and_setting():
    found = placed()
    assert {d.place for d in found["NS302"]} == {Place("Shot 1", node="File Output.001")}
    assert [d.place for d in found["NS308"]] == [Place("Shot 1", group="Soft Edges", node="Blur")]
    assert [d.place for d in found["NS310"]] == [Place("Shot 1", setting="render.use_compositing")]
    assert [d.place for d in found["NS311"]] == [Place("Shot 1", setting="camera.data.dof.use_dof")]
    assert {d.place for d in found["NS309"]} == {
        Place("Shot 1", link=("Render Layers", "Depth", "Combine Color", "Red"),
              setting='view_layers["ViewLayer"].use_pass_z'),
        Place("Shot 1", link=("Render Layers", "Depth", "Group", "x"),
              setting='view_layers["ViewLayer"].use_pass_z')}
    for diags in found.values():
        assert all(d.span.file == "scene.blend" for d in diags)


def test_text_format_leads_with_the_blend_and_the_names():
    found = placed()
    text = render([found["NS302"][0], found["NS308"][0], found["NS309"][0]], "text", 1)
    assert 'scene.blend: scene "Shot 1", node "File Output.001": error[NS302]: ' in text
    assert 'scene.blend: scene "Shot 1", group "Soft Edges", node "Blur": error[NS308]: ' in text
    assert ('scene.blend: scene "Shot 1", link "Render Layers".Depth -> "Combine Color".Red, '
            'setting view_layers["ViewLayer"].use_pass_z: error[NS309]: ') in text
    assert "scene.blend:1" not in text and "scene.blend:2" not in text


def test_json_format_has_scene_and_node_fields_and_no_lines():
    found = placed()
    (half, *_), (blur,), (setting,) = found["NS302"], found["NS308"], found["NS310"]
    docs = json.loads(render([half, blur, setting], "json", 1))
    assert docs[0]["file"] == "scene.blend" and docs[0]["scene"] == "Shot 1"
    assert docs[0]["node"] == "File Output.001" and docs[0]["group"] is None
    assert docs[0]["line"] is None and docs[0]["col"] is None
    assert (docs[1]["group"], docs[1]["node"]) == ("Soft Edges", "Blur")
    assert docs[2]["setting"] == "render.use_compositing" and docs[2]["node"] is None
    link = as_dict(found["NS309"][0])["link"]
    assert set(link) == {"from_node", "from_socket", "to_node", "to_socket"}
    assert link["from_node"] == "Render Layers"


def test_sarif_format_uses_logical_locations_and_stays_valid():
    found = placed()
    diags = [found["NS302"][0], found["NS308"][0], found["NS309"][0], found["NS310"][0]]
    doc = json.loads(render(diags, "sarif", 1))
    results = doc["runs"][0]["results"]
    assert doc["version"] == "2.1.0" and len(results) == 4
    rule_ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical == {"artifactLocation": {"uri": "scene.blend"}}    # no region in a .blend
        for logical in location["logicalLocations"]:
            assert set(logical) == {"name", "fullyQualifiedName", "kind"}
            assert all(isinstance(v, str) and v for v in logical.values())
        assert result["message"]["text"].startswith('scene "Shot 1", ')
    names = [[l["fullyQualifiedName"] for l in r["locations"][0]["logicalLocations"]]
             for r in results]
    assert names[0] == ["Shot 1/File Output.001"]
    assert names[1] == ["Shot 1/Soft Edges/Blur"]
    assert names[2] == ["Shot 1/Render Layers.Depth -> Combine Color.Red",
                        'Shot 1/view_layers["ViewLayer"].use_pass_z']
    assert names[3] == ["Shot 1/render.use_compositing"]


def test_github_format_names_the_file_without_a_line():
    found = placed()
    out = render([found["NS308"][0]], "github", 1)
    assert out.startswith('::error file=scene.blend,title=NS308::scene "Shot 1", group "Soft '
                          'Edges", node "Blur": Blur `Blur` filters Depth')
    assert ",line=" not in out


def test_scene_and_group_places_in_sarif():
    only_scene = Diagnostic("NS203", Severity.WARNING, "m", Span.point("a.blend"),
                            place=Place("Scene"))
    only_group = Diagnostic("NS204", Severity.WARNING, "m", Span.point("a.blend"),
                            place=Place("Scene", group="Unused"))
    doc = json.loads(render([only_scene, only_group], "sarif", 1))
    logical = [r["locations"][0]["logicalLocations"] for r in doc["runs"][0]["results"]]
    assert logical == [[{"name": "Scene", "fullyQualifiedName": "Scene", "kind": "module"}],
                       [{"name": "Unused", "fullyQualifiedName": "Scene/Unused",
                         "kind": "namespace"}]]


def test_nodes_file_findings_are_unchanged():
    d = lint_source("rl = RenderLayers()\nrl.Deph -> Viewer()\n", "g.nodes").diagnostics[0]
    assert d.place is None and d.location() == "g.nodes:2:3"
    assert as_dict(d)["line"] == 2 and "scene" not in as_dict(d)
    sarif = json.loads(render([d], "sarif", 1))["runs"][0]["results"][0]["locations"][0]
    assert sarif["physicalLocation"]["region"]["startLine"] == 2
    assert "logicalLocations" not in sarif
    assert render([d], "github", 1).startswith("::error file=g.nodes,line=2,col=3,")
