"""The step NS301 gives a normal remapped `n * 0.5 + 0.5` through Vector Math (a compositor
node from Blender 4.5 on), against what an 8-bit PNG really holds: one render of the example
scene, the File Output's own Raw view so the codes are linear (see test_message_numbers.py)."""

from __future__ import annotations

import re
import textwrap

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")
np = pytest.importorskip("numpy")
pytest.importorskip("OpenEXR")

from test_message_numbers import _channels, _message  # noqa: E402

from nodescript import vocabulary  # noqa: E402
from nodescript.lint import lint_file  # noqa: E402

V = "%d.%d" % tuple(bpy.app.version[:2])

GRAPH = """
scene {
    engine = cycles
    passes = [normal]
    use_compositing = true
    cycles.samples = 1
    cycles.filter_width = 0.01
    resolution = (32, 24)
    view_transform = agx
    dither = 0
}

rl = RenderLayers()
truth = FileOutput(path="//truth/", format=exr, depth=32, codec=zip)
rl.Normal -> truth.normal

half = VectorMath(operation=multiply_add, inputs=(_, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)))
vm = FileOutput(path="//vm/", format=png, depth=8, view_transform=raw)
rl.Normal -> half -> vm.normal
"""


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    if vocabulary.spec_for("VectorMath", V) is None:
        pytest.skip(f"the compositor of Blender {V} has no Vector Math")
    import importlib.util

    from conftest import ROOT
    from nodescript.blender import render as render_module
    from nodescript.inspect.image import load_image

    work = tmp_path_factory.mktemp("vector")
    spec = importlib.util.spec_from_file_location("make_example_scene",
                                                  ROOT / "scripts" / "make_example_scene.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_scene()
    scene_file = work / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(scene_file))
    bpy.ops.wm.read_factory_settings(use_empty=True)
    graph = work / "vector.nodes"
    graph.write_text(f'target "{V}"\n' + textwrap.dedent(GRAPH).lstrip(), encoding="utf-8")
    lines: list[str] = []
    code = render_module.run(render_module.Options(str(scene_file), str(graph),
                                                   out_dir=str(work / "out"), force=True),
                             lines.append, lines.append)
    assert code == 0, "\n".join(lines)
    files = {node: [load_image(str(p)) for p in (work / "out" / node).iterdir()]
             for node in ("truth", "vm")}
    return graph, files, _channels(files["truth"], "normal")


def test_vector_math_remap_step_matches_the_codes(case):
    graph, files, normal = case
    message = _message(graph, "NS301", "vm")
    assert "the graph (`half`) maps each component from -1 to 1 to 0 to 1" in message
    predicted = float(re.search(r"steps of ([\d.]+) per component", message).group(1))
    codes = _channels(files["vm"])
    assert np.abs(codes - np.round((normal * 0.5 + 0.5) * 255)).max() <= 1
    slope = np.polyfit(codes[..., 1].ravel(), normal[..., 1].ravel(), 1)[0]
    assert 0.5 <= predicted / slope <= 2, (predicted, slope)
    assert not [d for d in lint_file(str(graph)).diagnostics if d.code == "NS306"
                and "FileOutput `vm`" in d.message]
