"""The Blender extension (extension/, docs/extension.md) with real bpy: built, validated and
installed from its zip; its operators run headless on a scene; live reload driven by calling its
timer callback after the file changes on disk; unregistered cleanly."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.blender
bpy = pytest.importorskip("bpy")

from conftest import (EXAMPLES, ROOT, compositor, empty_compositor,  # noqa: E402
                      example_scene_module, running_dialect)

BUILD = ROOT / "scripts" / "build_extension.py"


# --- the zip ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def extension_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, str(BUILD), "--out", str(out), "--no-validate"], check=True,
                   capture_output=True)
    (found,) = out.glob("nodescript-*.zip")
    return found


def _blender_ext_tool() -> Path:
    scripts = Path(bpy.utils.system_resource("SCRIPTS"))
    return scripts / "addons_core" / "bl_pkg" / "cli" / "blender_ext.py"


def test_blenders_own_validator_accepts_the_zip(extension_zip):
    done = subprocess.run([sys.executable, str(_blender_ext_tool()), "validate",
                           str(extension_zip)], capture_output=True, text=True)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout


INSTALLED = r"""
import json, sys
sys.path.append(sys.argv[1])       # bpy's site-packages without its .pth: no editable nodescript
import bpy
done = bpy.ops.extensions.package_install_files(filepath=sys.argv[2], repo="user_default",
                                                enable_on_install=True)
import nodescript
scene = bpy.context.scene
scene.nodescript.file = sys.argv[3]
applied = bpy.ops.nodescript.apply()
checked = bpy.ops.nodescript.check()
result = {"install": sorted(done), "addons": list(bpy.context.preferences.addons.keys()),
          "nodescript": nodescript.__file__, "apply": sorted(applied), "drift": scene.nodescript.drift,
          "status": scene.nodescript.status}
bpy.ops.preferences.addon_disable(module="bl_ext.user_default.nodescript")
result["after_disable"] = [hasattr(bpy.types.Scene, "nodescript"),
                           hasattr(bpy.types, "NODESCRIPT_OT_apply")]
print("RESULT " + json.dumps(result))
"""


def test_installs_from_the_zip_with_its_own_wheels(extension_zip, tmp_path):
    """Install from Disk, headless, into a fresh user folder; nodescript comes from the wheel."""
    site = next(p for p in sys.path if p.endswith("site-packages") and (Path(p) / "bpy").is_dir())
    graph = tmp_path / "depth.nodes"
    shutil.copy(EXAMPLES / "depth.nodes", graph)
    script = tmp_path / "installed.py"
    script.write_text(INSTALLED)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["BLENDER_USER_RESOURCES"] = str(tmp_path / "user")

    done = subprocess.run([sys.executable, "-S", str(script), site, str(extension_zip),
                           str(graph)], capture_output=True, text=True, env=env, cwd=tmp_path)

    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads(lines[-1][len("RESULT "):])
    assert result["install"] == ["FINISHED"]
    assert "bl_ext.user_default.nodescript" in result["addons"]
    assert result["nodescript"].startswith(str(tmp_path / "user" / "extensions"))
    assert result["apply"] == ["FINISHED"] and result["drift"] == 0
    assert result["status"] == "scene 'Scene' is up to date"
    assert result["after_disable"] == [False, False]


# --- the add-on registered from source, in this process --------------------------------------

def _load_addon():
    spec = importlib.util.spec_from_file_location(
        "nodescript_extension", ROOT / "extension" / "__init__.py",
        submodule_search_locations=[str(ROOT / "extension")])
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def addon():
    example_scene_module().make_scene()
    module = _load_addon()
    module.register()
    yield module
    module.unregister()
    assert not hasattr(bpy.types.Scene, "nodescript")
    assert not [name for name in dir(bpy.types) if name.startswith("NODESCRIPT_")]
    assert not [p for p in bpy.types.Scene.bl_rna.properties.keys() if p == "nodescript"]
    assert not bpy.app.timers.is_registered(module.live.poll)
    assert module.live._forget not in bpy.app.handlers.load_pre
    for name in [n for n in sys.modules if n.startswith("nodescript_extension")]:
        del sys.modules[name]


@pytest.fixture
def nodes_file(tmp_path):
    """nodes_file(text or example Path, name="shot.nodes") -> Path, the scene pointed at it."""
    def write(source, name: str = "shot.nodes") -> Path:
        path = tmp_path / name
        text = source.read_text() if isinstance(source, Path) else textwrap.dedent(source)
        path.write_text(text.lstrip("\n"))
        bpy.context.scene.nodescript.file = str(path)
        return path
    return write


def _nodes(scene=None) -> dict[str, str]:
    tree = compositor(scene or bpy.context.scene)
    return {} if tree is None else {n.name: n.bl_idname for n in tree.nodes}


def test_apply_builds_the_file_then_is_up_to_date(addon, nodes_file):
    nodes_file(EXAMPLES / "depth.nodes")

    assert bpy.ops.nodescript.apply() == {"FINISHED"}
    assert _nodes() == {"rl": "CompositorNodeRLayers", "depth": "CompositorNodeOutputFile"}
    assert bpy.context.scene.view_layers[0].use_pass_z
    assert bpy.ops.nodescript.apply() == {"FINISHED"}
    assert bpy.context.scene.nodescript.status == "scene 'Scene' is up to date"
    assert "UNDO" in bpy.types.NODESCRIPT_OT_apply.bl_options      # one undo step


def test_apply_asks_before_removing_nodes_the_file_lacks(addon, nodes_file):
    """Nodes made in Blender are not in the file: a script must confirm their removal (what the
    CLI refuses without --prune); nodes apply built go without asking when the file drops them."""
    tree = empty_compositor(bpy.context.scene)
    tree.nodes.new("CompositorNodeBlur").name = "hand made"
    path = nodes_file(EXAMPLES / "depth.nodes")

    with pytest.raises(RuntimeError, match="remove 1 thing.*node 'hand made'"):
        bpy.ops.nodescript.apply()
    assert "hand made" in _nodes() and "rl" not in _nodes()          # nothing changed
    assert bpy.ops.nodescript.apply(confirm_removal=True) == {"FINISHED"}
    assert set(_nodes()) == {"rl", "depth"}

    path.write_text(path.read_text() + "extra = Blur()\n")
    assert bpy.ops.nodescript.apply() == {"FINISHED"}
    path.write_text(path.read_text().replace("extra = Blur()\n", ""))
    assert bpy.ops.nodescript.apply() == {"FINISHED"}                 # its own node: no question
    assert set(_nodes()) == {"rl", "depth"}


def test_check_lists_the_drift_and_changes_nothing(addon, nodes_file):
    nodes_file(EXAMPLES / "depth.nodes")
    bpy.ops.nodescript.apply()
    compositor(bpy.context.scene).nodes["depth"].label = "edited by hand"

    assert bpy.ops.nodescript.check() == {"FINISHED"}

    settings = bpy.context.scene.nodescript
    assert settings.drift == 1
    assert settings.status == "scene 'Scene' would change (1 changes)"
    assert any("depth" in line.text and "label" in line.text for line in settings.report)
    assert compositor(bpy.context.scene).nodes["depth"].label == "edited by hand"


def test_a_file_with_errors_changes_nothing_and_lists_them(addon, nodes_file):
    nodes_file(EXAMPLES / "depth.nodes")
    bpy.ops.nodescript.apply()
    path = nodes_file("rl = RenderLayers()\nrl.Depth -> nowhere.x\n")

    with pytest.raises(RuntimeError, match="error"):
        bpy.ops.nodescript.apply()

    settings = bpy.context.scene.nodescript
    assert set(_nodes()) == {"rl", "depth"}
    assert settings.findings_of == "file"
    errors = [f for f in settings.findings if f.severity == "error"]
    assert errors and errors[0].location.startswith(f"{path}:2:")


def test_export_writes_what_the_command_line_writes(addon, nodes_file, tmp_path):
    from click.testing import CliRunner

    from nodescript.blender.export import export_command

    nodes_file(EXAMPLES / "multipass.nodes")
    bpy.ops.nodescript.apply()
    blend, out = tmp_path / "scene.blend", tmp_path / "exported.nodes"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend), copy=True)

    assert bpy.ops.nodescript.export(filepath=str(out)) == {"FINISHED"}

    cli = CliRunner().invoke(export_command, [str(blend)], catch_exceptions=False)
    assert cli.exit_code == 0
    assert out.read_text() == cli.stdout
    with pytest.raises(RuntimeError, match="will not write"):
        bpy.ops.nodescript.export(filepath=str(blend))               # never over a .blend


def test_export_points_a_scene_without_a_file_at_it(addon, tmp_path):
    blend = tmp_path / "shot.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    (tmp_path / "graphs").mkdir()

    bpy.ops.nodescript.export(filepath=str(tmp_path / "graphs" / "shot.nodes"))

    assert bpy.context.scene.nodescript.file == "//graphs/shot.nodes"     # relative to the .blend


def test_lint_lists_findings_and_choosing_one_selects_its_node(addon, nodes_file):
    nodes_file(EXAMPLES / "traps" / "half-float.nodes")
    bpy.ops.nodescript.apply(force=True)

    assert bpy.ops.nodescript.lint() == {"FINISHED"}

    settings = bpy.context.scene.nodescript
    assert settings.findings_of == "scene"
    found = {(f.code, f.severity, f.node) for f in settings.findings}
    assert ("NS302", "error", "half") in found and ("NS313", "warning", "half") in found
    index = next(i for i, f in enumerate(settings.findings) if f.code == "NS302")
    assert "half float" in settings.findings[index].message

    assert bpy.ops.nodescript.show_finding(index=index) == {"FINISHED"}

    assert settings.active_finding == index
    tree = compositor(bpy.context.scene)
    assert tree.nodes.active.name == "half"
    assert [n.name for n in tree.nodes if n.select] == ["half"]
    url = addon.findings.rule_url("NS302", "https://forge.example/nodescript/docs/rules.md")
    assert url.startswith("https://forge.example/nodescript/docs/rules.md#ns302-")
    assert url.split("#")[1] in _rules_md_anchors()
    assert addon.findings.rule_text("NS302").startswith("NS302 ")


def test_lint_follows_the_projects_configuration(addon, nodes_file, tmp_path):
    nodes_file(EXAMPLES / "traps" / "half-float.nodes")
    bpy.ops.nodescript.apply(force=True)
    (tmp_path / "pyproject.toml").write_text('[tool.nodescript]\nignore = ["NS313"]\n')

    bpy.ops.nodescript.lint()

    codes = {f.code for f in bpy.context.scene.nodescript.findings}
    assert "NS302" in codes and "NS313" not in codes


def test_only_nodes_files_are_read_or_written(addon, tmp_path):
    """A .blend from anywhere may name any file: only .nodes files are read, or exported to."""
    secret = tmp_path / "notes.txt"
    secret.write_text("not for the panel\n")
    bpy.context.scene.nodescript.file = str(secret)

    with pytest.raises(RuntimeError, match="not a .nodes file"):
        bpy.ops.nodescript.apply()
    with pytest.raises(RuntimeError, match="not a .nodes file"):
        bpy.ops.nodescript.export()
    assert secret.read_text() == "not for the panel\n"
    assert not any("panel" in f.message for f in bpy.context.scene.nodescript.findings)


def test_without_a_file_nothing_runs(addon):
    with pytest.raises(RuntimeError, match="has no .nodes file"):
        bpy.ops.nodescript.apply()
    with pytest.raises(RuntimeError, match="has no .nodes file"):
        bpy.ops.nodescript.check()


def _rules_md_anchors() -> set[str]:
    import re

    headings = re.findall(r"^### (NS\d+ \S+)", (ROOT / "docs" / "rules.md").read_text(), re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_apply_refuses_precision_errors_without_force(addon, nodes_file):
    nodes_file(EXAMPLES / "traps" / "half-float.nodes")

    with pytest.raises(RuntimeError, match="precision error"):
        bpy.ops.nodescript.apply()

    assert "half" not in _nodes()
    assert {f.code for f in bpy.context.scene.nodescript.findings} >= {"NS302"}


def _snapshot(scene) -> dict:
    tree = compositor(scene)
    return {"nodes": sorted((n.name, n.bl_idname, n.label) for n in tree.nodes) if tree else [],
            "engine": scene.render.engine, "x": scene.render.resolution_x}


def test_live_reload_follows_the_file_and_its_includes(addon, nodes_file, tmp_path):
    other = bpy.data.scenes.new("Other")
    tree = empty_compositor(other)
    tree.nodes.new("CompositorNodeBlur").name = "theirs"
    before = _snapshot(other)
    (tmp_path / "part.nodes").write_text("soft = Blur()\n")
    path = nodes_file(EXAMPLES / "depth.nodes")
    path.write_text('use "part.nodes"\n' + path.read_text())
    scene = bpy.context.scene

    assert bpy.ops.nodescript.live_reload() == {"FINISHED"}             # on: applied now
    assert addon.live.is_live(scene) and bpy.app.timers.is_registered(addon.live.poll)
    assert set(_nodes()) == {"rl", "depth", "soft"}

    path.write_text(path.read_text() + "more = Blur()\n")
    assert addon.live.poll() == addon.live.INTERVAL
    assert set(_nodes()) == {"rl", "depth", "soft", "more"}

    (tmp_path / "part.nodes").write_text("softer = Blur()\n")        # a file it uses
    addon.live.poll()
    assert set(_nodes()) == {"rl", "depth", "softer", "more"}

    text = path.read_text()
    path.write_text(text + "broken = \n")                            # errors: nothing changes
    addon.live.poll()
    assert set(_nodes()) == {"rl", "depth", "softer", "more"}
    assert any(f.code == "NS001" for f in scene.nodescript.findings)

    path.write_text(text.replace("more = Blur()\n", ""))
    addon.live.poll()
    assert set(_nodes()) == {"rl", "depth", "softer"}
    assert addon.live.poll() == addon.live.INTERVAL and set(_nodes()) == {"rl", "depth", "softer"}
    assert _snapshot(other) == before                                # never another scene

    bpy.ops.nodescript.live_reload()                                 # off
    path.write_text(text)
    assert not addon.live.is_live(scene) and addon.live.poll() is None
    assert "more" not in _nodes()


def test_live_reload_never_removes_nodes_made_in_blender(addon, nodes_file):
    nodes_file(EXAMPLES / "depth.nodes")
    bpy.ops.nodescript.live_reload(action="START")
    compositor(bpy.context.scene).nodes.new("CompositorNodeBlur").name = "hand made"
    path = Path(bpy.context.scene.nodescript.file)
    path.write_text(path.read_text() + "more = Blur()\n")

    addon.live.poll()

    assert "hand made" in _nodes() and "more" not in _nodes()
    assert "'hand made'" in bpy.context.scene.nodescript.status


def test_findings_name_their_compositor_effect(addon, nodes_file):
    """5.3: Lint audits every effect a render runs; choosing a finding selects the node in the
    finding's own effect."""
    if not running_dialect().COMPOSITOR_EFFECTS:
        pytest.skip("one compositor tree per scene in this Blender")
    scene = bpy.context.scene
    nodes_file(EXAMPLES / "depth.nodes")
    bpy.ops.nodescript.apply()
    effect = scene.compositor_effects.new("Data")     # with its own group, as made in the UI
    effect.node_group = bpy.data.node_groups.new("Data", "CompositorNodeTree")
    trap = (EXAMPLES / "traps" / "half-float.nodes").read_text()
    nodes_file(trap.replace("scene {", 'scene {\n    effect = "Data"'), "data.nodes")
    bpy.ops.nodescript.apply(force=True)

    bpy.ops.nodescript.lint()

    settings = scene.nodescript
    index = next(i for i, f in enumerate(settings.findings) if f.code == "NS302")
    assert (settings.findings[index].effect, settings.findings[index].node) == ("Data", "half")
    bpy.ops.nodescript.show_finding(index=index)
    data = bpy.data.node_groups["Data"]
    assert data.nodes.active.name == "half"
    assert [n.name for n in data.nodes if n.select] == ["half"]


GROUPED = """
group DepthToCm(depth: float, scale: float) -> (cm: float) {
    mul = Math(operation=multiply)
    depth -> mul
    scale -> mul
    mul -> cm
}

rl = RenderLayers()
g = DepthToCm(scale=100)
rl.Depth -> g.depth
g.cm -> FileOutput(path="//out/cm/")
"""


def test_live_reload_leaves_a_node_group_other_scenes_use(addon, nodes_file):
    path = nodes_file(GROUPED)
    bpy.ops.nodescript.live_reload(action="START")
    group = bpy.data.node_groups["DepthToCm"]
    other = bpy.data.scenes.new("Other")
    user = empty_compositor(other).nodes.new("CompositorNodeGroup")
    user.node_tree = group
    path.write_text(textwrap.dedent(GROUPED).replace("operation=multiply", "operation=add"))

    addon.live.poll()

    assert group.nodes["mul"].operation == "MULTIPLY"                 # Other's compositor as it was
    status = bpy.context.scene.nodescript.status
    assert "node group 'DepthToCm' is also used by scene 'Other'" in status
    assert bpy.ops.nodescript.apply() == {"FINISHED"}                  # by hand, it does
    assert group.nodes["mul"].operation == "ADD"
    assert any("also used by" in line.text for line in bpy.context.scene.nodescript.report)


def test_the_panel_draws_what_is_registered(addon):
    """The panel cannot be drawn headless: every operator and property it names must exist."""
    import re

    source = (ROOT / "extension" / "panel.py").read_text()
    operators = set(re.findall(r'operator\("nodescript\.(\w+)"', source))
    assert operators == {"apply", "check", "export", "lint", "live_reload", "rule_docs",
                         "show_finding"}
    for name in operators:
        assert getattr(bpy.ops.nodescript, name).poll() or name == "rule_docs"
    scene_props = set(re.findall(r"settings\.(\w+)", source)) | set(
        re.findall(r'prop\(settings, "(\w+)"', source))
    assert scene_props <= set(bpy.context.scene.nodescript.bl_rna.properties.keys())
    item_props = set(re.findall(r"item\.(\w+)", source))
    assert item_props <= set(addon.props.NodescriptFinding.bl_rna.properties.keys())
    assert bpy.types.NODESCRIPT_PT_panel.bl_space_type == "NODE_EDITOR"


def test_live_reload_never_opens_a_fifo(addon, tmp_path):
    """A .blend may name a FIFO as its file: polling must not block on it."""
    fifo = tmp_path / "pipe.nodes"
    os.mkfifo(fifo)
    bpy.context.scene.nodescript.file = str(fifo)

    bpy.ops.nodescript.live_reload(action="START")        # returns: refused, not blocked
    assert addon.live.poll() == addon.live.INTERVAL

    assert "not a regular file" in bpy.context.scene.nodescript.status
    bpy.ops.nodescript.live_reload(action="STOP")
